import Model

/// One training setting as `GET /api/playground` describes it to the page, which builds its form
/// from these: the same names, defaults and rules as the command line, from `TrainingSettings.all`.
struct SettingRecord: Encodable, Equatable {
    let name: String
    let label: String
    let flag: String
    let help: String
    let rule: String
    /// `number`, `checkbox`, `choice` or `text`.
    let control: String
    let min: Double?
    let max: Double?
    let whole: Bool?
    let choices: [String]?
    let example: String?
    let `default`: SettingValue
    /// What an unset default means ("each activation's own", "none").
    let unset: String

    init(_ setting: TrainingSetting, limits: PlaygroundLimits, precisions: [Precision]) {
        (name, label, flag, help, rule, `default`, unset) = (
            setting.id, setting.label, setting.flag, setting.help, setting.rule, setting.defaultValue,
            setting.unsetMeaning
        )
        var (min, max, whole, choices, example): (Double?, Double?, Bool?, [String]?, String?) = (
            nil, nil, nil, nil, nil
        )
        switch setting.control {
        case .number(let low, let high, let isWhole):
            control = "number"
            (min, max, whole) = (low, high, isWhole)
        case .checkbox:
            control = "checkbox"
        case .choice(let values):
            control = "choice"
            choices = values
        case .text(let text):
            control = "text"
            example = text
        }
        // This server's own caps, tighter than the settings' rules.
        switch setting.id {
        case "epochs": max = Double(limits.epochs)
        case "batch_size": max = Double(limits.batchSize)
        case "validation": max = Double(RunRequest.validationLimit)
        case "precision": choices = (precisions + [.auto]).map(\.rawValue)  // auto chooses among those that run here
        default: break
        }
        (self.min, self.max, self.whole, self.choices, self.example) = (min, max, whole, choices, example)
    }
}
