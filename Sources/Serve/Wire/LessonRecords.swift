import Foundation
import Model
import Report

/// A lesson as `GET /api/lessons` lists it: what it shows, the runs it starts (each under the run
/// API's names, as `POST /api/runs` would take it) and its link.
struct LessonCard: Encodable, Sendable {
    let name: String
    let title: String
    let look: String
    let measured: String
    let claims: [String]
    let runs: [[String: SettingValue]]
    /// Which of `runs` to look inside first (its index).
    let focus: Int
    let link: String

    init(_ lesson: Lesson) {
        (name, title, look, measured) = (lesson.name, lesson.title, lesson.look, lesson.measured)
        claims = lesson.verdicts([]).map(\.statement)
        runs = lesson.runs.map { RunRequest.lessonRun(lesson, $0).fields }
        focus = lesson.runs.firstIndex(of: lesson.focus) ?? 0
        link = "/?lesson=\(lesson.name)"
    }
}

/// `GET /api/lessons`.
struct LessonList: Encodable, Sendable {
    let lessons: [LessonCard]
}

/// What a run of a lesson records (in its summary and `run.json`): the lesson, the group of runs
/// one start made (the first run's id), which of the lesson's runs it is and, once every run of
/// the group is over, the lesson's verdicts.
struct LessonTag: Codable, Sendable, Equatable {
    var name: String
    var title: String
    var group: String
    var run: Lesson.Run
    var verdicts: [VerdictRecord]?
}

/// One claim of a lesson, judged by `Report`'s rules on the group's own runs.
struct VerdictRecord: Codable, Sendable, Equatable {
    var statement: String
    /// `supported`, `not supported` or `not tested by this grid`, as the ablation report says it.
    var verdict: String
    var evidence: String

    init(_ claim: Claim) {
        (statement, verdict, evidence) = (claim.statement, claim.verdict.rawValue, claim.evidence)
    }
}

/// `POST /api/lessons/NAME`: the runs it made, and the finished runs removed to make room.
struct StartedLesson: Encodable, Sendable {
    let runs: [RunSummary]
    let removed: [RemovedRun]
}

extension RunRequest {
    /// The request a lesson's run makes: MNIST, with the per-layer diagnostics its claims judge by.
    static func lessonRun(_ lesson: Lesson, _ run: Lesson.Run) -> RunRequest {
        var config = lesson.config(for: run)
        config.diagnostics = true
        return RunRequest(config: config, dataset: .mnist)
    }
}
