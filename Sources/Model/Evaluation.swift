import Dataset
import RealModule

/// A model's loss, accuracy and per-example predictions on a data set.
public struct Evaluation: Sendable {
    public let loss: Double
    public let accuracy: Double
    /// Predicted class and its probability, per example.
    public let predictions: [UInt8]
    public let confidences: [Float]
    /// `confusion[truth][predicted]` counts.
    public let confusion: [[Int]]
    /// Per hidden layer, if asked for.
    public let layers: [LayerDiagnostics]

    /// Runs the whole of `data` through `model` in chunks of `chunk` examples, each split over `threads`
    /// threads; with `views`, each example is read as the mean of its views' probabilities.
    public init(
        model: MLP<Float>, data: DigitDataset, diagnostics: Bool = false, chunk: Int = 1000, threads: Int = 1,
        views: TestTimeAugmentation = .single
    ) {
        self.init(
            model: model, data: data, diagnostics: diagnostics,
            buffers: Buffers(
                architecture: model.architecture, featureCount: data.featureCount, chunk: chunk, threads: threads),
            views: views)
    }

    /// What an evaluation works in: a thread team and buffers for one chunk of examples. Training
    /// keeps one for all its validations: making them anew every epoch grew the process by about
    /// 10 MB an epoch (freed, but not returned by the allocator) for a 1024-1024 network.
    public final class Buffers {
        let team: WorkerTeam
        let workspace: Workspace<Float>
        let pixels: UnsafeMutablePointer<Float>
        /// A moved copy of a chunk, for test-time augmentation.
        let moved: UnsafeMutablePointer<Float>
        let chunk: Int
        let architecture: Architecture

        public init(architecture: Architecture, featureCount: Int, chunk: Int = 1000, threads: Int = 1) {
            precondition(featureCount == architecture.inputs && chunk >= 1)
            (self.architecture, self.chunk) = (architecture, chunk)
            team = WorkerTeam(size: threads)
            workspace = Workspace<Float>(architecture: architecture, capacity: chunk)
            pixels = .allocate(capacity: chunk * featureCount)
            moved = .allocate(capacity: chunk * featureCount)
        }

        deinit {
            pixels.deallocate()
            moved.deallocate()
        }
    }

    /// The same, in `buffers` made for this model's architecture.
    public init(
        model: MLP<Float>, data: DigitDataset, diagnostics: Bool = false, buffers: Buffers,
        views: TestTimeAugmentation = .single
    ) {
        precondition(buffers.architecture == model.architecture, "buffers made for this architecture")
        let (team, workspace, pixels, chunk) = (buffers.team, buffers.workspace, buffers.pixels, buffers.chunk)
        let architecture = model.architecture
        let classes = architecture.outputs
        var loss = 0.0, correct = 0
        var predictions = [UInt8](repeating: 0, count: data.count)
        var confidences = [Float](repeating: 0, count: data.count)
        var confusion = Array(repeating: Array(repeating: 0, count: classes), count: classes)
        var probes = architecture.hidden.indices.map {
            LayerProbe(width: architecture.hidden[$0], activation: architecture.activations[$0])
        }
        let labels = data.labels.map(Int32.init)

        labels.withUnsafeBufferPointer { labels in
            for start in stride(from: 0, to: data.count, by: chunk) {
                let rows = min(chunk, data.count - start)
                data.copyImages(start..<start + rows, to: pixels)
                func observe() {
                    guard diagnostics else { return }
                    for l in probes.indices {
                        probes[l].observe(
                            pre: workspace.preActivations(layer: l), post: workspace.activations(layer: l), rows: rows)
                    }
                }
                if views.views == 1 {
                    model.forward(pixels, rows: rows, workspace: workspace, team: team)
                    let result = SoftmaxCrossEntropy.evaluate(
                        logits: workspace.logits, labels: labels.baseAddress! + start,
                        rows: rows, classes: classes)
                    loss += result.loss
                    correct += result.correct
                    for r in 0..<rows {
                        let p = SoftmaxCrossEntropy.probabilities(workspace.logits + r * classes, classes: classes)
                        let best = p.indices.max { p[$0] < p[$1] }!
                        predictions[start + r] = UInt8(best)
                        confidences[start + r] = p[best]
                        confusion[Int(labels[start + r])][best] += 1
                    }
                    observe()
                } else {
                    let mean = views.probabilities(
                        model: model, pixels: pixels, rows: rows, height: data.rows, width: data.cols,
                        workspace: workspace, team: team, scratch: buffers.moved, firstView: observe)
                    for r in 0..<rows {
                        let p = mean[r * classes..<(r + 1) * classes]
                        let best = p.indices.max { p[$0] < p[$1] }! - r * classes
                        let label = Int(labels[start + r])
                        loss -= Double.log(max(p[r * classes + label], Double.leastNormalMagnitude))
                        if best == label { correct += 1 }
                        predictions[start + r] = UInt8(best)
                        confidences[start + r] = Float(p[r * classes + best])
                        confusion[label][best] += 1
                    }
                }
            }
        }
        self.loss = loss / Double(max(data.count, 1))
        self.accuracy = Double(correct) / Double(max(data.count, 1))
        self.predictions = predictions
        self.confidences = confidences
        self.confusion = confusion
        self.layers = diagnostics ? probes.map { $0.result } : []
    }

    /// Accuracy on each class (recall), from the confusion matrix.
    public var perClassAccuracy: [Double] {
        confusion.enumerated().map { c, row in
            let total = row.reduce(0, +)
            return total == 0 ? 0 : Double(row[c]) / Double(total)
        }
    }
}
