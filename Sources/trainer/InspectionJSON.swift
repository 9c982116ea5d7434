import Foundation
import Model

/// The JSON object of one inspected digit: what `inspect --json` prints per file and model, what
/// `serve`'s `POST /api/inspect` answers, and what `inspect -o page.html` draws.
/// - `digit`, `probability`, `probabilities`, `inverted`, `preprocessed`, `side`, `image` as in
///   `PredictionRecord` (with `digit: null`, `warning` and `reason` when no digit was found);
/// - `layers`: per hidden layer `activation`, `width`, `pre_activations`, `activations`, `states`
///   (0 active, 1 dead, 2 saturated for this input), `dead_fraction`, `saturated_fraction` and
///   `top_units` (`unit`, `contribution`: activation × ∂ log p / ∂ activation);
/// - `saliency`: ∂ log p(digit) / ∂ pixel, and `input_times_gradient`, both `side × side`.
struct InspectionRecord: Encodable {
    var file: String?
    var model: String?
    let reading: PredictionRecord
    let inspection: Inspection?
    let classNames: [String]
    let topUnits: Int

    init(_ reading: DigitReading, inspector: Inspector, minConfidence: Double, topUnits: Int = 5, file: String? = nil, model: String? = nil) {
        self.file = file
        self.model = model
        self.reading = PredictionRecord(reading, top: reading.classNames.count, minConfidence: minConfidence, image: true)
        inspection = reading.image.map { inspector.inspect($0.pixels) }
        classNames = reading.classNames
        self.topUnits = topUnits
    }

    private enum Keys: String, CodingKey {
        case file, model, layers, saliency, inputTimesGradient = "input_times_gradient"
    }

    private enum LayerKeys: String, CodingKey {
        case activation, width, preActivations = "pre_activations", activations, states
        case deadFraction = "dead_fraction", saturatedFraction = "saturated_fraction", topUnits = "top_units"
    }

    private struct TopUnit: Encodable {
        let unit: Int
        let contribution: Float
    }

    func encode(to encoder: Encoder) throws {
        try reading.encode(to: encoder)
        var out = encoder.container(keyedBy: Keys.self)
        try out.encodeIfPresent(file, forKey: .file)
        try out.encodeIfPresent(model, forKey: .model)
        guard let inspection else {
            try out.encode([Int](), forKey: .layers)
            try out.encodeNil(forKey: .saliency)
            return
        }
        var layers = out.nestedUnkeyedContainer(forKey: .layers)
        for layer in inspection.layers {
            var l = layers.nestedContainer(keyedBy: LayerKeys.self)
            try l.encode(layer.activation.spec, forKey: .activation)
            try l.encode(layer.activations.count, forKey: .width)
            try l.encode(layer.preActivations, forKey: .preActivations)
            try l.encode(layer.activations, forKey: .activations)
            try l.encode(layer.states.map(\.rawValue), forKey: .states)
            try l.encode(layer.deadFraction, forKey: .deadFraction)
            try l.encode(layer.saturatedFraction, forKey: .saturatedFraction)
            try l.encode(layer.topUnits(topUnits).map { TopUnit(unit: $0, contribution: layer.contributions[$0]) }, forKey: .topUnits)
        }
        try out.encode(inspection.saliency, forKey: .saliency)
        try out.encode(inspection.inputTimesGradient, forKey: .inputTimesGradient)
    }

    /// The record as one line of JSON, keys sorted.
    var json: [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        return Array((try? encoder.encode(self)) ?? Data("{}".utf8))
    }
}
