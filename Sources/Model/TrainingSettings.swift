import Dataset
import Foundation

/// One training setting, written once: its name, where it lives in `TrainingConfig`, its default
/// (the value `TrainingConfig()` holds), the rule a value must keep, and its help text. The
/// command line's options, the playground's API and form, the checkpoint's metadata and the
/// summaries are all derived from `TrainingSettings.all`, so a setting cannot drift between them.
///
/// A value has one written form (`SettingValue.text`), read by `set` from the command line and from
/// the API (whose JSON values are turned into that form first: `[128, 128]` → `128,128`).
public struct TrainingSetting: Sendable, Identifiable {
    /// The name everywhere: the API's and the form's field, the page's address; with `-` for `_`,
    /// the command line's flag (`batch_size` → `--batch-size`).
    public let id: String
    /// Its short name for a person: "Batch size".
    public let label: String
    /// The key it is stored under in checkpoints and run records (the property's name; frozen, so
    /// that old files still load).
    public let key: String
    public let help: String
    /// What a valid value is, for errors: "a number in [0, 1)".
    public let rule: String
    /// A valid value away from the default, in its written form: what the tests set it to when they
    /// walk the table through the command line, the API and a checkpoint.
    public let sample: String
    /// How the page offers it.
    public let control: Control
    /// What an unset (nil) value means, for help texts: "none", "each activation's own".
    public let unsetMeaning: String
    /// The setting's value in `config`.
    public let value: @Sendable (TrainingConfig) -> SettingValue
    /// Sets the value written as `text`; false when it breaks the rule (nothing changed then).
    let parse: @Sendable (inout TrainingConfig, String) -> Bool
    /// Whether `config`'s value keeps the rule.
    let keepsRule: @Sendable (TrainingConfig) -> Bool
    let decode: @Sendable (KeyedDecodingContainer<SettingKey>, inout TrainingConfig) throws -> Void
    let encode: @Sendable (inout KeyedEncodingContainer<SettingKey>, TrainingConfig) throws -> Void

    /// How a form offers a setting.
    public enum Control: Sendable, Equatable {
        /// A number input; `whole` for integers.
        case number(min: Double, max: Double?, whole: Bool)
        case checkbox
        /// One of these written values.
        case choice([String])
        /// Free text in the setting's written form, with an example.
        case text(example: String)
    }

    /// The command-line flag: `--batch-size`.
    public var flag: String { "--" + id.replacingOccurrences(of: "_", with: "-") }

    /// The default, as `TrainingConfig()` holds it.
    public var defaultValue: SettingValue { value(TrainingConfig()) }

    /// The default in words, for help texts.
    public var defaultText: String { defaultValue == .null ? unsetMeaning : defaultValue.text }

    /// Sets this setting in `config` from its written form, or says what is wrong.
    public func set(_ text: String, in config: inout TrainingConfig) throws(SettingProblem) {
        var changed = config
        guard parse(&changed, text.trimmingCharacters(in: .whitespaces)) else {
            throw SettingProblem(setting: id, rule: rule, got: text)
        }
        config = changed
    }

    /// The problem with `config`'s value of this setting, if it breaks the rule.
    public func problem(in config: TrainingConfig) -> SettingProblem? {
        keepsRule(config) ? nil : SettingProblem(setting: id, rule: rule, got: value(config).text)
    }

    /// A row whose value is a `V` at `path`: `read` parses the written form (nil: not a `V`),
    /// `valid` is the rule, `write` the value as the API shows it.
    static func row<V: Codable & Sendable>(
        _ id: String, _ path: WritableKeyPath<TrainingConfig, V> & Sendable, label: String, sample: String,
        key: String, help: String,
        rule: String,
        control: Control, unset: String = "none", read: @escaping @Sendable (String) -> V?,
        valid: @escaping @Sendable (V) -> Bool = { _ in true },
        write: @escaping @Sendable (V) -> SettingValue
    ) -> TrainingSetting {
        TrainingSetting(
            id: id, label: label, key: key, help: help, rule: rule, sample: sample, control: control,
            unsetMeaning: unset,
            value: { write($0[keyPath: path]) },
            parse: { config, text in
                guard let parsed = read(text), valid(parsed) else { return false }
                config[keyPath: path] = parsed
                return true
            },
            keepsRule: { valid($0[keyPath: path]) },
            decode: { container, config in
                if let stored = try container.decodeIfPresent(V.self, forKey: SettingKey(key)) {
                    config[keyPath: path] = stored
                }
            },
            encode: { container, config in try container.encode(config[keyPath: path], forKey: SettingKey(key)) })
    }
}

/// A setting's value as the API and the summaries show it.
public enum SettingValue: Sendable, Equatable, Codable {
    case null, bool(Bool), integer(Int), number(Double), text(String), integers([Int]), texts([String])

    /// The written form, as the command line takes it (`128,128`; `default` for null).
    public var text: String {
        switch self {
        case .null: return "default"
        case .bool(let b): return b ? "true" : "false"
        case .integer(let n): return String(n)
        case .number(let x): return x.shortText
        case .text(let s): return s
        case .integers(let list): return list.map(String.init).joined(separator: ",")
        case .texts(let list): return list.joined(separator: ",")
        }
    }

    /// Reads what `encode` wrote (a whole number as `.integer`).
    public init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() {
            self = .null
        } else if let b = try? c.decode(Bool.self) {
            self = .bool(b)
        } else if let n = try? c.decode(Int.self) {
            self = .integer(n)
        } else if let x = try? c.decode(Double.self) {
            self = .number(x)
        } else if let s = try? c.decode(String.self) {
            self = .text(s)
        } else if let list = try? c.decode([Int].self) {
            self = .integers(list)
        } else {
            self = .texts(try c.decode([String].self))
        }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .null: try c.encodeNil()
        case .bool(let b): try c.encode(b)
        case .integer(let n): try c.encode(n)
        case .number(let x): try c.encode(x)
        case .text(let s): try c.encode(s)
        case .integers(let list): try c.encode(list)
        case .texts(let list): try c.encode(list)
        }
    }
}

/// A setting whose value breaks its rule: which one, what a valid value is, and what was given.
/// The command line words it with the flag, the API with the field name.
public struct SettingProblem: Error, Equatable, Sendable, CustomStringConvertible {
    public let setting: String
    public let rule: String
    public let got: String

    public init(setting: String, rule: String, got: String) {
        (self.setting, self.rule, self.got) = (setting, rule, got)
    }

    /// `momentum: a number in [0, 1) (got 1.5)`
    public var description: String { "\(setting): \(rule) (got \(got))" }
}

/// A coding key made from a setting's stored key.
public struct SettingKey: CodingKey {
    public let stringValue: String
    public var intValue: Int? { nil }
    public init(_ key: String) { stringValue = key }
    public init?(stringValue: String) { self.stringValue = stringValue }
    public init?(intValue: Int) { nil }
}

/// The table.
public enum TrainingSettings {
    /// Every setting a run takes, in the order help texts and forms list them.
    public static let all: [TrainingSetting] = [
        .row(
            "activation", \.activations, label: "Activation", sample: "tanh", key: "activations",
            help: "Hidden-layer activation, or a comma list with one per hidden layer: "
                + Activation.all.map(\.name).joined(separator: ", ")
                + " (silu = swish; add :VALUE for α/β, e.g. leaky-relu:0.1).",
            rule: "one activation, or a comma list with one per hidden layer, of "
                + Activation.all.map(\.name).joined(separator: ", "),
            control: .choice(Activation.all.map(\.name)),
            read: { text in
                let specs = text.split(separator: ",", omittingEmptySubsequences: false)
                let parsed = specs.compactMap { Activation(spec: $0.trimmingCharacters(in: .whitespaces)) }
                return parsed.count == specs.count && !parsed.isEmpty ? parsed : nil
            },
            valid: { !$0.isEmpty }, write: { .texts($0.map(\.spec)) }),
        .row(
            "hidden", \.hidden, label: "Hidden layers", sample: "64,32", key: "hidden",
            help: "Hidden-layer widths, comma-separated; 128x4 is four layers of 128.",
            rule: "widths from 1 to \(TrainingConfig.widthLimit), such as 256,128 or 128x4",
            control: .text(example: "256,128 or 128x4"), read: Architecture.hiddenWidths(spec:),
            valid: { !$0.isEmpty && $0.allSatisfy { (1...TrainingConfig.widthLimit).contains($0) } },
            write: { .integers($0) }),
        .row(
            "init", \.initialization, label: "Initialisation", sample: "xavier", key: "initialization",
            help:
                "How the first weights are drawn: auto (each activation's own: He for the ReLU family, Glorot's normal for tanh, sigmoid, softsign, identity and step, LeCun's for SELU), standard (U[±1/√fan-in]), xavier (U[±√6/√(fan-in+fan-out)]), he (normal, std √(2/fan-in)), lecun (normal, std √(1/fan-in)) or unit-norm (each unit's incoming weights normal, scaled to norm 1).",
            rule: Initialization.allCases.map(\.rawValue).joined(separator: ", "),
            control: .choice(Initialization.allCases.map(\.rawValue)),
            read: { Initialization(rawValue: $0.lowercased()) },
            write: { .text($0.rawValue) }),
        .row(
            "epochs", \.epochs, label: "Epochs", sample: "3", key: "epochs", help: "Epochs to train.",
            rule: "a whole number of at least 1",
            control: .number(min: 1, max: nil, whole: true), read: { Int($0) }, valid: { $0 >= 1 },
            write: { .integer($0) }),
        .row(
            "batch_size", \.batchSize, label: "Batch size", sample: "32", key: "batchSize",
            help: "Examples per mini-batch.",
            rule: "a whole number from 1 to \(TrainingConfig.batchLimit)",
            control: .number(min: 1, max: Double(TrainingConfig.batchLimit), whole: true), read: { Int($0) },
            valid: { (1...TrainingConfig.batchLimit).contains($0) }, write: { .integer($0) }),
        .row(
            "lr", \.learningRate, label: "Learning rate", sample: "0.07", key: "learningRate",
            help: "Learning rate; `default` is each activation's own measured rate ("
                + Activation.all.map { "\($0.name) \($0.defaultLearningRate.shortText)" }.joined(separator: ", ")
                + ").",
            rule: "a positive number, or default for the activation's own rate",
            control: .number(min: 0, max: nil, whole: false), unset: "each activation's own",
            read: { text in text == "default" || text.isEmpty ? .some(nil) : Double(text).map { .some($0) } },
            valid: { $0.map { $0 > 0 && $0.isFinite } ?? true }, write: { $0.map { .number($0) } ?? .null }),
        .row(
            "optimizer", \.optimizer, label: "Optimizer", sample: "adam", key: "optimizer",
            help:
                "sgd (with --momentum and --nesterov) or adam (Kingma & Ba 2015, bias-corrected, with --beta1, --beta2 and --eps; its learning rate defaults to \(TrainingConfig.adamLearningRate.shortText)). With adam, --weight-decay is decoupled, as AdamW: each step shrinks the weights by lr × decay apart from the gradient's moments.",
            rule: OptimizerKind.allCases.map(\.rawValue).joined(separator: ", "),
            control: .choice(OptimizerKind.allCases.map(\.rawValue)),
            read: { OptimizerKind(rawValue: $0.lowercased()) },
            write: { .text($0.rawValue) }),
        .row(
            "momentum", \.momentum, label: "Momentum", sample: "0.5", key: "momentum",
            help: "SGD momentum (0 for plain SGD; Adam's is --beta1).",
            rule: "a number in [0, 1)", control: .number(min: 0, max: 0.999, whole: false), read: { Double($0) },
            valid: { $0 >= 0 && $0 < 1 }, write: { .number($0) }),
        .row(
            "nesterov", \.nesterov, label: "Nesterov momentum", sample: "true", key: "nesterov",
            help: "Use Nesterov momentum.",
            rule: "true or false",
            control: .checkbox, read: { Bool($0) }, write: { .bool($0) }),
        .row(
            "weight_decay", \.weightDecay, label: "Weight decay", sample: "0.0001", key: "weightDecay",
            help: "Weight decay on the weights (not biases): L2 with SGD, decoupled (AdamW) with Adam.",
            rule: "zero or a positive number", control: .number(min: 0, max: nil, whole: false), read: { Double($0) },
            valid: { $0 >= 0 && $0.isFinite }, write: { .number($0) }),
        .row(
            "beta1", \.beta1, label: "Adam β₁", sample: "0.8", key: "beta1",
            help: "Adam's decay rate of the gradient's running mean (its momentum).",
            rule: "a number in [0, 1)", control: .number(min: 0, max: 0.999999, whole: false), read: { Double($0) },
            valid: { $0 >= 0 && $0 < 1 }, write: { .number($0) }),
        .row(
            "beta2", \.beta2, label: "Adam β₂", sample: "0.99", key: "beta2",
            help: "Adam's decay rate of the gradient's running mean square.",
            rule: "a number in [0, 1)", control: .number(min: 0, max: 0.999999, whole: false), read: { Double($0) },
            valid: { $0 >= 0 && $0 < 1 }, write: { .number($0) }),
        .row(
            "eps", \.epsilon, label: "Adam ε", sample: "1e-7", key: "epsilon",
            help: "Adam's ε, added to the root mean square: it bounds the step where gradients are tiny.",
            rule: "a positive number", control: .number(min: 0, max: nil, whole: false), read: { Double($0) },
            valid: { $0 > 0 && $0.isFinite }, write: { .number($0) }),
        .row(
            "schedule", \.schedule, label: "Schedule", sample: "step:3:0.5", key: "schedule",
            help: "Learning-rate schedule: constant, cosine, step (x0.1 every 2 epochs) or step:EVERY:FACTOR.",
            rule: "constant, cosine, step or step:EVERY:FACTOR",
            control: .choice(["cosine", "constant", "step"]), read: Schedule.init(spec:), write: { .text($0.spec) }),
        .row(
            "warmup", \.warmupEpochs, label: "Warm-up (epochs)", sample: "0.5", key: "warmupEpochs",
            help:
                "Raise the learning rate linearly from near 0 to its base over this many epochs (fractions allowed; Goyal et al. 2017), then run the schedule over the rest: a large rate cannot throw the first weights far. 0: none.",
            rule: "a number of epochs, at least 0 and fewer than --epochs",
            control: .number(min: 0, max: nil, whole: false), read: { Double($0) },
            valid: { $0 >= 0 && $0.isFinite }, write: { .number($0) }),
        .row(
            "seed", \.seed, label: "Seed", sample: "7", key: "seed",
            help: "Seed for initialisation, split and shuffling: the same seed gives the same model.",
            rule: "a whole number from 0 to 2^53", control: .number(min: 0, max: 9_007_199_254_740_992, whole: true),
            // Beyond 2^53 a JSON number is not exact, so the API and the command line stop there alike.
            read: { UInt64($0) }, valid: { $0 <= 1 << 53 }, write: { .integer(Int($0)) }),
        .row(
            "validation", \.validationCount, label: "Validation images", sample: "1000", key: "validationCount",
            help: "Training images held out for validation (0 for none).",
            rule: "a whole number of images, at least 0 and fewer than the training set's",
            control: .number(min: 0, max: nil, whole: true), read: { Int($0) }, valid: { $0 >= 0 },
            write: { .integer($0) }),
        .row(
            "patience", \.patience, label: "Patience (epochs)", sample: "2", key: "patience",
            help: "Stop after this many epochs without a lower validation loss (none: never).",
            rule: "a whole number of at least 1, or none", control: .number(min: 1, max: nil, whole: true),
            read: { text in
                text == "none" || text == "default" || text.isEmpty ? .some(nil) : Int(text).map { .some($0) }
            },
            valid: { $0.map { $0 >= 1 } ?? true }, write: { $0.map { .integer($0) } ?? .null }),
        .row(
            "augment", \.augmentation, label: "Augment (distort digits)", sample: "affine:0.5,thickness",
            key: "augmentation",
            help: "Distort the training images afresh each epoch: a comma list of "
                + Augmentation.names.joined(separator: ", ")
                + ", each with an optional :STRENGTH; true for \(TrainingSettings.defaultAugmentation.spec), none or false for none. "
                + Augmentation.rangesDescription + " A strength scales the ranges: affine:0.5 is half as strong.",
            rule: "true, false, none or a list such as affine,elastic:0.5 of "
                + Augmentation.names.joined(separator: ", "),
            control: .checkbox,
            read: { text in
                switch text.lowercased() {
                case "true": return TrainingSettings.defaultAugmentation
                case "false": return Augmentation.none
                default: return Augmentation(spec: text)
                }
            },
            write: { .text($0.spec) }),
        .row(
            "augment_ramp", \.augmentationRamp, label: "Augmentation ramp (epochs)", sample: "3",
            key: "augmentationRamp",
            help:
                "Let the distortions grow over this many epochs: in epoch e (from 1) their ranges are e/(N+1) of --augment's, full from epoch N+1 on (flips and whole-pixel shifts are not scaled). 0: full strength from the start.",
            rule: "a whole number of epochs, at least 0",
            control: .number(min: 0, max: nil, whole: true), read: { Int($0) }, valid: { $0 >= 0 },
            write: { .integer($0) }),
        .row(
            "loss", \.outputLoss, label: "Output loss", sample: "mse", key: "outputLoss",
            help:
                "What training minimises at the output: cross-entropy on the softmax, or mse, the squared error between the softmax's outputs and the one-hot label, as older texts trained (its gradient fades where an output is confidently wrong). The losses reported stay cross-entropy, so that runs compare.",
            rule: OutputLoss.allCases.map(\.rawValue).joined(separator: " or "),
            control: .choice(OutputLoss.allCases.map(\.rawValue)), read: { OutputLoss(rawValue: $0.lowercased()) },
            write: { .text($0.rawValue) }),
        .row(
            "ema", \.averageDecay, label: "Weight average (EMA decay)", sample: "0.999", key: "averageDecay",
            help:
                "Evaluate, test and save an exponential moving average of the weights rather than the last weights (Polyak & Juditsky 1992): after each step, average ← decay · average + (1 − decay) · weights, so 0.999 averages over about the last 1,000 steps. Training itself goes on from the weights. 0: none.",
            rule: "0, or a number from 0.5 to below 1",
            control: .number(min: 0, max: 0.99999, whole: false), read: { Double($0) },
            valid: { $0 == 0 || ($0 >= 0.5 && $0 < 1) }, write: { .number($0) }),
        .row(
            "label_smoothing", \.labelSmoothing, label: "Label smoothing", sample: "0.1", key: "labelSmoothing",
            help:
                "Train towards (1 − ε) on the label and ε/10 on every class instead of all on the label (Szegedy et al. 2016), so that the network is never pushed to unbounded confidence; with cross-entropy only. Reported losses stay cross-entropy on the label.",
            rule: "a number from 0 to \(TrainingConfig.labelSmoothingLimit.shortText)",
            control: .number(min: 0, max: TrainingConfig.labelSmoothingLimit, whole: false), read: { Double($0) },
            valid: { $0 >= 0 && $0 <= TrainingConfig.labelSmoothingLimit }, write: { .number($0) }),
        .row(
            "dropout", \.dropout, label: "Dropout", sample: "0.1", key: "dropout",
            help:
                "The probability that a hidden unit's output is dropped in each training step (inverted dropout; none when evaluating).",
            rule: "a probability from 0 to \(TrainingConfig.dropoutLimit.shortText)",
            control: .number(min: 0, max: TrainingConfig.dropoutLimit, whole: false), read: { Double($0) },
            valid: { $0 >= 0 && $0 <= TrainingConfig.dropoutLimit }, write: { .number($0) }),
        .row(
            "precision", \.precision, label: "Precision", sample: "bf16", key: "precision",
            help:
                "Number format of the training step's matrix products: fp32; bf16 (mixed precision: bf16 operands, fp32 accumulation, fp32 weights, loss and updates; needs a CPU with native bf16 arithmetic, AVX512_BF16 or AMX); or auto, whichever of the two this CPU runs this network's step faster in, timed when the run starts (bf16 is slower than fp32 on some CPUs). The model records the one used. Evaluation is always fp32.",
            rule: Precision.settings.map(\.rawValue).joined(separator: ", "),
            control: .choice(Precision.settings.map(\.rawValue)), read: { Precision(rawValue: $0.lowercased()) },
            write: { .text($0.rawValue) }),
        .row(
            "tta", \.testViews, label: "Test views", sample: "5", key: "testViews",
            help:
                "Test the finished model reading each test image as the mean over 1, 5 or 9 views of it (moved by one pixel); recorded in the model, and what evaluate and predict use for it by default.",
            rule: TestTimeAugmentation.viewCounts.map(String.init).joined(separator: ", "),
            control: .choice(TestTimeAugmentation.viewCounts.map(String.init)), read: { Int($0) },
            valid: { TestTimeAugmentation(views: $0) != nil }, write: { .integer($0) })
    ]

    /// What `augment` `true` means: the distortions that pay most for the least time (measured for the recipes).
    public static let defaultAugmentation = Augmentation(spec: "affine,elastic")!

    /// The setting named `id` (an API field, or a flag without its dashes).
    public static func named(_ id: String) -> TrainingSetting? {
        let name = id.hasPrefix("--") ? String(id.dropFirst(2)).replacingOccurrences(of: "-", with: "_") : id
        return all.first { $0.id == name }
    }
}
