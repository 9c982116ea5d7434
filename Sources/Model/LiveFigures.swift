import Dataset

/// A network's inner state as it trains, measured on a fixed handful of held-out images: what the
/// playground draws several times a second (loss, per-layer gradient norms, dead and saturated
/// units, pre-activation histograms, the first layer's weight pictures).
public struct LiveFigures: Sendable, Equatable, Codable {
    /// Loss and accuracy on the probe images (held out, so a live validation estimate).
    public var loss: Double
    public var accuracy: Double
    public var layers: [Layer]
    /// The first layer's most active units, then its least active, as weight pictures.
    public var units: [UnitPicture]

    public struct Layer: Sendable, Equatable, Codable {
        public var activation: String
        /// Units dead on every probe image: their derivative was zero on all of them (a ReLU never
        /// positive, every step unit), so this layer's weights into them learn nothing.
        public var deadFraction: Double
        /// Units not dead whose mean |f′| over the probe images is below `Inspection.saturationThreshold`
        /// of the activation's steepest slope: sigmoid and tanh pinned in their tails. Never a
        /// piecewise-linear unit (a ReLU that fires on few images is rarely on, not saturated).
        public var saturatedFraction: Double
        public var meanActivation: Double
        /// ‖∂L/∂W‖ of this layer's weights for the mean loss over the probe images.
        public var gradientNorm: Double
        /// Pre-activations counted in `LiveFigures.histogramBins` equal bins over ±`histogramRange`;
        /// `below` and `above` count the ones outside.
        public var histogram: [Int]
        public var below: Int
        public var above: Int
        /// f and f′ over the histogram's range (a PReLU layer's at its mean learned slope).
        public var curve: ActivationCurve
    }

    /// One first-layer unit's incoming weights as a picture of the input: what this unit looks for.
    public struct UnitPicture: Sendable, Equatable, Codable {
        public var unit: Int
        /// Its mean activation over the probe images.
        public var activity: Double
        /// The largest |weight|; `weights` are the weights divided by it, times 127, rounded.
        public var scale: Float
        public var weights: [Int8]
    }

    /// First-layer unit `unit`'s incoming weights, one per input, as int8s scaled so that the largest
    /// |weight| (`scale`) is 127: a picture needs no more, and 784 bytes travel well.
    public static func picture(ofUnit unit: Int, in model: MLP<Float>) -> (scale: Float, weights: [Int8]) {
        let first = model.layers[0]
        precondition((0..<first.outputs).contains(unit))
        let row = model.parameters[
            first.weight.lowerBound + unit * first.inputs..<first.weight.lowerBound + (unit + 1) * first.inputs]
        let scale = row.reduce(Float(0)) { $1.isFinite ? max($0, abs($1)) : $0 }
        return (scale, row.map { scale > 0 && $0.isFinite ? Int8(($0 / scale * 127).rounded()) : 0 })
    }

    public static let histogramRange: Float = 8
    public static let histogramBins = 64
}

/// Measures `LiveFigures` for any state of one architecture, on buffers made once.
public final class LiveProbe {
    public let architecture: Architecture
    private let images: [Float]
    private let labels: [Int32]
    let workspace: Workspace<Float>
    /// How many units of the first layer are pictured, from each end of the activity ranking.
    public let picturedUnits: Int
    /// The objective whose gradient the figures' norms measure: the one the run trains with.
    public let objective: TrainingObjective

    /// Probes on `data` (a few hundred held-out images suffice: the figures are shares and norms).
    public init(
        architecture: Architecture, data: DigitDataset, picturedUnits: Int = 8,
        objective: TrainingObjective = TrainingObjective()
    ) {
        precondition(data.count > 0 && data.featureCount == architecture.inputs)
        self.architecture = architecture
        self.objective = objective
        var images = [Float](repeating: 0, count: data.count * data.featureCount)
        images.withUnsafeMutableBufferPointer { data.copyImages(0..<data.count, to: $0.baseAddress!) }
        self.images = images
        labels = data.labels.map(Int32.init)
        workspace = Workspace<Float>(architecture: architecture, capacity: data.count)
        self.picturedUnits = min(picturedUnits, architecture.hidden[0])
    }

    public var count: Int { labels.count }

    /// One forward and backward pass over the probe images with `model`'s weights; changes nothing in `model`.
    public func measure(_ model: MLP<Float>) -> LiveFigures {
        precondition(model.architecture == architecture)
        let rows = count, classes = architecture.outputs
        let (loss, correct) = images.withUnsafeBufferPointer { x in
            labels.withUnsafeBufferPointer { y in
                model.forward(x.baseAddress!, rows: rows, workspace: workspace)
                let result = SoftmaxCrossEntropy.evaluate(
                    logits: workspace.logits, labels: y.baseAddress!, rows: rows, classes: classes,
                    gradient: workspace.logitGradient, gradientScale: 1 / Float(rows))
                for r in 0..<rows {
                    objective.adjust(
                        workspace.logitGradient + r * classes, label: Int(y[r]), classes: classes,
                        scale: 1 / Float(rows))
                }
                return result
            }
        }
        // The pre-activations are read before backward, which reuses no forward buffer but reads them.
        var layers: [LiveFigures.Layer] = []
        var firstLayerActivity: [Double] = []
        for (l, width) in architecture.hidden.enumerated() {
            let layer = model.layers[l], activation = architecture.activations[l]
            let pre = workspace.preActivations(layer: l), post = workspace.activations(layer: l)
            var steepest = [Double](repeating: 0, count: width), slopeSum = [Double](repeating: 0, count: width)
            var activity = [Double](repeating: 0, count: width)
            var histogram = [Int](repeating: 0, count: LiveFigures.histogramBins)
            var below = 0, above = 0
            let range = LiveFigures.histogramRange, bins = Float(LiveFigures.histogramBins)
            for r in 0..<rows {
                for j in 0..<width {
                    let z = pre[r * width + j]
                    // In Double: a Float sigmoid′ rounds to 0 past |z| ≈ 17, which would call a pinned unit dead.
                    let slope = layer.slope.isEmpty ? 0 : Double(model.parameters[layer.slope.lowerBound + j])
                    let derivative = abs(activation.derivative(Double(z), slope: slope))
                    steepest[j] = max(steepest[j], derivative)
                    slopeSum[j] += derivative
                    activity[j] += Double(post[r * width + j])
                    if !(z >= -range) {
                        below += 1
                    } else if z >= range {
                        above += 1
                    } else {
                        histogram[min(LiveFigures.histogramBins - 1, Int((z + range) / (2 * range) * bins))] += 1
                    }
                }
            }
            var dead = 0, saturated = 0
            for j in 0..<width {
                let peak =
                    layer.slope.isEmpty
                    ? activation.peakDerivative : max(1, Double(abs(model.parameters[layer.slope.lowerBound + j])))
                if steepest[j] == 0 {
                    dead += 1
                } else if !activation.isPiecewiseLinear
                    && slopeSum[j] / Double(rows) < Inspection.saturationThreshold * peak
                {
                    saturated += 1
                }
            }
            activity = activity.map { $0 / Double(rows) }
            if l == 0 { firstLayerActivity = activity }
            layers.append(
                LiveFigures.Layer(
                    activation: activation.spec, deadFraction: Double(dead) / Double(width),
                    saturatedFraction: Double(saturated) / Double(width),
                    meanActivation: activity.reduce(0, +) / Double(width),
                    gradientNorm: 0, histogram: histogram, below: below, above: above,
                    curve: ActivationCurve(
                        activation, slope: model.meanSlope(ofLayer: l), range: Double(LiveFigures.histogramRange))))
        }
        images.withUnsafeBufferPointer { model.backward($0.baseAddress!, rows: rows, workspace: workspace) }
        for l in layers.indices {
            var sum = 0.0
            for i in model.layers[l].weight { sum += Double(workspace.gradients[i]) * Double(workspace.gradients[i]) }
            layers[l].gradientNorm = sum.squareRoot()
        }
        let ranked = firstLayerActivity.indices.sorted {
            firstLayerActivity[$0] > firstLayerActivity[$1]
                || (firstLayerActivity[$0] == firstLayerActivity[$1] && $0 < $1)
        }
        let chosen =
            Array(ranked.prefix(picturedUnits))
            + Array(ranked.suffix(picturedUnits).reversed()).filter { !ranked.prefix(picturedUnits).contains($0) }
        let units = chosen.map { j -> LiveFigures.UnitPicture in
            let (scale, weights) = LiveFigures.picture(ofUnit: j, in: model)
            return LiveFigures.UnitPicture(unit: j, activity: firstLayerActivity[j], scale: scale, weights: weights)
        }
        return LiveFigures(
            loss: loss / Double(rows), accuracy: Double(correct) / Double(rows), layers: layers, units: units)
    }
}
