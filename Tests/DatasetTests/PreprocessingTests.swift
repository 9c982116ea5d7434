import Dataset
import Foundation
import Testing
import TestSupport

extension Comparable {
    func clamped(_ low: Self, _ high: Self) -> Self { min(max(self, low), high) }
}

@Suite struct PreprocessingTests {
    /// A "7"-like stroke figure (a bar and a diagonal), drawn dark on light paper at `scale`×
    /// MNIST's size with its top-left corner at (`x`, `y`) of a `width`×`height` page.
    static func sevenOnPaper(width: Int, height: Int, x: Int, y: Int, scale: Int, paper: UInt8 = 255, ink: UInt8 = 0)
        -> GrayImage
    {
        var page = GrayImage(width: width, height: height, pixels: [UInt8](repeating: paper, count: width * height))
        for py in 0..<(20 * scale) {
            for px in 0..<(14 * scale) {
                let (u, v) = (Double(px) / Double(scale), Double(py) / Double(scale))
                let bar = v < 3
                let diagonal = abs((14 - u) - v * 0.65) < 1.6
                if bar || diagonal { page[x + px, y + py] = ink }
            }
        }
        return page
    }

    @Test func bigDarkDigitInACornerComesOutLikeMNIST() throws {
        let page = Self.sevenOnPaper(width: 600, height: 500, x: 12, y: 20, scale: 10)
        let result = DigitPreprocessing.mnistStyle(page)
        let image = try #require(result.image)
        #expect(result.inverted)
        #expect(image.width == 28 && image.height == 28)
        // White on black: the corners are background, the maximum is full ink.
        #expect(image[0, 0] == 0 && image[27, 27] == 0)
        #expect(image.pixels.max()! > 0.99)
        // Inside a 20×20 box…
        let box = try #require(DigitPreprocessing.boundingBox(image, threshold: 0.01))
        #expect(box.width <= 20 && box.height <= 20 && max(box.width, box.height) >= 19, "\(box)")
        // …with its aspect ratio kept (the figure is 14 wide, 20 tall)…
        #expect(abs(Double(box.width) / Double(box.height) - 14.0 / 20) < 0.1, "\(box)")
        // …and its centre of mass at the centre, within half a pixel.
        let com = DigitPreprocessing.centreOfMass(image)
        #expect(abs(com.x - 14) <= 0.5 && abs(com.y - 14) <= 0.5, "\(com)")
    }

    @Test func lightDigitOnDarkIsNotInverted() throws {
        let page = Self.sevenOnPaper(width: 100, height: 100, x: 50, y: 30, scale: 2, paper: 10, ink: 240)
        let result = DigitPreprocessing.mnistStyle(page)
        #expect(!result.inverted)
        let image = try #require(result.image)
        let com = DigitPreprocessing.centreOfMass(image)
        #expect(abs(com.x - 14) <= 0.5 && abs(com.y - 14) <= 0.5)
    }

    /// Gray paper and gray ink (a photo) still give ink 1 and background 0.
    @Test func inkLevelsStretchThePaperToInkRange() throws {
        let page = GrayImage(
            width: 4, height: 4,
            pixels: [
                200, 200, 200, 200,
                200, 60, 130, 200,
                200, 200, 210, 200,
                200, 200, 200, 200
            ])
        let (ink, inverted) = DigitPreprocessing.inkLevels(page.levels)
        #expect(inverted)
        let values = try #require(ink).pixels
        #expect(values[5] == 1 && values[0] == 0 && values[10] == 0)
        #expect(abs(values[6] - 0.5) < 1e-6)
    }

    /// A photographed page: paper shading from light to mid gray, noise, and dust far from the
    /// digit. The digit must come out as cleanly as from a flat page.
    @Test func shadingNoiseAndDustAreNotInk() throws {
        let drawing = Self.sevenOnPaper(width: 400, height: 300, x: 150, y: 40, scale: 10)
        let clean = try #require(DigitPreprocessing.mnistStyle(drawing).image)
        var photo = drawing
        var random = SeededRandom(seed: 7, stream: "photo")
        for y in 0..<300 {
            for x in 0..<400 {
                let paper = 245 - Double(x) * 0.25 - Double(y) * 0.1  // 245 at top left, 115 at bottom right
                // ±12 levels of sensor noise
                let level = (drawing[x, y] == 0 ? 40 : paper) + (random.nextUnit() - 0.5) * 24
                photo[x, y] = UInt8(level.clamped(0, 255))
            }
        }
        for (dx, dy) in [(10, 10), (380, 20), (20, 280)] {  // three specks of dust in the corners
            for y in dy..<(dy + 4) { for x in dx..<(dx + 4) { photo[x, y] = 30 } }
        }
        let result = DigitPreprocessing.mnistStyle(photo)
        let image = try #require(result.image)
        #expect(result.inverted)
        let box = try #require(result.box)
        #expect(box.x >= 140 && box.y >= 30 && box.x + box.width <= 300 && box.y + box.height <= 250, "\(box)")
        // It is the clean digit (up to a one-pixel shift of the centring): correlation over 0.9,
        // and no stray ink: nothing outside the clean digit's box grown by one pixel.
        func correlation(_ dx: Int, _ dy: Int) -> Float {
            var (ab, aa, bb): (Float, Float, Float) = (0, 0, 0)
            for y in 1..<27 {
                for x in 1..<27 {
                    let (a, b) = (clean[x, y], image[x + dx, y + dy])
                    (ab, aa, bb) = (ab + a * b, aa + a * a, bb + b * b)
                }
            }
            return ab / (aa * bb).squareRoot()
        }
        let best = [-1, 0, 1].flatMap { dx in [-1, 0, 1].map { dy in correlation(dx, dy) } }.max()!
        #expect(best > 0.9, "correlation \(best)")
        let cleanBox = try #require(DigitPreprocessing.boundingBox(clean, threshold: 0.01))
        var stray: [(Int, Int)] = []
        let (left, right) = (cleanBox.x - 2, cleanBox.x + cleanBox.width + 1)
        let (top, bottom) = (cleanBox.y - 2, cleanBox.y + cleanBox.height + 1)
        for y in 0..<28 {
            for x in 0..<28 where image[x, y] > 0 && (x < left || x > right || y < top || y > bottom) {
                stray.append((x, y))
            }
        }
        #expect(stray.isEmpty, "stray ink at \(stray)")
        let com = DigitPreprocessing.centreOfMass(image)
        #expect(abs(com.x - 14) <= 0.5 && abs(com.y - 14) <= 0.5, "\(com)")
    }

    /// Huge pictures are shrunk first, and the box is still reported in the picture's pixels.
    @Test func largePicturesAreShrunkFirst() throws {
        let page = Self.sevenOnPaper(width: 3000, height: 2000, x: 1000, y: 500, scale: 40)
        let result = DigitPreprocessing.mnistStyle(page)
        _ = try #require(result.image)
        let box = try #require(result.box)
        #expect(abs(box.x - 1000) <= 8 && abs(box.y - 500) <= 8 && abs(box.height - 800) <= 12, "\(box)")
    }

    @Test func blankOrFlatPicturesHaveNoDigit() {
        for level: UInt8 in [0, 128, 255] {
            var page = GrayImage(width: 50, height: 40, pixels: [UInt8](repeating: level, count: 2000))
            page[25, 20] = level > 128 ? level - 20 : level + 20  // a faint speck is not a digit
            #expect(DigitPreprocessing.mnistStyle(page).image == nil, "level \(level)")
        }
        // A single strong dot is a speck, not a digit to be blown up to 20×20.
        var dot = GrayImage(width: 300, height: 200, pixels: [UInt8](repeating: 255, count: 60_000))
        for y in 100..<102 { for x in 150..<152 { dot[x, y] = 0 } }
        let result = DigitPreprocessing.mnistStyle(dot)
        #expect(result.image == nil && result.problem?.contains("speck") == true)
    }

    /// Area averaging keeps the total ink per area: shrinking preserves the mean exactly, and a
    /// flat image stays flat at any size.
    @Test func resizeAveragesAreas() {
        var random = SeededRandom(seed: 9, stream: "resize")
        let image = InkImage(width: 37, height: 23, pixels: (0..<(37 * 23)).map { _ in Float(random.nextUnit()) })
        for (w, h) in [(20, 13), (5, 3), (74, 46), (1, 1), (37, 23)] {
            let resized = DigitPreprocessing.resize(image, width: w, height: h)
            let before = image.pixels.reduce(0, +) / Float(image.pixels.count)
            let after = resized.pixels.reduce(0, +) / Float(resized.pixels.count)
            #expect(abs(before - after) < 1e-4, "\(w)×\(h)")
        }
        #expect(DigitPreprocessing.resize(image, width: 37, height: 23) == image)
        let flat = InkImage(width: 9, height: 7, pixels: [Float](repeating: 0.25, count: 63))
        #expect(DigitPreprocessing.resize(flat, width: 20, height: 3).pixels.allSatisfy { abs($0 - 0.25) < 1e-6 })
        // A 2×2 checkerboard shrunk to one pixel is its average gray: anti-aliased, not sampled.
        let checker = InkImage(width: 2, height: 2, pixels: [1, 0, 0, 1])
        #expect(DigitPreprocessing.resize(checker, width: 1, height: 1).pixels == [0.5])
    }

    @Test func fitKeepsAspectRatio() {
        let wide = InkImage(width: 100, height: 25, pixels: [Float](repeating: 1, count: 2500))
        let fitted = DigitPreprocessing.fit(wide, into: 20)
        #expect(fitted.width == 20 && fitted.height == 5)
        let thin = InkImage(width: 1, height: 300, pixels: [Float](repeating: 1, count: 300))
        let line = DigitPreprocessing.fit(thin, into: 20)
        #expect(line.width == 1 && line.height == 20)
    }

    /// A lopsided figure is never shifted so far that ink falls off the field.
    @Test func centringKeepsAllInk() {
        var lopsided = InkImage(width: 20, height: 20)
        for y in 0..<20 { lopsided[0, y] = 1 }
        lopsided[19, 0] = 0.01
        let field = DigitPreprocessing.centred(lopsided, side: 28)
        #expect(abs(field.pixels.reduce(0, +) - lopsided.pixels.reduce(0, +)) < 1e-5)
    }

    @Test func unprocessedOnlyScales() {
        let page = GrayImage(width: 56, height: 56, pixels: [UInt8](repeating: 255, count: 56 * 56))
        let image = DigitPreprocessing.unprocessed(page)
        #expect(image.width == 28 && image.pixels.allSatisfy { $0 == 1 })
    }
}
