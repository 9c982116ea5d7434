import Dataset
import Foundation
import Model
import Testing
import TestSupport

/// Runs that are interrupted (Ctrl-C, a scheduler's SIGTERM, kill -9) lose nothing and resume exactly.
@Suite(.serialized) struct InterruptionTests {
    static func arguments(_ folder: String) -> [String] {
        ["--data", folder, "--hidden", "256,128", "--epochs", "4", "--validation", "1000", "--threads", "2"]
    }

    /// Starts the trainer without waiting for it; standard error is collected in `errors`.
    static func start(_ arguments: [String]) throws -> (process: Process, errors: Pipe) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: builtExecutable("trainer"))
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        return (process, errors)
    }

    /// Waits (at most a minute) until `path` exists.
    static func waitFor(_ path: String) {
        let deadline = Date().addingTimeInterval(60)
        while !FileManager.default.fileExists(atPath: path) && Date() < deadline { usleep(10_000) }
    }

    /// The run trained straight through, in `dir`: what every interrupted run must end as.
    static func uninterrupted(_ folder: String, in dir: String) throws -> [UInt32] {
        let result = try trainer(arguments(folder) + ["-o", dir + "/straight.safetensors"])
        #expect(result.status == 0, "\(result.err)")
        return try bits(dir + "/straight.safetensors")
    }

    static func bits(_ path: String) throws -> [UInt32] {
        let state = try Checkpoint(contentsOf: path).state
        return (state.model.parameters + state.optimizer.velocity).map(\.bitPattern)
    }

    @Test(arguments: [(SIGINT, Int32(130)), (SIGTERM, Int32(143))])
    func aSignalSavesTheRunAndResumeFinishesItExactly(_ signal: Int32, _ status: Int32) throws {
        guard let folder = mnistFolder() else { return }
        let dir = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let straight = try Self.uninterrupted(folder, in: dir)
        let model = dir + "/interrupted.safetensors"
        let run = try Self.start(Self.arguments(folder) + ["-o", model])
        Self.waitFor(model)  // the first epoch is saved
        usleep(50_000)
        kill(run.process.processIdentifier, signal)
        run.process.waitUntilExit()
        let message = String(decoding: run.errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(run.process.terminationStatus == status, "\(message)")
        #expect(message.contains("continue it with: trainer --resume \(model) --threads 2"), "\(message)")
        let saved = try Checkpoint(contentsOf: model).state
        #expect(saved.epochsCompleted >= 1)

        let resumed = try trainer(["--resume", model, "--data", folder, "--threads", "2"])
        #expect(resumed.status == 0, "\(resumed.err)")
        #expect(try Self.bits(model) == straight, "resumed weights differ from the uninterrupted run's")
        let again = try trainer(["--resume", model, "--data", folder])
        #expect(again.status != 0 && again.err.contains("already trained for 4 epochs"))
    }

    @Test func anInterruptedAblationSaysHowToResumeAndDoes() throws {
        guard let folder = mnistFolder() else { return }
        let dir = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let command = [
            "ablate", "--data", folder, "--activations", "relu,tanh", "--seeds", "3", "--epochs", "2", "-o",
            dir + "/ablation"
        ]
        let run = try Self.start(command)
        let cells = dir + "/ablation/cells"
        let deadline = Date().addingTimeInterval(60)
        while ((try? FileManager.default.contentsOfDirectory(atPath: cells))?.count ?? 0) == 0 && Date() < deadline {
            usleep(10_000)
        }
        kill(run.process.processIdentifier, SIGINT)
        run.process.waitUntilExit()
        let message = String(decoding: run.errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(run.process.terminationStatus == 130, "\(message)")
        #expect(
            message.contains("cells are saved in \(dir)/ablation; run the same command again to resume"), "\(message)")
        let rerun = try trainer(command)
        #expect(rerun.status == 0 && rerun.out.contains("already in"), "\(rerun.err)")
        #expect(FileManager.default.fileExists(atPath: dir + "/ablation/report.html"))
    }

    /// kill -9 at moments nobody chose: the file always loads (or is not there yet), and resuming
    /// after each kill still ends where the uninterrupted run does. The moments come from a seed
    /// that every failure names; `KILL_TEST_SEED=N` replays them.
    @Test func killedAtRandomMomentsResumesToTheSameWeights() throws {
        guard let folder = mnistFolder() else { return }
        let dir = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let straight = try Self.uninterrupted(folder, in: dir)
        let model = dir + "/killed.safetensors"
        let seed =
            ProcessInfo.processInfo.environment["KILL_TEST_SEED"].flatMap(UInt64.init)
            ?? UInt64.random(in: 0...UInt64(UInt32.max))
        var random = SeededRandom(seed: seed, stream: "kill-moments")
        var delays: [UInt32] = []
        print("killedAtRandomMomentsResumesToTheSameWeights: KILL_TEST_SEED=\(seed)")
        var finished = false
        for attempt in 0..<12 {
            let exists = FileManager.default.fileExists(atPath: model)
            let run = try Self.start(
                exists
                    ? ["--resume", model, "--data", folder, "--threads", "2"] : Self.arguments(folder) + ["-o", model])
            if attempt < 8 {
                delays.append(150_000 + UInt32(random.nextInt(below: 1_350_001)))
                usleep(delays.last!)
                kill(run.process.processIdentifier, SIGKILL)
            }
            run.process.waitUntilExit()
            if run.process.terminationReason == .exit {
                #expect(run.process.terminationStatus == 0, "KILL_TEST_SEED=\(seed), delays \(delays) µs")
                finished = true
                break
            }
            if FileManager.default.fileExists(atPath: model) {
                #expect(
                    throws: Never.self,
                    "after kill \(attempt + 1) the model file does not load (KILL_TEST_SEED=\(seed), delays \(delays) µs)"
                ) { _ = try Checkpoint(contentsOf: model) }
            }
            // A write cut short leaves at most a hidden temporary file, never one that looks like a model.
            let others = try FileManager.default.contentsOfDirectory(atPath: dir).filter {
                !["straight.safetensors", "killed.safetensors"].contains($0)
            }
            #expect(others.allSatisfy { $0.hasPrefix(".") && $0.hasSuffix(".tmp") }, "\(others)")
        }
        #expect(finished, "KILL_TEST_SEED=\(seed)")
        #expect(
            try Self.bits(model) == straight,
            "after kills and resumes the weights differ (KILL_TEST_SEED=\(seed), delays \(delays) µs)")
    }
}
