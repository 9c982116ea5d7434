import Dataset
import Foundation
import Model

/// The playground's limits on what one request may ask the machine to do. Sized by default for
/// a laptop; `serve`'s options change them.
struct PlaygroundLimits: Sendable, Equatable {
    var width = 1024
    var layers = 10
    var epochs = 50
    var batchSize = 4096
    /// Runs that hold a network in memory at once: queued, running and paused ones.
    var activeRuns = 6
}

/// A request to train, as `POST /api/runs` takes it: the CLI's settings under JSON names, each
/// omitted one taking `trainer train`'s default, every one checked once here.
///
/// `{"activation": "relu" | "leaky-relu:0.1" | ["relu", "tanh"], "hidden": [128, 128] | "128x4",
///   "lr": 0.1 | null, "epochs": 2, "batch_size": 64, "momentum": 0.9, "nesterov": false,
///   "weight_decay": 0, "schedule": "cosine", "augment": true | false | "affine,elastic",
///   "dropout": 0, "validation": 5000, "dataset": "mnist" | "fashion-mnist", "seed": 1, "paused": false,
///   "precision": "fp32" | "bf16"}`
struct RunRequest: Sendable, Equatable {
    var config: TrainingConfig
    var dataset: DatasetKind
    /// Created paused at its first batch (`"paused": true`), for stepping from the initial weights.
    var startPaused = false

    /// Why a request cannot run: the field it concerns and what is wrong with it, for a 400.
    struct Problem: Error, Equatable, CustomStringConvertible {
        let field: String
        let message: String
        var description: String { "\(field): \(message)" }
    }

    static let fields: Set<String> = [
        "activation", "hidden", "lr", "epochs", "batch_size", "momentum", "nesterov", "weight_decay", "schedule",
        "augment", "dropout", "validation", "dataset", "seed", "paused", "precision"
    ]

    /// Both data sets have 60,000 training images; this leaves most of them to train on.
    static let validationLimit = 50_000

    /// What `"augment": true` means: the distortions that pay most for the least time (measured for the recipes).
    static let defaultAugmentation = Augmentation(spec: "affine,elastic")!

    init(config: TrainingConfig, dataset: DatasetKind) {
        self.config = config
        self.dataset = dataset
    }

    /// Parses and checks a JSON body against `limits`.
    init(json body: [UInt8], limits: PlaygroundLimits) throws {
        let object: [String: JSONValue]
        do {
            guard
                case .object(let parsed) = try JSONDecoder().decode(
                    JSONValue.self, from: Data(body.isEmpty ? Array("{}".utf8) : body))
            else {
                throw Problem(
                    field: "body",
                    message: "give a JSON object such as {\"activation\": \"relu\", \"hidden\": [128, 128]}")
            }
            object = parsed
        } catch let problem as Problem {
            throw problem
        } catch {
            throw Problem(field: "body", message: "not JSON")
        }
        if let unknown = object.keys.sorted().first(where: { !Self.fields.contains($0) }) {
            throw Problem(
                field: unknown, message: "unknown field; the fields are \(Self.fields.sorted().joined(separator: ", "))"
            )
        }
        var config = TrainingConfig()
        config.epochs = TrainingOptions.defaultEpochs
        config.hidden = TrainingOptions.defaultHidden
        var dataset = DatasetKind.mnist
        var startPaused = false

        if let value = object["activation"] {
            let specs: [String]
            if case .string(let one) = value {
                specs = one.split(separator: ",").map(String.init)
            } else if case .array(let list) = value, !list.isEmpty, list.allSatisfy({ $0.string != nil }) {
                specs = list.map { $0.string! }
            } else {
                throw Problem(
                    field: "activation",
                    message: "give a name such as \"relu\" or \"leaky-relu:0.1\", or a list with one per hidden layer")
            }
            config.activations = try specs.map { spec in
                guard let activation = Activation(spec: spec.trimmingCharacters(in: .whitespaces)) else {
                    throw Problem(
                        field: "activation",
                        message:
                            "unknown activation '\(spec)'; choose from \(Activation.all.map(\.name).joined(separator: ", "))"
                    )
                }
                return activation
            }
        }
        if let value = object["hidden"] {
            if case .string(let text) = value {
                do { config.hidden = try LayerWidths(parsing: text).widths } catch {
                    throw Problem(
                        field: "hidden", message: "give widths such as [128, 128] or \"128x4\" (got '\(text)')")
                }
            } else if case .array(let list) = value, !list.isEmpty, list.allSatisfy({ $0.integer != nil }) {
                config.hidden = list.map { $0.integer! }
            } else {
                throw Problem(field: "hidden", message: "give widths such as [128, 128] or \"128x4\"")
            }
        }
        guard config.hidden.count <= limits.layers else {
            throw Problem(
                field: "hidden",
                message:
                    "at most \(limits.layers) hidden layers here (got \(config.hidden.count)); serve --max-layers raises it"
            )
        }
        if let width = config.hidden.first(where: { !(1...limits.width).contains($0) }) {
            throw Problem(
                field: "hidden",
                message:
                    "each width must be between 1 and \(limits.width) here (got \(width)); serve --max-width raises it")
        }
        if let value = object["lr"], value != .null {
            guard let lr = value.number, lr > 0, lr.isFinite else {
                throw Problem(field: "lr", message: "give a positive number, or null for the activation's own rate")
            }
            config.learningRate = lr
        }
        /// The field's whole number when it is one in `range`; `beyond` says what raises the limit.
        func whole(_ field: String, _ range: ClosedRange<Int>, beyond: String = "") throws -> Int? {
            guard let value = object[field] else { return nil }
            guard let number = value.integer, range.contains(number) else {
                throw Problem(
                    field: field,
                    message: "give a whole number from \(range.lowerBound) to \(range.upperBound)" + beyond)
            }
            return number
        }
        if let epochs = try whole("epochs", 1...limits.epochs, beyond: " here; serve --max-epochs raises it") {
            config.epochs = epochs
        }
        if let size = try whole("batch_size", 1...limits.batchSize, beyond: " here; serve --max-batch raises it") {
            config.batchSize = size
        }
        if let value = object["momentum"] {
            guard let momentum = value.number, momentum >= 0, momentum < 1 else {
                throw Problem(field: "momentum", message: "give a number in [0, 1)")
            }
            config.momentum = momentum
        }
        if let value = object["nesterov"] {
            guard case .bool(let flag) = value else { throw Problem(field: "nesterov", message: "give true or false") }
            config.nesterov = flag
        }
        if let value = object["weight_decay"] {
            guard let decay = value.number, decay >= 0, decay.isFinite else {
                throw Problem(field: "weight_decay", message: "give zero or a positive number")
            }
            config.weightDecay = decay
        }
        if let value = object["schedule"] {
            guard let text = value.string, let schedule = Schedule(spec: text) else {
                throw Problem(field: "schedule", message: "give constant, cosine, step or step:EVERY:FACTOR")
            }
            config.schedule = schedule
        }
        if let value = object["augment"] {
            if case .bool(let on) = value {
                config.augmentation = on ? Self.defaultAugmentation : .none
            } else if let text = value.string, let augmentation = Augmentation(spec: text) {
                config.augmentation = augmentation
            } else {
                throw Problem(
                    field: "augment",
                    message:
                        "give true, false or a list such as \"affine,elastic:0.5\" of \(Augmentation.names.joined(separator: ", "))"
                )
            }
        }
        if let value = object["dropout"] {
            guard let rate = value.number, rate >= 0, rate <= TrainingConfig.dropoutLimit else {
                throw Problem(field: "dropout", message: "give a rate from 0 to \(TrainingConfig.dropoutLimit)")
            }
            config.dropout = rate
        }
        if let count = try whole("validation", 0...Self.validationLimit) { config.validationCount = count }
        if let value = object["dataset"] {
            guard let text = value.string, let kind = DatasetKind(rawValue: text) else {
                throw Problem(
                    field: "dataset",
                    message: "give \(DatasetKind.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: " or "))")
            }
            dataset = kind
        }
        // beyond 2^53 a JSON number is not exact
        if let seed = try whole("seed", 0...(1 << 53)) { config.seed = UInt64(seed) }
        if let value = object["precision"] {
            guard let text = value.string, let precision = Precision(rawValue: text) else {
                throw Problem(
                    field: "precision",
                    message: "give \(Precision.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: " or "))")
            }
            // Refused here, as a 400, rather than failing the run later: the form offers only what runs.
            if !precision.isAvailable {
                throw Problem(
                    field: "precision",
                    message: ConfigurationProblem.precision(precision, instructionSet: Precision.cpuInstructionSet)
                        .description)
            }
            config.precision = precision
        }
        if let value = object["paused"] {
            guard case .bool(let flag) = value else { throw Problem(field: "paused", message: "give true or false") }
            startPaused = flag
        }
        if config.activations.count != 1 && config.activations.count != config.hidden.count {
            throw Problem(
                field: "activation",
                message:
                    "give one activation, or one per hidden layer (\(config.hidden.count)); got \(config.activations.count)"
            )
        }
        self.init(config: config, dataset: dataset)
        self.startPaused = startPaused
    }

    /// A short name for lists and legends: "relu 128x4 lr 0.1".
    var title: String {
        let widths = config.hidden
        let shape =
            Set(widths).count == 1 && widths.count > 1
            ? "\(widths[0])x\(widths.count)" : widths.map(String.init).joined(separator: ",")
        let activations =
            Set(config.activations.map(\.spec)).count == 1
            ? config.activations[0].spec : config.activations.map(\.spec).joined(separator: ",")
        var words = [activations, shape, "lr \(Self.short(config.effectiveLearningRate))"]
        if dataset != .mnist { words.append(dataset.rawValue) }
        if !config.augmentation.isNone { words.append("augmented") }
        if config.precision != .fp32 { words.append(config.precision.rawValue) }
        return words.joined(separator: " ")
    }

    private static func short(_ value: Double) -> String {
        String(format: "%g", value)
    }
}

/// A JSON value as sent, keeping true/false apart from 1/0 (JSONSerialization on Linux does not).
enum JSONValue: Decodable, Equatable, Sendable {
    case null, bool(Bool), number(Double), string(String), array([JSONValue]), object([String: JSONValue])

    init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() {
            self = .null
        } else if let b = try? c.decode(Bool.self) {
            self = .bool(b)
        } else if let n = try? c.decode(Double.self) {
            self = .number(n)
        } else if let s = try? c.decode(String.self) {
            self = .string(s)
        } else if let a = try? c.decode([JSONValue].self) {
            self = .array(a)
        } else {
            self = .object(try c.decode([String: JSONValue].self))
        }
    }

    var string: String? { if case .string(let s) = self { return s } else { return nil } }
    var number: Double? { if case .number(let n) = self { return n } else { return nil } }
    /// A whole number (1 and 1.0 alike), within range.
    var integer: Int? {
        guard let n = number, n.rounded() == n, abs(n) < 1e15 else { return nil }
        return Int(n)
    }
}
