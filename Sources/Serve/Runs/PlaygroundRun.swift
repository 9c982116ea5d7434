import Dataset
import Foundation
import Model
import Report

/// One training run of the playground: its settings, where it stands, what it measured, and the
/// event log its listeners replay. Every mutable field is guarded by the playground's lock.
final class PlaygroundRun: @unchecked Sendable {
    enum Status: String, Sendable, Codable {
        case queued, running, paused, finished, cancelled, failed
        /// Listed after a restart: the server stopped while it trained; it can be resumed.
        case interrupted

        var isActive: Bool { self == .queued || self == .running || self == .paused }
        var isOver: Bool { self == .finished || self == .cancelled || self == .failed }
    }

    let id: String
    let request: RunRequest
    let created: Date
    let folder: URL
    /// Who started it: only they (or a manager) may pause, step, resume, cancel or delete it.
    let owner: Person

    var status: Status
    /// The run as the training thread left it after its last slice (nil before it starts, and
    /// for a listed run whose checkpoint has not been read).
    var state: TrainingState?
    var history: [EpochRecord] = []
    var error: String?
    /// Said of a run that finished without learning (ReLU units all dead, sigmoid saturated).
    var warning: String?
    var testAccuracy: Double?
    var testLoss: Double?
    /// What `auto` precision chose for this run, once it has.
    var precision: Precision?
    /// Batches asked for by Step and not yet trained.
    var pendingSteps = 0
    var cancelRequested = false
    /// Whether it has had a turn since it was made or listed again: it holds a network until it ends.
    var started = false
    /// When it first trained, and how long it has trained in all (its turns, summed).
    var firstTurn: Date?
    var trainedSeconds = 0.0
    /// The weights as of the last live figures, for reading digits while the run trains.
    var snapshot: MLP<Float>?
    /// The latest live figures in full, and the log of events (live ones without their heavy parts).
    var live: LiveRecord?
    var log: [RunEvent] = []
    var listeners: [UUID: Listener] = [:]
    var probe: LiveProbe?
    /// Its TensorBoard log while it trains, when the server writes them (`serve --log-dir`).
    var tensorBoard: TrainingLog?
    /// Set when a lesson started it.
    var lesson: LessonTag?

    init(id: String, request: RunRequest, created: Date, folder: URL, status: Status, owner: Person) {
        (self.id, self.request, self.created, self.folder, self.status) = (id, request, created, folder, status)
        self.owner = owner
    }

    /// It holds a network in memory: started and not over.
    var holdsNetwork: Bool { started && status.isActive }

    /// It waits for a turn of the training thread: running, queued, or paused with steps asked for.
    var wantsTurn: Bool {
        (status == .running || status == .queued || (status == .paused && pendingSteps > 0)) && !cancelRequested
    }

    var checkpointURL: URL { folder.appendingPathComponent("model.safetensors") }
    var recordURL: URL { folder.appendingPathComponent("run.json") }

    /// What `GET /api/runs` lists for it, as `viewer` sees it (whose it is, whether they may change
    /// it), with its place in the queue while it waits to start.
    func summary(for viewer: Visitor?, place: Int? = nil) -> RunSummary {
        RunSummary(
            id: id, title: request.title, status: status.rawValue, created: Checkpoint.dateFormat.string(from: created),
            config: request.fields, epochsCompleted: history.count, lastEpoch: history.last, error: error,
            warning: warning, testAccuracy: testAccuracy, testLoss: testLoss, progress: live?.progress,
            owner: owner.label, mine: viewer.map { $0.person == owner }, editable: viewer?.mayChange(runOf: owner),
            place: place, trainedSeconds: trainedSeconds,
            waitedSeconds: firstTurn.map { $0.timeIntervalSince(created) },
            lesson: lesson)
    }

    /// `GET /api/runs/ID`: the summary, every epoch record and the latest live figures.
    func details(for viewer: Visitor?, place: Int?) -> RunDetails {
        RunDetails(
            summary: summary(for: viewer, place: place), epochs: history, live: live.map { .live(run: id, $0) },
            series: log.filter { if case .live = $0 { return true } else { return false } })
    }

    /// The run as a cell of an ablation, for its lesson's verdicts: its epochs (with the per-layer
    /// diagnostics) and test figures, or how it failed.
    func cellResult(_ cell: AblationCell) -> CellResult {
        CellResult(
            cell: cell, config: request.config, learningRate: request.config.effectiveLearningRate, history: history,
            testAccuracy: status == .finished ? testAccuracy : nil, testLoss: status == .finished ? testLoss : nil,
            failure: status == .finished ? nil : (error ?? status.rawValue), dataOrderDigest: "",
            seconds: trainedSeconds)
    }

    /// What a restart needs to list the run again: settings, status, results and owner.
    var stored: StoredRun {
        StoredRun(summary: summary(for: nil), trainingConfig: request.config, epochs: history, owner: owner)
    }
}
