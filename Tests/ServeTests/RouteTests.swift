import Dataset
import Foundation
import Model
import Testing
import TestSupport
@testable import Serve

/// `trainer serve`'s routes, every one called in process: the same answers as `predict`, the
/// failures as JSON, paths that try to leave the report folders.
@Suite(.serialized) struct ServeTests {
    static var trained: (checkpoint: Checkpoint, file: String)? { ServedModel.trained }

    static func app(reports: [String] = [], bodyLimit: Int = DigitWebApp.defaultBodyLimit) throws -> DigitWebApp {
        let trained = try #require(trained, "no model to serve")
        return try DigitWebApp(
            checkpoint: trained.checkpoint, modelFile: trained.file, reports: try ReportFolders(reports),
            bodyLimit: bodyLimit)
    }

    static func drawing(_ i: Int) throws -> [UInt8] { try ServedModel.drawing(i) }

    static func object(_ response: WebResponse) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(response.body))) as? [String: Any] ?? [:]
    }

    static func post(_ app: DigitWebApp, _ body: [UInt8], query: [String: String] = [:]) -> WebResponse {
        app.respond(to: WebRequest(method: "POST", path: "/api/predict", query: query, body: body))
    }

    // MARK: Routes in process

    /// The page is its own files from its own origin: a policy that lets no inline script or
    /// style run, every file the HTML names served with its type, nothing from elsewhere.
    @Test func thePageIsServedFromItsOwnFilesUnderAStrictPolicy() throws {
        let app = try Self.app()
        let page = app.respond(to: WebRequest(method: "GET", path: "/"))
        #expect(page.status == 200)
        #expect(page.headers["Content-Type"] == "text/html; charset=utf-8")
        let policy = try #require(page.headers["Content-Security-Policy"])
        #expect(policy.contains("default-src 'none'") && policy.contains("script-src 'self'"))
        #expect(!policy.contains("unsafe-inline") && !policy.contains("unsafe-eval"), "\(policy)")
        let html = String(decoding: page.body, as: UTF8.self)
        // Nothing is fetched from elsewhere: the only absolute URL is the curl example in the footer.
        #expect(
            html.components(separatedBy: "http").count - 1 == html.components(separatedBy: "http://HOST/").count - 1,
            "an external reference")
        // No inline script, style or handler: the policy would block them.
        #expect(!html.contains("<style") && !html.contains(" style="), "inline style")
        #expect(html.range(of: #"<script(?![^>]*\bsrc=)"#, options: .regularExpression) == nil, "an inline script")
        #expect(html.range(of: #"\son[a-z]+="#, options: .regularExpression) == nil, "an inline handler")
        var total = page.body.count
        let named = html.matches(of: /(?:src|href)="(\/[^"]*)"/).map { String($0.1) }
        #expect(named.count >= 8, "\(named)")
        for path in named {
            let file = app.respond(to: WebRequest(method: "GET", path: path))
            #expect(file.status == 200, "\(path) -> \(file.status)")
            #expect(
                file.headers["Content-Type"]
                    == (path.hasSuffix(".js") ? "text/javascript; charset=utf-8" : "text/css; charset=utf-8"), "\(path)"
            )
            #expect(file.headers["X-Content-Type-Options"] == "nosniff")
            total += file.body.count
        }
        #expect(total < 150 * 1024, "the cold page load is \(total) bytes")
        let scripts = named.filter { $0.hasSuffix(".js") }.map {
            String(decoding: app.respond(to: WebRequest(method: "GET", path: $0)).body, as: UTF8.self)
        }.joined()
        for needed in [
            "<canvas id=\"pad\"", "id=\"undo\"", "id=\"clear\"", "type=\"file\""
        ] {
            #expect(html.contains(needed), "the page lacks \(needed)")
        }
        for needed in ["pointerdown", "/api/predict", "/api/model", "/api/reports", "drop", "not confident", "nodigit"]
        {
            #expect(scripts.contains(needed), "the scripts lack \(needed)")
        }
        #expect(app.respond(to: WebRequest(method: "HEAD", path: "/")).body.isEmpty)
        #expect(app.respond(to: WebRequest(method: "GET", path: "/inspect.template.html")).status == 404)
    }

    /// The files compiled in are the files of Sources/Serve/Web as they are now (scripts/embed-web
    /// writes them), and `--web-root` serves the folder's own, read afresh.
    @Test func theCompiledInPageIsTheFilesOnDisk() throws {
        let web = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Sources/Serve/Web")
        let names = try FileManager.default.contentsOfDirectory(atPath: web.path).filter { name in
            [".html", ".css", ".js"].contains { name.hasSuffix($0) }
        }
        #expect(Set(names) == Set(WebFiles.texts.keys), "run scripts/embed-web")
        for name in names {
            let disk = try String(contentsOf: web.appendingPathComponent(name), encoding: .utf8)
            #expect(WebFiles.texts[name] == disk, "\(name) was edited since scripts/embed-web ran: run it again")
        }
        let folder = temporaryFolder()
        try Data("<!doctype html><title>edited</title>".utf8).write(to: URL(fileURLWithPath: folder + "/index.html"))
        let trained = try #require(Self.trained)
        let app = try DigitWebApp(
            checkpoint: trained.checkpoint, modelFile: trained.file, reports: try ReportFolders([]),
            page: WebPage(root: folder))
        #expect(
            String(decoding: app.respond(to: WebRequest(method: "GET", path: "/")).body, as: UTF8.self).contains(
                "edited"))
        #expect(app.respond(to: WebRequest(method: "GET", path: "/pad.js")).status == 500, "a file the folder lacks")
    }

    /// No page is written inside Swift: no script, style or inline allowance in any source but the
    /// generated one.
    @Test func noSwiftFileHoldsPageCode() throws {
        let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Sources")
        let files = FileManager.default.enumerator(atPath: sources.path)?.compactMap { $0 as? String } ?? []
        var checked = 0
        for file in files where file.hasSuffix(".swift") && !file.hasSuffix("+Generated.swift") {
            let text = try String(contentsOf: sources.appendingPathComponent(file), encoding: .utf8)
            for banned in ["<script", "<style", "'unsafe-inline'"] {
                #expect(!text.contains(banned), "\(file) holds \(banned)")
            }
            checked += 1
        }
        #expect(checked > 50)
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
        let (served, notes) = DigitWebApp.Served.cellModels(in: folders, besides: [], minConfidence: 0.5)
        #expect(
            served.map(\.file)
                == ["relu-seed1", "sigmoid-seed1", "relu-seed2"].map { root + "/abl/cells/\($0).safetensors" })
        #expect(notes.count == 2 && notes[0].hasPrefix("offering 3 ablation cell models"), "\(notes)")
        #expect(
            notes[1].hasPrefix("note: not offering \(cells)/tanh-seed1.safetensors: ")
                && notes[1].components(separatedBy: "tanh-seed1").count == 2,
            "the broken model is named once: \(notes)")
        let (without, _) = DigitWebApp.Served.cellModels(
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
}
