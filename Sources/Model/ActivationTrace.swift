import Dataset

/// Each hidden layer's outputs at one moment of training: their mean and spread over every unit
/// and a fixed set of held-out images. A series of them through the first epoch is the figure
/// Glorot & Bengio (2010, Figure 2) drew to show a sigmoid network's top layer driven to 0.
public struct ActivationSnapshot: Sendable, Equatable, Codable {
    /// Batches trained when it was measured (0: the initial weights).
    public var step: Int
    /// Per hidden layer, first to last.
    public var layers: [Moments]

    public struct Moments: Sendable, Equatable, Codable {
        public var mean: Double
        public var standardDeviation: Double

        public init(mean: Double, standardDeviation: Double) {
            (self.mean, self.standardDeviation) = (mean, standardDeviation)
        }
    }

    public init(step: Int, layers: [Moments]) { (self.step, self.layers) = (step, layers) }
}

/// Takes `ActivationSnapshot`s while a run trains its first epoch: one of the initial weights
/// (`start`), then `points` more at even steps, the last after the epoch's last batch. A
/// `TrainingObserver`; each snapshot is one forward pass over the probe images, so a few hundred
/// images keep it cheap.
public final class ActivationTracer: TrainingObserver, @unchecked Sendable {
    private let images: [Float]
    private let rows: Int
    private let workspace: Workspace<Float>
    private let points: Int
    public private(set) var snapshots: [ActivationSnapshot] = []

    public init(architecture: Architecture, probe: DigitDataset, points: Int) {
        precondition(probe.count > 0 && points > 0)
        var images = [Float](repeating: 0, count: probe.count * probe.featureCount)
        images.withUnsafeMutableBufferPointer { probe.copyImages(0..<probe.count, to: $0.baseAddress!) }
        (self.images, rows, self.points) = (images, probe.count, points)
        workspace = Workspace<Float>(architecture: architecture, capacity: probe.count)
    }

    /// The snapshot of the weights before training.
    public func start(_ model: MLP<Float>) { snapshots = [measure(model, step: 0)] }

    public func batchTrained(_ batch: BatchOutcome, state: TrainingState) {
        guard batch.epoch == 1 else { return }
        let interval = max(1, batch.batchesPerEpoch / points)
        if batch.batch % interval == 0 && batch.batch / interval <= points || batch.batch == batch.batchesPerEpoch {
            if snapshots.last?.step != batch.batch { snapshots.append(measure(state.model, step: batch.batch)) }
        }
    }

    private func measure(_ model: MLP<Float>, step: Int) -> ActivationSnapshot {
        images.withUnsafeBufferPointer { model.forward($0.baseAddress!, rows: rows, workspace: workspace) }
        let layers = model.architecture.hidden.indices.map { l -> ActivationSnapshot.Moments in
            let count = rows * model.architecture.hidden[l]
            let values = UnsafeBufferPointer(start: workspace.activations(layer: l), count: count)
            // In Double: a million Float additions would lose the mean's last digits.
            var sum = 0.0, squares = 0.0
            for v in values {
                sum += Double(v)
                squares += Double(v) * Double(v)
            }
            let mean = sum / Double(count)
            return .init(mean: mean, standardDeviation: max(0, squares / Double(count) - mean * mean).squareRoot())
        }
        return ActivationSnapshot(step: step, layers: layers)
    }
}
