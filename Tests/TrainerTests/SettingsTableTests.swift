import Foundation
import Model
import Testing
import TestSupport
@testable import Serve
@testable import trainer

/// The table of training settings is the one home of each setting: every row round-trips through
/// the command line (train and ablate, their help) and the API (request → run → what it says back),
/// and the form offers exactly what the API takes, with a value away from its default (the row's
/// `sample`). Checkpoints and resume: `CheckpointTests.everySettingSurvivesACheckpoint`, from the
/// same table. Adding a setting means adding a row; these tests then check it everywhere.
@Suite struct SettingsTableTests {
    static var settings: [TrainingSetting] { TrainingSettings.all }

    /// The configuration with only `setting` set to its sample.
    static func sampled(_ setting: TrainingSetting) throws -> TrainingConfig {
        var config = TrainingConfig()
        try setting.set(setting.sample, in: &config)
        #expect(setting.value(config) != setting.defaultValue, "\(setting.id)'s sample is its default")
        return config
    }

    @Test func everyPropertyOfTheConfigurationIsASetting() {
        let keys = Set(TrainingSettings.all.map(\.key))
        for child in Mirror(reflecting: TrainingConfig()).children where child.label != "diagnostics" {
            #expect(keys.contains(child.label!), "TrainingConfig.\(child.label!) has no row in TrainingSettings.all")
        }
        #expect(Set(TrainingSettings.all.map(\.id)).count == TrainingSettings.all.count, "two rows share a name")
    }

    @Test(arguments: settings.map(\.id))
    func theCommandLineTakesIt(_ id: String) throws {
        let setting = try #require(TrainingSettings.named(id))
        let expected = try Self.sampled(setting)
        let train = try #require(try TrainerCommand.parseAsRoot(["train", setting.flag, setting.sample]) as? Train)
        #expect(try train.makeConfig() == expected)
        let joined = try #require(
            try TrainerCommand.parseAsRoot(["train", setting.flag + "=" + setting.sample]) as? Train)
        #expect(try joined.makeConfig() == expected)
        // Written back as the command line takes it, it reads the same.
        let again = try #require(
            try TrainerCommand.parseAsRoot(["train", setting.flag, setting.value(expected).text]) as? Train)
        #expect(try again.makeConfig() == expected)
        if !Ablate.axes.contains(id) {
            let ablate = try #require(
                try TrainerCommand.parseAsRoot(["ablate", setting.flag, setting.sample]) as? Ablate)
            #expect(try ablate.baseConfig() == expected, "ablate takes \(setting.flag) as train does")
        }
        // Read as one line: where the help wraps is the terminal's business.
        let help = try trainer(["train", "--help"]).out.replacingOccurrences(
            of: #"\n +"#, with: " ", options: .regularExpression)
        #expect(help.contains(setting.flag) && help.contains("(default: \(setting.defaultText))"), "\(id) in --help")
        // A value that breaks the rule is refused naming the flag and the rule.
        #expect(throws: (any Error).self) { try TrainerCommand.parseAsRoot(["train", setting.flag, "-12.5x"]) }
    }

    @Test(arguments: settings.map(\.id))
    func theAPITakesItAndSaysItBack(_ id: String) throws {
        let setting = try #require(TrainingSettings.named(id))
        let config = try Self.sampled(setting)
        // The sample as the page sends it: JSON's own kinds where the setting is a number or a switch.
        let json: String
        switch setting.value(config) {
        case .number, .integer: json = setting.sample
        case .bool(let b): json = b ? "true" : "false"
        default: json = String(decoding: try JSONEncoder().encode(setting.sample), as: UTF8.self)
        }
        let body = Array("{\"\(id)\": \(json)}".utf8)
        if let problem = config.problem(trainingExamples: RunRequest.trainingImages) {
            // bf16 on a CPU without it: refused as a 400 naming the field, never a run that fails later.
            #expect(id == "precision" && !Precision.nativeBF16, "\(id)'s sample breaks a rule: \(problem)")
            #expect(throws: RunRequest.Problem(problem)) { try RunRequest(json: body, limits: PlaygroundLimits()) }
            return
        }
        let request = try RunRequest(json: body, limits: PlaygroundLimits())
        #expect(request.config == config, "\(id): \(json)")
        // What the API says back is a request that makes the same run: wire → config → wire.
        let fields = request.fields
        #expect(fields[id] == setting.value(config))
        let back = String(decoding: try JSONEncoder().encode(fields), as: UTF8.self)
        #expect(try RunRequest(json: Array(back.utf8), limits: PlaygroundLimits()).config == config)
        // And a wrong value is a 400 naming the field.
        #expect(throws: RunRequest.Problem.self) {
            try RunRequest(json: Array("{\"\(id)\": {\"not\": \"a value\"}}".utf8), limits: PlaygroundLimits())
        }
    }

    @Test func theFormOffersExactlyWhatTheAPITakesWithTheSameDefaults() throws {
        let card = PlaygroundCard(limits: PlaygroundLimits(), threads: 2, slice: 0.3)
        #expect(card.settings.map(\.name) == TrainingSettings.all.map(\.id))
        #expect(Set(card.settings.map(\.name)).union(RunRequest.requestFields) == Set(RunRequest.fields))
        for (record, setting) in zip(card.settings, TrainingSettings.all) {
            #expect(record.default == setting.defaultValue && card.defaults[setting.id] == setting.defaultValue)
            #expect(record.flag == setting.flag && record.rule == setting.rule)
        }
        // Nothing given: the API's run is the command line's run.
        #expect(try RunRequest(json: Array("{}".utf8), limits: PlaygroundLimits()).config == TrainingConfig())
        #expect(try (TrainerCommand.parseAsRoot([]) as? Train)?.makeConfig() == TrainingConfig())
    }
}
