import Dataset
import Foundation
import Model
import Testing
import TestSupport

/// Real MNIST test digits, rendered the ways people hand in their own (inverted, large, off-centre,
/// on transparent backgrounds), written as PNG and read back through the predict pipeline, are
/// classified as well as the same model classifies the original 28×28 images.
@Suite(.serialized) struct PredictionTests {
    static let count = 1000

    /// A 28×28 MNIST image enlarged `scale` times (bilinear: smooth, like a pen stroke, not blocky).
    static func upscaled(_ pixels: ArraySlice<Float>, scale: Int) -> InkImage {
        InkImage(width: 28, height: 28, pixels: Array(pixels)).enlarged(by: scale)
    }

    /// `image` on a `width`×`height` page of ink 0 at (`x`, `y`).
    static func placed(_ image: InkImage, width: Int, height: Int, x: Int, y: Int) -> InkImage {
        var page = InkImage(width: width, height: height)
        for py in 0..<image.height { for px in 0..<image.width { page[x + px, y + py] = image[px, py] } }
        return page
    }

    static func gray(_ ink: InkImage, inverted: Bool) -> [UInt8] {
        TestPNG.gray(width: ink.width, height: ink.height, ink.pixels.map { v in
            let level = UInt8((v * 255).rounded())
            return inverted ? 255 - level : level
        })
    }

    @Test func ownDigitsArePredictedAsWellAsTheOriginals() throws {
        guard let data = sharedMNIST else { return }
        var config = TrainingConfig()
        config.epochs = 2
        config.validationCount = 0
        let training = Training(config: config, trainSet: data.train)
        var state = training.initialState()
        try training.run(&state)
        let model = state.model

        func predicted(_ input: [Float]) -> Int {
            let p = model.probabilities(input)[0]
            return p.indices.max { p[$0] < p[$1] }!
        }
        func accuracy(_ render: (Int) -> [UInt8]) throws -> Double {
            var correct = 0
            for i in 0..<Self.count {
                let picture = try PNG.decode(render(i), path: "digit \(i).png")
                let input = try #require(DigitPreprocessing.mnistStyle(picture).image, "digit \(i): no ink found")
                if predicted(input.pixels) == Int(data.test.labels[i]) { correct += 1 }
            }
            return Double(correct) / Double(Self.count)
        }

        let original = Double((0..<Self.count).filter { predicted(Array(data.test.image($0))) == Int(data.test.labels[$0]) }.count) / Double(Self.count)
        var random = SeededRandom(seed: 4, stream: "placement")
        let digit = { (i: Int) in InkImage(width: 28, height: 28, pixels: Array(data.test.image(i))) }
        let forms: [(String, (Int) -> [UInt8])] = [
            ("original 28x28 through the pipeline", { Self.gray(digit($0), inverted: false) }),
            ("black on white", { Self.gray(digit($0), inverted: true) }),
            ("scaled up 5-10x, black on white", { i in Self.gray(Self.upscaled(data.test.image(i), scale: 5 + i % 6), inverted: true) }),
            ("off-centre on a 160x120 page", { i in
                Self.gray(Self.placed(digit(i), width: 160, height: 120, x: random.nextInt(below: 132), y: random.nextInt(below: 92)), inverted: true)
            }),
            ("RGBA, black ink on transparent, 6x", { i in
                let big = Self.upscaled(data.test.image(i), scale: 6)
                let samples = big.pixels.flatMap { v in [0, 0, 0, Int((v * 255).rounded())] }
                return TestPNG(width: big.width, height: big.height, colorType: .rgba, bitDepth: 8, samples: samples).encoded()
            }),
        ]
        #expect(original > 0.95, "original accuracy \(original)")
        for (name, render) in forms {
            let result = try accuracy(render)
            #expect(result >= original - 0.02, "\(name): \(result) vs \(original) on the originals")
        }
    }
}
