import Foundation
import Model

/// A run as `GET /api/runs` lists it and `POST /api/runs` and the buttons' routes answer: its
/// settings (every setting of `TrainingSettings.all` under its name, and the data set), where it
/// stands and what it measured.
struct RunSummary: Codable, Sendable {
    var id: String
    var title: String
    var status: String
    var created: String
    var config: [String: SettingValue]
    var epochsCompleted: Int
    var lastEpoch: EpochRecord?
    var error: String?
    var warning: String?
    var testAccuracy: Double?
    var testLoss: Double?
    /// Epochs done, fractional, as of the last live figures.
    var progress: Double?
    /// Who started it, as others see them (`Person.label`).
    var owner: String?
    /// Whether the one asking started it, and whether they may change it (theirs, or they manage
    /// every run); absent in `run.json`.
    var mine: Bool?
    var editable: Bool?
    /// While it waits to start: how many runs start before it, plus one.
    var place: Int?
    /// Seconds it has trained in all, and waited from being made to its first turn.
    var trainedSeconds: Double?
    var waitedSeconds: Double?
    /// The lesson it is a run of, with the lesson's verdicts once all of its group is over.
    var lesson: LessonTag?

    enum CodingKeys: String, CodingKey {
        case id, title, status, created, config, error, warning, progress, owner, mine, editable, place, lesson
        case epochsCompleted = "epochs_completed", lastEpoch = "last_epoch", testAccuracy = "test_accuracy"
        case testLoss = "test_loss", trainedSeconds = "trained_seconds", waitedSeconds = "waited_seconds"
    }
}

/// `GET /api/runs/ID`: the summary, every epoch record, the latest live figures (null before the
/// first) and the live series its curves are drawn from.
struct RunDetails: Encodable, Sendable {
    var summary: RunSummary
    var epochs: [EpochRecord]
    var live: RunEvent?
    var series: [RunEvent]

    enum CodingKeys: String, CodingKey { case epochs, live, series }

    func encode(to encoder: Encoder) throws {
        try summary.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(epochs, forKey: .epochs)
        try c.encode(live, forKey: .live)
        try c.encode(series, forKey: .series)
    }
}

/// What a run's folder keeps (`run.json`) so that a restarted server lists it again: its summary,
/// its whole training configuration and its epochs.
struct StoredRun: Codable, Sendable {
    var summary: RunSummary
    var trainingConfig: TrainingConfig
    var epochs: [EpochRecord]
    /// The owner's hash (`Person`); absent from runs an older server saved, which nobody owns.
    var owner: Person

    enum CodingKeys: String, CodingKey {
        case epochs
        case trainingConfig = "training_config", owner = "owner_hash"
    }

    init(summary: RunSummary, trainingConfig: TrainingConfig, epochs: [EpochRecord], owner: Person) {
        (self.summary, self.trainingConfig, self.epochs, self.owner) = (summary, trainingConfig, epochs, owner)
    }

    init(from decoder: Decoder) throws {
        summary = try RunSummary(from: decoder)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        trainingConfig = try c.decode(TrainingConfig.self, forKey: .trainingConfig)
        epochs = try c.decodeIfPresent([EpochRecord].self, forKey: .epochs) ?? []
        owner = try c.decodeIfPresent(Person.self, forKey: .owner) ?? .nobody
    }

    func encode(to encoder: Encoder) throws {
        try summary.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(trainingConfig, forKey: .trainingConfig)
        try c.encode(epochs, forKey: .epochs)
        try c.encode(owner, forKey: .owner)
    }
}

/// `DELETE /api/runs/ID` of a run that was over: it and its files are gone.
struct DeletedRun: Encodable, Sendable {
    var id: String
    var status = "deleted"
}

/// A run the server removed to keep the runs folder under its limit (`serve --runs-limit`).
struct RemovedRun: Codable, Sendable, Equatable {
    var id: String
    var title: String
    var reason: String
}

/// `POST /api/runs`: the new run, and the finished runs removed to make room for it (said on the page).
struct CreatedRun: Encodable, Sendable {
    var summary: RunSummary
    var removed: [RemovedRun]

    enum CodingKeys: String, CodingKey { case removed }

    func encode(to encoder: Encoder) throws {
        try summary.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(removed, forKey: .removed)
    }
}

/// `POST /api/runs?check=1`: the run a config would make, not made.
struct CheckedRun: Encodable, Sendable {
    var title: String
    var config: [String: SettingValue]
}

/// `GET /api/runs`: the runs, newest first, and the asker's own runs the server removed lately.
struct RunList: Encodable, Sendable {
    var runs: [RunSummary]
    var removed: [RemovedRun]
}
