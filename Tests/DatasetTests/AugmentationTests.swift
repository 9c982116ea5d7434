import Dataset
import Foundation
import Testing
import TestSupport

@Suite struct AugmentationTests {
    static let all = Augmentation(affine: 1, elastic: 1, thickness: 1)

    /// Image `index` of the MNIST test set as levels.
    static func digit(_ data: TrainAndTest, _ index: Int) -> [UInt8] {
        Array(data.test.levels[index * 784..<(index + 1) * 784])
    }

    static func ink(_ image: [Float]) -> Double { image.reduce(0) { $0 + Double($1) } }

    @Test func spellingsRoundTripAndBadOnesAreRefused() {
        let cases: [(String, Augmentation)] = [
            ("none", .none),
            ("affine", Augmentation(affine: 1)),
            ("affine,elastic:0.5", Augmentation(affine: 1, elastic: 0.5)),
            ("thickness:2,flip,shift", Augmentation(thickness: 2, flip: true, shift: 2)),
            ("shift:3", Augmentation(shift: 3))
        ]
        for (text, expected) in cases {
            #expect(Augmentation(spec: text) == expected, "\(text)")
            #expect(Augmentation(spec: expected.spec) == expected, "\(expected.spec)")
        }
        #expect(Augmentation(spec: "AFFINE, Elastic")?.spec == "affine,elastic")
        #expect(Augmentation(spec: "affine:0")?.isNone == true)
        for bad in [
            "", "rotate", "affine,affine", "affine:5", "affine:-1", "affine:x", "flip:2", "shift:1.5", "shift:9",
            "affine,"
        ] {
            #expect(Augmentation(spec: bad) == nil, "\(bad) should be refused")
        }
    }

    @Test func noAugmentationReturnsTheInputExactly() {
        let levels = (0..<784).map { UInt8(truncatingIfNeeded: $0 * 7) }
        for augmentation in [Augmentation.none, Augmentation(spec: "affine:0,elastic:0")!] {
            let out = Augmenter(augmentation, rows: 28, cols: 28).apply(
                levels, key: AugmentationKey(seed: 1, epoch: 3, index: 9))
            #expect(out == levels.map(DigitDataset.value))
        }
    }

    @Test func theSameKeyGivesTheSameImageAndOtherKeysOthers() throws {
        guard let data = sharedMNIST else { return }
        let digit = Self.digit(data, 0)
        let augmenter = Augmenter(Self.all, rows: 28, cols: 28)
        let key = AugmentationKey(seed: 1, epoch: 2, index: 0)
        let first = augmenter.apply(digit, key: key)
        // buffers reused in between
        _ = augmenter.apply(Self.digit(data, 1), key: AugmentationKey(seed: 1, epoch: 2, index: 1))
        #expect(Augmenter(Self.all, rows: 28, cols: 28).apply(digit, key: key) == first)
        #expect(augmenter.apply(digit, key: key) == first)
        #expect(first != digit.map(DigitDataset.value))
        for other in [
            AugmentationKey(seed: 1, epoch: 3, index: 0), AugmentationKey(seed: 2, epoch: 2, index: 0),
            AugmentationKey(seed: 1, epoch: 2, index: 1)
        ] {
            #expect(augmenter.apply(digit, key: other) != first, "\(other)")
        }
        #expect(first.allSatisfy { $0 >= 0 && $0 <= 1 })
    }

    @Test func defaultStrengthsKeepTheInkInTheFrame() throws {
        guard let data = sharedMNIST else { return }
        // Each digit in the middle of a 56×56 canvas, distorted there: the ink that lands outside
        // the middle 28×28 is what the frame would have cut off.
        let augmenter = Augmenter(Self.all, rows: 56, cols: 56)
        var outside: [Double] = []
        for i in 0..<1000 {
            let digit = Self.digit(data, i)
            var canvas = [UInt8](repeating: 0, count: 56 * 56)
            for y in 0..<28 {
                canvas.replaceSubrange((y + 14) * 56 + 14..<(y + 14) * 56 + 42, with: digit[y * 28..<(y + 1) * 28])
            }
            let out = augmenter.apply(canvas, key: AugmentationKey(seed: 7, epoch: 0, index: i))
            let inside = (14..<42).reduce(0.0) { sum, y in sum + Self.ink(Array(out[y * 56 + 14..<y * 56 + 42])) }
            outside.append(1 - inside / Self.ink(out))
        }
        let mean = outside.reduce(0, +) / Double(outside.count)
        #expect(mean < 0.01, "on average \(mean) of the ink leaves the frame")
        #expect(outside.max()! < 0.2, "at worst \(outside.max()!)")
        #expect(
            outside.filter { $0 > 0.01 }.count < 150,
            "digits losing over 1% of their ink: \(outside.filter { $0 > 0.01 }.count) of 1000")
    }

    @Test func thicknessThickensAndThinsStrokes() throws {
        guard let data = sharedMNIST else { return }
        var thicker = 0, thinner = 0
        let augmenter = Augmenter(Augmentation(thickness: 1), rows: 28, cols: 28)
        for i in 0..<200 {
            let digit = Self.digit(data, i)
            let ratio =
                Self.ink(augmenter.apply(digit, key: AugmentationKey(seed: 1, epoch: 0, index: i)))
                / Self.ink(digit.map(DigitDataset.value))
            if ratio > 1.05 { thicker += 1 }
            if ratio < 0.95 { thinner += 1 }
        }
        // Amounts are uniform in [−1, 1]: most images change noticeably, in both directions.
        #expect(thicker > 60 && thinner > 60, "thicker \(thicker), thinner \(thinner) of 200")
    }

    @Test func shiftMovesByWholePixelsAndFlipMirrors() {
        // A single lit pixel: where it lands says exactly what happened.
        var levels = [UInt8](repeating: 0, count: 784)
        levels[10 * 28 + 5] = 255
        let shifter = Augmenter(Augmentation(shift: 3), rows: 28, cols: 28)
        var moves = Set<[Int]>()
        for i in 0..<200 {
            let out = shifter.apply(levels, key: AugmentationKey(seed: 1, epoch: 0, index: i))
            let lit = out.indices.filter { out[$0] > 0 }
            #expect(lit.count == 1 && out[lit[0]] == 1)
            let (y, x) = (lit[0] / 28, lit[0] % 28)
            #expect(abs(y - 10) <= 3 && abs(x - 5) <= 3)
            moves.insert([x - 5, y - 10])
        }
        for i in 200..<1000 {
            let out = shifter.apply(levels, key: AugmentationKey(seed: 1, epoch: 0, index: i))
            let lit = out.indices.filter { out[$0] > 0 }[0]
            moves.insert([lit % 28 - 5, lit / 28 - 10])
        }
        #expect(moves.count == 49, "every shift in ±3 × ±3 occurs in 1000 draws (\(moves.count))")

        let flipper = Augmenter(Augmentation(flip: true), rows: 28, cols: 28)
        var flipped = 0
        for i in 0..<200 {
            let out = flipper.apply(levels, key: AugmentationKey(seed: 1, epoch: 0, index: i))
            if out[10 * 28 + 22] == 1 { flipped += 1 } else { #expect(out == levels.map(DigitDataset.value)) }
        }
        #expect(flipped > 70 && flipped < 130, "about half mirrored (\(flipped) of 200)")
    }

    @Test func elasticFieldsAreSmoothAndOfSimardsSize() throws {
        // A horizontal ramp turns a displacement into a level: the resampled ramp minus the ramp is
        // the x displacement (in levels), so the field itself can be measured.
        let ramp = (0..<784).map { UInt8(($0 % 28) * 9) }
        let augmenter = Augmenter(Augmentation(elastic: 1), rows: 28, cols: 28)
        var displacements: [Double] = []
        var roughness = 0.0
        for i in 0..<100 {
            let out = augmenter.apply(ramp, key: AugmentationKey(seed: 3, epoch: 0, index: i))
            // Interior only: near the edges the ramp is cut off by the frame.
            for y in 8..<20 {
                var row: [Double] = []
                for x in 8..<20 { row.append((Double(out[y * 28 + x]) * 255 - Double(ramp[y * 28 + x])) / 9) }
                displacements += row
                roughness += zip(row.dropFirst(), row).map { abs($0 - $1) }.reduce(0, +) / Double(row.count - 1)
            }
        }
        let rms = (displacements.map { $0 * $0 }.reduce(0, +) / Double(displacements.count)).squareRoot()
        // Uniform noise (σ² = 1/3) through a normalised 2-D Gaussian of σ = 4 keeps a variance of
        // 1/3 · 1/(4πσ²) ≈ 0.0017 in the interior: α = 34 makes that an RMS of about 1.4 pixels.
        #expect(rms > 1.0 && rms < 1.8, "RMS displacement \(rms) px")
        // Smooth: neighbouring pixels move almost together.
        #expect(roughness / Double(100 * 12) < 0.25 * rms, "mean step between neighbours \(roughness / 1200) px")
    }
}
