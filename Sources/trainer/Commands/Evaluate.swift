import ArgumentParser
import Dataset
import Foundation
import Model

/// `trainer evaluate`: how good a saved model is on the test set, and where it goes wrong.
struct Evaluate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract:
            "Evaluate a saved model on the test set: accuracy, per-class accuracy, confusion matrix, worst mistakes."
    )

    @OptionGroup var dataOptions: DataOptions

    @Option(name: .shortAndLong, help: "The model to evaluate.")
    var model = Train.defaultModelPath

    @Option(help: "How many of the most confidently wrong test images to show.")
    var worst = 3

    @Flag(
        help: ArgumentHelp(
            "Also measure how accuracy holds up when the test digits are rotated, slanted, thicker, thinner or shifted, each drawn as a PNG and read back through predict's preprocessing."
        ))
    var robustness = false

    @Option(help: "Test images per variant for --robustness.")
    var robustnessLimit = 2000

    @OptionGroup var views: ViewOptions

    @OptionGroup var threading: ThreadOptions

    @OptionGroup var compute: ComputeOptions

    @Flag(help: "Print one JSON object instead of text.")
    var json = false

    func validate() throws {
        guard robustnessLimit >= 1 else { throw ValidationError("--robustness-limit must be at least 1") }
    }

    func run() throws {
        compute.apply()
        let checkpoint = try loadCheckpoint(model)
        let data = try dataOptions.load(modelDataset: checkpoint.datasetKind)
        if let note = data.mismatchNote(for: checkpoint, path: model) { Terminal.error(note) }
        guard checkpoint.model.architecture.inputs == data.test.featureCount else {
            throw Failure(
                "\(model): expects \(checkpoint.model.architecture.inputs) inputs but \(dataOptions.folder(for: data.kind)) has images of \(data.test.rows)x\(data.test.cols)"
            )
        }
        let testViews = views.views(for: checkpoint)
        let result = Evaluation(model: checkpoint.model, data: data.test, threads: threading.threads, views: testViews)
        let names = data.kind.classNames
        let wrong = result.predictions.indices
            .filter { Int(result.predictions[$0]) != Int(data.test.labels[$0]) }
            .sorted { result.confidences[$0] > result.confidences[$1] }
            .prefix(max(worst, 0))

        let robustnessRows =
            try robustness
            ? RobustnessCheck.run(
                model: checkpoint.model, test: data.test, limit: robustnessLimit,
                threads: threading.threads) : nil
        if json {
            var fields: [String: Any] = [
                "model": model, "dataset": data.kind.rawValue, "examples": data.test.count,
                "loss": result.loss, "accuracy": result.accuracy, "views": testViews.views,
                "per_class_accuracy": result.perClassAccuracy, "confusion": result.confusion,
                "most_confident_mistakes": wrong.map {
                    [
                        "index": $0, "label": Int(data.test.labels[$0]),
                        "predicted": Int(result.predictions[$0]),
                        "confidence": Double(result.confidences[$0])
                    ] as [String: Any]
                }
            ]
            if let robustnessRows {
                fields["robustness"] = robustnessRows.map {
                    ["variant": $0.variant, "accuracy": $0.accuracy, "no_digit": $0.noDigit] as [String: Any]
                }
            }
            print(jsonLine(fields))
            return
        }
        print("model: \(model) (\(checkpoint.model.architecture.summary), \(checkpoint.state.epochsCompleted) epochs)")
        print(
            String(
                format: "%@ test set: %d images, loss %.4f, accuracy %.2f%%", data.kind.rawValue, data.test.count,
                result.loss, result.accuracy * 100)
                + (testViews.views > 1 ? " (each the mean over \(testViews.views) views, moved by one pixel)" : ""))
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
            print(
                String(
                    format: "  test image %d: labelled %@, predicted %@ with probability %.3f", index,
                    names[Int(data.test.labels[index])], names[Int(result.predictions[index])],
                    result.confidences[index]))
            for line in asciiImage(data.test.image(index), rows: data.test.rows, cols: data.test.cols) {
                print("    |" + line + "|")
            }
        }
        if let robustnessRows, let baseline = robustnessRows.first {
            let count = min(robustnessLimit, data.test.count)
            let direct = Evaluation(
                model: checkpoint.model, data: data.test.subset(0..<count), threads: threading.threads
            ).accuracy
            print(
                "\nrobustness: the first \(count) test digits written differently, each drawn 4x as black ink on white, saved as PNG and read back through predict (given to the model directly, as 28x28 test images: \(String(format: "%.2f%%", direct * 100))):"
            )
            for (k, row) in robustnessRows.enumerated() {
                let change = k == 0 ? "" : String(format: "  (%+.2f points)", (row.accuracy - baseline.accuracy) * 100)
                print(
                    "  " + row.variant.padding(toLength: 30, withPad: " ", startingAt: 0)
                        + String(format: " %6.2f%%", row.accuracy * 100) + change
                        + (row.noDigit > 0 ? "; no digit found in \(row.noDigit)" : ""))
            }
        }
    }
}
