import Foundation
import Model

/// What `serve` tells about the model it runs (`GET /api/model`, and the page's model card): the
/// architecture, how and on what it was trained, and how well it did, from the checkpoint's metadata.
func modelCard(_ checkpoint: Checkpoint, classifier: DigitClassifier, file: String, minConfidence: Double) -> [String:
    Any]
{
    let architecture = checkpoint.model.architecture
    let config = checkpoint.config
    let attributes = try? FileManager.default.attributesOfItem(atPath: file)
    func date(_ value: Date?) -> Any { value.map { Checkpoint.dateFormat.string(from: $0) } ?? NSNull() }
    var card: [String: Any] = [
        "file": file,
        "architecture": architecture.summary,
        "inputs": architecture.inputs,
        "hidden": architecture.hidden,
        "activations": architecture.activations.map(\.spec),
        "outputs": architecture.outputs,
        "parameters": checkpoint.model.parameters.count,
        "side": classifier.side,
        "classes": classifier.classNames,
        "dataset": checkpoint.dataset,
        "epochs": checkpoint.state.epochsCompleted,
        "trained_at": date(checkpoint.savedAt),
        "file_modified": date(attributes?[.modificationDate] as? Date),
        "min_confidence": minConfidence,
        "training": [
            "batch_size": config.batchSize,
            "learning_rate": config.effectiveLearningRate,
            "momentum": config.momentum,
            "schedule": config.schedule.spec,
            "weight_decay": config.weightDecay,
            "augmentation": config.augmentation.spec,
            "dropout": config.dropout,
            "seed": config.seed
        ] as [String: Any]
    ]
    card["test_accuracy"] = checkpoint.testAccuracy ?? NSNull()
    card["test_loss"] = checkpoint.testLoss ?? NSNull()
    if let last = checkpoint.state.history.last {
        card["train_accuracy"] = last.trainAccuracy
        card["validation_accuracy"] = last.validationAccuracy ?? NSNull()
    }
    return card
}
