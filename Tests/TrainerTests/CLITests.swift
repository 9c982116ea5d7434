import Foundation
import Model
import Testing
import TestSupport

/// Runs the built `trainer` binary (it sits beside the test bundle) and captures its output.
func trainer(_ arguments: [String], environment: [String: String] = [:]) throws -> (status: Int32, out: String, err: String) {
    let build = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    var binary = build.appendingPathComponent("trainer")
    while !FileManager.default.fileExists(atPath: binary.path) && binary.pathComponents.count > 2 {
        binary = binary.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("trainer")
    }
    return try run(binary.path, arguments, environment: environment)
}

func run(_ executable: String, _ arguments: [String], environment: [String: String] = [:]) throws -> (status: Int32, out: String, err: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    let errData = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: outData, as: UTF8.self), String(decoding: errData, as: UTF8.self))
}

@Suite(.serialized) struct CLITests {
    @Test func helpListsActivationsAndOptions() throws {
        let result = try trainer(["train", "--help"])
        #expect(result.status == 0)
        for word in ["relu", "leaky-relu", "tanh", "sigmoid", "swish", "elu", "gelu", "softplus", "prelu", "identity", "step",
                     "--hidden", "--lr", "--momentum", "--schedule", "--resume", "--patience", "--json"] {
            #expect(result.out.contains(word), "help lacks \(word)")
        }
    }

    @Test func badOptionsGiveOneClearLine() throws {
        for (arguments, phrase) in [(["--activation", "relu6"], "unknown activation 'relu6'"),
                                    (["--hidden", "256,x"], "--hidden"),
                                    (["--schedule", "linear"], "--schedule"),
                                    (["--epochs", "0", "--data", "/nonexistent"], "/nonexistent"),
                                    (["--data", "/nonexistent"], "/nonexistent: missing")] {
            let result = try trainer(arguments)
            #expect(result.status != 0, "\(arguments)")
            #expect(result.err.contains(phrase), "\(arguments): \(result.err)")
            #expect(!result.err.contains("Fatal error"))
        }
    }

    @Test func trainsEvaluatesAndResumesEndToEnd() throws {
        guard let folder = mnistFolder() else { return }
        let dir = temporaryFolder()
        let model = dir + "/m.safetensors"
        let trained = try trainer(["--data", folder, "--hidden", "32", "--epochs", "1", "--validation", "1000", "--json", "-o", model])
        #expect(trained.status == 0, "\(trained.err)")
        let lines = trained.out.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        #expect(lines.count == 2)
        #expect(lines.first?["event"] as? String == "epoch")
        let accuracy = lines.last?["test_accuracy"] as? Double ?? 0
        #expect(accuracy > 0.9, "accuracy \(accuracy)")

        let resumed = try trainer(["--data", folder, "--resume", model, "--epochs", "2", "-o", model])
        #expect(resumed.status == 0, "\(resumed.err)")
        #expect(resumed.out.contains("resuming after epoch 1") && resumed.out.contains("epoch 2"))
        #expect(try Checkpoint(contentsOf: model).state.epochsCompleted == 2)

        let evaluated = try trainer(["evaluate", "--data", folder, "--model", model, "--json"])
        #expect(evaluated.status == 0)
        let report = try JSONSerialization.jsonObject(with: Data(evaluated.out.utf8)) as? [String: Any]
        #expect((report?["confusion"] as? [[Int]])?.joined().reduce(0, +) == 10000)
        let text = try trainer(["evaluate", "--data", folder, "--model", model, "--worst", "1"])
        #expect(text.out.contains("confusion matrix") && text.out.contains("most confidently wrong"))

        // A corrupted model is refused with one line, and the missing default model gives advice.
        var bytes = [UInt8](FileManager.default.contents(atPath: model)!)
        bytes[bytes.count - 5] ^= 0xFF
        FileManager.default.createFile(atPath: model, contents: Data(bytes))
        let broken = try trainer(["evaluate", "--data", folder, "--model", model])
        #expect(broken.status != 0 && broken.err.contains(model) && broken.err.contains("checksum"))
    }

    @Test func divergenceExitsWithAdviceAndNoModel() throws {
        guard let folder = mnistFolder() else { return }
        let model = temporaryFolder() + "/nan.safetensors"
        let result = try trainer(["--data", folder, "--hidden", "16", "--lr", "1e30", "--epochs", "1", "-o", model])
        #expect(result.status != 0)
        #expect(result.err.contains("diverged") && result.err.contains("--lr"))
        #expect(!FileManager.default.fileExists(atPath: model))
    }
}
