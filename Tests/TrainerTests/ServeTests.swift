import Dataset
import Foundation
import Model
import Testing
import TestSupport
@testable import trainer

/// `trainer serve`: every route called in process, the same answers as `predict`, the failures as
/// JSON, paths that try to leave the report folders, and the server itself over real sockets.
@Suite(.serialized) struct ServeTests {
    /// A small model trained for real (one epoch of a 784-64-10 network), saved once per run.
    static let trained: (checkpoint: Checkpoint, file: String)? = {
        guard let data = sharedMNIST else { return nil }
        var config = TrainingConfig()
        config.hidden = [64]
        config.epochs = 1
        config.validationCount = 0
        let training = Training(config: config, trainSet: data.train)
        var state = training.initialState()
        guard (try? training.run(&state, threads: 2)) != nil else { return nil }
        let checkpoint = Checkpoint(
            config: config, state: state, dataset: "mnist", datasetSHA256: data.sha256,
            testAccuracy: 0.95, testLoss: 0.2, savedAt: Date(timeIntervalSince1970: 1_800_000_000))
        let file = temporaryFolder() + "/serve-model.safetensors"
        guard (try? checkpoint.write(to: file)) != nil else { return nil }
        return (checkpoint, file)
    }()

    static func app(reports: [String] = [], bodyLimit: Int = DigitWebApp.defaultBodyLimit) throws -> DigitWebApp {
        let trained = try #require(trained, "no model to serve")
        return try DigitWebApp(
            checkpoint: trained.checkpoint, modelFile: trained.file, reports: try ReportFolders(reports),
            bodyLimit: bodyLimit)
    }

    /// MNIST test digit `i` as the page sends drawings: 280×280, dark ink on white paper.
    static func drawing(_ i: Int) throws -> [UInt8] {
        let data = try #require(sharedMNIST)
        let big = InkImage(width: 28, height: 28, pixels: Array(data.test.image(i))).enlarged(by: 10)
        return TestPNG.gray(width: big.width, height: big.height, big.pixels.map { 255 - UInt8(($0 * 255).rounded()) })
    }

    static func object(_ response: WebResponse) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(response.body))) as? [String: Any] ?? [:]
    }

    static func post(_ app: DigitWebApp, _ body: [UInt8], query: [String: String] = [:]) -> WebResponse {
        app.respond(to: WebRequest(method: "POST", path: "/api/predict", query: query, body: body))
    }

    // MARK: Routes in process

    @Test func thePageIsOneSelfContainedFile() throws {
        let app = try Self.app()
        let page = app.respond(to: WebRequest(method: "GET", path: "/"))
        #expect(page.status == 200)
        #expect(page.headers["Content-Type"] == "text/html; charset=utf-8")
        #expect(page.headers["Content-Security-Policy"]?.contains("default-src 'none'") == true)
        #expect(page.body.count < 100 * 1024, "\(page.body.count) bytes")
        let html = String(decoding: page.body, as: UTF8.self)
        // Nothing is fetched from elsewhere: the only absolute URL is the curl example in the footer.
        #expect(
            html.components(separatedBy: "http").count - 1 == html.components(separatedBy: "http://HOST/").count - 1,
            "an external reference")
        for needed in [
            "<canvas id=\"pad\"", "pointerdown", "/api/predict", "/api/model", "/api/reports", "id=\"undo\"",
            "id=\"clear\"",
            "type=\"file\"", "drop", "not confident", "nodigit"
        ] {
            #expect(html.contains(needed), "the page lacks \(needed)")
        }
        #expect(app.respond(to: WebRequest(method: "HEAD", path: "/")).body.isEmpty)
    }

    @Test func predictionsAreThoseOfThePredictCommand() throws {
        let app = try Self.app()
        let data = try #require(sharedMNIST)
        let classifier = try DigitClassifier(checkpoint: try #require(Self.trained).checkpoint)
        var correct = 0
        for i in 0..<40 {
            let png = try Self.drawing(i)
            let response = Self.post(app, png)
            #expect(response.status == 200)
            #expect(response.headers["Content-Type"] == "application/json; charset=utf-8")
            let answer = Self.object(response)
            let reading = classifier.read(try PNG.decode(png, path: "digit"))
            #expect(answer["digit"] as? String == reading.best?.name)
            // As Float: Foundation's JSON parser on Linux can miss a Double's last bit, never a Float's.
            #expect((answer["probabilities"] as? [Double])?.map(Float.init) == reading.probabilities)
            #expect((answer["top"] as? [Any])?.count == 10, "every class by default")
            #expect(answer["side"] as? Int == 28)
            #expect((answer["image"] as? [Double])?.count == 784)
            if answer["digit"] as? String == String(data.test.labels[i]) { correct += 1 }
        }
        #expect(correct >= 34, "\(correct) of 40 drawings read right")

        // The same file through `trainer predict --json --show` gives the same object, bar `file`.
        let folder = temporaryFolder()
        try Data(try Self.drawing(0)).write(to: URL(fileURLWithPath: folder + "/seven.png"))
        let cli = try trainer([
            "predict", "--model", try #require(Self.trained).file, folder + "/seven.png", "--json", "--show", "--top",
            "10"
        ])
        let line = try #require(cli.out.split(separator: "\n").first.map(String.init), "\(cli.err)")
        let served = String(decoding: Self.post(app, try Self.drawing(0)).body, as: UTF8.self)
        let fileField = "\"file\":\"\(folder)/seven.png\","
        #expect(line.contains(fileField))
        #expect(
            line.replacingOccurrences(of: fileField, with: "") == served,
            "predict: \(line.prefix(300))\nserve: \(served.prefix(300))")
        #expect((Self.object(Self.post(app, try Self.drawing(0), query: ["top": "3"]))["top"] as? [Any])?.count == 3)
    }

    @Test func noDigitAndNotConfidentAreAnswersNotErrors() throws {
        let app = try Self.app()
        let blank = Self.post(app, TestPNG.gray(width: 64, height: 64, [UInt8](repeating: 255, count: 64 * 64)))
        #expect(blank.status == 200)
        let answer = Self.object(blank)
        #expect(answer["digit"] is NSNull && answer["image"] is NSNull)
        #expect(answer["warning"] as? String == "no digit found")
        #expect((answer["reason"] as? String)?.contains("flat colour") == true)
        let unsure = Self.object(Self.post(app, try Self.drawing(1), query: ["min_confidence": "1"]))
        #expect(unsure["warning"] as? String == "not confident" && unsure["digit"] is String)
        let raw = Self.object(Self.post(app, try Self.drawing(1), query: ["preprocess": "false"]))
        #expect(raw["preprocessed"] as? Bool == false && raw["inverted"] as? Bool == false)
    }

    @Test func badRequestsGetOneLineJSONErrors() throws {
        let app = try Self.app()
        let good = try Self.drawing(0)
        let cases: [(WebRequest, Int, String)] = [
            (
                WebRequest(method: "POST", path: "/api/predict", body: Array("GIF89a not a png".utf8)), 400,
                "not a PNG file"
            ),
            (
                WebRequest(method: "POST", path: "/api/predict", body: Array(good.prefix(good.count / 2))), 400,
                "the body:"
            ),
            (WebRequest(method: "POST", path: "/api/predict", body: []), 400, "the body is empty"),
            (
                WebRequest(
                    method: "POST", path: "/api/predict",
                    body: TestPNG.replacingChunk("IHDR", in: good, with: TestPNG.header(width: 5000, height: 5000))),
                400, "4096-pixel limit"
            ),
            (WebRequest(method: "POST", path: "/api/predict", query: ["top": "0"], body: good), 400, "top=0"),
            (WebRequest(method: "POST", path: "/api/predict", query: ["top": "many"], body: good), 400, "top=many"),
            (
                WebRequest(method: "POST", path: "/api/predict", query: ["min_confidence": "2"], body: good), 400,
                "min_confidence=2"
            ),
            (
                WebRequest(method: "POST", path: "/api/predict", query: ["preprocess": "maybe"], body: good), 400,
                "preprocess=maybe"
            ),
            (WebRequest(method: "GET", path: "/api/predict"), 405, "use POST"),
            (WebRequest(method: "PUT", path: "/api/predict", body: good), 405, "PUT is not allowed"),
            (WebRequest(method: "POST", path: "/"), 405, "use GET or HEAD"),
            (WebRequest(method: "DELETE", path: "/api/model"), 405, "DELETE"),
            (WebRequest(method: "GET", path: "/api/nothing"), 404, "no such page: /api/nothing"),
            (
                WebRequest(method: "GET", path: "/\u{1}\u{7f}" + String(repeating: "x", count: 500)), 404,
                "no such page: /??xxx"
            )
        ]
        for (request, status, words) in cases {
            let response = app.respond(to: request)
            let object = Self.object(response)
            #expect(response.status == status, "\(request.method) \(request.path.prefix(40))")
            #expect(object["status"] as? Int == status)
            let message = object["error"] as? String ?? ""
            #expect(message.contains(words) && !message.contains("\n") && message.count < 200, "\(message)")
            #expect(response.headers["Content-Type"] == "application/json; charset=utf-8")
        }
        #expect(app.respond(to: WebRequest(method: "GET", path: "/api/predict")).headers["Allow"] == "POST")
        #expect(app.respond(to: WebRequest(method: "POST", path: "/api/model")).headers["Allow"] == "GET, HEAD")
        #expect(app.tooLarge.status == 413 && Self.object(app.tooLarge)["error"] is String)
    }

    @Test func theModelCardComesFromTheCheckpoint() throws {
        let app = try Self.app()
        let trained = try #require(Self.trained)
        let card = Self.object(app.respond(to: WebRequest(method: "GET", path: "/api/model")))
        #expect(card["architecture"] as? String == "784-64(relu)-10")
        #expect(card["parameters"] as? Int == 784 * 64 + 64 + 64 * 10 + 10)
        #expect(card["dataset"] as? String == "mnist" && card["test_accuracy"] as? Double == 0.95)
        #expect(card["epochs"] as? Int == 1 && card["side"] as? Int == 28)
        #expect(card["trained_at"] as? String == "2027-01-15T08:00:00Z")
        #expect(card["classes"] as? [String] == (0...9).map(String.init))
        #expect(card["file"] as? String == trained.file)
        #expect((card["training"] as? [String: Any])?["batch_size"] as? Int == 64)

        // The date survives the file: read back, the checkpoint still has it.
        #expect(try Checkpoint(contentsOf: trained.file).savedAt == trained.checkpoint.savedAt)
    }

    // MARK: Report folders

    /// root/reports/{a/report.html, a/charts/x.svg, .hidden/report.html, inside -> a, out -> root/outside},
    /// root/secret.txt and root/outside/{secret.txt, report.html} beside them.
    static func reportTree() throws -> (root: String, reports: String) {
        let root = temporaryFolder()
        let reports = root + "/reports"
        let files = FileManager.default
        try files.createDirectory(atPath: reports + "/a/charts", withIntermediateDirectories: true)
        try files.createDirectory(atPath: reports + "/.hidden", withIntermediateDirectories: true)
        try Data("<html><head><title>Ablation: A &amp; B</title></head><body>a</body></html>".utf8).write(
            to: URL(fileURLWithPath: reports + "/a/report.html"))
        try Data("<svg xmlns=\"http://www.w3.org/2000/svg\"/>".utf8).write(
            to: URL(fileURLWithPath: reports + "/a/charts/x.svg"))
        try Data("<title>hidden</title>".utf8).write(to: URL(fileURLWithPath: reports + "/.hidden/report.html"))
        try Data("secret".utf8).write(to: URL(fileURLWithPath: root + "/secret.txt"))
        try files.createDirectory(atPath: root + "/outside", withIntermediateDirectories: true)
        try Data("secret".utf8).write(to: URL(fileURLWithPath: root + "/outside/secret.txt"))
        try Data("<title>outside</title>".utf8).write(to: URL(fileURLWithPath: root + "/outside/report.html"))
        try files.createSymbolicLink(atPath: reports + "/inside", withDestinationPath: reports + "/a")
        try files.createSymbolicLink(atPath: reports + "/out", withDestinationPath: root + "/outside")
        return (root, reports)
    }

    @Test func reportsAreListedAndServedAsTheyAre() throws {
        let tree = try Self.reportTree()
        let app = try Self.app(reports: [tree.reports])
        let list = Self.object(app.respond(to: WebRequest(method: "GET", path: "/api/reports")))
        let reports = try #require(list["reports"] as? [[String: Any]])
        // a/report.html once (not again through the in-folder symlink); never the hidden one or the one out of the folder.
        #expect(reports.map { $0["url"] as? String } == ["/reports/0/a/report.html"])
        #expect(reports.first?["title"] as? String == "Ablation: A & B")
        #expect(list["folders"] as? [String] == [tree.reports])

        let page = app.respond(to: WebRequest(method: "GET", path: "/reports/0/a/report.html"))
        #expect(page.status == 200 && page.headers["Content-Type"] == "text/html; charset=utf-8")
        #expect(page.body == Array(try Data(contentsOf: URL(fileURLWithPath: tree.reports + "/a/report.html"))))
        #expect(
            app.respond(to: WebRequest(method: "GET", path: "/reports/0/a/charts/x.svg")).headers["Content-Type"]
                == "image/svg+xml")
        #expect(app.respond(to: WebRequest(method: "GET", path: "/reports/0/inside/report.html")).status == 200)
        #expect(
            app.respond(to: WebRequest(method: "GET", path: "/reports/0/a/charts/%78.svg")).status == 200,
            "a percent-encoded letter is a letter")
    }

    @Test func noPathLeavesTheReportFolders() throws {
        let tree = try Self.reportTree()
        let app = try Self.app(reports: [tree.reports])
        let attempts = [
            "/reports/0/../secret.txt", "/reports/0/a/../../secret.txt", "/reports/0/%2e%2e/secret.txt",
            "/reports/0/%2E%2E/secret.txt",
            "/reports/0/a%2F..%2F..%2Fsecret.txt", "/reports/0/..%2Fsecret.txt", "/reports/0/..%5Csecret.txt",
            "/reports/0/a%5C..%5C..%5Csecret.txt",
            "/reports/0/out/secret.txt", "/reports/0/out/report.html", "/reports/0/out/../secret.txt",
            "/reports/0/.hidden/report.html",
            "/reports/0/a/report.html%00.png", "/reports/0//etc/passwd", "/reports/0/%2Fetc%2Fpasswd",
            "/reports/0/%252e%252e/secret.txt",
            "/reports/1/a/report.html", "/reports/-1/a/report.html", "/reports/x/a/report.html", "/reports/0/a",
            "/reports/0/a/",
            "/reports/0/", "/reports/0", "/reports/", "/reports/0/%zz", "/reports/0/a/charts/x.svg/",
            "/reports/0/./a/report.html"
        ]
        for path in attempts {
            let response = app.respond(to: WebRequest(method: "GET", path: path))
            #expect(response.status == 404, "\(path) answered \(response.status)")
            #expect(!String(decoding: response.body, as: UTF8.self).contains("secret\""), "\(path)")
            #expect(Self.object(response)["error"] is String, "\(path)")
        }
        #expect(app.respond(to: WebRequest(method: "POST", path: "/reports/0/a/report.html")).status == 405)
    }

    @Test func aMissingReportFolderIsSaidBeforeServing() throws {
        let file = temporaryFolder() + "/file.txt"
        FileManager.default.createFile(atPath: file, contents: Data("x".utf8))
        #expect(throws: ReportFolders.Problem.self) { try ReportFolders(["/no/such/folder"]) }
        #expect(throws: ReportFolders.Problem.self) { try ReportFolders([file]) }
        do { _ = try ReportFolders(["/no/such/folder"]) } catch {
            #expect("\(error)" == "/no/such/folder: no such folder (--reports)")
        }
    }

    /// An ablation's cell models under --reports are offered to read and compare with, first seed
    /// first; a broken one is skipped with a line, a link out of the shared folder is not followed,
    /// and a model also given with -m is not offered twice.
    @Test func ablationCellModelsAreOfferedToCompare() throws {
        let trained = try #require(Self.trained)
        let root = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let cells = root + "/abl/cells"
        try FileManager.default.createDirectory(atPath: cells, withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: root + "/abl/report.html", contents: Data("<title>t</title>".utf8))
        for name in ["relu-seed2", "relu-seed1", "sigmoid-seed1"] {
            try FileManager.default.copyItem(atPath: trained.file, toPath: cells + "/\(name).safetensors")
        }
        FileManager.default.createFile(atPath: cells + "/tanh-seed1.safetensors", contents: Data("not a model".utf8))
        let outside = temporaryFolder() + "/outside.safetensors"
        try FileManager.default.createDirectory(
            atPath: (outside as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: trained.file, toPath: outside)
        try FileManager.default.createSymbolicLink(
            atPath: cells + "/linked-seed1.safetensors", withDestinationPath: outside)

        let folders = try ReportFolders([root])
        let (served, notes) = Serve.cellModels(in: folders, besides: [], minConfidence: 0.5)
        #expect(
            served.map(\.file)
                == ["relu-seed1", "sigmoid-seed1", "relu-seed2"].map { root + "/abl/cells/\($0).safetensors" })
        #expect(notes.count == 2 && notes[0].hasPrefix("offering 3 ablation cell models"), "\(notes)")
        #expect(
            notes[1].hasPrefix("note: not offering \(cells)/tanh-seed1.safetensors: ")
                && notes[1].components(separatedBy: "tanh-seed1").count == 2,
            "the broken model is named once: \(notes)")
        let (without, _) = Serve.cellModels(
            in: folders, besides: [cells + "/relu-seed1.safetensors"], minConfidence: 0.5)
        #expect(without.count == 2, "a model given with -m is not offered again")

        let app = try DigitWebApp(
            checkpoint: trained.checkpoint, modelFile: trained.file, reports: folders, others: served)
        let models =
            Self.object(app.respond(to: WebRequest(method: "GET", path: "/api/models")))["models"] as? [[String: Any]]
        #expect(models?.count == 4 && (models?[1]["file"] as? String)?.hasSuffix("relu-seed1.safetensors") == true)
        let read = app.respond(
            to: WebRequest(method: "POST", path: "/api/predict", query: ["model": "3"], body: try Self.drawing(0)))
        #expect(read.status == 200, "a cell model reads the pad")
    }

    // MARK: Over real sockets

    /// The real `trainer serve` in its own process: in process, the server's tasks would share
    /// Swift's cooperative threads with the suites that train, and under ThreadSanitizer those
    /// held both threads for over a minute, so the server could not answer.
    @Test func theServerAnswersOverHTTPAndKeepsServing() throws {
        let trained = try #require(Self.trained)
        let server = Process()
        server.executableURL = URL(fileURLWithPath: builtExecutable("trainer"))
        let runs = temporaryFolder() + "/runs"
        server.arguments = ["serve", "--model", trained.file, "--port", "0", "--max-body", "1", "--runs", runs]
        let out = Pipe()
        server.standardOutput = out
        try server.run()
        defer { if server.isRunning { kill(server.processIdentifier, SIGKILL) } }
        // "serving M at http://127.0.0.1:PORT/  (Ctrl-C stops)", or the end of the output if it failed.
        var printed = ""
        while !printed.contains("/  (Ctrl-C"), case let data = out.fileHandleForReading.availableData, !data.isEmpty {
            printed += String(decoding: data, as: UTF8.self)
        }
        let port = try #require(
            printed.components(separatedBy: "http://127.0.0.1:").dropFirst().first?.split(separator: "/").first.flatMap
            { UInt16($0) },
            "the server printed \(printed)")
        let png = try Self.drawing(0)

        // Two requests on one kept-alive connection.
        let client = try RawHTTPClient(port: port)
        let page = try client.exchange("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(page.status == 200 && page.body.count > 10_000)
        let predicted = try client.exchange(
            "POST /api/predict?top=2 HTTP/1.1\r\nHost: x\r\nContent-Type: image/png\r\nContent-Length: \(png.count)\r\n\r\n",
            body: png)
        #expect(predicted.status == 200)
        let answer = try #require(try JSONSerialization.jsonObject(with: Data(predicted.body)) as? [String: Any])
        #expect((answer["top"] as? [Any])?.count == 2)
        client.close()

        // Sent raw, without a client tidying the path.
        let traversal = try RawHTTPClient(port: port).exchange(
            "GET /reports/0/../../../../etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(traversal.status == 404)

        // A declared length over the limit (--max-body 1: 1 MiB), and a chunked body that grows past it: 413 as JSON.
        let big = [UInt8](repeating: 7, count: (1 << 20) + 1)
        let declared = try RawHTTPClient(port: port).exchange(
            "POST /api/predict HTTP/1.1\r\nHost: x\r\nContent-Length: \(big.count)\r\n\r\n", body: big)
        #expect(declared.status == 413)
        #expect(String(decoding: declared.body, as: UTF8.self).contains("\"status\":413"))
        let chunk = [UInt8](repeating: 7, count: 64 << 10)
        var chunked: [UInt8] = []
        for _ in 0..<17 { chunked += Array("10000\r\n".utf8) + chunk + Array("\r\n".utf8) }
        chunked += Array("0\r\n\r\n".utf8)
        let streamed = try RawHTTPClient(port: port).exchange(
            "POST /api/predict HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n", body: chunked)
        #expect(streamed.status == 413)

        // Garbage instead of HTTP: that connection ends; the server goes on.
        let garbage = try RawHTTPClient(port: port)
        try garbage.send(Array("NONSENSE\r\n\r\n".utf8))
        garbage.close()
        let after = try RawHTTPClient(port: port).exchange("GET /api/model HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(after.status == 200)
        #expect(server.isRunning)

        // A playground run that trains, and a page following its events over a real socket.
        let body = Array(#"{"hidden": [64], "epochs": 40, "validation": 1000}"#.utf8)
        let created = try RawHTTPClient(port: port).exchange(
            "POST /api/runs HTTP/1.1\r\nHost: x\r\nContent-Length: \(body.count)\r\n\r\n", body: body)
        #expect(created.status == 201)
        let id = try #require(
            (try JSONSerialization.jsonObject(with: Data(created.body)) as? [String: Any])?["id"] as? String)
        let events = try RawHTTPClient(port: port)
        try events.send(Array("GET /api/runs/\(id)/events HTTP/1.1\r\nHost: x\r\n\r\n".utf8))
        let stream = try events.receive(until: "\"event\":\"epoch\"", seconds: 300)
        #expect(
            stream.contains("text/event-stream") && stream.contains("Transfer-Encoding: chunked")
                && stream.contains("data: {"), "\(stream.prefix(300))")

        // SIGTERM saves the run where it stands and stops the server (this test runner starts it with
        // the signal blocked; serve unblocks it); the run is marked interrupted, resumable.
        server.terminate()
        let deadline = Date().addingTimeInterval(20)
        while server.isRunning && Date() < deadline { usleep(20_000) }
        #expect(!server.isRunning, "SIGTERM did not stop the server")
        #expect(server.terminationStatus == 143)
        let record =
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: runs + "/\(id)/run.json")))
            as? [String: Any]
        #expect(record?["status"] as? String == "interrupted")
        let saved = try Checkpoint(contentsOf: runs + "/\(id)/model.safetensors")
        #expect(saved.state.epochsCompleted >= 1 && saved.testAccuracy == nil, "the run as it stood, not finished")
    }

    // MARK: The command

    @Test func startUpProblemsAreSaidBeforeTheServerBinds() throws {
        let trained = try #require(Self.trained)
        let missing = try run(
            "/usr/bin/timeout",
            ["20", builtExecutable("trainer"), "serve", "--model", "/no/such/model.safetensors", "--port", "0"])
        #expect(missing.status == 1 && missing.err.contains("/no/such/model.safetensors"), "\(missing)")
        let notAModel = temporaryFolder() + "/not-a-model.safetensors"
        FileManager.default.createFile(atPath: notAModel, contents: Data("hello".utf8))
        let broken = try run(
            "/usr/bin/timeout", ["20", builtExecutable("trainer"), "serve", "--model", notAModel, "--port", "0"])
        #expect(
            broken.status == 1 && broken.err.contains(notAModel) && broken.err.split(separator: "\n").count == 1,
            "\(broken)")
        let folder = try run(
            "/usr/bin/timeout",
            [
                "20", builtExecutable("trainer"), "serve", "--model", trained.file, "--reports", "/no/such/dir",
                "--port", "0"
            ])
        #expect(folder.status == 1 && folder.err.contains("/no/such/dir: no such folder"), "\(folder)")
        let host = try run(
            "/usr/bin/timeout",
            ["20", builtExecutable("trainer"), "serve", "--model", trained.file, "--host", "999.1.1.1", "--port", "0"])
        #expect(host.status == 1 && host.err.contains("--host 999.1.1.1"), "\(host)")

        // A port that is taken.
        let taken = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { Glibc.close(taken) }
        var address = sockaddr_in(
            sin_family: sa_family_t(AF_INET), sin_port: 0, sin_addr: in_addr(s_addr: inet_addr("127.0.0.1")),
            sin_zero: (0, 0, 0, 0, 0, 0, 0, 0))
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(taken, $0, length) }
        }
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(taken, $0, &length) }
        }
        listen(taken, 1)
        let port = String(UInt16(bigEndian: address.sin_port))
        let busy = try run(
            "/usr/bin/timeout", ["20", builtExecutable("trainer"), "serve", "--model", trained.file, "--port", port])
        #expect(busy.status == 1 && busy.err.contains("the port is taken"), "\(busy)")
    }
}

/// Just enough of an HTTP/1.1 client to send requests byte for byte as written (no path
/// normalisation, any framing) and read one response with a Content-Length.
final class RawHTTPClient {
    private let fd: Int32
    private var buffered: [UInt8] = []
    private var isOpen = true

    init(port: UInt16) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        // generous: under ThreadSanitizer, beside suites that train, an answer can take seconds
        var timeout = timeval(tv_sec: 60, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in(
            sin_family: sa_family_t(AF_INET), sin_port: port.bigEndian,
            sin_addr: in_addr(s_addr: inet_addr("127.0.0.1")),
            sin_zero: (0, 0, 0, 0, 0, 0, 0, 0))
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else { throw Failure("connect to port \(port) failed") }
    }

    func send(_ bytes: [UInt8]) throws {
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { throw Failure("send failed") }
            sent += n
        }
    }

    /// Sends a request and reads its response. The bytes go out from another thread while the
    /// answer is read, as a browser does: a server may answer (413) before it has read a large
    /// body, and a client that only sends would then block on a full socket buffer for ever.
    func exchange(_ head: String, body: [UInt8] = []) throws -> (status: Int, headers: String, body: [UInt8]) {
        let bytes = Array(head.utf8) + body
        let sent = DispatchSemaphore(value: 0)
        nonisolated(unsafe) let client = self
        DispatchQueue.global().async {
            try? client.send(bytes)  // fails once the server has answered and closed: what is read decides
            sent.signal()
        }
        defer { sent.wait() }
        let request = head.components(separatedBy: "\r\n").first ?? head
        while !buffered.containsHeaderEnd { try receive(request) }
        let end = buffered.headerEnd!
        let headers = String(decoding: buffered[..<end], as: UTF8.self)
        let status = Int(headers.split(separator: " ").dropFirst().first ?? "") ?? 0
        let length =
            headers.split(separator: "\r\n").compactMap { line -> Int? in
                let parts = line.split(separator: ":", maxSplits: 1)
                return parts.count == 2 && parts[0].lowercased() == "content-length"
                    ? Int(parts[1].trimmingCharacters(in: .whitespaces)) : nil
            }.first ?? 0
        while buffered.count < end + 4 + length { try receive(request) }
        let bodyBytes = Array(buffered[(end + 4)..<(end + 4 + length)])
        buffered.removeFirst(end + 4 + length)
        return (status, headers, bodyBytes)
    }

    /// Reads a response that does not end (an event stream) until `text` shows up in it or
    /// `seconds` pass; returns what arrived, as text.
    func receive(until text: String, seconds: Double) throws -> String {
        let deadline = Date().addingTimeInterval(seconds)
        while !String(decoding: buffered, as: UTF8.self).contains(text) {
            guard Date() < deadline else {
                throw Failure(
                    "no \(text) within \(seconds) s; got \(String(decoding: buffered.prefix(400), as: UTF8.self))")
            }
            try receive("the stream")
        }
        return String(decoding: buffered, as: UTF8.self)
    }

    private func receive(_ request: String) throws {
        var chunk = [UInt8](repeating: 0, count: 65536)
        let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        guard n > 0 else {
            throw Failure(
                "\(request): \(n == 0 ? "the connection closed" : "no answer within the timeout") before a whole response arrived (\(buffered.count) bytes)"
            )
        }
        buffered += chunk[..<n]
    }

    func close() {
        if isOpen { Glibc.close(fd) }
        isOpen = false
    }
    deinit { close() }
}

private extension Array where Element == UInt8 {
    var headerEnd: Int? {
        guard count >= 4 else { return nil }
        for i in 0...(count - 4) where self[i] == 13 && self[i + 1] == 10 && self[i + 2] == 13 && self[i + 3] == 10 {
            return i
        }
        return nil
    }
    var containsHeaderEnd: Bool { headerEnd != nil }
}
