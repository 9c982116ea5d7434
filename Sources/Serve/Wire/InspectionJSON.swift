import Foundation
import Model

/// The JSON object of one inspected digit: what `inspect --json` prints per file and model, what
/// `serve`'s `POST /api/inspect` answers, and what `inspect -o page.html` draws.
/// - `digit`, `probability`, `probabilities`, `inverted`, `preprocessed`, `side`, `image` as in
///   `PredictionRecord` (with `digit: null`, `warning` and `reason` when no digit was found);
/// - `layers`: per hidden layer `activation`, `width`, `pre_activations`, `activations`, `states`
///   (0 active, 1 off, 2 saturated for this input), `off_fraction`, `saturated_fraction` and
///   `top_units` (`unit`, `contribution`: activation × ∂ log p / ∂ activation), and `curve`
///   (`range`, `f`, `df`: the activation and its derivative sampled over ±range, `ActivationCurve`);
/// - `saliency`: ∂ log p(digit) / ∂ pixel, and `input_times_gradient`, both `side × side`.
public struct InspectionRecord {
    public var file: String?
    public var model: String?
    public let reading: PredictionRecord
    public let inspection: Inspection?
    public let classNames: [String]
    public let topUnits: Int
    /// Each hidden layer's f and f′ over the range its pre-activations are drawn on.
    let curves: [ActivationCurve]

    public init(
        _ reading: DigitReading, inspector: Inspector, minConfidence: Double, topUnits: Int = 5, file: String? = nil,
        model: String? = nil
    ) {
        self.file = file
        self.model = model
        self.reading = PredictionRecord(
            reading, top: reading.classNames.count, minConfidence: minConfidence, image: true)
        inspection = reading.image.map { inspector.inspect($0.pixels) }
        classNames = reading.classNames
        self.topUnits = topUnits
        curves = (inspection?.layers ?? []).enumerated().map { l, layer in
            ActivationCurve(
                layer.activation, slope: inspector.network.meanSlope(ofLayer: l),
                range: ActivationCurve.range(for: layer.preActivations))
        }
    }

    /// The record as one line of JSON: the reading's keys sorted, then the inspection's.
    ///
    /// The inspection's numbers (about 3,000 for a 784-256-128 network) are written here rather
    /// than by `JSONEncoder`, whose per-element machinery took most of an `/api/inspect` answer's
    /// time (Float's own shortest round-trip text is the same digits, about five times faster).
    public var json: [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var text = String(decoding: (try? encoder.encode(reading)) ?? Data("{}".utf8), as: UTF8.self)
        text.removeLast()  // the reading's closing brace: the inspection's fields follow
        func string(_ value: String) -> String {
            String(decoding: (try? encoder.encode([value])) ?? Data("[\"\"]".utf8), as: UTF8.self).dropFirst()
                .dropLast().description
        }
        func numbers(_ values: [Float]) -> String {
            var out = "["
            out.reserveCapacity(values.count * 11)
            for (i, v) in values.enumerated() {
                if i > 0 { out += "," }
                out += v.isFinite ? v.description : "null"
            }
            return out + "]"
        }
        if let file { text += ",\"file\":" + string(file) }
        if let model { text += ",\"model\":" + string(model) }
        guard let inspection else { return Array((text + ",\"layers\":[],\"saliency\":null}").utf8) }
        let layers = zip(inspection.layers, curves).map { layer, curve -> String in
            let top = layer.topUnits(topUnits).map {
                "{\"contribution\":\(numbers([layer.contributions[$0]]).dropFirst().dropLast()),\"unit\":\($0)}"
            }
            let curveJSON =
                "{\"df\":" + numbers(curve.derivatives) + ",\"f\":" + numbers(curve.values)
                + ",\"range\":\(curve.range)}"
            return "{\"activation\":" + string(layer.activation.spec) + ",\"activations\":" + numbers(layer.activations)
                + ",\"curve\":" + curveJSON
                + ",\"off_fraction\":\(layer.offFraction),\"pre_activations\":" + numbers(layer.preActivations)
                + ",\"saturated_fraction\":\(layer.saturatedFraction),\"states\":["
                + layer.states.map { String($0.rawValue) }.joined(separator: ",")
                + "],\"top_units\":[" + top.joined(separator: ",") + "],\"width\":\(layer.activations.count)}"
        }
        text +=
            ",\"input_times_gradient\":" + numbers(inspection.inputTimesGradient) + ",\"layers\":["
            + layers.joined(separator: ",")
            + "],\"saliency\":" + numbers(inspection.saliency) + "}"
        return Array(text.utf8)
    }
}
