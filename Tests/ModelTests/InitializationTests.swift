import Testing

import Dataset
@testable import Model

/// `--init`: each scheme's weights have the statistics it promises on a large layer (784 → 1000),
/// `auto` draws exactly what the network drew before schemes existed, and the schemes that share
/// the normal draws of a seed differ only by their scale.
@Suite struct InitializationTests {
    static let (inputs, outputs) = (784, 1000)

    /// The first layer's weights and biases of a network drawn with `scheme`.
    static func firstLayer(_ scheme: Initialization, _ activation: Activation = .relu) -> (
        weights: [Double], biases: [Double]
    ) {
        let architecture = Architecture(inputs: inputs, hidden: [outputs], activations: [activation], outputs: 10)
        let network = MLP<Float>(architecture: architecture, seed: 3, initialization: scheme)
        let layer = network.layers[0]
        return (layer.weight.map { Double(network.parameters[$0]) }, layer.bias.map { Double(network.parameters[$0]) })
    }

    static func meanAndStd(_ values: [Double]) -> (mean: Double, std: Double) {
        let mean = values.reduce(0, +) / Double(values.count)
        let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count)
        return (mean, variance.squareRoot())
    }

    @Test(arguments: [
        (Initialization.he, (2.0 / 784).squareRoot()), (.lecun, (1.0 / 784).squareRoot()),
        (.auto, (2.0 / 784).squareRoot())
    ])
    func normalSchemesHaveTheirStandardDeviation(_ scheme: Initialization, _ std: Double) {
        let (weights, biases) = Self.firstLayer(scheme)
        let stats = Self.meanAndStd(weights)
        // 784,000 draws: the sample std is within 0.3% of the true one, the mean within 0.4% of a std.
        #expect(abs(stats.std / std - 1) < 0.003, "\(scheme): std \(stats.std), expected \(std)")
        #expect(abs(stats.mean) < 0.004 * std, "\(scheme): mean \(stats.mean)")
        #expect(biases.allSatisfy { $0 == 0 })
    }

    @Test(arguments: [
        (Initialization.standard, 1 / 784.0.squareRoot()), (.xavier, (6.0 / (784 + 1000)).squareRoot())
    ])
    func uniformSchemesStayWithinTheirBound(_ scheme: Initialization, _ bound: Double) {
        let (weights, biases) = Self.firstLayer(scheme)
        let stats = Self.meanAndStd(weights)
        #expect(weights.allSatisfy { abs($0) <= bound }, "\(scheme): a weight beyond ±\(bound)")
        #expect(weights.map(abs).max()! > 0.999 * bound, "\(scheme) reaches its bound")
        // U[−b, b] has std b/√3.
        #expect(abs(stats.std / (bound / 3.0.squareRoot()) - 1) < 0.003, "\(scheme): std \(stats.std)")
        #expect(abs(stats.mean) < 0.004 * bound)
        #expect(biases.allSatisfy { $0 == 0 })
    }

    @Test func unitNormGivesEveryUnitWeightsOfNormOne() {
        let (weights, _) = Self.firstLayer(.unitNorm)
        for unit in 0..<Self.outputs {
            let row = weights[(unit * Self.inputs)..<((unit + 1) * Self.inputs)]
            let norm = row.reduce(0) { $0 + $1 * $1 }.squareRoot()
            #expect(abs(norm - 1) < 1e-5, "unit \(unit): norm \(norm)")
        }
        // Normal directions: each weight's std is 1/√fan-in.
        #expect(abs(Self.meanAndStd(weights).std * 784.0.squareRoot() - 1) < 0.003)
    }

    @Test func autoIsEachActivationsOwnRuleDrawnAsBefore() {
        // ReLU: He's normals; tanh: Glorot's normal, the same draws scaled by √(fan-in / (fan-in + fan-out)).
        #expect(Self.firstLayer(.auto, .relu).weights == Self.firstLayer(.he, .relu).weights)
        let tanh = Self.firstLayer(.auto, .tanh).weights, he = Self.firstLayer(.he, .tanh).weights
        let scale = (784.0 / (784 + 1000)).squareRoot()
        #expect(zip(tanh, he).allSatisfy { abs($0 - $1 * scale) <= 1e-6 * abs($0) + 1e-9 })
        // The network `Training` starts from is the one its setting asks for.
        var config = TrainingConfig()
        config.initialization = .xavier
        let trainSet = DigitDataset(
            levels: [UInt8](repeating: 0, count: 784 * 4), labels: [0, 1, 2, 3], rows: 28, cols: 28)
        config.validationCount = 0
        let state = Training(config: config, trainSet: trainSet).initialState()
        let architecture = config.architecture(inputs: 784)
        #expect(
            state.model.parameters
                == MLP<Float>(architecture: architecture, seed: 1, initialization: .xavier).parameters)
    }

    @Test func heAndLeCunShareTheSeedsDraws() {
        let he = Self.firstLayer(.he).weights, lecun = Self.firstLayer(.lecun).weights
        #expect(zip(he, lecun).allSatisfy { abs($0 - $1 * 2.0.squareRoot()) <= 1e-6 * abs($0) + 1e-9 })
    }
}
