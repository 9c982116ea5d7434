/// Every hidden layer measured at an epoch's end on the same held-out images (`LiveProbe`'s
/// figures, one forward and one backward pass): how the layers change as a run goes, for its
/// TensorBoard log and its JSON lines. Asked for with `Training(probeImages:)`; it reads the
/// weights and changes nothing, so a run's numbers are the same with it or without.
public struct EpochProbe: Sendable, Equatable, Codable {
    /// The held-out images measured on (the first of the validation split, or of the training set without one).
    public var images: Int
    public var layers: [Layer]
    /// How long the measurement took: what the probe adds to each epoch.
    public var seconds: Double
    /// Per layer of the network, hidden layers first and the output layer last; not saved with the
    /// record (a checkpoint's history stays small), only handed to observers.
    public var histograms: [LayerHistograms] = []

    public struct Layer: Sendable, Equatable, Codable {
        /// `LiveFigures.Layer`'s: units whose derivative was zero on every probe image.
        public var deadFraction: Double
        /// `LiveFigures.Layer`'s: units pinned where the activation is flat.
        public var saturatedFraction: Double
        public var meanActivation: Double
        /// ‖∂L/∂W‖ of this layer's weights for the mean loss over the probe images.
        public var gradientNorm: Double
    }

    /// A layer's weights, and for a hidden layer its pre-activations and activations on the probe images.
    public struct LayerHistograms: Sendable, Equatable {
        public var weights: Histogram
        public var preActivations: Histogram?
        public var activations: Histogram?
    }

    private enum CodingKeys: String, CodingKey { case images, layers, seconds }

    init(figures: LiveFigures, histograms: [LayerHistograms], images: Int, seconds: Double) {
        (self.images, self.seconds) = (images, seconds)
        layers = figures.layers.map {
            Layer(
                deadFraction: $0.deadFraction, saturatedFraction: $0.saturatedFraction,
                meanActivation: $0.meanActivation, gradientNorm: $0.gradientNorm)
        }
        self.histograms = histograms
    }
}

extension LiveProbe {
    /// `measure`, and the histograms of each layer's weights and of each hidden layer's
    /// pre-activations and activations on the probe images, read from the same pass.
    public func measureWithHistograms(_ model: MLP<Float>) -> (LiveFigures, [EpochProbe.LayerHistograms]) {
        let figures = measure(model)
        // The forward buffers still hold this pass: backward writes none of them.
        let histograms = model.layers.enumerated().map { l, layer -> EpochProbe.LayerHistograms in
            let weights = model.parameters.withUnsafeBufferPointer {
                Histogram(UnsafeBufferPointer(rebasing: $0[layer.weight]))
            }
            guard l < architecture.hidden.count else { return EpochProbe.LayerHistograms(weights: weights) }
            let count = self.count * architecture.hidden[l]
            return EpochProbe.LayerHistograms(
                weights: weights,
                preActivations: Histogram(UnsafeBufferPointer(start: workspace.preActivations(layer: l), count: count)),
                activations: Histogram(UnsafeBufferPointer(start: workspace.activations(layer: l), count: count)))
        }
        return (figures, histograms)
    }
}
