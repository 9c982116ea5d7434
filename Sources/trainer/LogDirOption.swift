import ArgumentParser
import Foundation
import Model
import Report

/// `--log-dir`: TensorBoard logs of what a command trains (`TrainingLog`).
struct LogDirOption: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "Write TensorBoard event files here as training goes: losses, accuracies, the learning rate, each layer's figures and histograms, and the settings for the HParams dashboard. Look with: tensorboard --logdir DIR",
            valueName: "DIR"))
    var logDir: String?

    /// What `TrainingRun(probeImages:)` should measure: the log's probe when logging, nothing otherwise.
    var probeImages: Int { logDir == nil ? 0 : TrainingLog.probeImages }

    /// The machine's name, the last part of an event file's name as TensorFlow writers make it.
    static var host: String { ProcessInfo.processInfo.hostName }
}

/// The command line as typed (words with spaces quoted), for records of how a run was made.
func typedCommandLine(_ words: [String] = CommandLine.arguments) -> String {
    words.map { $0.contains(" ") ? "'\($0)'" : $0 }.joined(separator: " ")
}
