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

    enum CodingKeys: String, CodingKey {
        case id, title, status, created, config, error, warning, progress
        case epochsCompleted = "epochs_completed", lastEpoch = "last_epoch", testAccuracy = "test_accuracy"
        case testLoss = "test_loss"
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

    enum CodingKeys: String, CodingKey {
        case epochs
        case trainingConfig = "training_config"
    }

    init(summary: RunSummary, trainingConfig: TrainingConfig, epochs: [EpochRecord]) {
        (self.summary, self.trainingConfig, self.epochs) = (summary, trainingConfig, epochs)
    }

    init(from decoder: Decoder) throws {
        summary = try RunSummary(from: decoder)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        trainingConfig = try c.decode(TrainingConfig.self, forKey: .trainingConfig)
        epochs = try c.decodeIfPresent([EpochRecord].self, forKey: .epochs) ?? []
    }

    func encode(to encoder: Encoder) throws {
        try summary.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(trainingConfig, forKey: .trainingConfig)
        try c.encode(epochs, forKey: .epochs)
    }
}

/// `DELETE /api/runs/ID` of a run that was over: it and its files are gone.
struct DeletedRun: Encodable, Sendable {
    var id: String
    var status = "deleted"
}

/// `GET /api/runs`.
struct RunList: Encodable, Sendable {
    var runs: [RunSummary]
}
