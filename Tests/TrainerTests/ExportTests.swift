import Dataset
import Foundation
import Model
import Testing
import TestSupport

/// `trainer export --format onnx`, checked as another program would use the file: `onnx.checker`
/// accepts it, and ONNX Runtime's probabilities on all 10,000 MNIST test images equal ours within
/// 1e-5 with the same top-1 everywhere, for a model of every activation we support.
@Suite(.serialized) struct ExportTests {
    /// What every other activation is exported beside: a first layer of each kind, then a second of
    /// another (so each operator meets both a Gemm before it and one after).
    static let networks: [[Activation]] =
        Activation.all.map { [$0] } + [
            [.prelu(initial: 0.1), .gelu], [.swish(beta: 1.7), .leakyRelu(alpha: 0.2)],
            [.elu(alpha: 0.5), .step]
        ]

    @Test(arguments: networks)
    func onnxRuntimeReadsAsWeDo(_ activations: [Activation]) throws {
        let data = try #require(sharedMNIST, "MNIST is needed (scripts/fetch-mnist or MNIST_MIRROR)")
        let folder = try #require(mnistFolder())
        let dir = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var config = TrainingConfig()
        (config.hidden, config.activations, config.epochs, config.validationCount) = (
            activations.map { _ in 24 }, activations, 1, 500
        )
        let training = Training(config: config, trainSet: data.train.subset(0..<4000))
        var state = training.initialState()
        try training.run(&state)
        let test = Evaluation(model: state.model, data: data.test)
        let model = dir + "/m.safetensors", onnx = dir + "/m.onnx", ours = dir + "/ours.f32"
        try Checkpoint(
            config: config, state: state, dataset: "mnist", datasetSHA256: data.sha256, testAccuracy: test.accuracy
        ).write(to: model)

        let exported = try trainer(["export", "--model", model, "-o", onnx])
        #expect(exported.status == 0, "\(exported.err)")
        #expect(exported.out.contains("opset \(ONNXExport.opset)"))
        let pixels = (0..<data.test.count * 784).map { DigitDataset.value(data.test.levels[$0]) }
        let probabilities = state.model.probabilities(pixels).joined()
        var bytes: [UInt8] = []
        for p in probabilities { withUnsafeBytes(of: p.bitPattern.littleEndian) { bytes.append(contentsOf: $0) } }
        FileManager.default.createFile(atPath: ours, contents: Data(bytes))

        let checked = try run(
            "/usr/bin/env", ["python3", Self.checker, onnx, ours, folder + "/t10k-images-idx3-ubyte.gz"])
        #expect(
            checked.status == 0, "the ONNX check failed (scripts/setup installs onnx and onnxruntime): \(checked.err)")
        let answer = try #require(jsonObjects(checked.out).first, "no answer: \(checked.out) \(checked.err)")
        let spec = activations.map(\.spec).joined(separator: ",")
        #expect(answer["images"] as? Int == 10_000)
        let difference = answer["max_abs_difference"] as? Double ?? 1
        #expect(difference <= 1e-5, "\(spec): ONNX Runtime's probabilities differ from ours by up to \(difference)")
        #expect(
            answer["top1_disagreements"] as? Int == 0,
            "\(spec): \(answer["top1_disagreements"] ?? "?") images read differently")
        #expect(answer["opset"] as? Int == ONNXExport.opset)
        let metadata = answer["metadata"] as? [String: String] ?? [:]
        #expect(metadata["activations"] == spec && metadata["dataset"] == "mnist", "\(metadata)")
        #expect(metadata["test_accuracy"].flatMap(Double.init) == test.accuracy)
        #expect(
            metadata["training"]?.contains("\"epochs\":1") == true
                && metadata["preprocessing"]?.contains("Predicting your own digits") == true)
        #expect(
            "\(answer["inputs"] ?? "")".contains("pixels") && "\(answer["outputs"] ?? "")".contains("probabilities"))
    }

    /// A bad format, a missing model or an unwritable path: one line, a non-zero exit, no file.
    @Test func refusalsAreOneLineAndLeaveNoFile() throws {
        let dir = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let missing = try trainer(["export", "--model", dir + "/none.safetensors", "-o", dir + "/x.onnx"])
        #expect(
            missing.status != 0 && missing.err.contains("none.safetensors")
                && missing.err.contains("no such model file"), "\(missing.err)")
        let format = try trainer(["export", "--model", dir + "/none.safetensors", "--format", "tflite"])
        #expect(format.status != 0 && format.err.contains("tflite") && format.err.contains("onnx"), "\(format.err)")

        var config = TrainingConfig()
        config.hidden = [8]
        let model = dir + "/m.safetensors"
        let network = MLP<Float>(architecture: config.architecture(inputs: 784), seed: 1)
        let state = TrainingState(model: network, optimizer: Optimizer(parameterCount: network.parameters.count))
        try Checkpoint(config: config, state: state, dataset: "mnist", datasetSHA256: [:]).write(to: model)
        // Inside a file, where no folder can be made (permissions would not stop root).
        let unwritable = try trainer(["export", "--model", model, "-o", model + "/m.onnx"])
        #expect(unwritable.status != 0 && unwritable.err.contains("m.safetensors/m.onnx"), "\(unwritable.err)")
        #expect(unwritable.err.split(separator: "\n").count == 1, "\(unwritable.err)")
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: dir) == ["m.safetensors"],
            "nothing half-written is left behind")
        let defaultName = try trainer(["export", "--model", model])
        #expect(
            defaultName.status == 0 && FileManager.default.fileExists(atPath: dir + "/m.onnx"), "\(defaultName.err)")
    }

    /// The checker script beside the tests.
    static var checker: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent(
            "ONNX/onnx_check.py"
        ).path
    }
}
