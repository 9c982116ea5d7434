import Foundation
import Model
import Report

/// The lessons' routes:
///
/// | route | answer |
/// |---|---|
/// | `GET /api/lessons` | every lesson: what it shows, the runs it starts, its link (`LessonCard`) |
/// | `POST /api/lessons/NAME` | `{"paused": false}` → 201 with its runs, made together (429 if a cap refuses one) |
///
/// The verdicts arrive in the runs' summaries (`lesson.verdicts`) once every run of the group is over.
extension DigitWebApp {
    func lessons(_ request: WebRequest, rest: Substring, visitor: Visitor) -> WebResponse {
        guard let playground else { return .failure(404, "no lessons here: this server has no playground") }
        let name = rest.hasPrefix("/") ? String(rest.dropFirst()) : String(rest)
        if name.isEmpty {
            return only(["GET", "HEAD"], request) { .json(LessonList(lessons: Lesson.all.map(LessonCard.init))) }
        }
        guard let lesson = Lesson.named(name) else {
            return .failure(
                404,
                "no lesson \(Self.shown(name)); the lessons are \(Lesson.all.map(\.name).joined(separator: ", "))",
                field: "lesson")
        }
        return only(["POST"], request) {
            do {
                let paused = try Self.pausedField(request.body)
                let (made, removed) = try playground.start(lesson, paused: paused, by: visitor)
                return .json(
                    StartedLesson(runs: try made.map { try playground.summary($0.id, for: visitor) }, removed: removed),
                    status: 201)
            } catch let problem as RunRequest.Problem {
                return .failure(400, problem.description, field: problem.field)
            } catch let problem as Playground.Problem {
                return .failure(problem.status, problem.description, field: problem.field)
            } catch {
                return .failure(500, "\(error)")
            }
        }
    }

    /// A lesson's body: `{}` or `{"paused": true|false}`, nothing else.
    private static func pausedField(_ body: [UInt8]) throws -> Bool {
        let object = try RunRequest.object(body, example: #"{"paused": false}"#)
        if let unknown = object.keys.sorted().first(where: { $0 != "paused" }) {
            throw RunRequest.Problem(field: unknown, message: "unknown field; a lesson takes only \"paused\"")
        }
        return try RunRequest.paused(object)
    }
}
