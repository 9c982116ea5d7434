import Dataset
import Foundation
import Model

/// One training run of the playground: its settings, where it stands, what it measured, and the
/// event log its listeners replay. Every mutable field is guarded by the playground's lock.
final class PlaygroundRun: @unchecked Sendable {
    enum Status: String, Sendable {
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
    /// Batches asked for by Step and not yet trained.
    var pendingSteps = 0
    var cancelRequested = false
    /// The weights as of the last live figures, for reading digits while the run trains.
    var snapshot: MLP<Float>?
    /// The latest full live event, and the log of compact ones (status, epochs, live curves' points).
    var live: [String: Any]?
    var log: [[String: Any]] = []
    var listeners: [UUID: Listener] = [:]
    var probe: LiveProbe?

    init(id: String, request: RunRequest, created: Date, folder: URL, status: Status) {
        (self.id, self.request, self.created, self.folder, self.status) = (id, request, created, folder, status)
    }

    var checkpointURL: URL { folder.appendingPathComponent("model.safetensors") }
    var recordURL: URL { folder.appendingPathComponent("run.json") }

    /// The fields `GET /api/runs` lists per run.
    var summary: [String: Any] {
        var fields: [String: Any] = [
            "id": id, "title": request.title, "status": status.rawValue,
            "created": Checkpoint.dateFormat.string(from: created),
            "config": Self.configFields(request), "epochs_completed": history.count
        ]
        if let last = history.last { fields["last_epoch"] = Self.object(last) }
        if let error { fields["error"] = error }
        if let warning { fields["warning"] = warning }
        if let testAccuracy { fields["test_accuracy"] = testAccuracy }
        if let testLoss { fields["test_loss"] = testLoss }
        if let live, let progress = live["progress"] { fields["progress"] = progress }
        return fields
    }

    /// `GET /api/runs/ID`: the summary, every epoch record and the latest live figures.
    var details: [String: Any] {
        var fields = summary
        fields["epochs"] = history.map(Self.object)
        fields["live"] = live ?? NSNull()
        fields["series"] = log.filter { $0["event"] as? String == "live" }
        return fields
    }

    /// The request's settings under the API's names, defaults filled in.
    static func configFields(_ request: RunRequest) -> [String: Any] {
        let c = request.config
        return [
            "activation": c.activations.map(\.spec), "hidden": c.hidden, "lr": c.effectiveLearningRate,
            "epochs": c.epochs,
            "batch_size": c.batchSize, "momentum": c.momentum, "nesterov": c.nesterov, "weight_decay": c.weightDecay,
            "schedule": c.schedule.spec, "augment": c.augmentation.spec, "dropout": c.dropout,
            "validation": c.validationCount,
            "dataset": request.dataset.rawValue, "seed": c.seed, "precision": c.precision.rawValue
        ]
    }

    /// An `Encodable` value as a JSON object (for records that `trainer --json` prints the same way).
    static func object(_ value: some Encodable) -> Any {
        guard let data = try? JSONEncoder().encode(value), let parsed = try? JSONSerialization.jsonObject(with: data)
        else { return NSNull() }
        return parsed
    }

    /// What a restart needs to list the run again: settings, status and results.
    var record: [String: Any] {
        var fields = summary
        fields["training_config"] = Self.object(request.config)
        fields["epochs"] = history.map(Self.object)
        return fields
    }
}

/// One line of Server-Sent Events: `data: <json>` and a blank line.
func serverSentEvent(_ object: [String: Any]) -> [UInt8] {
    let data =
        (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]))
        ?? Data("{}".utf8)
    return Array("data: ".utf8) + Array(data) + Array("\n\n".utf8)
}
