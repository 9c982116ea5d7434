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
        /// Whether the picture was inverted (it had dark ink on light paper).
        public let inverted: Bool
        /// The ink's bounding box in the original picture.
        public let box: (x: Int, y: Int, width: Int, height: Int)?
        /// Why there is no image, when there is none.
        public var problem: String?
    }

    /// Less than this between paper and the strongest ink (on a 0–1 scale) means there is no digit.
    public static let minimumContrast: Float = 32 / 255
    /// Ink at or above this level counts when finding the digit's bounding box.
    public static let inkThreshold: Float = 0.15
    /// Pictures with a longer side than this are first shrunk to it (area averaging): the digit
    /// ends up 20 pixels tall anyway, and every later step stays fast on a 12-megapixel photo.
    public static let workingSide = 512
    /// Ink spanning fewer pixels than this (at the working size) is a speck, not a digit.
    public static let minimumDigitSide = 4
    /// Ink blobs holding less than this fraction of all the ink (dust, specks) are wiped.
    public static let speckFraction: Float = 0.02

    /// The whole pipeline: gray levels (shrunk to `workingSide`) → ink levels against the local
    /// paper → specks wiped → crop → fit `box`×`box` → centre of mass in `side`×`side`.
    /// `box` defaults to MNIST's proportion, 20 of every 28 pixels.
    public static func mnistStyle(_ picture: GrayImage, side: Int = 28, box: Int? = nil) -> Result {
        let box = box ?? Int((Double(side) * 20 / 28).rounded())
        var levels = picture.levels
        let scale = Double(max(picture.width, picture.height)) / Double(workingSide)
        if scale > 1 {
            levels = resize(
                levels, width: max(1, Int((Double(picture.width) / scale).rounded())),
                height: max(1, Int((Double(picture.height) / scale).rounded())))
        }
        let (ink, inverted) = inkLevels(levels)
        guard let ink = ink.map(removingSpecks), let bounds = boundingBox(ink, threshold: inkThreshold) else {
            return Result(image: nil, inverted: inverted, box: nil, problem: "the picture is one flat colour")
        }
        guard max(bounds.width, bounds.height) >= minimumDigitSide else {
            return Result(
                image: nil, inverted: inverted, box: nil,
                problem: "only a speck of ink, \(bounds.width)×\(bounds.height) pixels")
        }
        let digit = fit(crop(ink, to: bounds), into: box)
        let factor = max(scale, 1)
        let original = (
            x: Int(Double(bounds.x) * factor), y: Int(Double(bounds.y) * factor),
            width: Int((Double(bounds.width) * factor).rounded()),
            height: Int((Double(bounds.height) * factor).rounded())
        )
        return Result(image: centred(digit, side: side), inverted: inverted, box: original)
    }

    /// The picture as is, only scaled (aspect ratio not kept) to `side`×`side`: for comparison.
    public static func unprocessed(_ picture: GrayImage, side: Int = 28) -> InkImage {
        resize(picture.levels, width: side, height: side)
    }

    /// Ink intensities (0 paper … 1 strongest ink) from gray levels in [0, 1]. The border's median
    /// says whether the paper is light (dark ink, inverted) or dark. The paper's level is taken
    /// locally, so shading across a photographed page is not mistaken for ink; the noise in the
    /// paper is subtracted. Nil when nothing stands out from the paper.
    public static func inkLevels(_ gray: InkImage) -> (ink: InkImage?, inverted: Bool) {
        let (w, h) = (gray.width, gray.height)
        var border: [Float] = []
        for x in 0..<w { border += [gray[x, 0], gray[x, h - 1]] }
        for y in 0..<h { border += [gray[0, y], gray[w - 1, y]] }
        let inverted = median(border) >= 0.5
        let paper = paperLevels(gray, light: inverted)
        // On light paper a photo's shading multiplies: ink is the fraction of the local paper's
        // light it absorbs. On dark paper (chalk on a board) it is what it adds.
        let distance = zip(gray.pixels, paper.pixels).map { v, p in max(0, inverted ? (p - v) / max(p, 1e-3) : v - p) }
        guard let strongest = distance.max(), strongest >= minimumContrast else { return (nil, inverted) }
        // Three times the median distance of the pixels that are surely paper is the paper's noise.
        // Surely paper: below the threshold that best splits the distances into two classes
        // (Otsu's), not simply most pixels, since a digit that fills the frame (a tight crop, an
        // enlarged small scan) has more ink than paper, and its median would erase soft strokes.
        let threshold = otsuThreshold(distance, upTo: strongest)
        let noise = min(3 * median(distance.filter { $0 <= threshold }), strongest / 2)
        let values = distance.map { (($0 - noise) / (strongest - noise)).clamped(0, 1) }
        return (InkImage(width: w, height: h, pixels: values), inverted)
    }

    /// The paper's level under each pixel: on a grid of tiles (a third of the picture on a
    /// side), the brightest tenth of each tile for light paper (the darkest for dark paper) —
    /// strokes are thinner than a tile, so that is paper — interpolated bilinearly between tile centres.
    static func paperLevels(_ gray: InkImage, light: Bool) -> InkImage {
        let (w, h) = (gray.width, gray.height)
        let tile = max(8, (max(w, h) + 2) / 3)
        let (columns, rows) = ((w + tile - 1) / tile, (h + tile - 1) / tile)
        var levels = [Float](repeating: 0, count: columns * rows)
        var values: [Float] = []
        values.reserveCapacity(tile * tile)
        gray.pixels.withUnsafeBufferPointer { pixels in
            for ty in 0..<rows {
                for tx in 0..<columns {
                    values.removeAll(keepingCapacity: true)
                    for y in (ty * tile)..<min(h, (ty + 1) * tile) {
                        values.append(contentsOf: pixels[(y * w + tx * tile)..<(y * w + min(w, (tx + 1) * tile))])
                    }
                    levels[ty * columns + tx] = select(light ? (values.count * 9) / 10 : values.count / 10, in: &values)
                }
            }
        }
        // Where each column and row falls between tile centres, worked out once per column and row.
        func between(_ i: Int, _ count: Int) -> (Int, Int, Float) {
            let f = ((Double(i) + 0.5) / Double(tile) - 0.5).clamped(0, Double(count - 1))
            let i0 = Int(f)
            return (i0, min(i0 + 1, count - 1), Float(f - Double(i0)))
        }
        let xs = (0..<w).map { between($0, columns) }
        var paper = [Float](repeating: 0, count: w * h)
        for y in 0..<h {
            let (y0, y1, wy) = between(y, rows)
            for x in 0..<w {
                let (x0, x1, wx) = xs[x]
                let top = levels[y0 * columns + x0] * (1 - wx) + levels[y0 * columns + x1] * wx
                let bottom = levels[y1 * columns + x0] * (1 - wx) + levels[y1 * columns + x1] * wx
                paper[y * w + x] = top * (1 - wy) + bottom * wy
            }
        }
        return InkImage(width: w, height: h, pixels: paper)
    }

    /// `image` with every blob of ink (8-connected pixels ≥ `inkThreshold`, with the fainter ink
    /// around them) that holds less than `speckFraction` of all the ink set to 0: dust and
    /// specks would otherwise stretch the bounding box and shrink the digit.
    public static func removingSpecks(_ image: InkImage) -> InkImage {
        let (w, h) = (image.width, image.height)
        var label = [Int32](repeating: -1, count: w * h)
        var masses: [Float] = []
        var stack: [Int] = []
        for start in 0..<(w * h) where label[start] < 0 && image.pixels[start] > 0 {
            // Flood-fill a blob: its strong pixels and every non-zero pixel touching it.
            let id = Int32(masses.count)
            var mass: Float = 0
            var strong = false
            label[start] = id
            stack.append(start)
            while let p = stack.popLast() {
                mass += image.pixels[p]
                strong = strong || image.pixels[p] >= inkThreshold
                let (x, y) = (p % w, p / w)
                for ny in max(0, y - 1)...min(h - 1, y + 1) {
                    for nx in max(0, x - 1)...min(w - 1, x + 1) {
                        let q = ny * w + nx
                        if label[q] < 0 && image.pixels[q] > 0 {
                            label[q] = id
                            stack.append(q)
                        }
                    }
                }
            }
            masses.append(strong ? mass : 0)
        }
        let total = masses.reduce(0, +)
        guard total > 0 else { return image }
        var result = image
        for i in 0..<(w * h) where label[i] >= 0 && masses[Int(label[i])] < speckFraction * total {
            result.pixels[i] = 0
        }
        return result
    }

    /// The value that splits `values` (in 0…`upTo`) into two classes with the largest variance
    /// between them (Otsu, 1979), on a 256-bin histogram.
    static func otsuThreshold(_ values: [Float], upTo top: Float) -> Float {
        guard top > 0 else { return 0 }
        let bins = 256
        var histogram = [Double](repeating: 0, count: bins)
        for v in values { histogram[min(bins - 1, max(0, Int(v / top * Float(bins))))] += 1 }
        let total = Double(values.count)
        let weightedSum = histogram.indices.reduce(0.0) { $0 + Double($1) * histogram[$1] }
        var (below, belowSum, best, bestBin) = (0.0, 0.0, -1.0, 0)
        for bin in 0..<bins - 1 {
            below += histogram[bin]
            belowSum += Double(bin) * histogram[bin]
            let above = total - below
            guard below > 0 && above > 0 else { continue }
            let difference = belowSum / below - (weightedSum - belowSum) / above
            let between = below * above * difference * difference
            if between > best { (best, bestBin) = (between, bin) }
        }
        return Float(bestBin + 1) / Float(bins) * top
    }

    static func median(_ values: [Float]) -> Float {
        guard !values.isEmpty else { return 0 }
        var values = values
        return select(values.count / 2, in: &values)
    }

    /// The value that would be at index `k` if `values` were sorted (`values.sorted()[k]`), found
    /// by quickselect in linear time; `values` is left reordered. Sorting every tile and the whole
    /// picture for one order statistic was a third of a prediction's time in `serve`.
    static func select(_ k: Int, in values: inout [Float]) -> Float {
        precondition(values.indices.contains(k), "select: k out of range")
        return values.withUnsafeMutableBufferPointer { v in
            var (low, high) = (0, v.count - 1)
            while low < high {
                // Median of three as the pivot, then Hoare's partition.
                let mid = low + (high - low) / 2
                if v[mid] < v[low] { v.swapAt(mid, low) }
                if v[high] < v[low] { v.swapAt(high, low) }
                if v[high] < v[mid] { v.swapAt(high, mid) }
                let pivot = v[mid]
                var (i, j) = (low, high)
                while i <= j {
                    while v[i] < pivot { i += 1 }
                    while pivot < v[j] { j -= 1 }
                    if i <= j { v.swapAt(i, j); i += 1; j -= 1 }
                }
                if k <= j { high = j } else if k >= i { low = i } else { return v[k] }
            }
            return v[k]
        }
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
    /// partly covered pixels by the fraction covered. Anti-aliased when shrinking, no ringing. A
    /// mean of values in [0, 1] stays there, but Float weights can round it a hair past 1 (found
    /// by fuzzing: 1.0000001), so the result is clamped to the range an `InkImage` promises.
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
                result[x, y] = weights.reduce(0) { $0 + $1.weight * horizontal[x, $1.index] }.clamped(0, 1)
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
