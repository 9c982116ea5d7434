import Foundation
import Model

/// What `serve` tells about a model it serves (`GET /api/model`, `/api/models`, and the page's
/// model card): the architecture, how and on what it was trained (every training setting under
/// its name, from the checkpoint), and how well it did.
struct ModelCard: Encodable, Sendable {
    var file: String
    var architecture: String
    var inputs: Int
    var hidden: [Int]
    var activations: [String]
    var outputs: Int
    var parameters: Int
    var side: Int
    var classes: [String]
    var dataset: String?
    var epochs: Int
    var trainedAt: String?
    var fileModified: String?
    var minConfidence: Double
    /// Every setting of `TrainingSettings.all` as the model was trained.
    var training: [String: SettingValue]
    /// The learning rate it was trained at (the activation's own when `training.lr` is null).
    var learningRate: Double
    var testAccuracy: Double?
    var testLoss: Double?
    var trainAccuracy: Double?
    var validationAccuracy: Double?
    /// Its place in `/api/models` (`?model=K`).
    var index: Int?

    enum CodingKeys: String, CodingKey {
        case file, architecture, inputs, hidden, activations, outputs, parameters, side, classes, dataset, epochs
        case training, index
        case trainedAt = "trained_at", fileModified = "file_modified", minConfidence = "min_confidence"
        case learningRate = "learning_rate", testAccuracy = "test_accuracy", testLoss = "test_loss"
        case trainAccuracy = "train_accuracy", validationAccuracy = "validation_accuracy"
    }

    init(_ checkpoint: Checkpoint, classifier: DigitClassifier, file: String, minConfidence: Double) {
        let architecture = checkpoint.model.architecture
        let config = checkpoint.config
        let modified = (try? FileManager.default.attributesOfItem(atPath: file))?[.modificationDate] as? Date
        self.file = file
        self.architecture = architecture.summary
        (inputs, hidden, activations, outputs) = (
            architecture.inputs, architecture.hidden, architecture.activations.map(\.spec), architecture.outputs
        )
        parameters = checkpoint.model.parameters.count
        (side, classes) = (classifier.side, classifier.classNames)
        dataset = checkpoint.dataset
        epochs = checkpoint.state.epochsCompleted
        trainedAt = checkpoint.savedAt.map { Checkpoint.dateFormat.string(from: $0) }
        fileModified = modified.map { Checkpoint.dateFormat.string(from: $0) }
        self.minConfidence = minConfidence
        training = Dictionary(uniqueKeysWithValues: TrainingSettings.all.map { ($0.id, $0.value(config)) })
        learningRate = config.effectiveLearningRate
        (testAccuracy, testLoss) = (checkpoint.testAccuracy, checkpoint.testLoss)
        trainAccuracy = checkpoint.state.history.last?.trainAccuracy
        validationAccuracy = checkpoint.state.history.last?.validationAccuracy
    }

    /// Null, not absent, for what the model does not say: the page reads every key.
    func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(file, forKey: .file)
        try c.encode(architecture, forKey: .architecture)
        try c.encode(inputs, forKey: .inputs)
        try c.encode(hidden, forKey: .hidden)
        try c.encode(activations, forKey: .activations)
        try c.encode(outputs, forKey: .outputs)
        try c.encode(parameters, forKey: .parameters)
        try c.encode(side, forKey: .side)
        try c.encode(classes, forKey: .classes)
        try c.encode(dataset, forKey: .dataset)
        try c.encode(epochs, forKey: .epochs)
        try c.encode(trainedAt, forKey: .trainedAt)
        try c.encode(fileModified, forKey: .fileModified)
        try c.encode(minConfidence, forKey: .minConfidence)
        try c.encode(training, forKey: .training)
        try c.encode(learningRate, forKey: .learningRate)
        try c.encode(testAccuracy, forKey: .testAccuracy)
        try c.encode(testLoss, forKey: .testLoss)
        try c.encodeIfPresent(trainAccuracy, forKey: .trainAccuracy)
        try c.encode(validationAccuracy, forKey: .validationAccuracy)
        try c.encodeIfPresent(index, forKey: .index)
    }
}

/// `GET /api/models`: every served model, the page's first, each with its `index`.
struct ModelList: Encodable, Sendable {
    var models: [ModelCard]
}
