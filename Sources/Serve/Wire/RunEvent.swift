import Foundation
import Model

/// One event of a run's stream (`GET /api/runs/ID/events`, `/api/events?runs=…`), sent as a
/// `data:` line of Server-Sent Events, each with `event` (its kind) and `run` (the run's id).
enum RunEvent: Encodable, Sendable {
    /// `queued`, `running`, `paused`, `finished`, `cancelled`, `failed` or `interrupted`, with the
    /// error of a failed run.
    case status(run: String, status: PlaygroundRun.Status, error: String?)
    /// An epoch's record, as `trainer train --json` prints it.
    case epoch(run: String, record: EpochRecord)
    /// The live figures (`LiveRecord`) several times a second while the run trains.
    case live(run: String, LiveRecord)
    /// The finished run's test result.
    case result(run: String, ResultRecord)

    var kind: String {
        switch self {
        case .status: return "status"
        case .epoch: return "epoch"
        case .live: return "live"
        case .result: return "result"
        }
    }

    var run: String {
        switch self {
        case .status(let run, _, _), .epoch(let run, _), .live(let run, _), .result(let run, _): return run
        }
    }

    private enum Key: String, CodingKey { case event, run, status, error, record }

    func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        try c.encode(kind, forKey: .event)
        try c.encode(run, forKey: .run)
        switch self {
        case .status(_, let status, let error):
            try c.encode(status.rawValue, forKey: .status)
            try c.encodeIfPresent(error, forKey: .error)
        case .epoch(_, let record): try c.encode(record, forKey: .record)
        case .live(_, let record): try record.encode(to: encoder)
        case .result(_, let record): try record.encode(to: encoder)
        }
    }

    /// The event as one Server-Sent Event: `data: <json>` and a blank line.
    var serverSent: [UInt8] { Array("data: ".utf8) + WireJSON.bytes(self) + Array("\n\n".utf8) }

    /// The event as it happens: after a comment line with the time it was sent, in seconds since
    /// 1970, which `EventSource` ignores and `scripts/bench-class` reads to measure delivery.
    func serverSent(at time: Date) -> [UInt8] {
        Array(": sent \(String(format: "%.4f", time.timeIntervalSince1970))\n".utf8) + serverSent
    }
}
