import Dataset
import Foundation

/// A trained (or partly trained) network in the safetensors format: an 8-byte little-endian header
/// length, a JSON header, then raw little-endian F32 tensors. Python's `safetensors`, PyTorch and
/// MLX read it directly; the tensors are `layers.N.weight` (`out × in`, like `nn.Linear`),
/// `layers.N.bias`, `layers.N.slope` (PReLU) and the optimiser's `optimizer.velocity.*` (SGD's
/// momentum buffer, Adam's first moment) and, for Adam, `optimizer.second_moment.*`. A run that
/// averages its weights (`--ema`) saves the average as `layers.*`, the model it tested and what
/// other programs read, and the weights training goes on from as `optimizer.weights.*`.
/// `__metadata__` holds the architecture, configuration, data set, history and a SHA-256 of the
/// tensor bytes, so a flipped byte is caught on load.
public struct Checkpoint: Sendable {
    public static let formatVersion = "digit-trainer/1"

    public var config: TrainingConfig
    public var state: TrainingState
    public var dataset: String
    /// Data file name → SHA-256, as read when training.
    public var datasetSHA256: [String: String]
    public var testAccuracy: Double?
    public var testLoss: Double?
    /// When the training run saved this state (absent in older files, and when the caller gives
    /// none: a library call that passes no clock keeps same-seed files byte-identical).
    public var savedAt: Date?

    public init(
        config: TrainingConfig, state: TrainingState, dataset: String, datasetSHA256: [String: String],
        testAccuracy: Double? = nil, testLoss: Double? = nil, savedAt: Date? = nil
    ) {
        self.config = config
        self.state = state
        self.dataset = dataset
        self.datasetSHA256 = datasetSHA256
        self.testAccuracy = testAccuracy
        self.testLoss = testLoss
        self.savedAt = savedAt
    }

    /// The network the run tested: its weights' moving average, when it keeps one.
    public var model: MLP<Float> { state.evaluatedModel }

    /// The data set the model was trained on, when it is one the trainer knows.
    public var datasetKind: DatasetKind? { DatasetKind(rawValue: dataset) }

    /// `saved_at`'s form: ISO 8601 in UTC to the second, e.g. `2026-12-01T10:15:00Z`.
    public static var dateFormat: ISO8601DateFormatter { ISO8601DateFormatter() }

    // MARK: Tensor naming

    struct NamedTensor {
        let name: String
        let shape: [Int]
        let range: Range<Int>
    }

    /// Every tensor of the model and its optimiser, in file order, with its place in the flat buffers.
    static func tensors(of layers: [DenseLayout]) -> [NamedTensor] {
        var model: [NamedTensor] = []
        for (l, layer) in layers.enumerated() {
            model.append(
                NamedTensor(name: "layers.\(l).weight", shape: [layer.outputs, layer.inputs], range: layer.weight))
            model.append(NamedTensor(name: "layers.\(l).bias", shape: [layer.outputs], range: layer.bias))
            if !layer.slope.isEmpty {
                model.append(NamedTensor(name: "layers.\(l).slope", shape: [layer.outputs], range: layer.slope))
            }
        }
        return model
    }

    // MARK: Writing

    /// The file's bytes.
    public func encoded() throws -> [UInt8] {
        let layers = state.model.layers
        let named = Self.tensors(of: layers)
        var payload: [UInt8] = []
        payload.reserveCapacity(state.model.parameters.count * 8)
        var entries: [String: Any] = [:]
        for (prefix, buffer) in Self.buffers(of: state) {
            for tensor in named {
                let start = payload.count
                for value in buffer[tensor.range] {
                    withUnsafeBytes(of: value.bitPattern.littleEndian) { payload.append(contentsOf: $0) }
                }
                entries[prefix + tensor.name] = [
                    "dtype": "F32", "shape": tensor.shape, "data_offsets": [start, payload.count]
                ]
            }
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        func json<V: Encodable>(_ value: V) throws -> String {
            String(decoding: try encoder.encode(value), as: UTF8.self)
        }
        var metadata: [String: String] = [
            "format": Self.formatVersion,
            "architecture": try json(state.model.architecture),
            "config": try json(config),
            "dataset": dataset,
            "dataset_sha256": try json(datasetSHA256),
            "epoch": String(state.epochsCompleted),
            "history": try json(state.history),
            "training_state": try json(ResumeState(state)),
            "tensor_sha256": sha256Hex(payload)
        ]
        if let testAccuracy { metadata["test_accuracy"] = String(testAccuracy) }
        if let testLoss { metadata["test_loss"] = String(testLoss) }
        if let savedAt { metadata["saved_at"] = Self.dateFormat.string(from: savedAt) }
        entries["__metadata__"] = metadata
        var header = Array(try JSONSerialization.data(withJSONObject: entries, options: [.sortedKeys]))
        while header.count % 8 != 0 { header.append(0x20) }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(8 + header.count + payload.count)
        withUnsafeBytes(of: UInt64(header.count).littleEndian) { bytes.append(contentsOf: $0) }
        return bytes + header + payload
    }

    /// The prefix of the tensors that hold the weights training goes on from, when the model the
    /// file holds (`layers.*`) is their moving average.
    static let trainedWeightsPrefix = "optimizer.weights."

    /// Every buffer the file holds, by the name prefix of its tensors, in file order.
    static func buffers(of state: TrainingState) -> [(prefix: String, values: [Float])] {
        guard let average = state.averagedParameters else {
            return [("", state.model.parameters)] + state.optimizer.buffers
        }
        return [("", average)] + state.optimizer.buffers + [(trainedWeightsPrefix, state.model.parameters)]
    }

    /// Writes atomically: temporary file, fsync, rename. Refuses a model with non-finite weights.
    public func write(to path: String) throws {
        guard state.model.parameters.allSatisfy({ $0.isFinite }), model.parameters.allSatisfy({ $0.isFinite }) else {
            throw CheckpointError.nonFinite(path: path)
        }
        try AtomicFile.write(try encoded(), to: path)
    }
}

/// The loop counters a resumed run needs besides weights and velocity.
struct ResumeState: Codable {
    var epochsCompleted: Int
    /// Adam's step count (absent for SGD, and in older files).
    var optimizerSteps: Int?
    var bestValidationLoss: Double?
    var epochsWithoutImprovement: Int
    var stoppedEarly: Bool
    /// Set when the run was interrupted inside an epoch (absent in older files: never was).
    var partialEpoch: PartialEpoch?

    init(_ state: TrainingState) {
        epochsCompleted = state.epochsCompleted
        optimizerSteps = state.optimizer.kind == .adam ? state.optimizer.steps : nil
        bestValidationLoss = state.bestValidationLoss.isFinite ? state.bestValidationLoss : nil
        epochsWithoutImprovement = state.epochsWithoutImprovement
        stoppedEarly = state.stoppedEarly
        partialEpoch = state.partialEpoch.batches > 0 ? state.partialEpoch : nil
    }

    func apply(to state: inout TrainingState) {
        state.epochsCompleted = epochsCompleted
        state.optimizer.steps = optimizerSteps ?? 0
        state.bestValidationLoss = bestValidationLoss ?? .infinity
        state.epochsWithoutImprovement = epochsWithoutImprovement
        state.stoppedEarly = stoppedEarly
        state.partialEpoch = partialEpoch ?? PartialEpoch()
    }
}

/// Why a checkpoint cannot be used, in one sentence naming the file.
public enum CheckpointError: Error, Equatable, CustomStringConvertible {
    case missing(path: String)
    case invalid(path: String, reason: String)
    case nonFinite(path: String)

    public var description: String {
        switch self {
        case .missing(let path): return "\(path): no such model file"
        case .invalid(let path, let reason): return "\(path): not a usable digit-trainer model: \(reason)"
        case .nonFinite(let path): return "\(path): refusing to save a model whose weights are NaN or infinite"
        }
    }
}
