/// What a run costs in floating-point operations, counted the way recipes are compared: the
/// training steps (epochs × training images × `Architecture.trainingFLOPsPerExample`) and the
/// test (test views × test images × one forward pass). Loading, augmenting and validating are
/// left out: they cost time, not products.
public struct TrainingCost: Sendable, Equatable {
    public let training: Double
    public let testing: Double

    /// The cost of `config` on a data set of `images` training images (the validation split is
    /// held out of them) and `testImages` test images of `inputs` pixels and `classes` classes.
    public init(_ config: TrainingConfig, images: Int, testImages: Int, inputs: Int = 784, classes: Int = 10) {
        let architecture = config.architecture(inputs: inputs, classes: classes)
        training =
            Double(config.epochs) * Double(max(0, images - config.validationCount))
            * architecture.trainingFLOPsPerExample
        testing = Double(config.testViews) * Double(testImages) * architecture.forwardFLOPsPerExample
    }

    public var total: Double { training + testing }
}
