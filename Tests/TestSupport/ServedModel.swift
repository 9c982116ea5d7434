import Dataset
import Foundation
import Model
import Testing

/// A small model trained for real (one epoch of a 784-64-10 network), saved once per test process:
/// what the serve tests serve, in process and through a real `trainer serve`.
public enum ServedModel {
    public static let trained: (checkpoint: Checkpoint, file: String)? = {
        guard let data = sharedMNIST else { return nil }
        var config = TrainingConfig()
        config.hidden = [64]
        config.epochs = 1
        config.validationCount = 0
        let training = Training(config: config, trainSet: data.train)
        var state = training.initialState()
        guard (try? training.run(&state, threads: 2)) != nil else { return nil }
        let checkpoint = Checkpoint(
            config: config, state: state, dataset: "mnist", datasetSHA256: data.sha256,
            testAccuracy: 0.95, testLoss: 0.2, savedAt: Date(timeIntervalSince1970: 1_800_000_000))
        let file = temporaryFolder() + "/serve-model.safetensors"
        guard (try? checkpoint.write(to: file)) != nil else { return nil }
        return (checkpoint, file)
    }()

    /// MNIST test digit `i` as the page sends drawings: 280×280, dark ink on white paper.
    public static func drawing(_ i: Int) throws -> [UInt8] {
        let data = try #require(sharedMNIST)
        let big = InkImage(width: 28, height: 28, pixels: Array(data.test.image(i))).enlarged(by: 10)
        return TestPNG.gray(width: big.width, height: big.height, big.pixels.map { 255 - UInt8(($0 * 255).rounded()) })
    }
}
