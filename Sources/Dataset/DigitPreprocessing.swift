/// A gray image as ink intensities in [0, 1] (0 = background, 1 = full ink): what MNIST stores.
public struct InkImage: Sendable, Equatable {
    public let width: Int
    public let height: Int
    public var values: [Float]

    public init(width: Int, height: Int, values: [Float]) {
        precondition(values.count == width * height, "value count does not match the size")
        (self.width, self.height, self.values) = (width, height, values)
    }

    public init(width: Int, height: Int) {
        self.init(width: width, height: height, values: [Float](repeating: 0, count: width * height))
    }

    public subscript(x: Int, y: Int) -> Float {
        get { values[y * width + x] }
        set { values[y * width + x] = newValue }
    }

    /// As an 8-bit gray picture, white ink on black like MNIST.
    public var grayImage: GrayImage {
        GrayImage(width: width, height: height, pixels: values.map { UInt8(($0 * 255).rounded().clamped(0, 255)) })
    }
}

/// Turns a person's picture of a digit into what an MNIST model expects, the way MNIST itself was
/// made: white ink on black, the digit scaled to fit a 20×20 box with its aspect ratio kept
/// (anti-aliased), in a 28×28 field with its centre of mass at the centre.
///
/// Each step is a function of its own, so each can be tested and shown on its own.
public enum DigitPreprocessing {
    /// What the pipeline did, for the user to see.
    public struct Result: Sendable {
        /// The model's input, `side × side`, or nil when no ink was found.
        public let image: InkImage?
        /// Whether the picture was light-on-dark-inverted (dark ink on light paper).
        public let inverted: Bool
        /// The ink's bounding box in the original picture.
        public let box: (x: Int, y: Int, width: Int, height: Int)?
    }

    /// Fewer gray levels than this between paper and darkest ink means there is no digit.
    public static let minimumContrast = 32
    /// Ink at or above this level counts when finding the digit's bounding box.
    public static let inkThreshold: Float = 0.15

    /// The whole pipeline: ink levels → crop → fit `box`×`box` → centre of mass in `side`×`side`.
    public static func mnistStyle(_ picture: GrayImage, side: Int = 28, box: Int = 20) -> Result {
        let (ink, inverted) = inkLevels(picture)
        guard let ink, let bounds = boundingBox(ink, threshold: inkThreshold) else {
            return Result(image: nil, inverted: inverted, box: nil)
        }
        let digit = fit(crop(ink, to: bounds), into: box)
        return Result(image: centred(digit, side: side), inverted: inverted, box: bounds)
    }

    /// The picture as is, only scaled (aspect ratio not kept) to `side`×`side`: for comparison.
    public static func unprocessed(_ picture: GrayImage, side: Int = 28) -> InkImage {
        let levels = InkImage(width: picture.width, height: picture.height, values: picture.pixels.map { Float($0) / 255 })
        return resize(levels, width: side, height: side)
    }

    /// Ink intensities with the paper at 0 and the darkest ink at 1. The paper's colour is the
    /// median of the picture's border: light paper means dark ink, which is inverted. Nil when the
    /// picture is (nearly) one flat colour.
    public static func inkLevels(_ picture: GrayImage) -> (ink: InkImage?, inverted: Bool) {
        let (w, h) = (picture.width, picture.height)
        var border: [UInt8] = []
        for x in 0..<w { border.append(picture[x, 0]); border.append(picture[x, h - 1]) }
        for y in 0..<h { border.append(picture[0, y]); border.append(picture[w - 1, y]) }
        border.sort()
        let paper = Int(border[border.count / 2])
        let inverted = paper >= 128
        let extreme = Int(inverted ? picture.pixels.min()! : picture.pixels.max()!)
        let contrast = abs(paper - extreme)
        guard contrast >= minimumContrast else { return (nil, inverted) }
        let values = picture.pixels.map { pixel -> Float in
            let distance = inverted ? paper - Int(pixel) : Int(pixel) - paper
            return (Float(distance) / Float(contrast)).clamped(0, 1)
        }
        return (InkImage(width: w, height: h, values: values), inverted)
    }

    /// The smallest rectangle holding every value ≥ `threshold`, or nil if there is none.
    public static func boundingBox(_ image: InkImage, threshold: Float) -> (x: Int, y: Int, width: Int, height: Int)? {
        var (minX, minY, maxX, maxY) = (Int.max, Int.max, -1, -1)
        for y in 0..<image.height {
            for x in 0..<image.width where image[x, y] >= threshold {
                (minX, maxX, minY, maxY) = (min(minX, x), max(maxX, x), min(minY, y), max(maxY, y))
            }
        }
        return maxX < 0 ? nil : (minX, minY, maxX - minX + 1, maxY - minY + 1)
    }

    public static func crop(_ image: InkImage, to box: (x: Int, y: Int, width: Int, height: Int)) -> InkImage {
        var result = InkImage(width: box.width, height: box.height)
        for y in 0..<box.height {
            for x in 0..<box.width { result[x, y] = image[box.x + x, box.y + y] }
        }
        return result
    }

    /// Scaled so that its longer side is `box` pixels, aspect ratio kept.
    public static func fit(_ image: InkImage, into box: Int) -> InkImage {
        let scale = Double(box) / Double(max(image.width, image.height))
        let width = max(1, min(box, Int((Double(image.width) * scale).rounded())))
        let height = max(1, min(box, Int((Double(image.height) * scale).rounded())))
        return resize(image, width: width, height: height)
    }

    /// Area-averaging resize: each output pixel is the mean of the input area it covers, counting
    /// partly covered pixels by the fraction covered. Anti-aliased when shrinking, no ringing.
    public static func resize(_ image: InkImage, width: Int, height: Int) -> InkImage {
        let columns = coverage(from: image.width, to: width)
        let rows = coverage(from: image.height, to: height)
        var horizontal = InkImage(width: width, height: image.height)
        for y in 0..<image.height {
            for (x, weights) in columns.enumerated() {
                horizontal[x, y] = weights.reduce(0) { $0 + $1.weight * image[$1.index, y] }
            }
        }
        var result = InkImage(width: width, height: height)
        for (y, weights) in rows.enumerated() {
            for x in 0..<width {
                result[x, y] = weights.reduce(0) { $0 + $1.weight * horizontal[x, $1.index] }
            }
        }
        return result
    }

    /// For each of `outputs` cells along an axis of `inputs` pixels: the input pixels it overlaps
    /// and their weights (overlap / cell length, so the weights sum to 1).
    static func coverage(from inputs: Int, to outputs: Int) -> [[(index: Int, weight: Float)]] {
        let step = Double(inputs) / Double(outputs)
        return (0..<outputs).map { o in
            let (start, end) = (Double(o) * step, Double(o + 1) * step)
            return (Int(start)..<min(inputs, Int(end.rounded(.up)))).compactMap { i in
                let overlap = min(end, Double(i + 1)) - max(start, Double(i))
                return overlap > 1e-9 ? (i, Float(overlap / step)) : nil
            }
        }
    }

    /// The intensity-weighted mean position, pixel (x, y) counting as the point (x, y). MNIST's
    /// digits have theirs at (14, 14) in these units (measured over its test set: 14.01, 13.99).
    public static func centreOfMass(_ image: InkImage) -> (x: Double, y: Double) {
        var (mass, sx, sy) = (0.0, 0.0, 0.0)
        for y in 0..<image.height {
            for x in 0..<image.width {
                let v = Double(image[x, y])
                (mass, sx, sy) = (mass + v, sx + v * Double(x), sy + v * Double(y))
            }
        }
        return mass > 0 ? (sx / mass, sy / mass) : (Double(image.width - 1) / 2, Double(image.height - 1) / 2)
    }

    /// `image` placed in a `side`×`side` black field so that its centre of mass lands on
    /// (side/2, side/2), as in MNIST (to the nearest whole pixel), but never shifted so far that ink falls off.
    public static func centred(_ image: InkImage, side: Int) -> InkImage {
        let com = centreOfMass(image)
        let centre = Double(side) / 2
        let dx = Int((centre - com.x).rounded()).clamped(0, max(0, side - image.width))
        let dy = Int((centre - com.y).rounded()).clamped(0, max(0, side - image.height))
        var result = InkImage(width: side, height: side)
        for y in 0..<min(image.height, side) {
            for x in 0..<min(image.width, side) { result[x + dx, y + dy] = image[x, y] }
        }
        return result
    }
}

extension Comparable {
    func clamped(_ low: Self, _ high: Self) -> Self { min(max(self, low), high) }
}
