import Dataset
import Foundation
import Model

/// The playground's routes:
///
/// | route | answer |
/// |---|---|
/// | `GET /api/playground` | the limits, the activations with their default rates, the defaults, the data sets |
/// | `POST /api/runs` | a JSON config (`RunRequest`) → 201 with the run |
/// | `POST /api/runs?check=1` | the same config checked, nothing made → 200 with its title and settings, or the 400 |
/// | `GET /api/runs` | the runs, newest first |
/// | `GET /api/runs/ID` | its config, status, epoch records, latest live figures and live series |
/// | `GET /api/runs/ID/events` | `text/event-stream`: the run's events so far, then each as it happens, ending with the run |
/// | `GET /api/events?runs=ID,ID` | the same for several runs in one stream |
/// | `POST /api/runs/ID/pause`, `/resume`, `/step` | as the Train panel's buttons |
/// | `DELETE /api/runs/ID` | cancels an active run; deletes one that is over, with its files |
///
/// Anyone who passed the gate may read every run; only its owner, or a visitor who manages every
/// run, may change one (403 otherwise). A new run past its person's or the server's cap is 429.
extension DigitWebApp {
    func runs(_ request: WebRequest, rest: Substring, visitor: Visitor) -> WebResponse {
        guard let playground else { return .failure(404, "no runs here: this server has no playground") }
        let parts = rest.split(separator: "/", omittingEmptySubsequences: false).dropFirst()
        do {
            switch (request.method, parts.count) {
            case ("POST", 0) where request.query["check"] == "1":
                // A link's settings checked before anything starts: the same 400 a run would get.
                let checked = try RunRequest(json: request.body, limits: playground.limits)
                return .json(CheckedRun(title: checked.title, config: checked.fields))
            case ("POST", 0):
                let (run, removed) = try playground.create(
                    try RunRequest(json: request.body, limits: playground.limits), by: visitor)
                return .json(
                    CreatedRun(summary: try playground.summary(run.id, for: visitor), removed: removed), status: 201,
                    headers: ["Location": "/api/runs/\(run.id)"])
            case ("GET", 0), ("HEAD", 0):
                return .json(playground.list(for: visitor))
            case (_, 0):
                return .failure(
                    405, "\(request.method) is not allowed here; use GET or POST", headers: ["Allow": "GET, POST"])
            default:
                break
            }
            let id = String(parts.first!)
            guard !id.isEmpty, id.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }) else {
                return .failure(404, "no run \(Self.shown(id))")
            }
            let action = parts.count > 1 ? String(parts[parts.index(after: parts.startIndex)]) : nil
            guard parts.count <= 2 else { return .failure(404, "no such page: /api/runs\(Self.shown(String(rest)))") }
            switch (request.method, action) {
            case ("GET", nil), ("HEAD", nil): return .json(try playground.details(id, for: visitor))
            case ("DELETE", nil): return .json(try playground.delete(id, by: visitor))
            case ("GET", "events"): return Self.eventStream(try playground.events([id]))
            case ("POST", "pause"): return .json(try playground.pause(id, by: visitor))
            case ("POST", "resume"): return .json(try playground.resume(id, by: visitor))
            case ("POST", "step"): return .json(try playground.step(id, by: visitor))
            case (_, nil):
                return .failure(
                    405, "\(request.method) is not allowed here; use GET or DELETE", headers: ["Allow": "GET, DELETE"])
            case (_, "events"):
                return .failure(405, "\(request.method) is not allowed here; use GET", headers: ["Allow": "GET"])
            case (_, "pause"), (_, "resume"), (_, "step"):
                return .failure(405, "\(request.method) is not allowed here; use POST", headers: ["Allow": "POST"])
            default: return .failure(404, "no such page: /api/runs\(Self.shown(String(rest)))")
            }
        } catch let problem as RunRequest.Problem {
            return .failure(400, problem.description, field: problem.field)
        } catch let problem as Playground.Problem {
            return .failure(problem.status, problem.description, field: problem.field)
        } catch {
            return .failure(500, "\(error)")
        }
    }

    /// `GET /api/events?runs=ID,ID`: the events of several runs in one stream (each names its run), so
    /// that a page following five runs holds one connection, not five of the browser's six.
    func eventsOfRuns(_ request: WebRequest) -> WebResponse {
        guard let playground else { return .failure(404, "no runs here: this server has no playground") }
        let ids = (request.query["runs"] ?? "").split(separator: ",").map(String.init)
        guard !ids.isEmpty, ids.count <= 100 else {
            return .failure(400, "runs=: give one or more run ids separated by commas")
        }
        do {
            return Self.eventStream(try playground.events(ids))
        } catch let problem as Playground.Problem {
            return .failure(problem.status, problem.description)
        } catch {
            return .failure(500, "\(error)")
        }
    }

    private static func eventStream(_ stream: AsyncStream<[UInt8]>) -> WebResponse {
        var response = WebResponse(
            status: 200, contentType: "text/event-stream; charset=utf-8", body: [],
            headers: ["Cache-Control": "no-store", "X-Accel-Buffering": "no"])
        response.stream = stream
        return response
    }

    /// What the Train panel offers: the settings with their defaults and this server's caps, the
    /// activations with their measured rates, the data sets, how runs share the cores.
    func playgroundCard(_ visitor: Visitor) -> WebResponse {
        guard let playground else { return .failure(404, "no playground on this server") }
        var card = PlaygroundCard(
            limits: playground.limits, threads: playground.threads, slice: playground.slice,
            dataset: playground.defaultDataset, dataFolder: playground.dataFolder)
        card.you = .init(person: visitor.person.label, managesAll: visitor.managesAll)
        return .json(card)
    }
}
