import Dataset
import Foundation
import Model
import Testing
import TestSupport

/// Test-time augmentation: the views are the image moved by one pixel, and an evaluation through
/// them equals the mean of the probabilities computed view by view from moved copies of the data.
@Suite struct TestTimeAugmentationTests {
    @Test func offersOneFiveOrNineViews() {
        #expect(TestTimeAugmentation(views: 1) == .single)
        #expect(TestTimeAugmentation(views: 5)?.shifts.count == 5)
        #expect(
            TestTimeAugmentation(views: 9)?.shifts.map { [$0.x, $0.y] }.sorted { $0.lexicographicallyPrecedes($1) }
                == (-1...1).flatMap { x in (-1...1).map { [x, $0] } })
        for views in [0, 2, 3, 4, 6, 10, -1] { #expect(TestTimeAugmentation(views: views) == nil) }
        var config = TrainingConfig()
        config.testViews = 4
        #expect(config.problem(trainingExamples: 60_000) == SettingProblem(setting: "tta", rule: "1, 5, 9", got: "4"))
    }

    /// Moves images by hand, reads each view with `MLP.probabilities` and averages: the
    /// evaluation's loss, accuracy, predictions and confidences must be the same numbers.
    @Test(arguments: [5, 9])
    func evaluationEqualsTheMeanOverMovedCopies(views: Int) throws {
        let data = try #require(sharedMNIST).test.subset(0..<300)
        var config = TrainingConfig()
        config.hidden = [32]
        let model = MLP<Float>(architecture: config.architecture(inputs: 784), seed: 4)
        let tta = try #require(TestTimeAugmentation(views: views))
        let evaluation = Evaluation(model: model, data: data, chunk: 128, threads: 2, views: tta)

        var mean = [Double](repeating: 0, count: data.count * 10)
        for shift in tta.shifts {
            var moved = [Float](repeating: 0, count: data.count * 784)
            for i in 0..<data.count {
                for y in 0..<28 {
                    for x in 0..<28 {
                        let (sy, sx) = (y - shift.y, x - shift.x)
                        guard (0..<28).contains(sy) && (0..<28).contains(sx) else { continue }
                        moved[i * 784 + y * 28 + x] = DigitDataset.value(data.levels[i * 784 + sy * 28 + sx])
                    }
                }
            }
            for (i, p) in model.probabilities(moved).enumerated() {
                for c in 0..<10 { mean[i * 10 + c] += Double(p[c]) / Double(views) }
            }
        }
        var loss = 0.0, correct = 0
        for i in 0..<data.count {
            let p = mean[i * 10..<i * 10 + 10]
            let best = p.indices.max { p[$0] < p[$1] }! - i * 10
            #expect(Int(evaluation.predictions[i]) == best, "image \(i)")
            #expect(abs(Double(evaluation.confidences[i]) - p[i * 10 + best]) < 1e-6)
            loss -= log(p[i * 10 + Int(data.labels[i])])
            correct += best == Int(data.labels[i]) ? 1 : 0
        }
        #expect(abs(evaluation.loss - loss / Double(data.count)) < 1e-6)
        #expect(evaluation.accuracy == Double(correct) / Double(data.count))
        // The views really differ from the image alone.
        #expect(evaluation.loss != Evaluation(model: model, data: data, chunk: 128, threads: 2).loss)
    }
}
