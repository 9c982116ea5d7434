import Dataset
import Foundation
@testable import Model
import Testing
import TestSupport
import Report
@testable import Serve

/// The playground (`serve`'s Train panel) through its routes, in process: validation naming the
/// field, runs that train exactly as `Training.run` does (bit for bit), their events in order,
/// pause/step/resume, cancel and delete, divergence, reading digits with a run, and a restart that lists runs again and resumes an interrupted one bit-exactly.
@Suite(.serialized) struct PlaygroundTests {
    /// A playground on `folder` (a new one by default) behind the serve app, its training thread started.
    static func make(
        folder: String? = nil, limits: PlaygroundLimits = PlaygroundLimits(), slice: Double = 0.3,
        liveInterval: Double = Playground.defaultLiveInterval, tensorBoard: String? = nil
    ) throws
        -> (DigitWebApp, Playground)
    {
        let mnist = try #require(mnistFolder())
        let root = folder ?? temporaryFolder() + "/runs"
        let playground = try Playground(
            folder: URL(fileURLWithPath: root), limits: limits, threads: 2, slice: slice, liveInterval: liveInterval,
            tensorBoard: tensorBoard.map { ($0, "test") }
        ) {
            kind in
            kind == .mnist ? mnist : "/usr/share/datasets/fashion-mnist"
        }
        playground.start()
        let trained = try #require(ServeTests.trained)
        let app = try DigitWebApp(
            checkpoint: trained.checkpoint, modelFile: trained.file, reports: try ReportFolders([]),
            playground: playground)
        return (app, playground)
    }

    static func call(
        _ app: DigitWebApp, _ method: String, _ path: String, json: String? = nil, query: [String: String] = [:],
        body: [UInt8]? = nil
    ) -> (status: Int, object: [String: Any]) {
        // Writes are JSON, as the page sends them (the gate refuses others).
        let headers = method == "GET" || body != nil ? [:] : ["content-type": "application/json"]
        let response = app.respond(
            to: WebRequest(
                method: method, path: path, query: query, body: body ?? Array((json ?? "").utf8), headers: headers))
        return (response.status, ServeTests.object(response))
    }

    /// How long a run may take before a test gives up: generous, since under ThreadSanitizer and
    /// beside suites that train, training is twenty or more times slower.
    static let patience = 300.0

    /// Polls the run until its status is one of `statuses` (`patience` at most).
    @discardableResult
    static func wait(
        _ app: DigitWebApp, _ id: String, for statuses: Set<String>, _ also: ([String: Any]) -> Bool = { _ in true }
    ) throws -> [String: Any] {
        let deadline = Date().addingTimeInterval(patience)
        while Date() < deadline {
            let (status, run) = call(app, "GET", "/api/runs/\(id)")
            try #require(status == 200, "GET /api/runs/\(id) answered \(status)")
            if let now = run["status"] as? String, statuses.contains(now), also(run) { return run }
            Thread.sleep(forTimeInterval: 0.02)
        }
        Issue.record(
            "run \(id) did not reach \(statuses.sorted()) in \(Int(patience)) s: \(call(app, "GET", "/api/runs/\(id)").object["status"] ?? "?")"
        )
        throw CancellationError()
    }

    /// Every event of a stream until it ends (`patience` at most), parsed from its `data:` lines.
    static func events(_ stream: AsyncStream<[UInt8]>) async throws -> [[String: Any]] {
        let collected = try await withThrowingTaskGroup(of: [UInt8]?.self) { group in
            group.addTask {
                var bytes: [UInt8] = []
                for await chunk in stream { bytes += chunk }
                return bytes
            }
            group.addTask {
                try await Task.sleep(for: .seconds(patience))
                return nil
            }
            let first = try await group.next()!
            group.cancelAll()
            return first
        }
        let bytes = try #require(collected, "the event stream did not end within \(Int(patience)) s")
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(text.hasSuffix("\n\n"))
        return text.components(separatedBy: "\n\n").filter { !$0.isEmpty }.map { event in
            // An event sent as it happened starts with a comment saying when.
            let block = event.split(separator: "\n").filter { !$0.hasPrefix(": sent ") }.joined(separator: "\n")
            #expect(block.hasPrefix("data: "), "an event is a data line: \(block.prefix(40))")
            return (try? JSONSerialization.jsonObject(with: Data(block.dropFirst(6).utf8))) as? [String: Any] ?? [:]
        }
    }

    /// The same run trained in process by `Training.run`, as `trainer train --threads 2` does.
    static func trainedDirectly(_ config: TrainingConfig) throws -> TrainingState {
        let data = try #require(sharedMNIST)
        let training = Training(config: config, trainSet: data.train)
        var state = training.initialState()
        try training.run(&state, threads: 2)
        return state
    }

    static func config(_ body: String) throws -> TrainingConfig {
        try RunRequest(json: Array(body.utf8), limits: PlaygroundLimits()).config
    }

    // MARK: Validation

    @Test func badRequestsAreRefusedNamingTheFieldAndTheLimit() throws {
        let (app, playground) = try Self.make()
        defer { playground.shutdown() }
        let cases: [(String, String, String?)] = [
            (#"{"colour": 1}"#, "colour", "unknown field"),
            (#"{"hidden": "abc"}"#, "hidden", nil),
            (#"{"hidden": [2000]}"#, "hidden", "1024"),
            (#"{"hidden": "8x11"}"#, "hidden", "10 hidden layers"),
            (#"{"hidden": [0]}"#, "hidden", nil),
            (#"{"hidden": []}"#, "hidden", nil),
            (#"{"epochs": "3"}"#, "epochs", nil),
            (#"{"epochs": 2.5}"#, "epochs", nil),
            (#"{"epochs": 51}"#, "epochs", "50"),
            (#"{"batch_size": 5000}"#, "batch_size", "4096"),
            (#"{"lr": -1}"#, "lr", nil),
            (#"{"lr": "fast"}"#, "lr", nil),
            (#"{"nesterov": 1}"#, "nesterov", nil),
            (#"{"momentum": 1}"#, "momentum", nil),
            (#"{"activation": "nope"}"#, "activation", "nope"),
            (#"{"activation": ["relu", "tanh", "sigmoid"], "hidden": [8, 8]}"#, "activation", nil),
            (#"{"dataset": "cifar"}"#, "dataset", nil),
            (#"{"augment": "sparkle"}"#, "augment", nil),
            (#"{"validation": 60000}"#, "validation", "50000"),
            (#"{"seed": -1}"#, "seed", nil),
            (#"{"paused": "yes"}"#, "paused", nil),
            (#"{"precision": "fp16"}"#, "precision", "bf16"),
            (#"{"precision": 16}"#, "precision", nil),
            ("not json", "body", nil),
            ("[1, 2]", "body", nil)
        ]
        for (body, field, words) in cases {
            let (status, answer) = Self.call(app, "POST", "/api/runs", json: body)
            #expect(status == 400, "\(body) -> \(status)")
            #expect(answer["field"] as? String == field, "\(body): \(answer)")
            #expect(answer["status"] as? Int == 400)
            if let words {
                #expect((answer["error"] as? String)?.contains(words) == true, "\(body): \(answer["error"] ?? "")")
            }
        }
        #expect(Self.call(app, "PUT", "/api/runs").status == 405)
        #expect(Self.call(app, "GET", "/api/runs/nope").status == 404)
        #expect(Self.call(app, "GET", "/api/runs/../etc").status == 404)
        #expect(Self.call(app, "POST", "/api/runs/nope/pause").status == 404)
        #expect(Self.call(app, "GET", "/api/runs").object["runs"] as? [Any] != nil)
        #expect(
            (Self.call(app, "GET", "/api/runs").object["runs"] as? [Any])?.isEmpty == true,
            "no refused request made a run")
        // Omitted fields take the CLI's defaults.
        let defaults = try Self.config("{}")
        #expect(defaults == TrainingConfig())
    }

    // MARK: Training

    @Test func aRunTrainsBitForBitAsTrainDoesAndStreamsItsEvents() async throws {
        let (app, playground) = try Self.make()
        defer { playground.shutdown() }
        let body =
            #"{"activation": "tanh", "hidden": [32], "lr": 0.1, "epochs": 2, "batch_size": 128, "seed": 3, "validation": 1000}"#
        let (status, created) = Self.call(app, "POST", "/api/runs", json: body)
        #expect(status == 201)
        let id = try #require(created["id"] as? String)
        #expect(["queued", "running"].contains(created["status"] as? String))
        let events = try await Self.events(try playground.events([id]))
        let kinds = events.map { $0["event"] as? String ?? "?" }
        #expect(kinds.first == "status" && events.first?["status"] as? String == "queued", "\(kinds)")
        #expect(events.allSatisfy { $0["run"] as? String == id })
        let order = kinds.filter { $0 != "live" }
        #expect(order == ["status", "status", "epoch", "epoch", "result", "status"], "\(order)")
        #expect(events.last?["status"] as? String == "finished")
        let epochs = events.filter { $0["event"] as? String == "epoch" }.compactMap {
            ($0["record"] as? [String: Any])?["epoch"] as? Int
        }
        #expect(epochs == [1, 2])
        let live = events.filter { $0["event"] as? String == "live" }
        #expect(!live.isEmpty)
        for event in live {
            let probe = try #require(event["probe"] as? [String: Any])
            let layers = try #require(probe["layers"] as? [[String: Any]])
            #expect(layers.count == 1 && layers[0]["activation"] as? String == "tanh")
            let histogram = try #require(layers[0]["histogram"] as? [Int])
            #expect(histogram.count == LiveFigures.histogramBins)
            #expect(
                histogram.reduce(0, +) + (layers[0]["below"] as! Int) + (layers[0]["above"] as! Int) == Playground
                    .probeImages * 32)
            #expect((probe["units"] as? [Any])?.count == 16)
            #expect((layers[0]["gradient_norm"] as? Double ?? 0) > 0)
        }

        let direct = try Self.trainedDirectly(try Self.config(body))
        let saved = try Checkpoint(
            contentsOf: playground.folder.appendingPathComponent(id).appendingPathComponent("model.safetensors").path)
        #expect(
            saved.model.parameters == direct.model.parameters, "the page's run and Training.run give the same weights")
        #expect(saved.testAccuracy != nil)
        #expect(saved.state.history.map(\.trainLoss) == direct.history.map(\.trainLoss))
        #expect(saved.state.history.map(\.validationAccuracy) == direct.history.map(\.validationAccuracy))

        let details = Self.call(app, "GET", "/api/runs/\(id)").object
        #expect(details["status"] as? String == "finished")
        #expect((details["epochs"] as? [Any])?.count == 2)
        #expect((details["test_accuracy"] as? Double ?? 0) > 0.9)
        #expect((details["config"] as? [String: Any])?["hidden"] as? [Int] == [32])
        let listed = Self.call(app, "GET", "/api/runs").object["runs"] as? [[String: Any]]
        #expect(listed?.first?["id"] as? String == id)
        // The stream of a finished run replays what happened and ends.
        let replay = try await Self.events(try playground.events([id]))
        #expect(replay.map { $0["event"] as? String ?? "" }.filter { $0 != "live" } == order)
    }

    /// A bf16 run through the page equals `Training.run` in bf16 (the recorded precision included),
    /// and the playground offers bf16 exactly where the CPU has it natively.
    @Test func aBF16RunTrainsAsTrainDoes() async throws {
        let (app, playground) = try Self.make()
        defer { playground.shutdown() }
        let offered = Self.call(app, "GET", "/api/playground").object["precisions"] as? [String]
        #expect(offered == (Precision.nativeBF16 ? ["fp32", "bf16"] : ["fp32"]))
        let body = #"{"hidden": [64], "epochs": 1, "batch_size": 128, "validation": 1000, "precision": "bf16"}"#
        let (status, created) = Self.call(app, "POST", "/api/runs", json: body)
        guard Precision.nativeBF16 else {
            #expect(status == 400 && created["field"] as? String == "precision", "\(created)")
            return
        }
        #expect(status == 201)
        let id = try #require(created["id"] as? String)
        #expect(
            (created["title"] as? String)?.contains(" bf16") == true,
            "the run's name says its precision: \(created["title"] ?? "")")
        _ = try await Self.events(try playground.events([id]))
        let saved = try Checkpoint(
            contentsOf: playground.folder.appendingPathComponent(id).appendingPathComponent("model.safetensors").path)
        #expect(saved.config.precision == .bf16)
        let direct = try Self.trainedDirectly(try Self.config(body))
        #expect(
            saved.model.parameters == direct.model.parameters,
            "the page's bf16 run and Training.run give the same weights")
    }

    @Test func pauseStepAndResumeStayBitExact() async throws {
        let (app, playground) = try Self.make()
        defer { playground.shutdown() }
        let body =
            #"{"activation": "relu", "hidden": [48], "epochs": 1, "batch_size": 256, "seed": 7, "validation": 2000, "paused": true}"#
        let (status, created) = Self.call(app, "POST", "/api/runs", json: body)
        #expect(status == 201 && created["status"] as? String == "paused")
        let id = try #require(created["id"] as? String)
        #expect(
            Self.call(app, "POST", "/api/predict", query: ["run": id], body: try ServeTests.drawing(0)).status == 409,
            "no weights before a step")
        for step in 1...2 {
            #expect(Self.call(app, "POST", "/api/runs/\(id)/step").status == 200)
            let run = try Self.wait(app, id, for: ["paused"]) {
                (($0["live"] as? [String: Any])?["batch"] as? Int) == step
            }
            #expect((run["live"] as? [String: Any])?["epoch"] as? Int == 1)
        }
        let stepped = Self.call(app, "POST", "/api/predict", query: ["run": id], body: try ServeTests.drawing(0))
        #expect(stepped.status == 200 && stepped.object["digit"] != nil, "a stepped run reads digits")
        #expect(Self.call(app, "POST", "/api/runs/\(id)/resume").status == 200)
        try Self.wait(app, id, for: ["finished"])
        #expect(Self.call(app, "POST", "/api/runs/\(id)/step").status == 409, "a finished run does not step")
        #expect(Self.call(app, "POST", "/api/runs/\(id)/pause").status == 409)
        #expect(Self.call(app, "POST", "/api/runs/\(id)/resume").status == 409)
        let direct = try Self.trainedDirectly(try Self.config(body))
        let saved = try Checkpoint(
            contentsOf: playground.folder.appendingPathComponent(id).appendingPathComponent("model.safetensors").path)
        #expect(
            saved.model.parameters == direct.model.parameters,
            "stepped twice, then resumed: the weights of a run never stopped")
    }

    /// `serve --log-dir`: a run trained over several turns (two single-batch steps, then the rest)
    /// writes one log, every step once, and ends its HParams session; a cancelled run's session
    /// ends as failed.
    @Test func runsWriteTensorBoardLogsAcrossTheirTurns() throws {
        let logs = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: logs) }
        let (app, playground) = try Self.make(tensorBoard: logs)
        defer { _ = playground.shutdown() }
        let body = #"{"hidden": [16], "epochs": 1, "batch_size": 256, "validation": 1000, "paused": true}"#
        let id = try #require(Self.call(app, "POST", "/api/runs", json: body).object["id"] as? String)
        let cancelled = try #require(Self.call(app, "POST", "/api/runs", json: body).object["id"] as? String)
        for (run, steps) in [(id, 2), (cancelled, 1)] {
            for step in 1...steps {
                #expect(Self.call(app, "POST", "/api/runs/\(run)/step").status == 200)
                try Self.wait(app, run, for: ["paused"]) { (($0["live"] as? [String: Any])?["batch"] as? Int) == step }
            }
        }
        #expect(Self.call(app, "POST", "/api/runs/\(id)/resume").status == 200)
        #expect(Self.call(app, "DELETE", "/api/runs/\(cancelled)").status == 200)
        try Self.wait(app, id, for: ["finished"])
        try Self.wait(app, cancelled, for: ["cancelled"])

        let batches = (60_000 - 1000 + 255) / 256
        let steps = try EventFileReader.lastSteps(in: logs + "/" + id)
        #expect(EventFileReader.eventFiles(in: logs + "/" + id).count == 1)
        #expect(steps[TrainingLog.Tag.trainLoss] == batches && steps[TrainingLog.Tag.testAccuracy] == batches)
        #expect(steps["layer1/activations"] == batches && steps["_hparams_/session_end_info"] == batches)
        let stopped = try EventFileReader.lastSteps(in: logs + "/" + cancelled)
        #expect(stopped["_hparams_/session_end_info"] != nil && stopped[TrainingLog.Tag.testAccuracy] == nil)
        #expect(stopped["run/failure"] != nil)
    }
    @Test func runsCancelThenDeleteWithTheirFiles() throws {
        let (app, playground) = try Self.make()
        defer { playground.shutdown() }
        let id = try #require(
            Self.call(app, "POST", "/api/runs", json: #"{"hidden": [64], "epochs": 40}"#).object["id"] as? String)
        try Self.wait(app, id, for: ["running"])
        let folder = playground.folder.appendingPathComponent(id).path
        #expect(FileManager.default.fileExists(atPath: folder))
        #expect(Self.call(app, "DELETE", "/api/runs/\(id)").status == 200)
        try Self.wait(app, id, for: ["cancelled"])
        let deleted = Self.call(app, "DELETE", "/api/runs/\(id)")
        #expect(deleted.status == 200 && deleted.object["status"] as? String == "deleted")
        #expect(!FileManager.default.fileExists(atPath: folder))
        #expect(Self.call(app, "GET", "/api/runs/\(id)").status == 404)
    }

    @Test func aDivergingRunFailsWithAdviceAndTheServerGoesOn() throws {
        let (app, playground) = try Self.make()
        defer { playground.shutdown() }
        // Swish at lr 10 overflows to NaN within a few batches, as `trainer --activation swish --lr 10` does.
        let id = try #require(
            Self.call(app, "POST", "/api/runs", json: #"{"activation": "swish", "lr": 10, "epochs": 1}"#).object["id"]
                as? String)
        let run = try Self.wait(app, id, for: ["failed"])
        let error = run["error"] as? String ?? ""
        #expect(error.contains("diverged") && error.contains("smaller learning rate"), "\(error)")
        // Rates as a person writes them: the cosine schedule's 9.9998… is "10", the advice "1".
        #expect(error.contains("(say 1)"), "\(error)")
        #expect(error.firstMatch(of: /\d\.\d{5,}/) == nil, "a number with float noise: \(error)")
        #expect(Self.call(app, "POST", "/api/predict", body: try ServeTests.drawing(1)).status == 200)
        // Reading with it says it failed, not that it has not trained yet.
        let withIt = Self.call(app, "POST", "/api/predict", query: ["run": id], body: try ServeTests.drawing(1))
        let problem = withIt.object["error"] as? String ?? withIt.object["detail"] as? String ?? "\(withIt.object)"
        #expect(withIt.status == 409 && problem.contains("failed (training diverged"), "\(problem)")
        // ReLU at lr 10 stays finite but its units die: it finishes, with a warning that it learned nothing.
        let dying = try #require(
            Self.call(app, "POST", "/api/runs", json: #"{"activation": "relu", "lr": 10, "hidden": [64], "epochs": 1}"#)
                .object["id"] as? String)
        let died = try Self.wait(app, dying, for: ["finished"])
        let warning = died["warning"] as? String ?? ""
        #expect(
            warning.contains("learned nothing") && warning.contains("dead")
                && warning.contains("smaller learning rate"), "\(warning)")
        let next = try #require(
            Self.call(app, "POST", "/api/runs", json: #"{"hidden": [16], "epochs": 1, "validation": 1000}"#).object[
                "id"] as? String)
        let healthy = try Self.wait(app, next, for: ["finished"])
        #expect(healthy["warning"] == nil)
    }

    @Test func nonFiniteFiguresBecomeNullNotABrokenAnswer() throws {
        var figures = LiveFigures(loss: .nan, accuracy: 0.1, layers: [], units: [])
        figures.layers.append(
            LiveFigures.Layer(
                activation: "relu", deadFraction: 0.5, saturatedFraction: 0, meanActivation: .infinity,
                gradientNorm: .infinity, histogram: [], below: 0, above: 0,
                curve: ActivationCurve(.relu, range: 1)))
        let record = LiveRecord(
            epoch: 3, batch: 1, epochs: 5, progress: 2.5, probe: ProbeRecord(figures), measureSeconds: 0.001,
            trainLoss: Double.infinity.finite)
        let text = String(decoding: RunEvent.live(run: "r", record).serverSent, as: UTF8.self)
        #expect(text.hasPrefix("data: {") && text.hasSuffix("}\n\n"))
        let object = try #require(
            try JSONSerialization.jsonObject(with: Data(text.dropFirst(6).utf8)) as? [String: Any])
        let probe = try #require(object["probe"] as? [String: Any])
        #expect(probe["loss"] == nil && object["train_loss"] == nil, "NaN and infinity are left out, not sent")
        let layer = try #require((probe["layers"] as? [[String: Any]])?.first)
        #expect(layer["gradient_norm"] == nil && layer["dead_fraction"] as? Double == 0.5)
        #expect(!text.contains("NaN") && !text.contains("Infinity"))
    }

    /// The warning of a run that learned nothing names the likely why from its last live figures.
    @Test func aRunThatLearnedNothingIsToldWhy() {
        func live(_ layers: [(dead: Double, saturated: Double, gradient: Double)]) -> LiveRecord {
            var figures = LiveFigures(loss: 2.3, accuracy: 0.1, layers: [], units: [])
            for layer in layers {
                figures.layers.append(
                    LiveFigures.Layer(
                        activation: "relu", deadFraction: layer.dead, saturatedFraction: layer.saturated,
                        meanActivation: 0, gradientNorm: layer.gradient, histogram: [], below: 0, above: 0,
                        curve: ActivationCurve(.relu, range: 1)))
            }
            return LiveRecord(
                epoch: 1, batch: 1, epochs: 1, progress: 1, probe: ProbeRecord(figures), measureSeconds: 0)
        }
        var config = TrainingConfig()
        config.learningRate = 0.5
        #expect(
            Playground.learnedNothing(accuracy: 0.95, classes: 10, live: live([(0.9, 0, 0)]), config: config) == nil)
        let dead =
            Playground.learnedNothing(
                accuracy: 0.1135, classes: 10, live: live([(0.98, 0.02, 0), (1, 0, 0)]), config: config) ?? ""
        #expect(dead.contains("100% of layer 2's units are dead") && dead.contains("say 0.05"), "\(dead)")
        let vanishing =
            Playground.learnedNothing(
                accuracy: 0.1135, classes: 10, live: live([(0, 0, 3e-7), (0, 0, 1e-5), (0, 1, 5.6e-4)]), config: config)
            ?? ""
        #expect(
            vanishing.contains("100% of layer 3's units are saturated") && vanishing.contains("vanishing gradients")
                && vanishing.contains("1867 times"), "\(vanishing)")
        let unclear =
            Playground.learnedNothing(accuracy: 0.15, classes: 10, live: live([(0.1, 0.1, 0.1)]), config: config) ?? ""
        #expect(unclear.contains("more epochs"), "\(unclear)")
    }

    @Test func digitsAreReadWithARunAndInspected() throws {
        let (app, playground) = try Self.make()
        defer { playground.shutdown() }
        let id = try #require(
            Self.call(
                app, "POST", "/api/runs",
                json: #"{"activation": "sigmoid", "hidden": [40, 20], "epochs": 1, "validation": 1000}"#
            ).object["id"] as? String)
        try Self.wait(app, id, for: ["finished"])
        let saved = try Checkpoint(
            contentsOf: playground.folder.appendingPathComponent(id).appendingPathComponent("model.safetensors").path)
        let png = try ServeTests.drawing(3)
        let read = Self.call(app, "POST", "/api/predict", query: ["run": id], body: png)
        let reading = try DigitClassifier(checkpoint: saved).read(try PNG.decode(png, path: "digit"))
        #expect(read.status == 200 && read.object["digit"] as? String == reading.best?.name)
        let inspected = Self.call(app, "POST", "/api/inspect", query: ["run": id], body: png)
        #expect(inspected.status == 200)
        let layers = try #require(inspected.object["layers"] as? [[String: Any]])
        #expect(layers.map { ($0["pre_activations"] as? [Any])?.count } == [40, 20])
        #expect(layers.allSatisfy { $0["activation"] as? String == "sigmoid" })
        let weights = Self.call(app, "GET", "/api/weights", query: ["run": id, "unit": "39"])
        #expect(weights.status == 200 && (weights.object["weights"] as? [Int])?.count == 784)
        #expect(Self.call(app, "GET", "/api/weights", query: ["run": id, "unit": "40"]).status == 400)
        #expect(Self.call(app, "POST", "/api/predict", query: ["run": "20990101-000000-1"], body: png).status == 404)
        #expect(Self.call(app, "POST", "/api/predict", query: ["model": "5"], body: png).status == 400)
        #expect(Self.call(app, "POST", "/api/predict", query: ["model": "0"], body: png).status == 200)
    }

    /// `serve --data`/`--dataset`: the card says where each data set is read and which the form
    /// starts at; a run whose data is missing fails saying so (the page then says "failed").
    @Test func theCardSaysWhereEachDataSetIsRead() throws {
        let mnist = try #require(mnistFolder())
        let playground = try Playground(
            folder: URL(fileURLWithPath: temporaryFolder() + "/runs"), limits: PlaygroundLimits(), threads: 2,
            defaultDataset: .fashionMNIST
        ) { kind in kind == .mnist ? mnist : "/nonexistent/fashion" }
        playground.start()
        defer { playground.shutdown() }
        let trained = try #require(ServeTests.trained)
        let app = try DigitWebApp(
            checkpoint: trained.checkpoint, modelFile: trained.file, reports: try ReportFolders([]),
            playground: playground)
        let card = Self.call(app, "GET", "/api/playground").object
        #expect(card["dataset"] as? String == "fashion-mnist")
        let folders = try #require(card["data_folders"] as? [String: String])
        #expect(folders == ["mnist": mnist, "fashion-mnist": "/nonexistent/fashion"])
        let id = try #require(
            Self.call(app, "POST", "/api/runs", json: #"{"dataset": "fashion-mnist", "epochs": 1}"#).object["id"]
                as? String)
        let failed = try Self.wait(app, id, for: ["failed"])
        #expect((failed["error"] as? String)?.contains("/nonexistent/fashion") == true, "\(failed)")
    }

    /// Two runs that differ are titled apart: every setting away from its default is named, as a
    /// person writes its value (issue: two runs differing in momentum were both "relu 128x2 lr 1").
    @Test func runTitlesNameEverySettingAwayFromItsDefault() throws {
        let title = { (json: String) in try RunRequest(json: Array(json.utf8), limits: PlaygroundLimits()).title }
        #expect(try title(#"{}"#) == "relu 256,128 lr 0.05")
        #expect(try title(#"{"hidden": "128x2", "lr": 1}"#) == "relu 128x2 lr 1")
        #expect(try title(#"{"hidden": "128x2", "lr": 1, "momentum": 0}"#) == "relu 128x2 lr 1 momentum 0")
        #expect(
            try title(#"{"optimizer": "adam", "init": "he", "seed": 3, "weight_decay": 0.0001}"#)
                == "relu 256,128 lr 0.001 init he optimizer adam weight decay 0.0001 seed 3")
        #expect(
            try title(#"{"dataset": "fashion-mnist", "augment": true}"#)
                == "relu 256,128 lr 0.05 fashion-mnist augmented")
    }

    @Test func severalRunsShareTheCoresAndOneStream() async throws {
        // Turns of 0.2 s: two epochs of 784-64 at batch 32 (3,400 steps, ~1.3 s on a Zen 4) outlast
        // several of them on a CPU four times as fast, and under ThreadSanitizer, where each
        // turn's end measures the live figures, there are few enough turns (20 ms turns took over
        // 300 s there).
        let (app, playground) = try Self.make(slice: 0.2)
        defer { playground.shutdown() }
        var ids: [String] = []
        for activation in ["relu", "sigmoid"] {
            ids.append(
                try #require(
                    Self.call(
                        app, "POST", "/api/runs",
                        json:
                            #"{"activation": "\#(activation)", "hidden": [64], "epochs": 2, "batch_size": 32, "validation": 1000}"#
                    ).object["id"] as? String))
        }
        let stream = app.respond(
            to: WebRequest(method: "GET", path: "/api/events", query: ["runs": ids.joined(separator: ",")]))
        #expect(stream.headers["Content-Type"] == "text/event-stream; charset=utf-8")
        let events = try await Self.events(try #require(stream.stream))
        for id in ids {
            let mine = events.filter { $0["run"] as? String == id }
            #expect(mine.filter { $0["event"] as? String == "result" }.count == 1)
            #expect(mine.last?["status"] as? String == "finished")
        }
        // They took turns: each turn ends with live figures, so the runs' live events alternate
        // (the stream first replays each run's past events together, hence more than one switch).
        // Not the order of their epochs: beside suites that train, a turn of 0.2 s may get little
        // of the cores, and one run's epochs may all end first though both had their turns.
        let live = events.filter { $0["event"] as? String == "live" }.compactMap { $0["run"] as? String }
        let switches = zip(live, live.dropFirst()).filter { $0 != $1 }.count
        #expect(switches >= 3, "the runs shared the cores by turns: \(live)")
        #expect(Self.call(app, "GET", "/api/events", query: ["runs": ""]).status == 400)
        #expect(Self.call(app, "GET", "/api/events", query: ["runs": "nope"]).status == 404)
    }

    @Test func aRestartListsRunsAndResumesAnInterruptedOneBitExactly() throws {
        let folder = temporaryFolder() + "/runs"
        let finishedBody = #"{"hidden": [16], "epochs": 1, "validation": 1000}"#
        let interruptedBody =
            #"{"activation": "swish", "hidden": [24], "epochs": 2, "batch_size": 100, "validation": 1000, "paused": true}"#
        var finished = "", interrupted = ""
        do {
            let (app, playground) = try Self.make(folder: folder)
            finished = try #require(Self.call(app, "POST", "/api/runs", json: finishedBody).object["id"] as? String)
            try Self.wait(app, finished, for: ["finished"])
            interrupted = try #require(
                Self.call(app, "POST", "/api/runs", json: interruptedBody).object["id"] as? String)
            #expect(Self.call(app, "POST", "/api/runs/\(interrupted)/step").status == 200)
            try Self.wait(app, interrupted, for: ["paused"]) { (($0["live"] as? [String: Any])?["batch"] as? Int) == 1 }
            #expect(playground.shutdown() == 1, "one active run saved")
        }
        let (app, playground) = try Self.make(folder: folder)
        defer { playground.shutdown() }
        let listed = try #require(Self.call(app, "GET", "/api/runs").object["runs"] as? [[String: Any]])
        #expect(listed.map { $0["id"] as? String } == [interrupted, finished])
        #expect(listed.map { $0["status"] as? String } == ["interrupted", "finished"])
        #expect((listed[1]["test_accuracy"] as? Double ?? 0) > 0.8)
        #expect(
            Self.call(app, "POST", "/api/predict", query: ["run": finished], body: try ServeTests.drawing(2)).status
                == 200,
            "a listed run reads digits from its checkpoint")
        #expect(Self.call(app, "POST", "/api/runs/\(interrupted)/resume").status == 200)
        try Self.wait(app, interrupted, for: ["finished"])
        let direct = try Self.trainedDirectly(try Self.config(interruptedBody))
        let saved = try Checkpoint(
            contentsOf: playground.folder.appendingPathComponent(interrupted).appendingPathComponent(
                "model.safetensors"
            ).path)
        #expect(
            saved.model.parameters == direct.model.parameters,
            "interrupted after a batch, restarted, resumed: the same weights")
        // What the old server wrote cannot make the new one write elsewhere: folders it did not name are not listed.
        try FileManager.default.createDirectory(atPath: folder + "/x y", withIntermediateDirectories: true)
        try Data("{\"id\": \"../x\"}".utf8).write(to: URL(fileURLWithPath: folder + "/x y/run.json"))
        let (again, third) = try Self.make(folder: folder)
        defer { third.shutdown() }
        #expect((Self.call(again, "GET", "/api/runs").object["runs"] as? [Any])?.count == 2)
    }

    @Test func inspectAnswersTheFieldsTheIssueNames() throws {
        let (app, playground) = try Self.make()
        defer { playground.shutdown() }
        let png = try ServeTests.drawing(0)
        let response = Self.call(app, "POST", "/api/inspect", body: png)
        #expect(response.status == 200)
        let answer = response.object
        #expect(answer["digit"] as? String != nil)
        #expect((answer["probabilities"] as? [Double])?.count == 10)
        let image = try #require(answer["image"] as? [Double])
        #expect(image.count == 784)
        let saliency = try #require(answer["saliency"] as? [Double])
        #expect(saliency.count == 784 && saliency.contains { $0 != 0 })
        let layers = try #require(answer["layers"] as? [[String: Any]])
        #expect(layers.count == 1)
        for key in [
            "activation", "pre_activations", "activations", "off_fraction", "saturated_fraction", "states", "top_units"
        ] {
            #expect(layers[0][key] != nil, "layers[0] lacks \(key)")
        }
        // The same numbers as an Inspection of the served network on the image it saw.
        let trained = try #require(ServeTests.trained)
        let inspection = Inspection(network: trained.checkpoint.model, input: image.map(Float.init))
        let pre = try #require(layers[0]["pre_activations"] as? [Double])
        // The JSON image has four decimals, so the pre-activations recomputed from it differ a little.
        for (a, b) in zip(pre, inspection.layers[0].preActivations) { #expect(abs(a - Double(b)) < 1e-2) }
        #expect(abs((layers[0]["off_fraction"] as? Double ?? -1) - inspection.layers[0].offFraction) < 0.02)
        #expect(Self.call(app, "POST", "/api/inspect", body: []).status == 400)
        #expect(Self.call(app, "POST", "/api/inspect", body: Array("not a png".utf8)).status == 400)
        #expect(Self.call(app, "GET", "/api/inspect").status == 405)
    }
}
