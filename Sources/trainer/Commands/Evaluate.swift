import ArgumentParser
import Dataset
import Foundation
import Model

/// `trainer evaluate`: how good a saved model is on the test set, and where it goes wrong.
struct Evaluate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Evaluate a saved model on the test set: accuracy, per-class accuracy, confusion matrix, worst mistakes."
    )

    @OptionGroup var dataOptions: DataOptions

    @Option(name: .shortAndLong, help: "The model to evaluate.")
    var model = Train.defaultModelPath

    @Option(help: "How many of the most confidently wrong test images to show.")
    var worst = 3

    @OptionGroup var threading: ThreadOptions

    @OptionGroup var compute: ComputeOptions

    @Flag(help: "Print one JSON object instead of text.")
    var json = false

    func run() throws {
        compute.apply()
        let checkpoint = try loadCheckpoint(model)
        let data = try dataOptions.load(modelDataset: checkpoint.datasetKind)
        if let note = data.mismatchNote(for: checkpoint, path: model) { Terminal.error(note) }
        guard checkpoint.model.architecture.inputs == data.test.featureCount else {
            throw Failure("\(model): expects \(checkpoint.model.architecture.inputs) inputs but \(dataOptions.folder(for: data.kind)) has images of \(data.test.rows)x\(data.test.cols)")
        }
        let result = Evaluation(model: checkpoint.model, data: data.test, threads: threading.threads)
        let names = data.kind.classNames
        let wrong = result.predictions.indices
            .filter { Int(result.predictions[$0]) != Int(data.test.labels[$0]) }
            .sorted { result.confidences[$0] > result.confidences[$1] }
            .prefix(max(worst, 0))

        if json {
            print(jsonLine([
                "model": model, "dataset": data.kind.rawValue, "examples": data.test.count,
                "loss": result.loss, "accuracy": result.accuracy,
                "per_class_accuracy": result.perClassAccuracy, "confusion": result.confusion,
                "most_confident_mistakes": wrong.map { ["index": $0, "label": Int(data.test.labels[$0]),
                                                        "predicted": Int(result.predictions[$0]),
                                                        "confidence": Double(result.confidences[$0])] as [String: Any] },
            ]))
            return
        }
        print("model: \(model) (\(checkpoint.model.architecture.summary), \(checkpoint.state.epochsCompleted) epochs)")
        print(String(format: "%@ test set: %d images, loss %.4f, accuracy %.2f%%", data.kind.rawValue, data.test.count, result.loss, result.accuracy * 100))
        print("\nper-class accuracy:")
        for (c, accuracy) in result.perClassAccuracy.enumerated() {
            print(String(format: "  %-12@ %6.2f%%", names[c], accuracy * 100))
        }
        print("\nconfusion matrix (rows: true class, columns: predicted):")
        print("      " + (0..<names.count).map { String(format: "%5d", $0) }.joined())
        for (c, row) in result.confusion.enumerated() {
            print(String(format: "  %2d  ", c) + row.map { String(format: "%5d", $0) }.joined())
        }
        if !wrong.isEmpty { print("\nmost confidently wrong:") }
        for index in wrong {
            print(String(format: "  test image %d: labelled %@, predicted %@ with probability %.3f", index,
                         names[Int(data.test.labels[index])], names[Int(result.predictions[index])], result.confidences[index]))
            for line in asciiImage(data.test.image(index), rows: data.test.rows, cols: data.test.cols) { print("    |" + line + "|") }
        }
    }
}
