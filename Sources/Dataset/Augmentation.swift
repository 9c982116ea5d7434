import Foundation

/// Which random distortions a training image gets, and how strong each is. A strength of 1 is the
/// standard setting named on each case; 0 turns a distortion off, 2 doubles its range. The empty
/// augmentation (the default) leaves every image exactly as it is.
///
/// The distortion of image `index` in epoch `epoch` is drawn from (seed, epoch, index) alone, so it
/// does not depend on batch order, thread count or interruptions: a resumed run sees the same pictures.
public struct Augmentation: Sendable, Equatable, Hashable {
    /// Rotation ±12°, scale ±12%, shear ±0.15, translation ±2 px, drawn uniformly per image
    /// (the ranges of the usual MLP recipes; ±15° measured no better on clean or rotated digits).
    public var affine: Double = 0
    /// Simard et al. (2003): a uniform random displacement field smoothed by a Gaussian of σ = 4 px
    /// and scaled by α = 34 px at strength 1 (strength scales α).
    public var elastic: Double = 0
    /// Strokes made thicker by up to 1 px or thinner by up to ½ px at strength 1 (grey-level dilation
    /// or erosion with a 3×3 cross, fractional amounts blended), drawn uniformly per image. Thinning
    /// goes half as far because MNIST's strokes are only 2–3 px wide: a whole pixel off each side
    /// erases them.
    public var thickness: Double = 0
    /// Mirrored left to right with probability ½: for pictures without a handedness (Fashion-MNIST's
    /// clothes), never for digits.
    public var flip = false
    /// Shifted by up to `shift` whole pixels each way, zeros coming in: a random crop of the image
    /// padded by that much.
    public var shift = 0

    public init(affine: Double = 0, elastic: Double = 0, thickness: Double = 0, flip: Bool = false, shift: Int = 0) {
        (self.affine, self.elastic, self.thickness, self.flip, self.shift) = (affine, elastic, thickness, flip, shift)
    }

    /// No distortion at all.
    public static let none = Augmentation()

    /// Whether every image is left exactly as it is.
    public var isNone: Bool { self == .none }

    /// The same distortions with the continuous ranges (affine, elastic, thickness) times `factor`;
    /// flips and whole-pixel shifts are left as they are.
    public func scaled(by factor: Double) -> Augmentation {
        guard factor != 1 else { return self }
        return Augmentation(
            affine: affine * factor, elastic: elastic * factor, thickness: thickness * factor, flip: flip,
            shift: shift)
    }

    // Each distortion's range at strength 1.
    public static let rotationDegrees = 12.0
    public static let scaleRange = 0.12
    public static let shearRange = 0.15
    public static let translationPixels = 2.0
    public static let elasticAlpha = 34.0
    public static let elasticSigma = 4.0
    /// Strengths above this are refused: past it the picture is no longer the label's shape.
    public static let strengthLimit = 4.0
    public static let shiftLimit = 8

    /// `affine,elastic:0.5,thickness,flip,shift:2`: each name with an optional strength (1 when left
    /// out; shift takes whole pixels, 2 when left out); `none` for no augmentation.
    public var spec: String {
        var parts: [String] = []
        func add(_ name: String, _ strength: Double) {
            guard strength != 0 else { return }
            parts.append(strength == 1 ? name : "\(name):\(strength)")
        }
        add("affine", affine)
        add("elastic", elastic)
        add("thickness", thickness)
        if flip { parts.append("flip") }
        if shift != 0 { parts.append(shift == 2 ? "shift" : "shift:\(shift)") }
        return parts.isEmpty ? "none" : parts.joined(separator: ",")
    }

    /// Parses the spelling of `spec`; nil for an unknown name, a repeated one or a strength out of range.
    public init?(spec: String) {
        self.init()
        let text = spec.lowercased().trimmingCharacters(in: .whitespaces)
        if text == "none" { return }
        var seen = Set<String>()
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            let pieces = part.trimmingCharacters(in: .whitespaces).split(separator: ":", maxSplits: 1).map(String.init)
            guard let name = pieces.first, seen.insert(name).inserted else { return nil }
            let value = pieces.count == 2 ? Double(pieces[1]) : nil
            if pieces.count == 2 && value == nil { return nil }
            switch name {
            case "affine", "elastic", "thickness":
                let strength = value ?? 1
                guard strength >= 0 && strength <= Self.strengthLimit else { return nil }
                switch name {
                case "affine": affine = strength
                case "elastic": elastic = strength
                default: thickness = strength
                }
            case "flip":
                guard value == nil else { return nil }
                flip = true
            case "shift":
                let pixels = value ?? 2
                guard pixels == pixels.rounded(), pixels >= 0, pixels <= Double(Self.shiftLimit) else { return nil }
                shift = Int(pixels)
            default:
                return nil
            }
        }
    }

    /// What each distortion does at strength 1, in a sentence each, for help texts.
    public static var rangesDescription: String {
        "affine: rotation ±\(rotationDegrees.shortText)°, scale ±\((scaleRange * 100).shortText)%, shear ±\(shearRange.shortText), "
            + "translation ±\(translationPixels.shortText) px; elastic: Simard's field, σ \(elasticSigma.shortText) px, α \(elasticAlpha.shortText) px; "
            + "thickness: strokes up to 1 px thicker or ½ px thinner; flip: mirrored half the time (clothes, not digits); "
            + "shift:N: moved by up to N whole pixels (2 when N is left out)."
    }

    /// The names `spec` accepts, for error messages and help.
    public static let names = ["affine", "elastic", "thickness", "flip", "shift"]
}

extension Augmentation {
    /// The distortion of the image and epoch that `key` names. Every scalar is drawn whether or not
    /// its distortion is on, so switching one distortion on leaves the others' draws as they were.
    public func distortion(for key: AugmentationKey) -> Distortion {
        guard !isNone else { return Distortion() }
        var random = key.random
        func symmetric() -> Double { 2 * random.nextUnit() - 1 }
        var d = Distortion()
        d.rotation = symmetric() * Self.rotationDegrees * .pi / 180 * affine
        d.scale = 1 + symmetric() * Self.scaleRange * affine
        d.shear = symmetric() * Self.shearRange * affine
        d.translation = (symmetric() * Self.translationPixels * affine, symmetric() * Self.translationPixels * affine)
        let thicken = symmetric() * thickness
        d.thickening = thicken > 0 ? thicken : thicken / 2  // see `thickness`
        d.mirror = random.nextUnit() < 0.5 && flip
        let span = Double(2 * shift + 1)
        d.shift = (Int(random.nextUnit() * span) - shift, Int(random.nextUnit() * span) - shift)
        d.elasticAlpha = Self.elasticAlpha * elastic
        d.noise = random
        return d
    }
}

/// One image's distortion, fully decided: what `Augmenter` applies. Random ones come from
/// `Augmentation.distortion(for:)`; fixed ones (a digit rotated by 20°, slanted, thickened) are
/// written down directly, to test a model against.
public struct Distortion: Sendable {
    /// Radians; the picture turns anticlockwise for positive angles.
    public var rotation = 0.0
    /// Above 1 the picture grows.
    public var scale = 1.0
    /// Horizontal shear: positive slants the tops of strokes to the right, like italics.
    public var shear = 0.0
    /// Pixels, fractional (resampled).
    public var translation = (x: 0.0, y: 0.0)
    /// Pixels of dilation (positive) or erosion (negative).
    public var thickening = 0.0
    /// The elastic field's α in pixels (Simard's σ); 0 for none. Its noise comes from `noise`.
    public var elasticAlpha = 0.0
    public var noise = SeededRandom(seed: 0, stream: "augment")
    /// Whole pixels, zeros coming in.
    public var shift = (x: 0, y: 0)
    /// Mirrored left to right.
    public var mirror = false

    public init(
        rotation: Double = 0, scale: Double = 1, shear: Double = 0, translation: (x: Double, y: Double) = (0, 0),
        thickening: Double = 0, shift: (x: Int, y: Int) = (0, 0), mirror: Bool = false
    ) {
        (self.rotation, self.scale, self.shear, self.translation) = (rotation, scale, shear, translation)
        (self.thickening, self.shift, self.mirror) = (thickening, shift, mirror)
    }

    /// Whether it resamples the picture (not only shifts or mirrors it).
    var isWarp: Bool { rotation != 0 || scale != 1 || shear != 0 || translation != (0, 0) || elasticAlpha != 0 }

    public var isIdentity: Bool { !isWarp && thickening == 0 && shift == (0, 0) && !mirror }
}

/// The random numbers that decide one image's distortion in one epoch.
public struct AugmentationKey: Sendable, Equatable {
    public var seed: UInt64
    public var epoch: Int
    public var index: Int

    public init(seed: UInt64, epoch: Int, index: Int) {
        (self.seed, self.epoch, self.index) = (seed, epoch, index)
    }

    /// The generator for this image: its own stream, so distortions never disturb the data order
    /// or the initial weights.
    var random: SeededRandom {
        SeededRandom(
            seed: seed, stream: "augment",
            index: UInt64(truncatingIfNeeded: epoch) << 32 | UInt64(truncatingIfNeeded: index))
    }
}
