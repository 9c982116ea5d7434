import Dataset
import Foundation

/// A trained (or partly trained) network in the safetensors format: an 8-byte little-endian header
/// length, a JSON header, then raw little-endian F32 tensors. Python's `safetensors`, PyTorch and
/// MLX read it directly; the tensors are `layers.N.weight` (`out × in`, like `nn.Linear`),
/// `layers.N.bias`, `layers.N.slope` (PReLU) and the optimiser's `optimizer.velocity.*`.
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

    public init(config: TrainingConfig, state: TrainingState, dataset: String, datasetSHA256: [String: String],
                testAccuracy: Double? = nil, testLoss: Double? = nil) {
        self.config = config
        self.state = state
        self.dataset = dataset
        self.datasetSHA256 = datasetSHA256
        self.testAccuracy = testAccuracy
        self.testLoss = testLoss
    }

    public var model: MLP<Float> { state.model }

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
            model.append(NamedTensor(name: "layers.\(l).weight", shape: [layer.outputs, layer.inputs], range: layer.weight))
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
        for (prefix, buffer) in [("", state.model.parameters), ("optimizer.velocity.", state.optimizer.velocity)] {
            for tensor in named {
                let start = payload.count
                for value in buffer[tensor.range] {
                    withUnsafeBytes(of: value.bitPattern.littleEndian) { payload.append(contentsOf: $0) }
                }
                entries[prefix + tensor.name] = ["dtype": "F32", "shape": tensor.shape, "data_offsets": [start, payload.count]]
            }
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        func json<V: Encodable>(_ value: V) throws -> String { String(decoding: try encoder.encode(value), as: UTF8.self) }
        var metadata: [String: String] = [
            "format": Self.formatVersion,
            "architecture": try json(state.model.architecture),
            "config": try json(config),
            "dataset": dataset,
            "dataset_sha256": try json(datasetSHA256),
            "epoch": String(state.epochsCompleted),
            "history": try json(state.history),
            "training_state": try json(ResumeState(state)),
            "tensor_sha256": sha256Hex(payload),
        ]
        if let testAccuracy { metadata["test_accuracy"] = String(testAccuracy) }
        if let testLoss { metadata["test_loss"] = String(testLoss) }
        entries["__metadata__"] = metadata
        var header = Array(try JSONSerialization.data(withJSONObject: entries, options: [.sortedKeys]))
        while header.count % 8 != 0 { header.append(0x20) }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(8 + header.count + payload.count)
        withUnsafeBytes(of: UInt64(header.count).littleEndian) { bytes.append(contentsOf: $0) }
        return bytes + header + payload
    }

    /// Writes atomically: temporary file, fsync, rename. Refuses a model with non-finite weights.
    public func write(to path: String) throws {
        guard state.model.parameters.allSatisfy({ $0.isFinite }) else { throw CheckpointError.nonFinite(path: path) }
        try AtomicFile.write(try encoded(), to: path)
    }

    // MARK: Reading

    /// Reads and checks a checkpoint: header, dtypes, shapes, offsets, metadata and the tensor checksum.
    public init(contentsOf path: String) throws {
        guard FileManager.default.fileExists(atPath: path) else { throw CheckpointError.missing(path: path) }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CheckpointError.invalid(path: path, reason: "cannot be read")
        }
        try self.init(bytes: [UInt8](data), path: path)
    }

    public init(bytes: [UInt8], path: String) throws {
        func fail(_ reason: String) -> CheckpointError { .invalid(path: path, reason: reason) }
        guard bytes.count >= 8 else { throw fail("too short to be a safetensors file (\(bytes.count) bytes)") }
        let headerLength = bytes[0..<8].reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        guard headerLength <= UInt64(bytes.count - 8), headerLength <= 100 << 20 else {
            throw fail("header length \(headerLength) exceeds the file (truncated, or not a safetensors file)")
        }
        let headerEnd = 8 + Int(headerLength)
        guard let object = try? JSONSerialization.jsonObject(with: Data(bytes[8..<headerEnd])),
              let header = object as? [String: Any] else {
            throw fail("the header is not a JSON object (not a safetensors file, or corrupted)")
        }
        guard let metadata = header["__metadata__"] as? [String: String] else {
            throw fail("no digit-trainer metadata (__metadata__); was it written by another program?")
        }
        guard metadata["format"] == Self.formatVersion else {
            throw fail("format '\(metadata["format"] ?? "none")' is not \(Self.formatVersion)")
        }
        let payload = Array(bytes[headerEnd...])
        guard sha256Hex(payload) == metadata["tensor_sha256"] else {
            throw fail("tensor data does not match its checksum (the file is truncated or corrupted)")
        }
        let decoder = JSONDecoder()
        func decode<V: Decodable>(_ type: V.Type, _ key: String) throws -> V {
            guard let text = metadata[key], let value = try? decoder.decode(V.self, from: Data(text.utf8)) else {
                throw fail("metadata '\(key)' is missing or malformed")
            }
            return value
        }
        let architecture = try decode(Architecture.self, "architecture")
        guard architecture.inputs > 0, architecture.outputs > 1, architecture.hidden.allSatisfy({ $0 > 0 }),
              architecture.hidden.count == architecture.activations.count,
              architecture.widths.reduce(0, +) < 10_000_000 else {
            throw fail("metadata 'architecture' describes an impossible network")
        }
        let config = try decode(TrainingConfig.self, "config")
        let resume = try decode(ResumeState.self, "training_state")

        let layers = DenseLayout.layouts(for: architecture)
        let count = layers.last!.slope.upperBound
        var parameters = [Float](repeating: 0, count: count)
        var velocity = [Float](repeating: 0, count: count)
        var covered = 0
        for (prefix, isVelocity) in [("", false), ("optimizer.velocity.", true)] {
            for tensor in Self.tensors(of: layers) {
                let name = prefix + tensor.name
                guard let entry = header[name] as? [String: Any] else { throw fail("tensor '\(name)' is missing") }
                guard entry["dtype"] as? String == "F32" else { throw fail("tensor '\(name)' is not F32") }
                guard let shape = entry["shape"] as? [Int], shape == tensor.shape else {
                    throw fail("tensor '\(name)' has shape \(entry["shape"] ?? "none"), expected \(tensor.shape)")
                }
                guard let offsets = entry["data_offsets"] as? [Int], offsets.count == 2,
                      offsets[0] >= 0, offsets[1] <= payload.count, offsets[1] - offsets[0] == tensor.range.count * 4 else {
                    throw fail("tensor '\(name)' has data offsets outside the file or of the wrong size")
                }
                covered += offsets[1] - offsets[0]
                payload.withUnsafeBytes { raw in
                    for (k, i) in tensor.range.enumerated() {
                        let bits = UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: offsets[0] + 4 * k, as: UInt32.self))
                        if isVelocity { velocity[i] = Float(bitPattern: bits) } else { parameters[i] = Float(bitPattern: bits) }
                    }
                }
            }
        }
        guard covered == payload.count else { throw fail("tensor data has \(payload.count - covered) unexplained bytes") }
        guard parameters.allSatisfy({ $0.isFinite }) else { throw fail("weights contain NaN or infinity") }

        var state = TrainingState(model: MLP(architecture: architecture, parameters: parameters),
                                  optimizer: SGD(parameterCount: count, momentum: config.momentum,
                                                 nesterov: config.nesterov, weightDecay: config.weightDecay))
        state.optimizer.velocity = velocity
        resume.apply(to: &state)
        state.history = (try? decode([EpochRecord].self, "history")) ?? []
        self.init(config: config, state: state, dataset: metadata["dataset"] ?? "unknown",
                  datasetSHA256: (try? decode([String: String].self, "dataset_sha256")) ?? [:],
                  testAccuracy: metadata["test_accuracy"].flatMap(Double.init),
                  testLoss: metadata["test_loss"].flatMap(Double.init))
    }
}

/// The loop counters a resumed run needs besides weights and velocity.
struct ResumeState: Codable {
    var epochsCompleted: Int
    var bestValidationLoss: Double?
    var epochsWithoutImprovement: Int
    var stoppedEarly: Bool

    init(_ state: TrainingState) {
        epochsCompleted = state.epochsCompleted
        bestValidationLoss = state.bestValidationLoss.isFinite ? state.bestValidationLoss : nil
        epochsWithoutImprovement = state.epochsWithoutImprovement
        stoppedEarly = state.stoppedEarly
    }

    func apply(to state: inout TrainingState) {
        state.epochsCompleted = epochsCompleted
        state.bestValidationLoss = bestValidationLoss ?? .infinity
        state.epochsWithoutImprovement = epochsWithoutImprovement
        state.stoppedEarly = stoppedEarly
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
