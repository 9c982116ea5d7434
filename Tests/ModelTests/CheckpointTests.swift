import Dataset
import Foundation
import Model
import Testing
import TestSupport

@Suite struct CheckpointTests {
    static func sample() -> Checkpoint {
        var config = TrainingConfig()
        config.hidden = [5, 4]
        config.activations = [.prelu(initial: 0.2), .swish(beta: 1.5)]
        let architecture = config.architecture(inputs: 7, classes: 3)
        var state = TrainingState(
            model: MLP(architecture: architecture, seed: 9),
            optimizer: Optimizer(parameterCount: MLP<Float>.parameterCount(of: architecture)))
        state.optimizer.velocity = state.optimizer.velocity.indices.map { Float($0) / 100 }
        state.epochsCompleted = 2
        state.history = [
            EpochRecord(
                epoch: 1, trainLoss: 0.5, trainAccuracy: 0.8, validationLoss: 0.4, validationAccuracy: 0.85,
                learningRate: 0.03, seconds: 1, samplesPerSecond: 1000)
        ]
        return Checkpoint(
            config: config, state: state, dataset: "mnist", datasetSHA256: ["a.gz": "00ff"], testAccuracy: 0.9)
    }

    /// Every setting away from its default survives a checkpoint: a setting left out of the hand-written
    /// decoder would come back as its default, and `--resume` would silently change the run.
    /// Every row of the table of training settings survives a checkpoint (what `--resume` reads),
    /// each alone and all together at their samples (values away from their defaults), and a file
    /// written before a setting existed reads it as its default. Driven by the table, so a setting
    /// added there is checked here without touching this test.
    @Test func everySettingSurvivesACheckpoint() throws {
        // Any CPU can write and read a bf16 run's checkpoint: only training it needs the instructions.
        let settings = TrainingSettings.all
        var all = TrainingConfig()
        all.diagnostics = true
        for setting in settings {
            var alone = TrainingConfig()
            try setting.set(setting.sample, in: &alone)
            try setting.set(setting.sample, in: &all)
            #expect(setting.value(alone) != setting.defaultValue, "\(setting.id)'s sample is its default")
            var checkpoint = Self.sample()
            checkpoint.config = alone
            let loaded = try Checkpoint(bytes: try checkpoint.encoded(), path: "settings.safetensors")
            #expect(loaded.config == alone, "\(setting.id) survives a checkpoint")

            var stored = try #require(
                try JSONSerialization.jsonObject(with: JSONEncoder().encode(alone)) as? [String: Any])
            stored[setting.key] = nil
            let old = try JSONDecoder().decode(
                TrainingConfig.self, from: JSONSerialization.data(withJSONObject: stored))
            #expect(setting.value(old) == setting.defaultValue, "a file without \(setting.key) reads its default")
        }
        var checkpoint = Self.sample()
        checkpoint.config = all
        #expect(try Checkpoint(bytes: try checkpoint.encoded(), path: "all.safetensors").config == all)
        // Every stored property is a setting of the table (or `diagnostics`, which only ablate sets).
        let keys = Set(TrainingSettings.all.map(\.key) + ["diagnostics"])
        for child in Mirror(reflecting: all).children {
            #expect(keys.contains(child.label!), "TrainingConfig.\(child.label!) has no row in TrainingSettings.all")
        }
    }

    @Test func roundTrip() throws {
        let original = Self.sample()
        let path = temporaryFolder() + "/m.safetensors"
        try original.write(to: path)
        let loaded = try Checkpoint(contentsOf: path)
        #expect(loaded.model.parameters == original.model.parameters)
        #expect(loaded.model.architecture == original.model.architecture)
        #expect(loaded.state.optimizer.velocity == original.state.optimizer.velocity)
        #expect(loaded.config == original.config)
        #expect(loaded.state.epochsCompleted == 2 && loaded.state.history == original.state.history)
        #expect(loaded.testAccuracy == 0.9 && loaded.datasetSHA256 == ["a.gz": "00ff"])
        // No temporary file is left beside it.
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: (path as NSString).deletingLastPathComponent) == [
                "m.safetensors"
            ])
    }

    @Test func layoutIsPlainSafetensors() throws {
        let bytes = try Self.sample().encoded()
        let headerLength = Int(bytes[0..<8].reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) })
        #expect((8 + headerLength) % 8 == 0)
        let header = try JSONSerialization.jsonObject(with: Data(bytes[8..<(8 + headerLength)])) as! [String: Any]
        let weight = header["layers.0.weight"] as! [String: Any]
        #expect(weight["dtype"] as? String == "F32")
        #expect(weight["shape"] as? [Int] == [5, 7])
        #expect((header["layers.0.slope"] as! [String: Any])["shape"] as? [Int] == [5])
        // The first weight, read as a reader in another language would.
        let offsets = weight["data_offsets"] as! [Int]
        let start = 8 + headerLength + offsets[0]
        let bits = bytes[start..<(start + 4)].reversed().reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        #expect(Float(bitPattern: bits) == Self.sample().model.parameters[0])
    }

    @Test func damagedFilesAreRejected() throws {
        let bytes = try Self.sample().encoded()
        let folder = temporaryFolder()
        func load(_ data: [UInt8]) throws {
            let path = folder + "/bad.safetensors"
            FileManager.default.createFile(atPath: path, contents: Data(data))
            _ = try Checkpoint(contentsOf: path)
        }
        func rejects(_ data: [UInt8], saying phrase: String) {
            #expect {
                try load(data)
            } throws: { error in
                let text = "\(error)"
                return text.contains("bad.safetensors") && text.contains(phrase) && !text.contains("\n")
            }
        }
        rejects(Array(bytes.prefix(bytes.count - 10)), saying: "checksum")
        rejects(Array(bytes.prefix(100)), saying: "header length")
        rejects(Array(bytes.prefix(5)), saying: "too short")
        var flipped = bytes
        flipped[bytes.count - 37] ^= 0x10
        rejects(flipped, saying: "checksum")
        var headerFlip = bytes
        headerFlip[9] = UInt8(ascii: "!")
        rejects(headerFlip, saying: "JSON")
        rejects(Array("hello".utf8) + [UInt8](repeating: 0, count: 20), saying: "header length")
        #expect(throws: CheckpointError.missing(path: folder + "/none")) {
            try Checkpoint(contentsOf: folder + "/none")
        }
    }

    /// The checksum covers the tensors, not the header, so a header can be rewritten with the
    /// checksum still right: the architecture it claims must then fit the tensors it has, checked
    /// before anything is allocated for them.
    @Test func aHeaderClaimingAnotherNetworkIsRefusedBeforeAllocating() throws {
        let bytes = try Self.sample().encoded()
        let headerLength = Int(bytes[0..<8].reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) })
        var header = try JSONSerialization.jsonObject(with: Data(bytes[8..<(8 + headerLength)])) as! [String: Any]
        var metadata = header["__metadata__"] as! [String: String]
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        for architecture in [
            #"{"inputs":3000000,"hidden":[3000000],"activations":["relu"],"outputs":10}"#,
            #"{"inputs":7,"hidden":[5,4],"activations":["relu","relu"],"outputs":3}"#,
            #"{"inputs":4611686018427387904,"hidden":[4],"activations":["relu"],"outputs":4}"#
        ] {
            metadata["architecture"] = architecture
            header["__metadata__"] = metadata
            var json = [UInt8](try JSONSerialization.data(withJSONObject: header))
            while (8 + json.count) % 8 != 0 { json.append(0x20) }
            let length = (0..<8).map { UInt8(truncatingIfNeeded: json.count >> (8 * $0)) }
            let path = folder + "/crafted.safetensors"
            FileManager.default.createFile(atPath: path, contents: Data(length + json + bytes[(8 + headerLength)...]))
            #expect {
                _ = try Checkpoint(contentsOf: path)
            } throws: { error in
                "\(error)".contains("crafted.safetensors") && "\(error)".contains("does not describe the network")
            }
        }
    }

    @Test func foldersAndOversizedFilesAreRefusedUnread() throws {
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        #expect(throws: CheckpointError.invalid(path: folder, reason: "cannot be read (it is a folder)")) {
            try Checkpoint(contentsOf: folder)
        }
        // A sparse file one byte over the limit: refused from its size, never read.
        let huge = folder + "/huge.safetensors"
        FileManager.default.createFile(atPath: huge, contents: nil)
        let handle = try #require(FileHandle(forWritingAtPath: huge))
        try handle.truncate(atOffset: UInt64(Checkpoint.sizeLimit + 1))
        try handle.close()
        #expect(throws: CheckpointError.invalid(path: huge, reason: "larger than the 1024 MiB a model file may be")) {
            try Checkpoint(contentsOf: huge)
        }
    }

    @Test func refusesToSaveNaN() {
        var checkpoint = Self.sample()
        checkpoint.state.model.parameters[3] = .nan
        let path = temporaryFolder() + "/nan.safetensors"
        #expect(throws: CheckpointError.nonFinite(path: path)) { try checkpoint.write(to: path) }
        #expect(!FileManager.default.fileExists(atPath: path))
    }
}
