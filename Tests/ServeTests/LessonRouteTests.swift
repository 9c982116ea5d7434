import Foundation
import Report
import Testing
import TestSupport

@testable import Model
@testable import Serve

/// The lessons through their routes: listed with runs the run API accepts, started together or not
/// at all, and judged when their runs are over, the verdict in every run's record, restart included.
@Suite(.serialized) struct LessonRouteTests {
    typealias P = PlaygroundTests

    @Test func theListOffersRunsTheRunAPIAcceptsAndWritesAreChecked() throws {
        let (app, playground) = try P.make()
        defer { playground.shutdown() }
        let (status, list) = P.call(app, "GET", "/api/lessons")
        let lessons = try #require(list["lessons"] as? [[String: Any]])
        #expect(status == 200 && lessons.map { $0["name"] as? String } == Lesson.all.map(\.name))
        for (card, lesson) in zip(lessons, Lesson.all) {
            let runs = try #require(card["runs"] as? [[String: Any]])
            #expect(runs.count == lesson.runs.count && card["link"] as? String == "/?lesson=\(lesson.name)")
            for run in runs {
                // What a link or a script would send: the run's own fields, checked without making anything.
                let body = String(decoding: try JSONSerialization.data(withJSONObject: run), as: UTF8.self)
                let checked = P.call(app, "POST", "/api/runs", json: body, query: ["check": "1"])
                #expect(checked.status == 200 && checked.object["title"] is String, "\(checked)")
            }
        }
        #expect((P.call(app, "GET", "/api/runs").object["runs"] as? [Any])?.isEmpty == true, "check made a run")
        let bad = P.call(app, "POST", "/api/runs", json: #"{"activation": "sigmoidx"}"#, query: ["check": "1"])
        #expect(bad.status == 400 && (bad.object["error"] as? String ?? "").contains("activation"), "\(bad)")

        let unknown = P.call(app, "POST", "/api/lessons/no-such", json: "{}")
        #expect(unknown.status == 404 && (unknown.object["error"] as? String ?? "").contains("vanishing-gradients"))
        #expect(P.call(app, "POST", "/api/lessons/dying-relu", json: #"{"paused": 1}"#).status == 400)
        #expect(P.call(app, "POST", "/api/lessons/dying-relu", json: #"{"epochs": 9}"#).status == 400)
        #expect(P.call(app, "GET", "/api/lessons/dying-relu").status == 405)
        // A write that is not JSON is refused by the gate, as for the runs.
        let form = app.respond(
            to: WebRequest(
                method: "POST", path: "/api/lessons/dying-relu", query: [:], body: Array("paused=false".utf8),
                headers: ["content-type": "application/x-www-form-urlencoded"]))
        #expect(form.status == 415)
        #expect((P.call(app, "GET", "/api/runs").object["runs"] as? [Any])?.isEmpty == true)
    }

    @Test func aLessonThatACapRefusesMakesNoRunAtAll() throws {
        let (app, playground) = try P.make(limits: PlaygroundLimits(runsPerPerson: 3))
        defer { playground.shutdown() }
        let refused = P.call(app, "POST", "/api/lessons/vanishing-gradients", json: #"{"paused": true}"#)
        #expect(refused.status == 429 && (refused.object["error"] as? String ?? "").contains("max-runs-per-person"))
        #expect((P.call(app, "GET", "/api/runs").object["runs"] as? [Any])?.isEmpty == true)
    }

    @Test func aLessonIsJudgedByItsOwnRunsAndARestartKeepsTheVerdict() throws {
        let folder = temporaryFolder() + "/runs"
        let (app, playground) = try P.make(folder: folder)
        let started = P.call(app, "POST", "/api/lessons/vanishing-gradients", json: "{}")
        #expect(started.status == 201)
        let runs = try #require(started.object["runs"] as? [[String: Any]])
        let lesson = try #require(Lesson.named("vanishing-gradients"))
        #expect(runs.count == lesson.runs.count)
        let ids = runs.compactMap { $0["id"] as? String }
        let group = (runs.first?["lesson"] as? [String: Any])?["group"] as? String
        #expect(group == ids.first)
        // The four take turns, so they end together, minutes after they start under ThreadSanitizer:
        // waited for with three times one run's patience. The verdict is recorded as the last of them
        // ends, under the lock that lists it as over.
        let deadline = Date().addingTimeInterval(3 * P.patience)
        func over(_ id: String) -> Bool {
            ["finished", "failed"].contains(P.call(app, "GET", "/api/runs/\(id)").object["status"] as? String ?? "")
        }
        while !ids.allSatisfy(over) && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        try #require(ids.allSatisfy(over), "the lesson's runs did not end in \(Int(3 * P.patience)) s")
        var verdicts: [[[String: Any]]] = []
        for (id, cell) in zip(ids, lesson.runs.map(\.cell)) {
            let run = P.call(app, "GET", "/api/runs/\(id)").object
            let tag = try #require(run["lesson"] as? [String: Any])
            #expect(tag["group"] as? String == group && tag["name"] as? String == lesson.name)
            // Each run trained its own cell of the plan: the activation and depth the lesson compares.
            let config = try #require(run["config"] as? [String: Any])
            #expect((config["activation"] as? [String]) == [cell.activation.spec])
            #expect((config["hidden"] as? [Int]) == lesson.plan.hidden(of: cell))
            verdicts.append(try #require(tag["verdicts"] as? [[String: Any]]))
        }
        // One verdict for the group, the same in every run's record; it held, on evidence naming sigmoid.
        let first = try #require(verdicts.first?.first)
        #expect(verdicts.allSatisfy { $0.count == 1 && $0[0]["evidence"] as? String == first["evidence"] as? String })
        #expect(first["verdict"] as? String == "supported", "\(first)")
        #expect((first["evidence"] as? String ?? "").contains("sigmoid"))
        #expect(playground.shutdown() == 0)

        // A restarted server lists the runs with their lesson and its verdict.
        let (again, restarted) = try P.make(folder: folder)
        defer { restarted.shutdown() }
        let listed = try #require(P.call(again, "GET", "/api/runs").object["runs"] as? [[String: Any]])
        #expect(listed.count == ids.count)
        #expect(
            listed.allSatisfy {
                (($0["lesson"] as? [String: Any])?["verdicts"] as? [[String: Any]])?.first?["verdict"] as? String
                    == "supported"
            })
    }
}
