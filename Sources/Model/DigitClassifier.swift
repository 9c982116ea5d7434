import Dataset

/// A trained network ready to read people's own pictures: `trainer predict` and `trainer serve`
/// both go through it, so a digit drawn in the browser is prepared and classified exactly like a
/// PNG on the command line.
public struct DigitClassifier: Sendable {
    public let network: MLP<Float>
    /// The side of the square image the network takes (28 for MNIST).
    public let side: Int
    /// A name per output class: the data set's names when it is a known one, else "0", "1", ...
    public let classNames: [String]

    /// Why a network cannot read pictures.
    public enum Problem: Error, Equatable, CustomStringConvertible {
        /// The input width is not a square number of pixels.
        case notSquare(inputs: Int)

        public var description: String {
            switch self {
            case .notSquare(let inputs): return "takes \(inputs) inputs, which is not a square image"
            }
        }
    }

    public init(network: MLP<Float>, dataset: DatasetKind?) throws {
        guard let side = network.architecture.imageSide else {
            throw Problem.notSquare(inputs: network.architecture.inputs)
        }
        self.network = network
        self.side = side
        let classes = network.architecture.outputs
        classNames =
            dataset.map(\.classNames).flatMap { $0.count == classes ? $0 : nil } ?? (0..<classes).map(String.init)
    }

    /// The views a picture is read through: the model's own (`--tta` when it was trained) unless changed.
    public var views = TestTimeAugmentation.single

    public init(checkpoint: Checkpoint) throws {
        try self.init(network: checkpoint.model, dataset: checkpoint.datasetKind)
        views = checkpoint.config.testTimeAugmentation
    }

    /// Prepares `picture` the way MNIST was made (or only scales it, with `preprocess: false`) and
    /// classifies it.
    public func read(_ picture: GrayImage, preprocess: Bool = true) -> DigitReading {
        let input: InkImage
        var inverted = false
        if preprocess {
            let prepared = DigitPreprocessing.mnistStyle(picture, side: side)
            guard let image = prepared.image else {
                return DigitReading(
                    image: nil, inverted: prepared.inverted, preprocessed: true, probabilities: [],
                    classNames: classNames, problem: prepared.problem ?? "no ink", views: views.views)
            }
            input = image
            inverted = prepared.inverted
        } else {
            input = DigitPreprocessing.unprocessed(picture, side: side)
        }
        let probabilities = views.views == 1 ? network.probabilities(input.pixels)[0] : meanProbabilities(input.pixels)
        return DigitReading(
            image: input, inverted: inverted, preprocessed: preprocess, probabilities: probabilities,
            classNames: classNames, problem: nil, views: views.views)
    }
}

extension DigitClassifier {
    /// The mean over `views` of the probabilities of one image.
    func meanProbabilities(_ pixels: [Float]) -> [Float] {
        let workspace = Workspace<Float>(architecture: network.architecture, capacity: 1)
        var moved = [Float](repeating: 0, count: pixels.count)
        let mean = pixels.withUnsafeBufferPointer { p in
            moved.withUnsafeMutableBufferPointer { m in
                views.probabilities(
                    model: network, pixels: p.baseAddress!, rows: 1, height: side, width: side, workspace: workspace,
                    team: nil, scratch: m.baseAddress!)
            }
        }
        return mean.map(Float.init)
    }
}

/// What a classifier made of one picture.
public struct DigitReading: Sendable {
    /// The image the network saw, `side × side` ink levels in [0, 1]; nil when no digit was found.
    public let image: InkImage?
    /// Whether the picture was inverted (it had dark ink on light paper).
    public let inverted: Bool
    /// Whether MNIST-style preprocessing was applied (false: the picture was only scaled).
    public let preprocessed: Bool
    /// One probability per class, in class order; empty when no digit was found.
    public let probabilities: [Float]
    public let classNames: [String]
    /// Why there is no digit, when there is none.
    public let problem: String?
    /// How many views the probabilities are the mean of (1, or the test-time augmentation's 5 or 9).
    public let views: Int

    /// The classes from most to least likely, at most `top` of them.
    public func ranked(top: Int) -> [(name: String, probability: Float)] {
        let order = probabilities.indices.sorted {
            probabilities[$0] > probabilities[$1] || (probabilities[$0] == probabilities[$1] && $0 < $1)
        }
        return order.prefix(max(0, top)).map { (classNames[$0], probabilities[$0]) }
    }

    /// The most likely class and its probability; nil when no digit was found.
    public var best: (name: String, probability: Float)? { ranked(top: 1).first }

    /// Whether the most likely class reaches `minimum` probability.
    public func isConfident(minimum: Double) -> Bool {
        guard let best else { return false }
        return Double(best.probability) >= minimum
    }
}
