import Dataset
import Foundation
#if canImport(FoundationXML)
    import FoundationXML
#endif
import Model
import Testing
import TestSupport

@Suite(.serialized) struct CLITests {
    @Test func helpListsActivationsAndOptions() throws {
        let result = try trainer(["train", "--help"])
        #expect(result.status == 0)
        for word in [
            "relu", "leaky-relu", "tanh", "sigmoid", "swish", "elu", "gelu", "softplus", "prelu", "identity", "step",
            "--hidden", "--lr", "--momentum", "--schedule", "--resume", "--patience", "--json"
        ] {
            #expect(result.out.contains(word), "help lacks \(word)")
        }
    }

    @Test func badOptionsGiveOneClearLine() throws {
        for (arguments, phrase) in [
            (["--activation", "relu6"], "--activation: one activation"),
            (["--activation", "relu,relu6"], "(got relu,relu6)"),
            (["--momentun", "0.5"], "unknown option '--momentun' (did you mean --momentum?)"),
            (["--lr"], "--lr needs a value"),
            (["--momentum", "0.9", "--momentum", "0.5"], "--momentum is given 2 times"),
            (["--hidden", "256,x"], "--hidden"),
            (["--schedule", "linear"], "--schedule"),
            (["--epochs", "0", "--data", "/nonexistent"], "--epochs: a whole number of at least 1 (got 0)"),
            (["--data", "/nonexistent"], "/nonexistent: missing")
        ] {
            let result = try trainer(arguments)
            #expect(result.status != 0, "\(arguments)")
            #expect(result.err.contains(phrase), "\(arguments): \(result.err)")
            #expect(!result.err.contains("Fatal error"))
        }
    }

    @Test func trainsEvaluatesAndResumesEndToEnd() throws {
        guard let folder = mnistFolder() else { return }
        let dir = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let model = dir + "/m.safetensors"
        let trained = try trainer([
            "--data", folder, "--hidden", "32", "--epochs", "1", "--validation", "1000", "--json", "-o", model
        ])
        #expect(trained.status == 0, "\(trained.err)")
        let lines = jsonObjects(trained.out)
        // A line per progress report (every 16 batches and the epoch's last), then the epoch, then the result.
        let batches = (60_000 - 1000 + 63) / 64
        #expect(lines.count == (batches + 15) / 16 + 2)
        #expect(lines.dropLast(2).allSatisfy { $0["event"] as? String == "batch" })
        #expect(lines.dropLast(2).last?["step"] as? Int == batches)
        #expect(lines.dropLast().last?["event"] as? String == "epoch")
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

    @Test func gemmLibrariesAndThreadCountsAgree() throws {
        guard let folder = mnistFolder() else { return }
        let dir = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        func train(_ gemm: String, threads: Int, validation: Int = 1000) throws -> (
            header: String, checkpoint: Checkpoint
        ) {
            let model = dir + "/\(gemm)-\(threads)-\(validation).safetensors"
            let result = try trainer([
                "--data", folder, "--hidden", "64,32", "--epochs", "1", "--validation", String(validation),
                "--gemm", gemm, "--threads", String(threads), "-o", model
            ])
            #expect(result.status == 0, "\(gemm), \(threads) threads: \(result.err)")
            return (result.out, try Checkpoint(contentsOf: model))
        }
        func largestDifference(_ a: Checkpoint, _ b: Checkpoint) -> Float {
            zip(a.state.model.parameters, b.state.model.parameters).map { abs($0 - $1) }.max()!
        }
        // Another thread count or library sums in another order: over ten steps (640 images) the
        // weights agree to rounding, which a lost or doubled partial sum would break at once.
        let shortRun = 60_000 - 640
        let short = try train("onednn", threads: 1, validation: shortRun)
        for (gemm, threads) in [("onednn", 2), ("openblas", 2)] {
            let moved = largestDifference(
                short.checkpoint, try train(gemm, threads: threads, validation: shortRun).checkpoint)
            #expect(moved < 1e-6, "\(gemm) on \(threads) threads moved a weight by \(moved) in ten steps")
        }
        // Over a whole epoch SGD amplifies those roundings (on AVX2 oneDNN splits the sums by thread:
        // weights then differ by about 1% of their size); the training must not notice.
        let one = try train("onednn", threads: 1), two = try train("onednn", threads: 2),
            blas = try train("openblas", threads: 2)
        #expect(one.header.contains("oneDNN") && one.header.contains("1 thread"))
        #expect(blas.header.contains("OpenBLAS") && blas.header.contains("kernel"))
        for (name, other) in [("2 threads", two), ("OpenBLAS", blas)] {
            let (accuracy, otherAccuracy) = (one.checkpoint.testAccuracy ?? 0, other.checkpoint.testAccuracy ?? 0)
            #expect(abs(accuracy - otherAccuracy) < 0.005, "oneDNN on 1 thread \(accuracy) vs \(name) \(otherAccuracy)")
        }
        #expect((one.checkpoint.testAccuracy ?? 0) > 0.9)

        #if os(Linux)
            let refused = try trainer(["--gemm", "accelerate", "--data", folder])
            #expect(refused.status != 0 && refused.err.contains("--gemm accelerate is not available"), "\(refused.err)")
        #endif

        let bench = try trainer(["bench", "--steps", "3", "--hidden", "64", "--json"])
        #expect(bench.status == 0, "\(bench.err)")
        let figures = jsonObjects(bench.out).first ?? [:]
        for key in ["peak_gflops", "gemm_gflops", "step_gflops", "step_seconds_per_step"] {
            #expect((figures[key] as? Double ?? 0) > 0, "bench \(key): \(figures[key] ?? "missing")")
        }
        #expect((figures["flops_per_example"] as? Double) == Double(2 * (2 * (784 * 64 + 64 * 10) + 64 * 10)))
        let precisions = figures["precisions"] as? [String: [String: Any]] ?? [:]
        #expect(Set(precisions.keys) == Set(Precision.nativeBF16 ? ["fp32", "bf16"] : ["fp32"]), "\(precisions.keys)")
        for (name, measured) in precisions {
            #expect(
                (measured["peak_gflops"] as? Double ?? 0) > 0 && (measured["step_gflops"] as? Double ?? 0) > 0,
                "\(name): \(measured)")
        }
        let expected = figures["expected_seconds"] as? [String: [String: Any]] ?? [:]
        #expect(
            expected.keys.contains("--recipe mnist-best") && expected.keys.contains("default run (train)"),
            "\(expected.keys)")
        #expect(expected.values.allSatisfy { ($0["seconds"] as? Double ?? 0) > 0 })
        // The default run's cost: 5 epochs of 55,000 images (5,000 held out) and one view of the test set.
        let network = Architecture(inputs: 784, hidden: [256, 128], activations: [.relu, .relu], outputs: 10)
        let cost =
            (5 * 55_000 * network.trainingFLOPsPerExample + 10_000 * network.forwardFLOPsPerExample) / 1e12
        let reported = expected["default run (train)"]?["tflop"] as? Double ?? 0
        #expect(abs(reported - cost) < 1e-9 * cost, "\(reported) TFLOP, expected \(cost)")
    }

    /// --tta: the test accuracy train reports is over the views asked for, the model records them,
    /// evaluate reads through them unless told otherwise; other counts are refused.
    @Test func testTimeViewsAreRecordedAndReused() throws {
        guard let folder = mnistFolder() else { return }
        let dir = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let model = dir + "/m.safetensors"
        let trained = try trainer([
            "--data", folder, "--hidden", "32", "--epochs", "1", "--validation", "1000", "--tta", "5", "--json", "-o",
            model
        ])
        #expect(trained.status == 0, "\(trained.err)")
        let result = jsonObjects(trained.out).last ?? [:]
        #expect(result["test_views"] as? Int == 5)
        #expect(try Checkpoint(contentsOf: model).config.testViews == 5)
        func evaluated(_ extra: [String]) throws -> [String: Any] {
            let run = try trainer(["evaluate", "--data", folder, "--model", model, "--json"] + extra)
            #expect(run.status == 0, "\(run.err)")
            return jsonObjects(run.out).first ?? [:]
        }
        let own = try evaluated([]), single = try evaluated(["--tta", "1"])
        #expect(own["views"] as? Int == 5 && single["views"] as? Int == 1)
        #expect(own["accuracy"] as? Double == result["test_accuracy"] as? Double, "evaluate repeats train's figure")
        #expect(own["loss"] as? Double != single["loss"] as? Double)
        let refused = try trainer(["evaluate", "--data", folder, "--model", model, "--tta", "4"])
        #expect(refused.status != 0 && refused.err.contains("--tta must be 1, 5, 9"), "\(refused.err)")
        // predict reads through the model's views too, and its JSON says how many.
        let digit = dir + "/digit.png"
        FileManager.default.createFile(atPath: digit, contents: Data(try ServedModel.drawing(7)))
        func read(_ extra: [String]) throws -> [String: Any] {
            let run = try trainer(["predict", "--model", model, "--json", digit] + extra)
            #expect(run.status == 0, "\(run.err)")
            return jsonObjects(run.out).first ?? [:]
        }
        let (ownReading, singleReading) = (try read([]), try read(["--tta", "1"]))
        #expect(
            ownReading["views"] as? Int == 5 && singleReading["views"] as? Int == 1, "\(ownReading) \(singleReading)")
        #expect(ownReading["probabilities"] as? [Double] != singleReading["probabilities"] as? [Double])
        let predicted = try trainer(["predict", "--model", model, "--tta", "9", folder + "/nothing.png"])
        #expect(
            predicted.status != 0 && predicted.err.contains("nothing.png"),
            "a missing picture is still named: \(predicted.err)")
    }

    /// bf16 where the CPU has it: the header says so and the checkpoint records it. Where it has not
    /// (forced here through oneDNN's ISA limit), one line says so and the run trains in fp32; bench
    /// refuses to time what it cannot run.
    @Test func bf16RunsNativelyOrSaysWhyNot() throws {
        guard let folder = mnistFolder() else { return }
        let dir = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let arguments = [
            "--data", folder, "--hidden", "32", "--epochs", "1", "--validation", "1000", "--precision", "bf16", "-o",
            dir + "/m.safetensors"
        ]
        if Precision.nativeBF16 {
            let native = try trainer(arguments)
            #expect(native.status == 0, "\(native.err)")
            #expect(native.out.contains("bf16 products") && !native.err.contains("no native bf16"), "\(native.out)")
            let checkpoint = try Checkpoint(contentsOf: dir + "/m.safetensors")
            #expect(checkpoint.config.precision == .bf16 && (checkpoint.testAccuracy ?? 0) > 0.9)
        }
        let limited = ["ONEDNN_MAX_CPU_ISA": "AVX512_CORE"]
        let fallback = try trainer(arguments, environment: limited)
        #expect(fallback.status == 0, "\(fallback.err)")
        let notes = fallback.err.split(separator: "\n").filter { $0.contains("bf16") }
        // The limit only lowers the instruction set: a CPU below AVX-512 (Zen 3) names its own.
        let limitedTo =
            Precision.cpuInstructionSet.hasPrefix("avx512_core") ? "avx512_core" : Precision.cpuInstructionSet
        #expect(
            notes == [
                "note: this CPU has no native bf16 arithmetic (its best instruction set is \(limitedTo)); training in fp32"
            ], "\(fallback.err)")
        #expect(!fallback.out.contains("bf16 products"))
        #expect(
            try Checkpoint(contentsOf: dir + "/m.safetensors").config.precision == .fp32,
            "the checkpoint records what really ran")
        let bench = try trainer(["bench", "--precision", "bf16", "--steps", "3"], environment: limited)
        #expect(bench.status != 0 && bench.err.contains("no native bf16"), "\(bench.err)")
    }

    /// `--precision auto` trains in the format it chose (never "auto"), says in one line which and
    /// by what timings, records the choice in the checkpoint, and `--resume` keeps it. Where the CPU
    /// has no native bf16 (forced here through oneDNN's ISA limit) it is fp32, without timing.
    @Test func autoPrecisionChoosesByTimingAndRecordsTheChoice() throws {
        guard let folder = mnistFolder() else { return }
        let dir = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let model = dir + "/m.safetensors"
        let arguments = [
            "--data", folder, "--hidden", "32", "--epochs", "2", "--validation", "1000", "--precision", "auto", "-o",
            model
        ]
        for environment in [[:], ["ONEDNN_MAX_CPU_ISA": "AVX512_CORE"]] {
            let run = try trainer(arguments, environment: environment)
            #expect(run.status == 0, "\(run.err)")
            let lines = run.err.split(separator: "\n").filter { $0.hasPrefix("precision auto: ") }
            #expect(lines.count == 1, "\(run.err)")
            let chosen = try Checkpoint(contentsOf: model).config.precision
            #expect(chosen == .fp32 || chosen == .bf16, "the checkpoint records the format that ran: \(chosen)")
            if environment.isEmpty && Precision.nativeBF16 {
                #expect(
                    lines.first?.contains("ms in bf16") == true && lines.first?.contains("\(chosen.rawValue) (") == true
                )
            } else {
                #expect(chosen == .fp32 && lines.first?.contains("no native bf16") == true, "\(lines)")
            }
        }
        // Stopped after its first epoch and resumed: the choice comes from the checkpoint, not a new timing.
        let first = try trainer(arguments.map { $0 == "2" ? "1" : $0 })
        #expect(first.status == 0)
        let chosen = try Checkpoint(contentsOf: model).config.precision
        let resumed = try trainer(["--data", folder, "--resume", model, "--epochs", "2"])
        #expect(resumed.status == 0, "\(resumed.err)")
        #expect(!resumed.err.contains("precision auto"), "a resumed run does not choose again")
        #expect(try Checkpoint(contentsOf: model).config.precision == chosen)
    }

    @Test func aChildWritingMuchToStderrDoesNotHangTheHelper() throws {
        // 1 MB on stderr, far beyond a pipe's buffer, before anything on stdout.
        let result = try run("/bin/sh", ["-c", "head -c 1000000 /dev/zero | tr '\\0' x >&2; echo done"])
        #expect(result.status == 0 && result.out == "done\n" && result.err.count == 1_000_000)
    }

    @Test func evaluateAndResumeUseTheModelsOwnDataset() throws {
        guard let folder = mnistFolder() else { return }
        let dir = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let fashion = dir + "/fashion.safetensors"
        let trained = try trainer([
            "--dataset", "fashion-mnist", "--hidden", "32", "--epochs", "1", "--validation", "1000", "-o", fashion
        ])
        #expect(trained.status == 0, "\(trained.err)")
        let evaluated = try trainer(["evaluate", "-m", fashion, "--json"])
        #expect(
            evaluated.status == 0 && jsonObjects(evaluated.out).first?["dataset"] as? String == "fashion-mnist",
            "\(evaluated.err)")
        #expect(!evaluated.err.contains("note:"))
        let elsewhere = try trainer(["evaluate", "-m", fashion, "--dataset", "mnist", "--data", folder])
        #expect(
            elsewhere.status == 0 && elsewhere.err.contains("was trained on fashion-mnist, not mnist"),
            "\(elsewhere.err)")

        // Resume goes on with the model's data; other data, or a run already at its total, is refused.
        let resumed = try trainer(["--resume", fashion, "--epochs", "2", "-o", fashion])
        #expect(resumed.status == 0 && resumed.out.contains("data: fashion-mnist"), "\(resumed.err)")
        let otherData = try trainer([
            "--resume", fashion, "--epochs", "3", "--dataset", "mnist", "--data", folder, "-o", fashion
        ])
        #expect(otherData.status != 0 && otherData.err.contains("was trained on other data files"), "\(otherData.err)")
        let finished = try trainer(["--resume", fashion, "--epochs", "2", "-o", fashion])
        #expect(finished.status != 0 && finished.err.contains("already trained for 2 epochs"), "\(finished.err)")
    }

    @Test func divergenceExitsWithAdviceAndNoModel() throws {
        guard let folder = mnistFolder() else { return }
        let dir = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let model = dir + "/nan.safetensors"
        for lr in ["1e30", "1000"] {
            let result = try trainer(["--data", folder, "--lr", lr, "--epochs", "3", "-o", model])
            #expect(result.status != 0)
            #expect(
                result.err.contains("diverged") && result.err.contains("in epoch 1, batch")
                    && result.err.contains("--lr"), "\(result.err)")
            #expect(result.err.contains("No model was saved"))
            #expect(!FileManager.default.fileExists(atPath: model))
        }
    }

    /// `trainer predict` on a folder of good, blank and broken files: every file gets its own
    /// line, the bad ones their specific reason, and the exit code says some failed.
    @Test func predictsOwnDigitsAndReportsBadFiles() throws {
        guard let folder = mnistFolder() else { return }
        let dir = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let model = dir + "/m.safetensors"
        let trained = try trainer([
            "--data", folder, "--hidden", "64", "--epochs", "1", "--validation", "0", "--quiet", "-o", model
        ])
        #expect(trained.status == 0, "\(trained.err)")

        // MNIST test image 0 is a 7: hand it in 4× larger, black on white, off-centre on a page.
        let data = try DigitDataset(
            imagesPath: try MNISTFiles.locate(in: folder).testImages,
            labelsPath: try MNISTFiles.locate(in: folder).testLabels)
        #expect(data.labels[0] == 7)
        var page = [UInt8](repeating: 255, count: 200 * 150)
        for y in 0..<112 {
            for x in 0..<112 {
                page[(y + 30) * 200 + x + 70] =
                    255 - UInt8(data.image(0)[data.image(0).startIndex + (y / 4) * 28 + x / 4] * 255)
            }
        }
        let pages = dir + "/pages"
        try FileManager.default.createDirectory(atPath: pages, withIntermediateDirectories: true)
        let good = TestPNG.gray(width: 200, height: 150, page)
        let files: [String: [UInt8]] = [
            "a-seven.png": good,
            "b-blank.png": TestPNG.gray(width: 40, height: 40, [UInt8](repeating: 255, count: 1600)),
            "c-text.png": Array("not an image".utf8),
            "d-truncated.png": Array(good.prefix(good.count / 2)),
            "e-crc.png": {
                var b = good; b[29] ^= 1; return b
            }(),
            "f-empty.png": [],
            "g-huge.png": TestPNG.replacingChunk("IHDR", in: good, with: TestPNG.header(width: 40_000, height: 30_000))
        ]
        for (name, bytes) in files { FileManager.default.createFile(atPath: pages + "/" + name, contents: Data(bytes)) }

        let json = try trainer(["predict", "--model", model, pages, "--json"])
        #expect(json.status == 1)
        let lines = jsonObjects(json.out)
        #expect(lines.count == files.count)
        func line(_ name: String) -> [String: Any] {
            lines.first { ($0["file"] as? String)?.hasSuffix(name) == true } ?? [:]
        }
        #expect(line("a-seven.png")["digit"] as? String == "7", "\(line("a-seven.png"))")
        #expect((line("a-seven.png")["top"] as? [Any])?.count == 3)
        #expect(line("a-seven.png")["inverted"] as? Bool == true)
        #expect(line("b-blank.png")["warning"] as? String == "no digit found")
        for (name, reason) in [
            ("c-text.png", "not a PNG file"), ("d-truncated.png", "truncated PNG"), ("e-crc.png", "damaged PNG"),
            ("f-empty.png", "the file is empty"), ("g-huge.png", "larger than the 10000-pixel limit")
        ] {
            #expect((line(name)["error"] as? String)?.contains(reason) == true, "\(name): \(line(name))")
        }

        // Text: one line per bad file on stderr, the picture the model saw with --show, and the
        // 28×28 input saved as a PNG.
        let saved = dir + "/seen.png"
        let text = try trainer([
            "predict", "--model", model, pages + "/a-seven.png", pages + "/c-text.png", "--show", "--top", "2",
            "--save-preprocessed", dir + "/seen"
        ])
        #expect(text.status == 1)
        #expect(text.out.contains("a-seven.png: 7 (probability") && text.out.contains("top 2:"))
        #expect(text.out.split(separator: "\n").filter { $0.hasPrefix("  |") }.count == 28)
        #expect(
            text.err.split(separator: "\n").count == 2 && text.err.contains("c-text.png: not a PNG file"), "\(text.err)"
        )
        let seen = try PNG.read(contentsOf: dir + "/seen/a-seven.png")
        #expect(seen.width == 28 && seen.height == 28 && seen[0, 0] == 0)
        let single = try trainer([
            "predict", "--model", model, pages + "/a-seven.png", "--save-preprocessed", saved, "--no-preprocess"
        ])
        #expect(single.status == 0 && FileManager.default.fileExists(atPath: saved))

        // Without a model: advice, not a crash.
        let none = try trainer(["predict", pages + "/a-seven.png"], directory: dir)
        #expect(
            none.status != 0 && none.err.contains("train one first with: trainer --activation relu --epochs 5"),
            "\(none.err)")
    }

    /// A tiny ablation writes every file; the JSON, CSV and Markdown agree; HTML and SVG are
    /// well-formed XML; same-seed cells saw the same data order; shards merged by `trainer report`
    /// equal the unsharded run; a rerun skips finished cells.
    @Test func ablationReportShardsAndResume() throws {
        guard let folder = mnistFolder() else { return }
        let dir = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let common = [
            "ablate", "--data", folder, "--activations", "relu,tanh", "--seeds", "2", "--epochs", "2", "--limit",
            "3000",
            "--validation", "500", "--hidden", "32,16"
        ]
        let whole = try trainer(common + ["-o", dir + "/whole"])
        #expect(whole.status == 0, "\(whole.err)")
        #expect(whole.out.contains("[4/4]") && whole.out.contains("report:"))
        for file in [
            "report.md", "report.html", "results.json", "results.csv", "plan.json", "runs.json",
            "charts/train-loss.svg", "charts/validation-accuracy.svg", "charts/gradient-norms.svg",
            "charts/gradient-norm-epochs.svg", "charts/dead-saturated.svg",
            "charts/activation-relu.svg", "charts/activation-tanh.svg", "cells/relu-seed1.json", "cells/tanh-seed2.json"
        ] {
            #expect(FileManager.default.fileExists(atPath: dir + "/whole/" + file), "missing \(file)")
        }
        for file in ["report.html"]
            + [
                "train-loss", "validation-accuracy", "gradient-norms", "gradient-norm-epochs", "dead-saturated",
                "activation-tanh"
            ].map({ "charts/\($0).svg" })
        {
            let parser = XMLParser(data: FileManager.default.contents(atPath: dir + "/whole/" + file) ?? Data())
            #expect(parser.parse(), "\(file) is not well-formed XML: \(String(describing: parser.parserError))")
        }

        let json = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/whole/results.json")))
                as? [String: Any])
        let summary = try #require(json["summary"] as? [[String: Any]])
        let cells = try #require(json["cells"] as? [[String: Any]])
        #expect(summary.count == 2 && cells.count == 4)
        let csv = try String(contentsOfFile: dir + "/whole/results.csv", encoding: .utf8).split(separator: "\n").map {
            $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        }
        let header = csv[0]
        #expect(csv.count == 1 + 4 * 2)  // a row per cell per epoch
        let markdown = try String(contentsOfFile: dir + "/whole/report.md", encoding: .utf8)
        for row in summary {
            let name = try #require(row["activation"] as? String)
            let mean = try #require(row["test_accuracy_mean"] as? Double)
            // The CSV's test accuracies (one per seed, repeated on each epoch row) average to the JSON mean…
            let fromCSV = Set(
                csv.dropFirst().filter { $0[0] == name }.map { Double($0[header.firstIndex(of: "test_accuracy")!])! })
            #expect(fromCSV.count == 2)
            #expect(abs(fromCSV.reduce(0, +) / 2 - mean) < 1e-12)
            // …which the Markdown table shows.
            #expect(
                markdown.contains("| \(name) |") && markdown.contains(String(format: "%.2f ± ", mean * 100)), "\(name)")
        }
        #expect(markdown.contains("## Conclusions") && markdown.contains("paired t"))
        // What an untested claim needs is worded in trainer's flags (the library's own words name none).
        #expect(markdown.contains("Needs architectures of different depths: add e.g. --hidden 128x2 --hidden 128x8."))
        #expect(markdown.contains("`--hidden` repeated, `--lr` with a list, or `--study depth|learning-rate`"))
        #expect(!markdown.contains("**"), "conclusions are plain text")

        // Fairness, as recorded by the cells themselves.
        let digests = Dictionary(grouping: cells, by: { ($0["cell"] as? [String: Any])?["seed"] as? Int ?? -1 })
            .mapValues { Set($0.compactMap { $0["data_order_digest"] as? String }) }
        #expect(digests.count == 2 && digests.values.allSatisfy { $0.count == 1 })

        // Each cell's model is kept beside its numbers, and reads the test set as the cell said.
        for cell in cells {
            let description = try #require(cell["cell"] as? [String: Any])
            let name = "\(description["activation"] ?? "")-seed\(description["seed"] ?? "")"
            let model = try Checkpoint(contentsOf: dir + "/whole/cells/\(name).safetensors")
            #expect(Set(model.config.activations.map(\.spec)) == [description["activation"] as? String ?? ""])
            #expect(model.testAccuracy == cell["test_accuracy"] as? Double, "\(name)")
            let evaluated = try trainer([
                "evaluate", "--data", folder, "--model", dir + "/whole/cells/\(name).safetensors", "--json"
            ])
            let accuracy = jsonObjects(evaluated.out).first?["accuracy"] as? Double
            #expect(accuracy == cell["test_accuracy"] as? Double, "\(name): evaluate \(evaluated.out) \(evaluated.err)")
        }
        #expect(
            whole.out.contains(
                "trainer inspect --model \(dir)/whole/cells/relu-seed1.safetensors --model \(dir)/whole/cells/tanh-seed1.safetensors"
            ), "\(whole.out)")

        // Two shards, merged, give the same numbers as the whole run; --no-models keeps only the numbers.
        for shard in ["1/2", "2/2"] {
            let run = try trainer(common + ["--shard", shard, "--no-models", "-o", dir + "/shard" + shard.prefix(1)])
            #expect(run.status == 0 && run.out.contains("trainer report"), "\(run.err)")
            let kept = try FileManager.default.contentsOfDirectory(atPath: dir + "/shard" + shard.prefix(1) + "/cells")
            #expect(kept.count == 2 && kept.allSatisfy { $0.hasSuffix(".json") }, "\(kept)")
        }
        let merged = try trainer(["report", dir + "/shard1", dir + "/shard2", "-o", dir + "/merged"])
        #expect(merged.status == 0, "\(merged.err)")
        func numbers(_ path: String) throws -> [String: [Double]] {
            let object =
                try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path + "/results.json")))
                as? [String: Any]
            var result: [String: [Double]] = [:]
            for cell in object?["cells"] as? [[String: Any]] ?? [] {
                let id =
                    "\((cell["cell"] as? [String: Any])?["activation"] ?? "")-\((cell["cell"] as? [String: Any])?["seed"] ?? "")"
                let history = cell["history"] as? [[String: Any]] ?? []
                result[id] =
                    [cell["test_accuracy"] as? Double ?? -1, cell["test_loss"] as? Double ?? -1]
                    + history.flatMap { [$0["train_loss"] as? Double ?? -1, $0["validation_loss"] as? Double ?? -1] }
            }
            return result
        }
        #expect(try numbers(dir + "/merged") == numbers(dir + "/whole"))
        #expect(try numbers(dir + "/merged").count == 4)

        // Only one shard: a partial report that says so.
        let partial = try trainer(["report", dir + "/shard1", "-o", dir + "/partial"])
        #expect(partial.status == 0 && partial.err.contains("partial"))
        #expect(
            try String(contentsOfFile: dir + "/partial/report.md", encoding: .utf8).contains("This report is partial"))

        // Rerunning skips the finished cells; a different plan in the same folder is refused.
        let again = try trainer(common + ["-o", dir + "/whole"])
        #expect(again.status == 0 && again.out.contains("0 to train (4 already"), "\(again.out)")
        let other = try trainer(common.map { $0 == "relu,tanh" ? "relu,sigmoid" : $0 } + ["-o", dir + "/whole"])
        #expect(other.status != 0 && other.err.contains("different ablation"), "\(other.err)")
    }

    /// A paper study end to end on a cut budget: one ablation per part in its sub-folder, and the
    /// study's own report with the paper's figures and every claim judged.
    @Test func aPaperStudyRunsItsPartsAndJudgesTheClaims() throws {
        guard let folder = mnistFolder() else { return }
        let dir = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let run = try trainer([
            "ablate", "--study", "glorot-2010", "--data", folder, "--hidden", "32x5", "--seeds", "2", "--limit", "1500",
            "--validation", "500", "-o", dir
        ])
        #expect(run.status == 0, "\(run.err)")
        #expect(run.out.contains("= 10 cells") && run.out.contains("[10/10]"), "\(run.out)")
        for part in ["standard-init", "normalized-init"] {
            #expect(FileManager.default.fileExists(atPath: "\(dir)/\(part)/report.html"), "\(part)")
        }
        let object = try JSONSerialization.jsonObject(
            with: Data(contentsOf: URL(fileURLWithPath: dir + "/results.json")))
        let study = try #require(object as? [String: Any])
        #expect(study["study"] as? String == "glorot-2010")
        let claims = try #require(study["claims"] as? [[String: Any]])
        #expect(claims.count == 3)
        #expect(claims.allSatisfy { ["held", "did not hold", "inconclusive"].contains($0["verdict"] as? String ?? "") })
        let report = try String(contentsOfFile: dir + "/report.md", encoding: .utf8)
        #expect(report.contains("Budget: the default, few-minute one") && report.contains("2.21% test error"))
        // The cells of the sigmoid part carry their first-epoch trace: 1,000 images in batches of 10.
        let cells = try FileManager.default.contentsOfDirectory(atPath: dir + "/standard-init/cells").filter {
            $0.hasPrefix("sigmoid") && $0.hasSuffix(".json")
        }
        #expect(cells.count == 2)
        let cell =
            try JSONSerialization.jsonObject(
                with: Data(contentsOf: URL(fileURLWithPath: dir + "/standard-init/cells/" + cells[0])))
            as? [String: Any]
        let trace = try #require(cell?["activationTrace"] as? [[String: Any]])
        #expect(trace.count == 21 && trace.last?["step"] as? Int == 100)
        // Run again: every cell is found and the report rewritten, nothing trained.
        let again = try trainer([
            "ablate", "--study", "glorot-2010", "--data", folder, "--hidden", "32x5", "--seeds", "2", "--limit", "1500",
            "--validation", "500", "-o", dir
        ])
        #expect(again.status == 0 && again.out.contains("0 to train (10 already in"), "\(again.out)")
    }

    /// docs/ablation.md's GNU parallel recipe, for real with local jobs, over a grid: three shards run
    /// through parallel, merged by `trainer report`, equal the unsharded grid cell for cell.
    @Test func aGridShardedThroughGNUParallelMergesToTheWholeGrid() throws {
        guard let folder = mnistFolder() else { return }
        let dir = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let common = [
            "ablate", "--data", folder, "--activations", "relu,sigmoid", "--hidden", "16x2", "--hidden", "16x4", "--lr",
            "default,0.5",
            "--seeds", "1", "--epochs", "1", "--limit", "2000", "--validation", "300", "--jobs", "1"
        ]
        let whole = try trainer(common + ["-o", dir + "/whole"])
        #expect(whole.status == 0 && whole.out.contains("[8/8]"), "\(whole.err)")
        let command = ([builtExecutable("trainer")] + common + ["--shard", "{}/3", "-o", dir + "/shard-{}"]).joined(
            separator: " ")
        let parallel = try run(
            "/usr/bin/parallel", ["--will-cite", "--jobs", "2", "--halt", "now,fail=1", command, ":::", "1", "2", "3"])
        #expect(parallel.status == 0, "parallel: \(parallel.err)")
        let merged = try trainer(["report", dir + "/shard-1", dir + "/shard-2", dir + "/shard-3", "-o", dir + "/merged"]
        )
        #expect(merged.status == 0, "\(merged.err)")
        func cells(_ path: String) throws -> [String: [Double]] {
            let object =
                try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path + "/results.json")))
                as? [String: Any]
            var result: [String: [Double]] = [:]
            for cell in object?["cells"] as? [[String: Any]] ?? [] {
                let key =
                    (try? JSONSerialization.data(withJSONObject: cell["cell"] ?? [:], options: [.sortedKeys])).map {
                        String(decoding: $0, as: UTF8.self)
                    } ?? ""
                let history = cell["history"] as? [[String: Any]] ?? []
                result[key] =
                    [cell["test_accuracy"] as? Double ?? -1]
                    + history.flatMap { [$0["train_loss"] as? Double ?? -1, $0["validation_loss"] as? Double ?? -1] }
            }
            return result
        }
        let wholeCells = try cells(dir + "/whole")
        #expect(wholeCells.count == 8)
        #expect(try cells(dir + "/merged") == wholeCells)
        let report = try String(contentsOfFile: dir + "/merged/report.md", encoding: .utf8)
        #expect(
            report.contains("## The claims, measured") && report.contains("| sigmoid |")
                && !report.contains("This report is partial"))
        #expect(FileManager.default.fileExists(atPath: dir + "/merged/charts/gradient-heatmap-lrdefault.svg"))
        // The shards' models come along into the merged folder, byte for byte.
        #expect(merged.out.contains("8 cell models copied"), "\(merged.out)")
        let models = try FileManager.default.contentsOfDirectory(atPath: dir + "/merged/cells").filter {
            $0.hasSuffix(".safetensors")
        }
        #expect(models.count == 8)
        for name in models {
            let copy = FileManager.default.contents(atPath: dir + "/merged/cells/" + name)
            let original = (1...3).compactMap {
                FileManager.default.contents(atPath: dir + "/shard-\($0)/cells/" + name)
            }
            #expect(original.count == 1 && copy == original.first, "\(name)")
        }
    }
}
