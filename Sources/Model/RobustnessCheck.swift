import Dataset
import Foundation

/// How much a model's accuracy suffers when test digits are written differently: rotated, slanted,
/// with thicker or thinner strokes, shifted. Each distorted test digit is drawn the way a person's
/// own picture reaches `trainer predict` (black ink on white paper, four times larger, written as a
/// PNG) and read back through predict's decoding and MNIST-style preprocessing, so the figures are
/// what a user would see. Only test images are used, never training images.
public enum RobustnessCheck {
    /// One way of writing the test digits differently.
    public struct Variant: Sendable {
        public let name: String
        public let distortion: Distortion
    }

    public static let variants: [Variant] = [
        Variant(name: "as they are", distortion: Distortion()),
        Variant(name: "rotated 20° anticlockwise", distortion: Distortion(rotation: 20 * .pi / 180)),
        Variant(name: "rotated 20° clockwise", distortion: Distortion(rotation: -20 * .pi / 180)),
        Variant(name: "slanted right (shear 0.3)", distortion: Distortion(shear: 0.3)),
        Variant(name: "slanted left (shear -0.3)", distortion: Distortion(shear: -0.3)),
        Variant(name: "strokes 1 px thicker", distortion: Distortion(thickening: 1)),
        Variant(name: "strokes 0.5 px thinner", distortion: Distortion(thickening: -0.5)),
        Variant(name: "shifted 6 px right and down", distortion: Distortion(shift: (6, 6)))
    ]

    /// How the model did on one variant.
    public struct Row: Sendable {
        public let variant: String
        public let accuracy: Double
        /// Pictures in which the preprocessing found no digit (counted as wrong).
        public let noDigit: Int
    }

    /// The check draws square images only, as predict reads them.
    public struct NotSquare: Error, CustomStringConvertible {
        public let rows: Int, cols: Int
        public var description: String {
            "the robustness check needs square images, as predict does; these are \(rows)x\(cols)"
        }
    }

    /// Room around the digit, so that rotating or shifting it never cuts a stroke off.
    static let margin = 8
    /// How much larger than MNIST the pictures are drawn.
    static let scale = 4

    /// Each variant's accuracy on the first `limit` images of `test` (square images of the model's input size).
    /// - Throws: `NotSquare` for images that are not square, and whatever PNG encoding reports.
    public static func run(model: MLP<Float>, test: DigitDataset, limit: Int, threads: Int = 1) throws -> [Row] {
        guard test.rows == test.cols else { throw NotSquare(rows: test.rows, cols: test.cols) }
        precondition(model.architecture.inputs == test.featureCount, "a model for these images")
        precondition(limit >= 1, "at least one test image")
        let count = min(limit, test.count)
        let side = test.rows + 2 * margin
        return try variants.map { variant in
            // Each image's own slot, written through the buffer by whichever thread draws it.
            var drawn = [Result<[Float]?, Error>](repeating: .success(nil), count: count)
            drawn.withUnsafeMutableBufferPointer { buffer in
                nonisolated(unsafe) let slots = buffer
                DispatchQueue.concurrentPerform(iterations: max(threads, 1)) { part in
                    let augmenter = Augmenter(rows: side, cols: side)
                    for i in stride(from: part, to: count, by: max(threads, 1)) {
                        slots[i] = Result {
                            try preprocessed(test, index: i, variant.distortion, augmenter: augmenter, side: side)
                        }
                    }
                }
            }
            let inputs = try drawn.map { try $0.get() }
            let found = inputs.indices.filter { inputs[$0] != nil }
            var correct = 0
            // A thousand at a time: one forward pass over ten thousand would need a workspace of that many rows.
            for start in stride(from: 0, to: found.count, by: 1000) {
                let chunk = found[start..<min(start + 1000, found.count)]
                for (i, p) in zip(chunk, model.probabilities(chunk.flatMap { inputs[$0]! }))
                where p.indices.max(by: { p[$0] < p[$1] }) == Int(test.labels[i]) {
                    correct += 1
                }
            }
            return Row(variant: variant.name, accuracy: Double(correct) / Double(count), noDigit: count - found.count)
        }
    }

    /// Test image `index` distorted, drawn as a person's PNG, decoded and preprocessed as predict
    /// does; nil when the preprocessing finds no digit.
    static func preprocessed(
        _ test: DigitDataset, index: Int, _ distortion: Distortion, augmenter: Augmenter, side: Int
    ) throws -> [Float]? {
        let n = test.rows
        var canvas = [UInt8](repeating: 0, count: side * side)
        for y in 0..<n {
            let row = (y + margin) * side + margin
            canvas.replaceSubrange(row..<row + n, with: test.levels[(index * n + y) * n..<(index * n + y + 1) * n])
        }
        let ink = InkImage(width: side, height: side, pixels: augmenter.apply(canvas, distortion))
        let page = ink.enlarged(by: scale)
        let drawing = GrayImage(
            width: page.width, height: page.height, pixels: page.pixels.map { 255 - UInt8(($0 * 255).rounded()) })
        let picture = try PNG.decode(try PNG.encode(drawing), path: "test digit \(index)")
        return DigitPreprocessing.mnistStyle(picture, side: n).image?.pixels
    }
}
