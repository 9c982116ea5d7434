import Foundation
import Model
import Testing
import TestSupport
@testable import Serve

/// A server a class can share, in process: requests naming another host are refused, a form on
/// another site starts nothing, beyond loopback the API needs the key, each person changes only
/// their own runs, caps answer 429 naming themselves, runs wait in line and take turns by person,
/// and the runs folder stays under its limit without touching an active run.
@Suite(.serialized) struct SharingTests {
    static let here = "127.0.0.1:8080"
    static let json = ["content-type": "application/json"]
    static let classKey = AccessKey(text: "c1a55" + String(repeating: "0", count: 59))
    static let teacherKey = AccessKey(text: "7eac4e" + String(repeating: "1", count: 58))
    /// Serving on 10.0.0.5 (beyond loopback) with a class key and a teacher's key.
    static let shared = AccessPolicy(
        names: AccessPolicy.loopbackNames.union(["10.0.0.5"]), classKey: classKey, teacherKey: teacherKey)

    /// A playground behind an app with `access`, its training thread started.
    static func make(access: AccessPolicy, limits: PlaygroundLimits = PlaygroundLimits(), folder: String? = nil)
        throws -> (DigitWebApp, Playground)
    {
        let mnist = try #require(mnistFolder())
        let playground = try Playground(
            folder: URL(fileURLWithPath: folder ?? temporaryFolder() + "/runs"), limits: limits, threads: 2, slice: 0.2
        ) { _ in mnist }
        playground.start()
        let trained = try #require(ServedModel.trained)
        let app = try DigitWebApp(
            checkpoint: trained.checkpoint, modelFile: trained.file, reports: try ReportFolders([]),
            playground: playground, access: access)
        return (app, playground)
    }

    /// A browser: the person cookie it holds, and the key cookie when it opened the class's link.
    struct Browser {
        var person: String
        var key: String?
        var bearer: String?

        func headers(_ app: DigitWebApp, _ extra: [String: String] = [:]) -> [String: String] {
            var cookies = ["\(Gate.personCookie)=\(person)"]
            if let key, let name = app.gate.keyCookie { cookies.append("\(name)=\(key)") }
            var headers = ["host": SharingTests.here, "cookie": cookies.joined(separator: "; ")]
            if let bearer { headers["authorization"] = "Bearer \(bearer)" }
            return headers.merging(extra) { $1 }
        }
    }

    static func send(
        _ app: DigitWebApp, _ method: String, _ path: String, as browser: Browser? = nil,
        headers: [String: String] = [:], body: String = "", query: [String: String] = [:]
    ) -> (status: Int, object: [String: Any], response: WebResponse) {
        var all = browser?.headers(app) ?? ["host": here]
        if method != "GET" && method != "HEAD" && browser != nil { all.merge(json) { $1 } }
        all.merge(headers) { $1 }
        let response = app.respond(
            to: WebRequest(method: method, path: path, query: query, body: Array(body.utf8), headers: all))
        return (response.status, ServeTests.object(response), response)
    }

    static func runCount(_ app: DigitWebApp, as browser: Browser? = nil) -> Int {
        (send(app, "GET", "/api/runs", as: browser).object["runs"] as? [Any])?.count ?? -1
    }

    // MARK: Names and origins

    @Test func aRequestNamingAnotherHostIsRefusedBeforeAnyRoute() throws {
        let (app, playground) = try Self.make(access: .loopback(allowing: ["Trainer.School.example."]))
        defer { playground.shutdown() }
        // A page elsewhere that rebound its name to 127.0.0.1 sends its own name.
        for (method, path) in [("GET", "/api/runs"), ("GET", "/"), ("GET", "/api/model"), ("POST", "/api/runs")] {
            let answer = Self.send(
                app, method, path, headers: ["host": "attacker.example", "content-type": "application/json"],
                body: #"{"hidden": [8]}"#)
            #expect(answer.status == 403, "\(method) \(path)")
            #expect((answer.object["error"] as? String)?.contains("--allow-host attacker.example") == true)
        }
        #expect(Self.runCount(app) == 0, "the refused POST started a run")
        for ours in [
            "127.0.0.1:8080", "localhost", "LOCALHOST.:80", "[::1]:8080", "[::1]", "trainer.school.example:8080"
        ] {
            #expect(Self.send(app, "GET", "/api/model", headers: ["host": ours]).status == 200, "\(ours)")
        }
        #expect(AccessPolicy.hostName("[fe80::1]:80") == "fe80::1" && AccessPolicy.hostName("A.b:1") == "a.b")
        // Every address of this machine, for a server on 0.0.0.0.
        let wide = AccessPolicy.serving(host: "0.0.0.0", allowing: [], open: false)
        #expect(wide.names.isSuperset(of: ["127.0.0.1", "::1", "localhost"]) && wide.names.count > 3)
        #expect(!wide.names.contains("attacker.example") && wide.classKey != nil && wide.teacherKey != nil)
        #expect(AccessPolicy.serving(host: "127.0.0.1", allowing: [], open: false).loopbackOnly)
    }

    /// The exact requests a plain HTML form on another site sends (no preflight) start nothing,
    /// and neither does any write that is not JSON or comes from another origin.
    @Test func aFormOnAnotherSiteChangesNothing() throws {
        let (app, playground) = try Self.make(access: .loopback())
        defer { playground.shutdown() }
        let form = [
            "host": Self.here, "origin": "http://attacker.example", "sec-fetch-site": "cross-site",
            "content-type": "application/x-www-form-urlencoded"
        ]
        #expect(Self.send(app, "POST", "/api/runs", headers: form, body: #"{"hidden":[8]}="#).status == 403)
        // The same without Origin and Sec-Fetch-Site, as an older browser sends it: its type is refused.
        for type in ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"] {
            let answer = Self.send(
                app, "POST", "/api/runs", headers: ["host": Self.here, "content-type": type], body: #"{"hidden":[8]}"#)
            #expect(answer.status == 415, "\(type)")
            #expect((answer.object["error"] as? String)?.contains("application/json") == true)
        }
        #expect(Self.send(app, "POST", "/api/runs", body: #"{"hidden":[8]}"#).status == 415, "no type at all")
        // JSON from another origin, or from an opaque one (a sandboxed report), is refused too.
        for origin in ["http://attacker.example", "null", "http://127.0.0.1:9999"] {
            let answer = Self.send(
                app, "POST", "/api/runs", headers: Self.json.merging(["origin": origin]) { $1 },
                body: #"{"hidden":[8], "paused": true}"#)
            #expect(answer.status == 403, "\(origin)")
        }
        #expect(Self.runCount(app) == 0, "a refused write started a run")

        // From the page itself: made; then another site's DELETE, pause and step change nothing.
        let ours = Self.json.merging(["origin": "http://\(Self.here)", "sec-fetch-site": "same-origin"]) { $1 }
        let made = Self.send(app, "POST", "/api/runs", headers: ours, body: #"{"hidden":[8], "paused": true}"#)
        #expect(made.status == 201)
        let id = try #require(made.object["id"] as? String)
        for (method, path) in [("DELETE", "/api/runs/\(id)"), ("POST", "/api/runs/\(id)/step")] {
            let foreign = Self.send(
                app, method, path, headers: Self.json.merging(["origin": "http://attacker.example"]) { $1 })
            #expect(foreign.status == 403, "\(method) \(path)")
        }
        let after = Self.send(app, "GET", "/api/runs/\(id)").object
        #expect(after["status"] as? String == "paused" && after["epochs_completed"] as? Int == 0)
        // Another site cannot make the server read its pictures either; the page can.
        let png = try ServedModel.drawing(0)
        let request = { (headers: [String: String]) in
            app.respond(to: WebRequest(method: "POST", path: "/api/predict", body: png, headers: headers))
        }
        #expect(
            request(["host": Self.here, "origin": "http://attacker.example", "content-type": "image/png"]).status == 403
        )
        #expect(
            request(["host": Self.here, "origin": "http://\(Self.here)", "content-type": "image/png"]).status == 200)
    }

    // MARK: The key

    @Test func beyondLoopbackTheAPINeedsTheKey() throws {
        let (app, playground) = try Self.make(access: Self.shared)
        defer { playground.shutdown() }
        for path in ["/api/runs", "/api/model", "/api/playground", "/reports/0/report.html"] {
            let answer = Self.send(app, "GET", path)
            #expect(answer.status == 401, "\(path)")
            #expect((answer.object["error"] as? String)?.contains("access key") == true)
        }
        #expect(Self.send(app, "POST", "/api/runs", headers: Self.json, body: "{}").status == 401)
        // The page itself is public: it says what to do without the key.
        #expect(Self.send(app, "GET", "/").status == 200)
        // Opening the printed link keeps the key in an HttpOnly, SameSite=Strict cookie.
        let opened = Self.send(app, "GET", "/", query: ["key": Self.classKey.text]).response
        let cookie = try #require(opened.cookies.first { $0.hasPrefix(app.gate.keyCookie! + "=") })
        #expect(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict") && cookie.contains("Path=/"))
        #expect(
            Self.send(app, "GET", "/", query: ["key": "0" + Self.classKey.text.dropFirst()]).response.cookies.isEmpty)
        let student = Browser(person: "p1", key: Self.classKey.text)
        #expect(Self.send(app, "GET", "/api/runs", as: student).status == 200)
        #expect(Self.send(app, "GET", "/api/runs", as: Browser(person: "p1", bearer: Self.classKey.text)).status == 200)
        let wrong = Self.send(
            app, "GET", "/api/runs", as: Browser(person: "p1", bearer: String(repeating: "f", count: 64)))
        #expect(wrong.status == 401 && (wrong.object["error"] as? String)?.contains("does not open") == true)
        // A key in the query of an API request is not taken (it would end up in logs and history).
        #expect(Self.send(app, "GET", "/api/runs", query: ["key": Self.classKey.text]).status == 401)
        // Keys compare whole: a prefix, an empty key or a longer one opens nothing.
        #expect(Self.classKey.matches(Self.classKey.text))
        for given in ["", String(Self.classKey.text.dropLast()), Self.classKey.text + "0", Self.teacherKey.text] {
            #expect(!Self.classKey.matches(given), "\(given)")
        }
        // No answer carries a key.
        for path in ["/api/runs", "/api/playground", "/api/model", "/"] {
            let body = String(decoding: Self.send(app, "GET", path, as: student).response.body, as: UTF8.self)
            #expect(!body.contains(Self.classKey.text) && !body.contains(Self.teacherKey.text), "\(path)")
        }
        // --open: no class key; the teacher's key still manages every run.
        let open = AccessPolicy(names: AccessPolicy.loopbackNames, classKey: nil, teacherKey: Self.teacherKey)
        let (openApp, openPlayground) = try Self.make(access: open)
        defer { openPlayground.shutdown() }
        let card = Self.send(openApp, "GET", "/api/playground", as: Browser(person: "p2")).object
        #expect((card["you"] as? [String: Any])?["manages_all"] as? Bool == false)
        let teacherCard = Self.send(
            openApp, "GET", "/api/playground", as: Browser(person: "t", bearer: Self.teacherKey.text))
        #expect((teacherCard.object["you"] as? [String: Any])?["manages_all"] as? Bool == true)
    }

    // MARK: Whose runs

    @Test func eachPersonChangesOnlyTheirOwnRunsAndWatchesTheOthers() throws {
        let (app, playground) = try Self.make(access: Self.shared)
        defer { playground.shutdown() }
        let (ada, bo) = (
            Browser(person: "ada", key: Self.classKey.text), Browser(person: "bo", key: Self.classKey.text)
        )
        let made = Self.send(app, "POST", "/api/runs", as: ada, body: #"{"hidden": [8], "paused": true}"#).object
        let id = try #require(made["id"] as? String)
        #expect(made["mine"] as? Bool == true && made["editable"] as? Bool == true)
        // Bo sees it, read-only, under a label that is not Ada's cookie.
        let seen = Self.send(app, "GET", "/api/runs/\(id)", as: bo).object
        #expect(seen["mine"] as? Bool == false && seen["editable"] as? Bool == false)
        let label = try #require(seen["owner"] as? String)
        #expect(label == Person(cookie: "ada").label && !label.contains("ada"))
        for (method, path) in [
            ("POST", "/api/runs/\(id)/step"), ("POST", "/api/runs/\(id)/resume"), ("POST", "/api/runs/\(id)/pause"),
            ("DELETE", "/api/runs/\(id)")
        ] {
            let answer = Self.send(app, method, path, as: bo)
            #expect(answer.status == 403, "\(method) \(path)")
            #expect((answer.object["error"] as? String)?.contains("someone else's") == true)
        }
        #expect(Self.send(app, "GET", "/api/runs/\(id)", as: ada).object["status"] as? String == "paused")
        // Bo may read digits with it once it has weights, and follow its events.
        #expect(Self.send(app, "POST", "/api/runs/\(id)/step", as: ada).status == 200)
        let deadline = Date().addingTimeInterval(PlaygroundTests.patience)
        while (Self.send(app, "GET", "/api/runs/\(id)", as: bo).object["progress"] as? Double ?? 0) == 0 {
            try #require(Date() < deadline, "the step did not train a batch")
            Thread.sleep(forTimeInterval: 0.02)
        }
        let png = try ServedModel.drawing(1)
        let read = app.respond(
            to: WebRequest(
                method: "POST", path: "/api/predict", query: ["run": id], body: png, headers: bo.headers(app)))
        #expect(read.status == 200)
        // The teacher manages every run.
        let teacher = Browser(person: "teacher", bearer: Self.teacherKey.text)
        #expect(Self.send(app, "GET", "/api/runs/\(id)", as: teacher).object["editable"] as? Bool == true)
        #expect(Self.send(app, "DELETE", "/api/runs/\(id)", as: teacher).status == 200)
        #expect(Self.send(app, "GET", "/api/runs/\(id)", as: ada).object["status"] as? String == "cancelled")
        // A browser with no person cookie is given one, HttpOnly and SameSite=Strict.
        let fresh = Self.send(app, "GET", "/api/runs", headers: ["authorization": "Bearer \(Self.classKey.text)"])
        let given = try #require(fresh.response.cookies.first { $0.hasPrefix(Gate.personCookie + "=") })
        #expect(given.contains("HttpOnly") && given.contains("SameSite=Strict") && given.count > 40)
        // ...but not with the page, which a link from another site opens without its Strict cookies.
        #expect(Self.send(app, "GET", "/").response.cookies.isEmpty)

        // On loopback the machine's one user manages every run, whoever's browser made it.
        let (local, localPlayground) = try Self.make(access: .loopback())
        defer { localPlayground.shutdown() }
        let other = try #require(
            Self.send(local, "POST", "/api/runs", as: Browser(person: "x"), body: #"{"hidden": [8], "paused": true}"#)
                .object["id"] as? String)
        #expect(Self.send(local, "DELETE", "/api/runs/\(other)", as: Browser(person: "y")).status == 200)
    }

    // MARK: Caps and the queue

    @Test func capsAnswer429NamingThemselves() throws {
        var limits = PlaygroundLimits()
        (limits.runsPerPerson, limits.queuedRuns) = (2, 3)
        let (app, playground) = try Self.make(access: .loopback(), limits: limits)
        defer { playground.shutdown() }
        let paused = #"{"hidden": [8], "paused": true}"#
        let (ada, bo) = (Browser(person: "ada"), Browser(person: "bo"))
        for _ in 0..<2 { #expect(Self.send(app, "POST", "/api/runs", as: ada, body: paused).status == 201) }
        let third = Self.send(app, "POST", "/api/runs", as: ada, body: paused)
        #expect(third.status == 429 && third.object["field"] as? String == "runs")
        #expect((third.object["error"] as? String)?.contains("--max-runs-per-person") == true)
        // Another person still may, up to the server's cap on runs waiting to start.
        #expect(Self.send(app, "POST", "/api/runs", as: bo, body: paused).status == 201)
        let over = Self.send(app, "POST", "/api/runs", as: bo, body: paused)
        #expect(over.status == 429 && (over.object["error"] as? String)?.contains("--max-queued") == true)
        #expect(Self.runCount(app) == 3)
        // Cancelling one of Ada's frees her place.
        let first = try #require(
            (Self.send(app, "GET", "/api/runs", as: ada).object["runs"] as? [[String: Any]])?.first {
                $0["mine"] as? Bool == true
            }?["id"]
                as? String)
        #expect(Self.send(app, "DELETE", "/api/runs/\(first)", as: ada).status == 200)
        #expect(Self.send(app, "POST", "/api/runs", as: ada, body: paused).status == 201)
    }

    /// Turns go round by person: one person's six runs get no more of the machine than another's one,
    /// and a person's first run starts before anyone's next when the server holds all it may.
    @Test func turnsGoRoundByPersonAndWaitingRunsKnowTheirPlace() {
        let folder = URL(fileURLWithPath: "/nonexistent")
        var made = 0
        func run(_ who: String, started: Bool = false, status: PlaygroundRun.Status = .queued) -> PlaygroundRun {
            made += 1
            let run = PlaygroundRun(
                id: "r\(made)", request: RunRequest(config: TrainingConfig(), dataset: .mnist),
                created: Date(timeIntervalSince1970: Double(made)), folder: folder, status: status,
                owner: Person(cookie: who))
            run.started = started
            return run
        }
        let ada = (0..<6).map { _ in run("ada", started: true, status: .running) }
        let bo = run("bo", started: true, status: .running)
        let cy = run("cy", started: true, status: .running)
        let all = ada + [bo, cy]
        var lastPerson: Person?
        var lastRunOf: [Person: PlaygroundRun] = [:]
        var turns: [PlaygroundRun] = []
        for _ in 0..<12 {
            let next = TurnOrder(runs: all, capacity: 100, lastPerson: lastPerson, lastRunOf: lastRunOf).next()!
            turns.append(next)
            (lastPerson, lastRunOf[next.owner]) = (next.owner, next)
        }
        // Each round of three turns has each person once; Ada's runs take her turns in order.
        for round in stride(from: 0, to: 12, by: 3) {
            #expect(Set(turns[round..<round + 3].map(\.owner)).count == 3, "round at \(round)")
        }
        #expect(turns.filter { $0.owner == ada[0].owner }.map(\.id) == ada.prefix(4).map(\.id))

        // Full (capacity 2, Ada holds two): Bo's first run may start, Ada's third may not.
        let held = [run("ada", started: true, status: .running), run("ada", started: true, status: .paused)]
        let adaWaits = run("ada"), boWaits = run("bo"), boNext = run("bo")
        let full = TurnOrder(runs: held + [adaWaits, boWaits, boNext], capacity: 2, lastPerson: nil, lastRunOf: [:])
        #expect(full.eligible.map(\.id) == [held[0].id], "nothing new starts while two networks are held")
        let roomy = TurnOrder(runs: held + [adaWaits, boWaits, boNext], capacity: 3, lastPerson: nil, lastRunOf: [:])
        #expect(Set(roomy.eligible.map(\.id)) == [held[0].id, boWaits.id, boNext.id], "Bo holds none: his go first")
        // Places in line: round by round, each person's oldest first.
        let places = roomy.places()
        #expect(places[held[0].id] == nil && places.count == 3)
        #expect(places[boNext.id] == 3 && Set([places[adaWaits.id], places[boWaits.id]]) == [1, 2])
    }

    @Test func aRunWaitsInLineUntilTheServerHasRoomThenTrains() throws {
        var limits = PlaygroundLimits()
        limits.activeRuns = 1
        let (app, playground) = try Self.make(access: .loopback(), limits: limits)
        defer { playground.shutdown() }
        let body = #"{"hidden": [16], "epochs": 1, "batch_size": 32, "validation": 1000}"#
        let first = try #require(
            Self.send(app, "POST", "/api/runs", as: Browser(person: "ada"), body: body).object["id"] as? String)
        try PlaygroundTests.wait(app, first, for: ["running", "finished"])
        let second = Self.send(app, "POST", "/api/runs", as: Browser(person: "bo"), body: body).object
        let id = try #require(second["id"] as? String)
        let waiting = Self.send(app, "GET", "/api/runs/\(id)").object
        if waiting["status"] as? String == "queued" {
            #expect(waiting["place"] as? Int == 1, "\(waiting)")
        }
        let done = try PlaygroundTests.wait(app, id, for: ["finished"])
        #expect(done["epochs_completed"] as? Int == 1 && done["place"] == nil)
        let firstDone = try PlaygroundTests.wait(app, first, for: ["finished"])
        #expect((done["waited_seconds"] as? Double ?? 0) > 0 && (firstDone["trained_seconds"] as? Double ?? 0) > 0)
    }

    // MARK: The runs folder

    @Test func theRunsFolderStaysUnderItsLimitAndNeverLosesAnActiveRun() throws {
        let root = temporaryFolder() + "/runs"
        let body = #"{"hidden": [8], "epochs": 1, "batch_size": 256, "validation": 1000}"#
        let (ada, bo) = (Browser(person: "ada"), Browser(person: "bo"))
        var finished: [String] = []
        do {
            let (app, playground) = try Self.make(access: .loopback(), folder: root)
            for who in [ada, ada, bo] {
                let id = try #require(Self.send(app, "POST", "/api/runs", as: who, body: body).object["id"] as? String)
                try PlaygroundTests.wait(app, id, for: ["finished"])
                finished.append(id)
            }
            playground.shutdown()
        }
        let used = finished.reduce(0) { $0 + Playground.bytes(in: URL(fileURLWithPath: root + "/" + $1)) }
        let needed = Playground.estimatedBytes(try PlaygroundTests.config(body))
        // Room for one more only once one run goes: Ada keeps the most, so her oldest goes.
        var limits = PlaygroundLimits()
        limits.folderBytes = used + needed - 1
        let (app, playground) = try Self.make(access: .loopback(), limits: limits, folder: root)
        defer { playground.shutdown() }
        let made = Self.send(app, "POST", "/api/runs", as: bo, body: #"{"hidden": [8], "paused": true}"#)
        #expect(made.status == 201)
        let removed = try #require(made.object["removed"] as? [[String: Any]])
        #expect(removed.map { $0["id"] as? String } == [finished[0]])
        #expect((removed.first?["reason"] as? String)?.contains("--runs-limit") == true)
        #expect(!FileManager.default.fileExists(atPath: root + "/" + finished[0]))
        #expect(FileManager.default.fileExists(atPath: root + "/" + finished[1] + "/model.safetensors"))
        // Ada's page is told; Bo's list does not carry Ada's news.
        let told = Self.send(app, "GET", "/api/runs", as: ada).object["removed"] as? [[String: Any]]
        #expect(told?.map { $0["id"] as? String } == [finished[0]])
        #expect((Self.send(app, "GET", "/api/runs", as: bo).object["removed"] as? [Any])?.isEmpty == true)

        // A limit that active runs alone fill: 507, and nothing is removed for a run that would not fit.
        var tight = PlaygroundLimits()
        tight.folderBytes = 1
        let (full, fullPlayground) = try Self.make(access: .loopback(), limits: tight, folder: root)
        defer { fullPlayground.shutdown() }
        let refused = Self.send(full, "POST", "/api/runs", as: bo, body: #"{"hidden": [8], "paused": true}"#)
        #expect(refused.status == 507 && (refused.object["error"] as? String)?.contains("--runs-limit") == true)
        #expect(FileManager.default.fileExists(atPath: root + "/" + finished[1] + "/model.safetensors"))
    }
}
