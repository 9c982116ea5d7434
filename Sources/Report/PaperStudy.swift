import Model

/// A published experiment rerun here: its source, the parts it compares (each an ablation of its
/// own, with the same seeds, so that a seed's cells share their split and batch order across
/// parts), what the paper reported, and how our setup differs from theirs. The budget (epochs,
/// seeds, learning rates) is the command line's; the claims are judged in `PaperStudyResults`.
public struct PaperStudy: Sendable {
    /// `gelu-2016`: what `--study` takes.
    public let name: String
    /// Authors, title, year, and the figure or table rerun.
    public let source: String
    public let title: String
    public let parts: [Part]
    /// What the paper compares the activations on.
    public let measure: Measure
    /// The paper's own setup, in a sentence.
    public let paperSetup: String
    /// Every way our setup differs from the paper's.
    public let differences: [String]
    /// Take snapshots of each layer's outputs through the first epoch (Glorot & Bengio's Figure 2).
    public let tracesFirstEpoch: Bool

    public enum Measure: Sendable {
        /// The median over seeds of the last epoch's training loss, with dropout off (Hendrycks &
        /// Gimpel's figure); the learning rate chosen by median validation loss.
        case trainingLoss
        /// Test error at the learning rate with the lowest median validation error (Glorot & Bengio's table).
        case testError
    }

    /// One arm of the study: activations trained with one variation of the shared settings.
    public struct Part: Sendable {
        /// A folder name: `dropout`.
        public let id: String
        public let label: String
        public let activations: [Activation]
        public let dropout: Double?
        public let initialization: Initialization?
        /// The paper's figure for an activation, in words, where the paper gives one.
        public let paper: [(activation: Activation, text: String)]

        /// The shared settings with this part's variation.
        public func config(from base: TrainingConfig) -> TrainingConfig {
            var config = base
            if let dropout { config.dropout = dropout }
            if let initialization { config.initialization = initialization }
            return config
        }

        public func paper(for activation: Activation) -> String? { paper.first { $0.activation == activation }?.text }
    }

    public static let all = [gelu2016, glorot2010]

    public static func named(_ name: String) -> PaperStudy? { all.first { $0.name == name } }

    /// The label of `activation` within `part`: `tanh (normalized init)`.
    public func label(_ activation: Activation, in part: Part) -> String {
        Self.name(activation) + (parts.count > 1 ? " (\(part.label))" : "")
    }

    /// An activation by the papers' name: Swish with β = 1 is the SiLU they compare.
    public static func name(_ activation: Activation) -> String {
        activation == .swish(beta: 1) ? "silu" : activation.spec
    }

    // MARK: The studies

    /// Hendrycks & Gimpel's MNIST classification experiment: eight layers of 128 trained with
    /// Adam, with and without dropout, GELU against ReLU, ELU and SiLU.
    public static let gelu2016: PaperStudy = {
        let four: [Activation] = [.gelu, .relu, .elu(alpha: 1), .swish(beta: 1)]
        let paper: [(activation: Activation, text: String)] = four.map {
            switch $0 {
            case .gelu: return ($0, "Figure 3: the lowest median training log loss")
            case .swish: return ($0, "above GELU's curve, usually below ReLU's and ELU's")
            default: return ($0, "above GELU's curve")
            }
        }
        return PaperStudy(
            name: "gelu-2016",
            source:
                "Hendrycks & Gimpel, \"Gaussian Error Linear Units (GELUs)\", 2016 (arXiv:1606.08415), Figure 3 (MNIST classification); their code: github.com/hendrycks/GELUs mnist_fcn.py",
            title: "GELU against ReLU, ELU and SiLU in a deep MNIST network (Hendrycks & Gimpel 2016)",
            parts: [
                Part(
                    id: "no-dropout", label: "no dropout", activations: four, dropout: 0, initialization: nil,
                    paper: paper),
                Part(
                    id: "dropout", label: "dropout 0.5", activations: four, dropout: 0.5, initialization: nil,
                    paper: paper)
            ],
            measure: .trainingLoss,
            paperSetup:
                "784 → 8 × 128 → 10, weights with unit-norm rows, biases 0, Adam (constant rate), batch 128, 50 epochs, 5,000 training images held out, the rate tuned over 1e-3, 1e-4, 1e-5 on them, dropout off and with keep rate 0.5 after every hidden layer, each curve the median of 5 runs; the training loss is each batch's before its step, with dropout off.",
            differences: [
                "GELU is the exact x·Φ(x) (with erf); their code uses the tanh approximation, which differs from it by at most 0.00047 (at x ≈ −2.7).",
                "Unit-norm rows: each unit's incoming weights are drawn from N(0, 1) and scaled to norm 1, as their l2_normalize over each column of W does; the draws come from our seeded generator, not TensorFlow's.",
                "Their batches are drawn by TensorFlow's MNIST reader (reshuffled each epoch, the last partial batch dropped); ours are a seeded shuffle per epoch, the last batch smaller. Their validation images are the reader's fixed last 5,000; ours a seeded 5,000.",
                "The training loss is each batch's, averaged over the epoch, measured before its step with dropout off, as theirs; they log every batch and plot the median curve, we give one point per epoch.",
                "The default budget trains fewer epochs and seeds, at one rate (see the budget line); --full trains the paper's 50 epochs, 5 seeds and 3 rates."
            ],
            tracesFirstEpoch: false)
    }()

    /// Glorot & Bengio's Table 1, MNIST column: five layers of 1,000, plain SGD with batches of 10,
    /// sigmoid, tanh and softsign with their "standard" initialisation, tanh and softsign "normalized".
    public static let glorot2010 = PaperStudy(
        name: "glorot-2010",
        source:
            "Glorot & Bengio, \"Understanding the difficulty of training deep feedforward neural networks\", AISTATS 2010, Table 1 (MNIST column) and Figure 2",
        title: "Sigmoid, tanh and softsign with standard and normalized initialisation (Glorot & Bengio 2010)",
        parts: [
            Part(
                id: "standard-init", label: "standard init", activations: [.sigmoid, .tanh, .softsign],
                dropout: nil, initialization: .standard,
                paper: [(.sigmoid, "2.21% test error"), (.tanh, "1.76%"), (.softsign, "1.64%")]),
            Part(
                id: "normalized-init", label: "normalized init", activations: [.tanh, .softsign], dropout: nil,
                initialization: .xavier, paper: [(.tanh, "1.64%"), (.softsign, "1.72%")])
        ],
        measure: .testError,
        paperSetup:
            "784 → 5 × 1000 → 10, softmax and negative log-likelihood, plain SGD (no momentum) with minibatches of 10, biases 0, the learning rate chosen on validation error, 50,000 / 10,000 / 10,000 images for training, validation and test, trained until validation error stopped improving (their Figure 2 was measured on Shapeset-3×2 with 4 hidden layers, over 100s of epochs).",
        differences: [
            "Our validation images are a seeded 10,000 of the 60,000 training images, not the standard last 10,000.",
            "They trained until the validation error stopped improving (millions of updates); the default budget trains one epoch of 20,000 images (2,000 updates) at one rate with a constant schedule, to finish in minutes (see the budget line), so its errors are those of a network early in training, not of a finished one; --full trains their 50,000 images for 10 epochs at four rates.",
            "Their rates were tuned per activation over a range they do not list; ours over the rates on the budget line.",
            "The first-epoch trace is ours: mean and spread of each layer's outputs on 500 held-out MNIST images, from the start through the first epoch; their Figure 2 shows 4 layers on Shapeset-3×2 over 100s of epochs, and they say only that other data sets behave alike.",
            "Each figure is the mean over our seeds; the paper gives one number per activation."
        ],
        tracesFirstEpoch: true)
}
