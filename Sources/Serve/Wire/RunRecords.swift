import Foundation
import Model

/// The live figures of a training run (`RunEvent.live`): where it is, the training loss and
/// accuracy since the last report, its speed, and `LiveFigures` on the probe images. A diverging
/// run's figures may be NaN or infinite, which JSON cannot say: they go as null.
struct LiveRecord: Codable, Sendable {
    var epoch: Int
    var batch: Int
    var epochs: Int
    /// Epochs done, fractional: 1.5 is half-way through the second.
    var progress: Double
    var probe: ProbeRecord
    var measureSeconds: Double
    var batches: Int?
    var learningRate: Double?
    var trainLoss: Double?
    var trainAccuracy: Double?
    var samplesPerSecond: Double?

    enum CodingKeys: String, CodingKey {
        case epoch, batch, epochs, progress, probe, batches
        case measureSeconds = "measure_seconds", learningRate = "learning_rate", trainLoss = "train_loss"
        case trainAccuracy = "train_accuracy", samplesPerSecond = "samples_per_second"
    }

    /// Without the heavy parts (unit pictures, histograms), as a run's log keeps it for its curves.
    var compact: LiveRecord {
        var record = self
        record.probe.units = nil
        for l in record.probe.layers.indices {
            record.probe.layers[l].histogram = nil
            record.probe.layers[l].curve = nil
        }
        return record
    }
}

/// `LiveFigures` under the API's names; unit pictures as base64 int8s (784 bytes each).
struct ProbeRecord: Codable, Sendable {
    var loss: Double?
    var accuracy: Double
    var histogramRange: Double
    var layers: [Layer]
    var units: [Unit]?

    struct Layer: Codable, Sendable {
        var activation: String
        var deadFraction: Double
        var saturatedFraction: Double
        var meanActivation: Double?
        var gradientNorm: Double?
        /// Pre-activations in `LiveFigures.histogramBins` bins over ±`histogramRange`, and the counts beyond.
        var histogram: [Int]?
        var below: Int
        var above: Int
        /// f and f′ over the histogram's range, from `Model`'s code.
        var curve: ActivationCurve?

        enum CodingKeys: String, CodingKey {
            case activation, histogram, below, above, curve
            case deadFraction = "dead_fraction", saturatedFraction = "saturated_fraction"
            case meanActivation = "mean_activation", gradientNorm = "gradient_norm"
        }
    }

    struct Unit: Codable, Sendable {
        var unit: Int
        var activity: Double
        var scale: Double
        var weights: String
    }

    enum CodingKeys: String, CodingKey {
        case loss, accuracy, layers, units
        case histogramRange = "histogram_range"
    }

    init(_ figures: LiveFigures) {
        loss = figures.loss.finite
        accuracy = figures.accuracy
        histogramRange = Double(LiveFigures.histogramRange)
        layers = figures.layers.map {
            Layer(
                activation: $0.activation, deadFraction: $0.deadFraction, saturatedFraction: $0.saturatedFraction,
                meanActivation: $0.meanActivation.finite, gradientNorm: $0.gradientNorm.finite, histogram: $0.histogram,
                below: $0.below, above: $0.above, curve: $0.curve)
        }
        units = figures.units.map {
            Unit(
                unit: $0.unit, activity: $0.activity, scale: Double($0.scale),
                weights: Data($0.weights.map { UInt8(bitPattern: $0) }).base64EncodedString())
        }
    }
}

/// A finished run's test result (`RunEvent.result`).
struct ResultRecord: Codable, Sendable {
    var testAccuracy: Double
    var testLoss: Double?
    var epochs: Int
    var stoppedEarly: Bool
    /// The saved model's path.
    var model: String
    var warning: String?

    enum CodingKeys: String, CodingKey {
        case epochs, model, warning
        case testAccuracy = "test_accuracy", testLoss = "test_loss", stoppedEarly = "stopped_early"
    }
}

extension Double {
    /// Nil for NaN and infinities, which JSON cannot say.
    var finite: Double? { isFinite ? self : nil }
}
