import ArgumentParser
import Dataset
import Foundation
import Model

/// `trainer export`: a saved model in a format other programs run.
struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Export a saved model for other runtimes: ONNX (ONNX Runtime on servers, phones and in browsers).",
        discussion: """
            The ONNX model takes `pixels`, float32 [N, 784], values 0 (paper) to 1 (ink) as the model saw \
            them, and gives `probabilities`, float32 [N, 10]. A photo or drawing needs predict's \
            preprocessing first; `trainer predict --save-preprocessed` writes the 28x28 the model reads. \
            Operator set \(ONNXExport.opset); the file's metadata holds the activations, data set, test accuracy \
            and training settings.
            """
    )

    enum Format: String, CaseIterable, ExpressibleByArgument {
        case onnx
    }

    @Option(name: .shortAndLong, help: "The model to export.")
    var model = Train.defaultModelPath

    @Option(help: "The format to write: \(Format.allCases.map(\.rawValue).joined(separator: ", ")).")
    var format = Format.onnx

    @Option(name: .shortAndLong, help: "Where to write it. (default: the model's name with the format's extension)")
    var output: String?

    func run() throws {
        let checkpoint = try loadCheckpoint(model)  // refuses damaged files and non-finite weights
        let path =
            output ?? (model.hasSuffix(".safetensors") ? String(model.dropLast(".safetensors".count)) : model) + "."
            + format.rawValue
        let preprocessing =
            "pixels: 28x28 grey levels / 255 (0 paper, 1 ink), row by row, as MNIST; a photo or drawing "
            + "needs digit-trainer's preprocessing (docs/predict-inspect-export.md, 'Predicting your own digits'; `trainer predict --save-preprocessed`)"
        let bytes = ONNXExport.model(of: checkpoint, properties: [("preprocessing", preprocessing)])
        try AtomicFile.write(bytes, to: path)
        print(
            "wrote \(path) (\(bytes.count) bytes, ONNX opset \(ONNXExport.opset)): \(checkpoint.model.architecture.summary), input pixels [N, \(checkpoint.model.architecture.inputs)], output probabilities [N, \(checkpoint.model.architecture.outputs)]"
        )
    }
}
