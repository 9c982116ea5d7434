import Dataset
import Foundation
import Model

/// A request to train, as `POST /api/runs` takes it: every setting of `TrainingSettings.all` under
/// its name (`"batch_size": 64`), each omitted one taking its default, plus the data set and
/// whether to start paused. A JSON value is read in the setting's written form (`[128, 128]` as
/// `128,128`, `null` as `default`), so the API and the command line accept the same values.
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

        init(field: String, message: String) { (self.field, self.message) = (field, message) }

        init(_ problem: SettingProblem) {
            self.init(field: problem.setting, message: "give \(problem.rule) (got \(problem.got))")
        }
    }

    /// The fields a request may hold besides the training settings.
    static let requestFields = ["dataset", "paused"]

    static var fields: [String] { TrainingSettings.all.map(\.id) + requestFields }

    /// Both data sets have 60,000 training images; this leaves most of them to train on.
    static let validationLimit = 50_000
    static let trainingImages = 60_000

    init(config: TrainingConfig, dataset: DatasetKind) {
        self.config = config
        self.dataset = dataset
    }

    /// Parses and checks a JSON body against `limits`.
    init(json body: [UInt8], limits: PlaygroundLimits) throws {
        let object = try Self.object(body, example: #"{"activation": "relu", "hidden": [128, 128]}"#)
        if let unknown = object.keys.sorted().first(where: { !Self.fields.contains($0) }) {
            throw Problem(
                field: unknown, message: "unknown field; the fields are \(Self.fields.sorted().joined(separator: ", "))"
            )
        }
        var config = TrainingConfig()
        for setting in TrainingSettings.all {
            guard let value = object[setting.id] else { continue }
            guard let text = value.settingText, Self.fits(value, setting.control) else {
                throw Problem(field: setting.id, message: "give \(setting.rule)")
            }
            do { try setting.set(text, in: &config) } catch { throw Problem(error) }
        }
        var dataset = DatasetKind.mnist
        if let value = object["dataset"] {
            guard let text = value.string, let kind = DatasetKind(rawValue: text) else {
                throw Problem(
                    field: "dataset",
                    message: "give \(DatasetKind.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: " or "))")
            }
            dataset = kind
        }
        let startPaused = try Self.paused(object)
        // This server's own limits, tighter than the settings' rules.
        if config.hidden.count > limits.layers {
            throw Problem(
                field: "hidden",
                message:
                    "at most \(limits.layers) hidden layers here (got \(config.hidden.count)); serve --max-layers raises it"
            )
        }
        if let width = config.hidden.first(where: { $0 > limits.width }) {
            throw Problem(
                field: "hidden",
                message:
                    "each width must be between 1 and \(limits.width) here (got \(width)); serve --max-width raises it")
        }
        if config.epochs > limits.epochs {
            throw Problem(
                field: "epochs",
                message: "give a whole number from 1 to \(limits.epochs) here; serve --max-epochs raises it")
        }
        if config.batchSize > limits.batchSize {
            throw Problem(
                field: "batch_size",
                message: "give a whole number from 1 to \(limits.batchSize) here; serve --max-batch raises it")
        }
        if config.validationCount > Self.validationLimit {
            throw Problem(field: "validation", message: "give a whole number from 0 to \(Self.validationLimit)")
        }
        // The rules between settings, and the CPU's (bf16 is refused here rather than failing the run later).
        if let problem = config.problem(trainingExamples: Self.trainingImages) { throw Problem(problem) }
        self.init(config: config, dataset: dataset)
        self.startPaused = startPaused
    }

    /// A write's body as a JSON object (an empty body is `{}`); 400 naming `body` otherwise, with `example`.
    static func object(_ body: [UInt8], example: String) throws -> [String: JSONValue] {
        let parsed: JSONValue
        do {
            parsed = try JSONDecoder().decode(JSONValue.self, from: Data(body.isEmpty ? Array("{}".utf8) : body))
        } catch {
            throw Problem(field: "body", message: "not JSON")
        }
        guard case .object(let object) = parsed else {
            throw Problem(field: "body", message: "give a JSON object such as \(example)")
        }
        return object
    }

    /// The body's `paused` (false when absent): whether runs are made paused, to be stepped.
    static func paused(_ object: [String: JSONValue]) throws -> Bool {
        guard let value = object["paused"] else { return false }
        guard case .bool(let flag) = value else { throw Problem(field: "paused", message: "give true or false") }
        return flag
    }

    /// Whether a JSON value is of a kind the setting takes: a number setting a number (or null for
    /// its default), a true/false one a boolean, and no number where the value is a word or a list.
    static func fits(_ value: JSONValue, _ control: TrainingSetting.Control) -> Bool {
        switch (control, value) {
        case (.number, .number), (.number, .null): return true
        case (.number, _): return false
        case (.checkbox, .number): return false
        case (.text, .bool), (.choice, .bool): return false
        default: return true
        }
    }

    /// The request's settings under the API's names, defaults filled in, and its data set.
    var fields: [String: SettingValue] {
        var fields = Dictionary(uniqueKeysWithValues: TrainingSettings.all.map { ($0.id, $0.value(config)) })
        fields["dataset"] = .text(dataset.rawValue)
        return fields
    }

    /// A short name for lists and legends: "relu 128x4 lr 0.1", then every other setting that is
    /// not its default ("momentum 0.5 seed 3"), so that two runs that differ are titled apart.
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
        for setting in TrainingSettings.all where !Self.titledAbove.contains(setting.id) {
            let value = setting.value(config)
            if value != setting.defaultValue {
                words.append("\(setting.id.replacingOccurrences(of: "_", with: " ")) \(value.text)")
            }
        }
        return words.joined(separator: " ")
    }

    /// The settings the title names in its own words, before the others.
    private static let titledAbove: Set<String> = ["activation", "hidden", "lr", "augment", "precision"]

    private static func short(_ value: Double) -> String {
        String(format: "%g", value)
    }
}

/// A JSON value as sent, keeping true/false apart from 1/0 (Foundation's untyped parser on Linux does not).
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
    /// The value in a setting's written form: a string as it is, a number or a boolean as written,
    /// null as `default`, a list as its items joined by commas; nil for an object or a nested list.
    var settingText: String? {
        switch self {
        case .null: return "default"
        case .bool(let b): return b ? "true" : "false"
        case .number(let n): return integer.map(String.init) ?? "\(n)"
        case .string(let s): return s
        case .array(let items):
            let texts = items.compactMap { item -> String? in
                if case .array = item { return nil }
                return item.settingText
            }
            return texts.count == items.count ? texts.joined(separator: ",") : nil
        case .object: return nil
        }
    }

    /// A whole number (1 and 1.0 alike), within range.
    var integer: Int? {
        guard let n = number, n.rounded() == n, abs(n) < 1e15 else { return nil }
        return Int(n)
    }
}
