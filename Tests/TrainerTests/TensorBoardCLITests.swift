import Foundation
import Model
import Report
import Testing
import TestSupport

/// `--log-dir` read by TensorBoard's own reader (PyPI's `tensorboard`, installed by scripts/setup),
/// through Tests/TensorBoard/tensorboard_check.py: every scalar equals the run's JSON lines, the
/// histograms hold every weight and probe value, a damaged record is refused, an ablation's cells
/// line up in the HParams dashboard, and a run killed with -9 and resumed keeps a log without a
/// step twice.
@Suite(.serialized) struct TensorBoardCLITests {
    static var checker: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("TensorBoard/tensorboard_check.py").path
    }

    /// The checker's answer; its problems are recorded as failures.
    static func check(_ arguments: [String]) throws -> [String: Any] {
        let checked = try run("/usr/bin/env", ["python3", checker] + arguments)
        let answer = jsonObjects(checked.out).first ?? [:]
        #expect(
            checked.status == 0,
            "tensorboard_check.py \(arguments[0]) (scripts/setup installs tensorboard): \(answer["problems"] ?? checked.out) \(checked.err.suffix(2000))"
        )
        return answer
    }

    @Test func aRunsLogReadsInTensorBoardAsItsJSONLines() throws {
        let folder = try #require(mnistFolder())
        let dir = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let trained = try trainer([
            "--data", folder, "--hidden", "32,16", "--epochs", "2", "--validation", "1000", "--json", "--log-dir",
            dir + "/log", "-o", dir + "/m.safetensors"
        ])
        #expect(trained.status == 0, "\(trained.err)")
        FileManager.default.createFile(atPath: dir + "/lines.jsonl", contents: Data(trained.out.utf8))
        let answer = try Self.check(["run", dir + "/log", dir + "/lines.jsonl"])
        // 3 per report (loss, accuracy, rate) × 116; per epoch 2 training, 2 validation and 8 layer figures; 2 test.
        #expect(answer["scalar_values"] as? Int == 3 * 116 + 12 * 2 + 2, "\(answer)")
        // Per epoch: two hidden layers' weights, pre-activations and activations, the output layer's weights.
        #expect(answer["histograms"] as? Int == 7 * 2)
        let files = EventFileReader.eventFiles(in: dir + "/log")
        #expect(files.count == 1)
        let damaged = try Self.check(["corrupt", files[0]])
        #expect((damaged["read_before_refusal"] as? Int ?? 0) > 0)

        // Another run into the same folder is refused before it trains; the log is untouched.
        let again = try trainer(["--data", folder, "--hidden", "8", "--epochs", "1", "--log-dir", dir + "/log"])
        #expect(again.status != 0 && again.err.contains("already holds a TensorBoard log"), "\(again.err)")
        #expect(EventFileReader.eventFiles(in: dir + "/log") == files)
    }

    @Test func anAblationsCellsLineUpInTheHParamsDashboard() throws {
        let folder = try #require(mnistFolder())
        let dir = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let command = [
            "ablate", "--data", folder, "--activations", "relu,tanh", "--seeds", "1,2", "--epochs", "1", "--hidden",
            "32", "--limit", "3000", "--validation", "500", "--log-dir", dir + "/log"
        ]
        let ablated = try trainer(command + ["-o", dir + "/ablation"])
        #expect(ablated.status == 0, "\(ablated.err)")
        // The same command again resumes (nothing to train) and keeps the experiment; another
        // ablation into the same folder is refused.
        let files = EventFileReader.eventFiles(in: dir + "/log")
        #expect(try trainer(command + ["-o", dir + "/ablation"]).status == 0)
        #expect(EventFileReader.eventFiles(in: dir + "/log") == files && files.count == 1)
        for activations in ["relu,sigmoid", "relu,tanh,sigmoid"] {
            let other = try trainer(command.map { $0 == "relu,tanh" ? activations : $0 } + ["-o", dir + "/other"])
            #expect(other.status != 0 && other.err.contains("already holds a TensorBoard log"), "\(other.err)")
        }
        let answer = try Self.check(["ablation", dir + "/log", dir + "/ablation"])
        let domains = answer["hparams"] as? [String: [Any]] ?? [:]
        #expect(domains["activation"] as? [String] == ["relu", "tanh"], "\(answer)")
        #expect(domains["seed"] as? [Double] == [1, 2])
        #expect(answer["sessions"] as? Int == 4)
    }

    @Test func aRunKilledAndResumedKeepsItsLogWithoutAStepTwice() throws {
        let folder = try #require(mnistFolder())
        let dir = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let (log, model) = (dir + "/log", dir + "/m.safetensors")
        let arguments = InterruptionTests.arguments(folder) + ["--log-dir", log]
        let started = try InterruptionTests.start(arguments + ["-o", model])
        // Killed once the first epoch's figures are in the file and its checkpoint is saved.
        let deadline = Date().addingTimeInterval(120)
        while (try? EventFileReader.lastSteps(in: log))?[TrainingLog.Tag.validationLoss] == nil
            || !FileManager.default.fileExists(atPath: model), Date() < deadline
        {
            usleep(20_000)
        }
        usleep(50_000)  // the checkpoint is written whole (renamed into place), so it exists complete
        kill(started.process.processIdentifier, SIGKILL)
        started.process.waitUntilExit()
        let killed = try Self.check(["steps", log])
        let flushed = (killed["steps"] as? [String: [Int]])?[TrainingLog.Tag.validationLoss] ?? []
        #expect(!flushed.isEmpty, "no epoch was readable after kill -9: \(killed)")

        let resumed = try trainer(["--resume", model, "--data", folder, "--threads", "2", "--log-dir", log])
        #expect(resumed.status == 0, "\(resumed.err)")
        let answer = try Self.check(["steps", log])
        let steps = answer["steps"] as? [String: [Int]] ?? [:]
        let batches = (60_000 - 1000 + 63) / 64
        #expect(steps[TrainingLog.Tag.validationLoss] == [1, 2, 3, 4].map { $0 * batches }, "\(steps)")
        #expect(steps[TrainingLog.Tag.testAccuracy] == [4 * batches])
        #expect(steps["_hparams_/session_start_info"] == [0])
        #expect(answer["files"] as? Int == 2)
    }
}
