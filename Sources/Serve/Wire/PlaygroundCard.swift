import Dataset
import Model

/// `GET /api/playground`: what the Train panel offers and how this server shares its cores. The
/// form is built from `settings` (the table of training settings, with this server's caps).
struct PlaygroundCard: Encodable, Sendable {
    struct Limits: Encodable, Sendable {
        var width: Int
        var layers: Int
        var epochs: Int
        var batchSize: Int
        /// Runs that train in turn at once (more wait), one person's runs, runs waiting in all.
        var runs: Int
        var runsPerPerson: Int
        var queued: Int
        var folderBytes: Int

        enum CodingKeys: String, CodingKey {
            case width, layers, epochs, runs, queued
            case batchSize = "batch_size", runsPerPerson = "runs_per_person", folderBytes = "folder_bytes"
        }
    }

    /// Who the page's visitor is here: the label others see, and whether they manage every run.
    struct You: Encodable, Sendable {
        var person: String
        var managesAll: Bool

        enum CodingKeys: String, CodingKey {
            case person
            case managesAll = "manages_all"
        }
    }

    /// An activation with its parameter (α, β, initial slope; null for none) and measured rate.
    struct ActivationChoice: Encodable, Sendable {
        var name: String
        var spec: String
        var parameter: Double?
        var lr: Double

        enum CodingKeys: String, CodingKey { case name, spec, parameter, lr }

        func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(name, forKey: .name)
            try c.encode(spec, forKey: .spec)
            try c.encode(parameter, forKey: .parameter)  // null, not absent, for none
            try c.encode(lr, forKey: .lr)
        }
    }

    var limits: Limits
    var activations: [ActivationChoice]
    var settings: [SettingRecord]
    /// A run request's fields with nothing given: every setting's default and the data set.
    var defaults: [String: SettingValue]
    var datasets: [String]
    /// Where this server reads each data set, and the one the form starts at.
    var dataFolders: [String: String]
    var dataset: String
    var threads: Int
    var sliceSeconds: Double
    /// What `"augment": true` stands for.
    var augment: String
    /// The precisions this CPU runs natively: the form offers bf16 only where it pays.
    var precisions: [String]
    var you: You?

    enum CodingKeys: String, CodingKey {
        case limits, activations, settings, defaults, datasets, threads, augment, precisions, you, dataset
        case dataFolders = "data_folders"
        case sliceSeconds = "slice_seconds"
    }

    init(
        limits: PlaygroundLimits, threads: Int, slice: Double, precisions: [Precision] = Precision.available,
        dataset: DatasetKind = .mnist, dataFolder: (DatasetKind) -> String = { _ in "" }
    ) {
        self.limits = Limits(
            width: limits.width, layers: limits.layers, epochs: limits.epochs, batchSize: limits.batchSize,
            runs: limits.activeRuns, runsPerPerson: limits.runsPerPerson, queued: limits.queuedRuns,
            folderBytes: limits.folderBytes)
        activations = Activation.all.map {
            ActivationChoice(name: $0.name, spec: $0.spec, parameter: $0.parameter, lr: $0.defaultLearningRate)
        }
        settings = TrainingSettings.all.map { SettingRecord($0, limits: limits, precisions: precisions) }
        defaults = RunRequest(config: TrainingConfig(), dataset: .mnist).fields
        datasets = DatasetKind.allCases.map(\.rawValue)
        dataFolders = Dictionary(uniqueKeysWithValues: DatasetKind.allCases.map { ($0.rawValue, dataFolder($0)) })
        self.dataset = dataset.rawValue
        (self.threads, sliceSeconds) = (threads, slice)
        augment = TrainingSettings.defaultAugmentation.spec
        self.precisions = precisions.map(\.rawValue)
    }
}
