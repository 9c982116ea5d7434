import Foundation
import Model

/// The JSON object of one reading: what `predict --json` prints per file and what `serve`'s
/// `POST /api/predict` answers, so scripts can switch between them.
/// - `digit` (null when no digit was found, with `warning` and `reason`), `probability`, `top`,
///   `probabilities` (every class, in class order), `inverted`, `preprocessed`, `views` (how many
///   shifted copies the probabilities are the mean of: 1, 5 or 9, as `--tta`);
/// - `warning: "not confident"` below the confidence threshold;
/// - with an image: `side` and `image`, the `side × side` ink levels the model saw, row by row.
public struct PredictionRecord: Encodable {
    public struct Ranked: Encodable {
        let `class`: String
        let probability: Double
    }

    public var file: String?
    public var digit: String?
    public var probability: Double?
    public var top: [Ranked]?
    public var probabilities: [Double]?
    public var inverted: Bool
    public var preprocessed: Bool
    public var views: Int
    public var warning: String?
    public var reason: String?
    public var side: Int?
    public var image: [Double]?
    /// Whether `image` is a key of the object (null when no digit was found).
    public var withImage: Bool

    public init(_ reading: DigitReading, top: Int, minConfidence: Double, image withImage: Bool, file: String? = nil) {
        self.file = file
        inverted = reading.inverted
        preprocessed = reading.preprocessed
        views = reading.views
        self.withImage = withImage
        guard let best = reading.best else {
            warning = "no digit found"
            reason = reading.problem ?? ""
            return
        }
        digit = best.name
        probability = Double(best.probability)
        self.top = reading.ranked(top: top).map { Ranked(class: $0.name, probability: Double($0.probability)) }
        probabilities = reading.probabilities.map(Double.init)
        if !reading.isConfident(minimum: minConfidence) { warning = "not confident" }
        if withImage, let seen = reading.image {
            side = seen.width
            // Four decimals are finer than the 8-bit pixels a PNG of it holds, and keep the line short.
            image = seen.pixels.map { (Double($0) * 10_000).rounded() / 10_000 }
        }
    }

    public enum CodingKeys: String, CodingKey {
        case file, digit, probability, top, probabilities, inverted, preprocessed, views, warning, reason, side, image
    }

    public func encode(to encoder: Encoder) throws {
        var out = encoder.container(keyedBy: CodingKeys.self)
        try out.encodeIfPresent(file, forKey: .file)
        try out.encode(digit, forKey: .digit)  // null when no digit was found
        try out.encodeIfPresent(probability, forKey: .probability)
        try out.encodeIfPresent(top, forKey: .top)
        try out.encodeIfPresent(probabilities, forKey: .probabilities)
        try out.encode(inverted, forKey: .inverted)
        try out.encode(preprocessed, forKey: .preprocessed)
        try out.encode(views, forKey: .views)
        try out.encodeIfPresent(warning, forKey: .warning)
        try out.encodeIfPresent(reason, forKey: .reason)
        try out.encodeIfPresent(side, forKey: .side)
        if withImage { try out.encode(image, forKey: .image) }
    }

    /// The record as one line of JSON, keys sorted.
    public var json: [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array((try? encoder.encode(self)) ?? Data("{}".utf8))
    }
}
