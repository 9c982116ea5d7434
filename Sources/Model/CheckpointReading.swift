import Dataset
import Foundation

/// Reading a checkpoint in three steps, each refusing what it can judge: parse the safetensors
/// container, validate it against what digit-trainer writes (format, checksum, architecture,
/// every tensor's dtype, shape and offsets), then build the training state from the bytes.
extension Checkpoint {
    /// The largest checkpoint read: ten times a 1024-1024 network with its optimiser state, and
    /// far below what would strain a machine.
    public static let sizeLimit = 1 << 30

    /// Reads and checks a checkpoint file through the same capped reader as the data.
    public init(contentsOf path: String) throws {
        let bytes: [UInt8]
        do {
            bytes = try readFileBytes(path, limit: Self.sizeLimit)
        } catch let error as DatasetError {
            switch error {
            case .missingFile: throw CheckpointError.missing(path: path)
            case .tooLarge(_, let limit):
                throw CheckpointError.invalid(
                    path: path, reason: "larger than the \(limit >> 20) MiB a model file may be")
            case .unreadable(_, let reason):
                throw CheckpointError.invalid(path: path, reason: "cannot be read (\(reason))")
            default: throw error
            }
        }
        try self.init(bytes: bytes, path: path)
    }

    /// Checks and decodes a checkpoint's bytes; `path` names it in errors.
    public init(bytes: [UInt8], path: String) throws {
        let file = try SafetensorsFile(parsing: bytes, path: path)
        let checkpoint = try ValidatedCheckpoint(file, path: path).build()
        guard checkpoint.model.parameters.allSatisfy({ $0.isFinite }) else {
            throw CheckpointError.invalid(path: path, reason: "weights contain NaN or infinity")
        }
        self = checkpoint
    }
}

/// The safetensors container: an 8-byte little-endian header length, a JSON header naming each
/// tensor's dtype, shape and byte range, and the raw tensor bytes.
struct SafetensorsFile {
    let header: [String: Any]
    let metadata: [String: String]
    let payload: ArraySlice<UInt8>

    init(parsing bytes: [UInt8], path: String) throws {
        func fail(_ reason: String) -> CheckpointError { .invalid(path: path, reason: reason) }
        guard bytes.count >= 8 else { throw fail("too short to be a safetensors file (\(bytes.count) bytes)") }
        let headerLength = bytes[0..<8].reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        guard headerLength <= UInt64(bytes.count - 8), headerLength <= 100 << 20 else {
            throw fail("header length \(headerLength) exceeds the file (truncated, or not a safetensors file)")
        }
        let headerEnd = 8 + Int(headerLength)
        guard let object = try? JSONSerialization.jsonObject(with: Data(bytes[8..<headerEnd])),
            let header = object as? [String: Any]
        else {
            throw fail("the header is not a JSON object (not a safetensors file, or corrupted)")
        }
        guard let metadata = header["__metadata__"] as? [String: String] else {
            throw fail("no digit-trainer metadata (__metadata__); was it written by another program?")
        }
        (self.header, self.metadata, self.payload) = (header, metadata, bytes[headerEnd...])
    }
}

/// A checkpoint whose every claim has been checked against its bytes: nothing is allocated for
/// the tensors until the architecture's parameter count matches the payload's size.
struct ValidatedCheckpoint {
    let file: SafetensorsFile
    let architecture: Architecture
    let config: TrainingConfig
    let resume: ResumeState
    /// Each tensor of the model, then of the optimiser's buffers, with the prefix of the buffer it
    /// belongs to (`Checkpoint.buffers`) and its byte offset in the payload.
    let tensors: [(tensor: Checkpoint.NamedTensor, buffer: String, offset: Int)]

    init(_ file: SafetensorsFile, path: String) throws {
        func fail(_ reason: String) -> CheckpointError { .invalid(path: path, reason: reason) }
        let metadata = file.metadata
        guard metadata["format"] == Checkpoint.formatVersion else {
            throw fail("format '\(metadata["format"] ?? "none")' is not \(Checkpoint.formatVersion)")
        }
        guard sha256Hex(Array(file.payload)) == metadata["tensor_sha256"] else {
            throw fail("tensor data does not match its checksum (the file is truncated or corrupted)")
        }
        func decode<V: Decodable>(_ type: V.Type, _ key: String) throws -> V {
            guard let text = metadata[key], let value = try? JSONDecoder().decode(V.self, from: Data(text.utf8)) else {
                throw fail("metadata '\(key)' is missing or malformed")
            }
            return value
        }
        let architecture = try decode(Architecture.self, "architecture")
        config = try decode(TrainingConfig.self, "config")
        // The parameters and the velocity; Adam's second moment and the trained weights under
        // their average when the file has them (a run's optimiser is its config's; a file without
        // the moment resumes Adam with it at zero, one without the average starts it afresh).
        let prefixes =
            ["", "optimizer.velocity."]
            + ["optimizer.second_moment.", Checkpoint.trainedWeightsPrefix].filter { prefix in
                file.header.keys.contains { $0.hasPrefix(prefix) }
            }
        guard architecture.inputs > 0, architecture.outputs > 1, architecture.hidden.allSatisfy({ $0 > 0 }),
            architecture.hidden.count == architecture.activations.count, architecture.widths.reduce(0, +) < 10_000_000,
            Self.floatCount(architecture).map({ $0 * prefixes.count * 4 == file.payload.count }) == true
        else {
            throw fail("metadata 'architecture' does not describe the network whose tensors the file holds")
        }
        self.architecture = architecture
        resume = try decode(ResumeState.self, "training_state")

        var tensors: [(Checkpoint.NamedTensor, String, Int)] = []
        var covered = 0
        for prefix in prefixes {
            for tensor in Checkpoint.tensors(of: DenseLayout.layouts(for: architecture)) {
                let name = prefix + tensor.name
                guard let entry = file.header[name] as? [String: Any] else { throw fail("tensor '\(name)' is missing") }
                guard entry["dtype"] as? String == "F32" else { throw fail("tensor '\(name)' is not F32") }
                guard let shape = entry["shape"] as? [Int], shape == tensor.shape else {
                    throw fail("tensor '\(name)' has shape \(entry["shape"] ?? "none"), expected \(tensor.shape)")
                }
                guard let offsets = entry["data_offsets"] as? [Int], offsets.count == 2,
                    offsets[0] >= 0, offsets[1] <= file.payload.count, offsets[1] - offsets[0] == tensor.range.count * 4
                else {
                    throw fail("tensor '\(name)' has data offsets outside the file or of the wrong size")
                }
                covered += offsets[1] - offsets[0]
                tensors.append((tensor, prefix, offsets[0]))
            }
        }
        guard covered == file.payload.count else {
            throw fail("tensor data has \(file.payload.count - covered) unexplained bytes")
        }
        self.tensors = tensors
        self.file = file
    }

    /// Parameters in the network, or nil when the count overflows.
    static func floatCount(_ architecture: Architecture) -> Int? {
        var total = 0
        let widths = architecture.widths
        for l in 0..<(widths.count - 1) {
            let (product, overflow) = widths[l].multipliedReportingOverflow(by: widths[l + 1])
            guard !overflow else { return nil }
            var slopes = 0
            if l < architecture.activations.count, case .prelu = architecture.activations[l] { slopes = widths[l + 1] }
            let (sum, overflow2) = total.addingReportingOverflow(product + widths[l + 1] + slopes)
            guard !overflow2, sum < Int.max / 8 else { return nil }
            total = sum
        }
        return total
    }

    /// The checkpoint the bytes describe.
    func build() -> Checkpoint {
        let layers = DenseLayout.layouts(for: architecture)
        let count = layers.last!.slope.upperBound
        var buffers: [String: [Float]] = [:]
        for prefix in Set(tensors.map(\.buffer)) { buffers[prefix] = [Float](repeating: 0, count: count) }
        file.payload.withUnsafeBytes { raw in
            for (tensor, buffer, offset) in tensors {
                for (k, i) in tensor.range.enumerated() {
                    buffers[buffer]![i] = Float(
                        bitPattern: UInt32(
                            littleEndian: raw.loadUnaligned(fromByteOffset: offset + 4 * k, as: UInt32.self)))
                }
            }
        }
        // With an average, `layers.*` is the average and the trained weights are kept apart.
        let trained = buffers[Checkpoint.trainedWeightsPrefix]
        var state = TrainingState(
            model: MLP(architecture: architecture, parameters: trained ?? buffers[""]!),
            optimizer: Optimizer(config, parameterCount: count))
        state.optimizer.velocity = buffers["optimizer.velocity."]!
        if config.optimizer == .adam, let moment = buffers["optimizer.second_moment."] {
            state.optimizer.secondMoment = moment
        }
        if trained != nil && state.optimizer.averages { state.optimizer.average = buffers[""]! }
        resume.apply(to: &state)
        let metadata = file.metadata
        func decoded<V: Decodable>(_ type: V.Type, _ key: String) -> V? {
            metadata[key].flatMap { try? JSONDecoder().decode(V.self, from: Data($0.utf8)) }
        }
        state.history = decoded([EpochRecord].self, "history") ?? []
        return Checkpoint(
            config: config, state: state, dataset: metadata["dataset"] ?? "unknown",
            datasetSHA256: decoded([String: String].self, "dataset_sha256") ?? [:],
            testAccuracy: metadata["test_accuracy"].flatMap(Double.init),
            testLoss: metadata["test_loss"].flatMap(Double.init),
            savedAt: metadata["saved_at"].flatMap { Checkpoint.dateFormat.date(from: $0) })
    }
}
