import Foundation
import Model
import Testing
import TestSupport
@testable import Serve

/// The records the server sends, written to Tests/JS/fixtures for the page's own tests
/// (Tests/JS/logic.test.js) to read: the playground's card, the fields a run request takes, a
/// real run's events and its details. A fixture is rewritten, and this test fails, only when a
/// record's shape changes (a key added, removed or renamed, a value of another type), so the
/// page's tests read what the server sends and the fixtures do not churn with each run's timings.
/// The fields a run request takes are compared value for value.
@Suite(.serialized) struct WireFixtureTests {
    static let json = ["content-type": "application/json"]
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("JS/fixtures")

    @Test func theRecordsThePageReadsAreItsFixtures() async throws {
        // Live figures only when the run ends: then the last one always covers batches (with a
        // figure every 0.1 s, a slow machine's last one may come after none and lack train_loss).
        let (app, playground) = try PlaygroundTests.make(liveInterval: 0)
        defer { playground.shutdown() }
        var changed: [String] = []
        func record(_ name: String, _ json: [UInt8], exactly: Bool = false) throws {
            if try Self.write(json, to: name, exactly: exactly) { changed.append(name) }
        }
        let get = { (path: String) in app.respond(to: WebRequest(method: "GET", path: path)) }
        try record("playground.json", get("/api/playground").body)
        try record("lessons.json", get("/api/lessons").body)
        let fields = try JSONEncoder().encode(["settings": TrainingSettings.all.map(\.id), "fields": RunRequest.fields])
        try record("run-request-fields.json", Array(fields), exactly: true)

        // Made paused and followed before it starts, so every event arrives as it happens, in full.
        let created = app.respond(
            to: WebRequest(
                method: "POST", path: "/api/runs",
                body: Array(#"{"hidden": [16], "epochs": 1, "validation": 1000, "seed": 2, "paused": true}"#.utf8),
                headers: Self.json))
        #expect(created.status == 201)
        let id = try #require(ServeTests.object(created)["id"] as? String)
        let stream = try playground.events([id])
        #expect(
            app.respond(to: WebRequest(method: "POST", path: "/api/runs/\(id)/resume", headers: Self.json)).status
                == 200)
        // One event of each kind and status, in the order they came: enough to fold a whole run.
        var bytes: [UInt8] = []
        for await chunk in stream { bytes += chunk }
        var seen = Set<String>()
        var kept: [String] = []
        for block in String(decoding: bytes, as: UTF8.self).components(separatedBy: "\n\n") where !block.isEmpty {
            let data = String(
                block.split(separator: "\n").first { $0.hasPrefix("data: ") }?.dropFirst("data: ".count) ?? "")
            guard case .object(let event)? = try? JSONDecoder().decode(JSONValue.self, from: Data(data.utf8)) else {
                Issue.record("an event that is no JSON object: \(block.prefix(80))")
                continue
            }
            if seen.insert("\(event["event"]?.string ?? "")/\(event["status"]?.string ?? "")").inserted {
                kept.append(data)
            }
        }
        try record("events.json", Array(("[" + kept.joined(separator: ",\n") + "]").utf8))
        try record("run.json", get("/api/runs/\(id)").body)
        #expect(
            changed.isEmpty, "the server's records changed shape; commit the rewritten Tests/JS/fixtures/\(changed)")
    }

    /// Writes the JSON text `json` as `name` unless the file there already has its shape (its very
    /// values, `exactly`: for a record that is the same on every machine and run); says whether it wrote.
    static func write(_ json: [UInt8], to name: String, exactly: Bool) throws -> Bool {
        let new = try JSONDecoder().decode(JSONValue.self, from: Data(json))
        let url = folder.appendingPathComponent(name)
        if let old = try? Data(contentsOf: url), let parsed = try? JSONDecoder().decode(JSONValue.self, from: old),
            exactly ? parsed == new : shape(parsed) == shape(new)
        {
            return false
        }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try Data(json + Array("\n".utf8)).write(to: url, options: .atomic)
        return true
    }

    /// A JSON value's shape: an object's keys with their values' shapes, a list's items' shapes
    /// (each distinct one once, sorted), and the kind of everything else.
    static func shape(_ value: JSONValue) -> String {
        switch value {
        case .object(let object):
            return "{" + object.keys.sorted().map { "\($0):\(shape(object[$0]!))" }.joined(separator: ",") + "}"
        case .array(let list):
            // The distinct shapes of its items, in no order: a fast run's last live figures may
            // come after its epoch record, a slow one's before.
            return "[" + Set(list.map(shape)).sorted().joined(separator: "|") + "]"
        case .null: return "null"
        case .bool: return "bool"
        case .number: return "number"
        case .string: return "string"
        }
    }
}
