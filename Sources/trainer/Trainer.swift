import ArgumentParser

/// `trainer`: train, evaluate and use MNIST-style digit classifiers. `train` is the default, so
/// `trainer --activation relu --epochs 5` trains.
@main
struct TrainerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trainer",
        abstract: "Train, evaluate and compare MLP digit classifiers on MNIST-style data.",
        subcommands: [
            Train.self, Evaluate.self, Predict.self, Inspect.self, Export.self, ServeCommand.self, AugmentPreview.self,
            Ablate.self, ReportCommand.self, Bench.self
        ],
        defaultSubcommand: Train.self
    )

    static var subcommandNames: Set<String> {
        Set(configuration.subcommands.map { $0._commandName })
    }

    /// Parses and runs the command line, with `--recipe` and `--study` first expanded into their options.
    static func main() {
        main(Study.expanding(Recipe.expanding(Array(CommandLine.arguments.dropFirst()))))
    }
}
