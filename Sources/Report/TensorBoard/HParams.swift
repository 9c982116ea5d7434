import Foundation
import Model

/// A run's settings and results in the HParams plugin's terms (tensorboard's
/// `plugins/hparams/plugin_data.proto` and `api.proto`): each run a session that starts with its
/// settings and ends with a status, and an ablation an experiment naming the settings it varies
/// and the metrics to compare its cells by. The settings are `TrainingSettings.all`, by their API names.
enum HParams {
    /// The metrics the HParams table shows for each run: tags of the run's own scalars.
    static let metrics: [(tag: String, dataset: Int)] = [
        (TrainingLog.Tag.testAccuracy, 0), (TrainingLog.Tag.testLoss, 0),
        (TrainingLog.Tag.validationAccuracy, 2), (TrainingLog.Tag.validationLoss, 2),
        (TrainingLog.Tag.epochLoss, 1), (TrainingLog.Tag.epochAccuracy, 1)
    ]

    /// Each setting's value in `config`, the learning rate as trained (an activation's own when none was given).
    static func values(_ config: TrainingConfig) -> [(name: String, value: SettingValue)] {
        var config = config
        config.learningRate = config.effectiveLearningRate
        return TrainingSettings.all.map { setting in
            let value = setting.value(config)
            return (setting.id, value == .null ? .text(setting.unsetMeaning) : value)
        }
    }

    /// `_hparams_/session_start_info`: the run's settings.
    static func sessionStart(_ config: TrainingConfig, time: Date) -> ProtobufMessage {
        var start = ProtobufMessage()
        for (name, value) in values(config) {
            start.message(1) { entry in  // map<string, Value> hparams
                entry.string(1, name)
                entry.message(2, protobufValue(value))
            }
        }
        start.double(5, time.timeIntervalSince1970)  // start_time_secs
        return TensorBoardEvent.hparams("_hparams_/session_start_info", field: 3, start)
    }

    /// `_hparams_/session_end_info`: how the run ended.
    static func sessionEnd(succeeded: Bool, time: Date) -> ProtobufMessage {
        var end = ProtobufMessage()
        end.integer(1, succeeded ? 1 : 2)  // STATUS_SUCCESS, STATUS_FAILURE
        end.double(2, time.timeIntervalSince1970)
        return TensorBoardEvent.hparams("_hparams_/session_end_info", field: 4, end)
    }

    /// `_hparams_/experiment` for runs of `configs`: the settings that differ among them, each with
    /// the values it takes, and the metrics. With one config, its activation.
    static func experiment(_ configs: [TrainingConfig], description: String, time: Date) -> ProtobufMessage {
        var experiment = ProtobufMessage()
        experiment.string(1, description)
        experiment.double(3, time.timeIntervalSince1970)
        let table = configs.map(values)
        for (i, (name, _)) in (table.first ?? []).enumerated() {
            var distinct: [SettingValue] = []
            for row in table where !distinct.contains(row[i].value) { distinct.append(row[i].value) }
            guard distinct.count > 1 || (configs.count == 1 && name == "activation") else { continue }
            let types = Set(distinct.map(dataType))
            experiment.message(4) { info in
                info.string(1, name)
                info.integer(4, types.count == 1 ? types.first! : 1)
                info.bool(7, distinct.count > 1)  // differs
                info.message(5) { list in  // domain_discrete
                    for value in distinct {
                        list.message(1, protobufValue(types.count == 1 ? value : .text(value.text)))
                    }
                }
            }
        }
        for metric in metrics {
            experiment.message(5) { info in
                info.message(1) { $0.string(2, metric.tag) }  // name: group "" (the run itself), tag
                if metric.dataset != 0 { info.integer(5, metric.dataset) }
            }
        }
        return TensorBoardEvent.hparams("_hparams_/experiment", field: 2, experiment)
    }

    /// Whether `event` (a record of an event file) holds `experiment` (a summary value `experiment`
    /// made): the same settings, values and metrics, whenever and by whichever command it was written.
    static func sameExperiment(_ event: [UInt8], _ experiment: ProtobufMessage) -> Bool {
        // Event.summary(5).value(1); Value.metadata(9).plugin_data(1).content(2); HParamsPluginData.experiment(2).
        func infos(ofValue value: [UInt8]) -> [[[UInt8]]]? {
            var fields = [value]
            for field in [9, 1, 2, 2] {
                guard let next = fields.first.flatMap({ ProtobufFields($0).messages(field).first }) else { return nil }
                fields = [next]
            }
            let found = ProtobufFields(fields[0])
            return [found.messages(4), found.messages(5)]  // hparam_infos, metric_infos
        }
        let values = ProtobufFields(event).messages(5).flatMap { ProtobufFields($0).messages(1) }
        guard values.count == 1, let theirs = infos(ofValue: values[0]) else { return false }
        return theirs == infos(ofValue: experiment.bytes)
    }

    /// `google.protobuf.Value`: a number, a bool, or text.
    private static func protobufValue(_ value: SettingValue) -> ProtobufMessage {
        var v = ProtobufMessage()
        switch value {
        case .integer(let n): v.double(2, Double(n))
        case .number(let x): v.double(2, x)
        case .bool(let b): v.bool(4, b)
        default: v.string(3, value.text)
        }
        return v
    }

    /// The HParams `DataType` a value is shown as: 3 a number, 2 a bool, 1 text.
    private static func dataType(_ value: SettingValue) -> Int {
        switch value {
        case .integer, .number: return 3
        case .bool: return 2
        default: return 1
        }
    }
}
