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
        TestPNG.gray(
            width: ink.width, height: ink.height,
            ink.pixels.map { v in
                let level = UInt8((v * 255).rounded())
                return inverted ? 255 - level : level
            })
    }

    /// `image` blurred by three box passes of radius `radius` each way (close to a Gaussian).
    static func blurred(_ image: InkImage, radius: Int) -> InkImage {
        var current = image
        for _ in 0..<3 {
            for horizontal in [true, false] {
                var next = current
                for y in 0..<current.height {
                    for x in 0..<current.width {
                        var sum: Float = 0
                        for d in -radius...radius {
                            let (sx, sy) = horizontal ? (x + d, y) : (x, y + d)
                            if sx >= 0 && sx < current.width && sy >= 0 && sy < current.height {
                                sum += current[sx, sy]
                            }
                        }
                        next[x, y] = sum / Float(2 * radius + 1)
                    }
                }
                current = next
            }
        }
        return current
    }

    /// `image` cut to the ink (≥ 0.05) with `margin` pixels around: a tight crop of a scan.
    static func tightlyCropped(_ image: InkImage, margin: Int) -> InkImage {
        guard let box = DigitPreprocessing.boundingBox(image, threshold: 0.05) else { return image }
        let x = max(0, box.x - margin), y = max(0, box.y - margin)
        let width = min(image.width - x, box.width + 2 * margin),
            height = min(image.height - y, box.height + 2 * margin)
        return DigitPreprocessing.crop(image, to: (x, y, width, height))
    }

    /// The plain pipeline the issue measured against: min–max to 0…1 (dark ink on light paper
    /// inverted), crop to the ink, fit 20×20 keeping the aspect ratio, centre of mass at the centre.
    static func plainPipeline(_ picture: GrayImage) -> InkImage? {
        let levels = picture.levels
        guard let low = levels.pixels.min(), let high = levels.pixels.max(), high > low else { return nil }
        let ink = InkImage(
            width: levels.width, height: levels.height, pixels: levels.pixels.map { (high - $0) / (high - low) })
        guard let box = DigitPreprocessing.boundingBox(ink, threshold: 0.1) else { return nil }
        return DigitPreprocessing.centred(
            DigitPreprocessing.fit(DigitPreprocessing.crop(ink, to: box), into: 20), side: 28)
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
        func accuracy(_ render: (Int) -> [UInt8], plain: Bool = false) throws -> Double {
            var correct = 0
            for i in 0..<Self.count {
                let picture = try PNG.decode(render(i), path: "digit \(i).png")
                let prepared = plain ? Self.plainPipeline(picture) : DigitPreprocessing.mnistStyle(picture).image
                let input = try #require(prepared, "digit \(i): no ink found")
                if predicted(input.pixels) == Int(data.test.labels[i]) { correct += 1 }
            }
            return Double(correct) / Double(Self.count)
        }

        let original =
            Double((0..<Self.count).filter { predicted(Array(data.test.image($0))) == Int(data.test.labels[$0]) }.count)
            / Double(Self.count)
        var random = SeededRandom(seed: 4, stream: "placement")
        let digit = { (i: Int) in InkImage(width: 28, height: 28, pixels: Array(data.test.image(i))) }
        let forms: [(String, (Int) -> [UInt8])] = [
            ("original 28x28 through the pipeline", { Self.gray(digit($0), inverted: false) }),
            ("black on white", { Self.gray(digit($0), inverted: true) }),
            (
                "scaled up 5-10x, black on white",
                { i in Self.gray(Self.upscaled(data.test.image(i), scale: 5 + i % 6), inverted: true) }
            ),
            (
                "off-centre on a 160x120 page",
                { i in
                    Self.gray(
                        Self.placed(
                            digit(i), width: 160, height: 120, x: random.nextInt(below: 132),
                            y: random.nextInt(below: 92)), inverted: true)
                }
            ),
            (
                "RGBA, black ink on transparent, 6x",
                { i in
                    let big = Self.upscaled(data.test.image(i), scale: 6)
                    let samples = big.pixels.flatMap { v in [0, 0, 0, Int((v * 255).rounded())] }
                    return TestPNG(
                        width: big.width, height: big.height, colorType: .rgba, bitDepth: 8, samples: samples
                    ).encoded()
                }
            )
        ]
        #expect(original > 0.95, "original accuracy \(original)")
        for (name, render) in forms {
            let result = try accuracy(render)
            #expect(result >= original - 0.02, "\(name): \(result) vs \(original) on the originals")
        }

        // Pictures where the digit fills the frame, so most pixels are ink, not paper: a tight crop
        // of a bold, blurred scan, and small digits (8x8 to 12x12) enlarged. No form may read worse
        // through our preprocessing than through the plain pipeline.
        let hard: [(String, (Int) -> [UInt8])] = [
            (
                "blurred (radius 3 at 4x) and tightly cropped",
                { i in
                    Self.gray(
                        Self.tightlyCropped(
                            Self.blurred(Self.upscaled(data.test.image(i), scale: 4), radius: 3), margin: 1),
                        inverted: true)
                }
            ),
            (
                "heavily blurred (radius 5 at 4x), cropped to the ink",
                { i in
                    Self.gray(
                        Self.tightlyCropped(
                            Self.blurred(Self.upscaled(data.test.image(i), scale: 4), radius: 5), margin: 0),
                        inverted: true)
                }
            ),
            (
                "shrunk to 8-12 px, enlarged 10x, tightly cropped",
                { i in
                    let small = DigitPreprocessing.resize(digit(i), width: 8 + i % 5, height: 8 + i % 5)
                    return Self.gray(Self.tightlyCropped(small.enlarged(by: 10), margin: 2), inverted: true)
                }
            )
        ]
        for (name, render) in hard {
            let (ours, plain) = (try accuracy(render), try accuracy(render, plain: true))
            print("prediction form \(name): ours \(ours), plain \(plain), originals \(original)")
            #expect(
                ours >= plain - 0.005,
                "\(name): \(ours) through our preprocessing against \(plain) through the plain one")
        }
    }
}
