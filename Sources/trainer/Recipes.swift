import ArgumentParser
import Foundation
import Model
import Report

/// Named training setups, each the best we measured within a few minutes on a 2-core machine.
/// `--recipe NAME` stands for the recipe's options, placed before the user's own; an option the
/// user gives replaces the recipe's value for it.
enum Recipe: String, CaseIterable, ExpressibleByArgument, ArgumentPreset {
    static let flag = "--recipe"

    case mnistBest = "mnist-best"
    /// The same network for 89 epochs: the products of the first `mnist-best` (1024-1024 for 60
    /// epochs, 34.6 TFLOP), for 0.06 points more.
    case mnistBestLong = "mnist-best-long"
    case fashionBest = "fashion-mnist-best"

    /// The options the recipe stands for.
    var arguments: [String] {
        switch self {
        case .mnistBest:
            // A narrower second layer for more epochs: 59% of the products of the first mnist-best
            // (1024-1024 for 60 epochs), for the same accuracy (docs/training.md).
            return [
                "--hidden", "1024,512", "--batch-size", "128", "--lr", "0.1", "--epochs", "53", "--validation", "0",
                "--augment", "affine,elastic,thickness", "--precision", "auto", "--tta", "5"
            ]
        case .mnistBestLong:
            return [
                "--hidden", "1024,512", "--batch-size", "128", "--lr", "0.1", "--epochs", "89", "--validation", "0",
                "--augment", "affine,elastic,thickness", "--precision", "auto", "--tta", "5"
            ]
        case .fashionBest:
            return [
                "--dataset", "fashion-mnist", "--hidden", "1024,1024", "--batch-size", "128", "--lr", "0.05",
                "--epochs", "60",
                "--validation", "0", "--augment", "flip", "--precision", "auto", "--tta", "5"
            ]
        }
    }

    /// What it measured, seeds 1–3, on the 2-core machine named (bf16 there: auto chose it; auto
    /// picks fp32 where bf16 is not faster, for the same accuracy), through 5 test views.
    var measured: String {
        switch self {
        case .mnistBest:
            return
                "MNIST test accuracy 99.45, 99.43, 99.45% for seeds 1-3, mean 99.44%; 115-125 s a run on a Zen 4"
        case .mnistBestLong:
            return
                "MNIST test accuracy 99.48, 99.55, 99.45% for seeds 1-3, mean 99.49%; 200 s a run on a Zen 4"
        case .fashionBest:
            return
                "Fashion-MNIST test accuracy 90.65, 90.49, 90.64% for seeds 1-3, mean 90.59% (fp32 without test views: 90.56%); about 1.3 minutes a run on a Zen 5"
        }
    }

    /// The training settings the recipe sets, read through the table (its other options, such as
    /// the data set, leave the configuration as it is).
    var config: TrainingConfig {
        var config = TrainingConfig()
        for i in stride(from: 0, to: arguments.count - 1, by: 2) {
            try? TrainingSettings.named(arguments[i])?.set(arguments[i + 1], in: &config)
        }
        return config
    }

    /// What a run of it costs in products, training and test (`TrainingCost`; both data sets have
    /// 60,000 training and 10,000 test images).
    var cost: TrainingCost { TrainingCost(config, images: 60_000, testImages: 10_000) }

    /// One line per recipe for `--help`: its name, its options, what it measured and what it costs.
    static var help: String {
        allCases.map {
            "\($0.rawValue) = \($0.arguments.joined(separator: " ")) (\($0.measured); \(String(format: "%.1f", $0.cost.total / 1e12)) TFLOP)"
        }.joined(separator: "\n")
    }

}

/// A named set of options (`--recipe` for train, `--study` for ablate) that stands for its options
/// on the command line, ahead of the user's own; an option the user gives replaces the preset's.
protocol ArgumentPreset: RawRepresentable<String>, CaseIterable {
    /// The flag that names the preset: `--recipe`.
    static var flag: String { get }
    /// The options it stands for, as flag-value pairs.
    var arguments: [String] { get }
    /// The options it stands for on `commandLine` (where a flag of its own may choose among budgets).
    func arguments(on commandLine: [String]) -> [String]
}

extension ArgumentPreset {
    func arguments(on commandLine: [String]) -> [String] { arguments }
}

extension ArgumentPreset {
    /// The command line with `FLAG NAME` (or `FLAG=NAME`) preceded by the preset's options, at
    /// the start of the command's own arguments, less those the user gives (`--hidden` may be
    /// repeated, so a second one would add to the preset's rather than replace it). An unknown
    /// name is left for the parser to refuse.
    static func expanding(_ arguments: [String]) -> [String] {
        var preset: Self?
        for (i, word) in arguments.enumerated() {
            if word == flag, i + 1 < arguments.count { preset = Self(rawValue: arguments[i + 1]) }
            if word.hasPrefix(flag + "=") { preset = Self(rawValue: String(word.dropFirst(flag.count + 1))) }
            if word == "--" { break }
        }
        guard let preset else { return arguments }
        // After the subcommand's name when one is given (train is the default).
        let start = arguments.first.map { TrainerCommand.subcommandNames.contains($0) } == true ? 1 : 0
        let given = arguments.prefix { $0 != "--" }
        let options = preset.arguments(on: arguments)
        let kept = stride(from: 0, to: options.count, by: 2).flatMap { i -> [String] in
            let flag = options[i]
            return given.contains { $0 == flag || $0.hasPrefix(flag + "=") } ? [] : [flag, options[i + 1]]
        }
        var expanded = arguments
        expanded.insert(contentsOf: kept, at: start)
        return expanded
    }
}

/// `ablate --study NAME`: grids that show the textbook effects of activations within a few
/// minutes on 2 cores, and published experiments rerun (`PaperStudy`: their parts, sources and
/// claims are the library's; their budgets, here, are options like any other).
enum Study: String, CaseIterable, ExpressibleByArgument, ArgumentPreset {
    case depth
    case learningRate = "learning-rate"
    case gelu2016 = "gelu-2016"
    case glorot2010 = "glorot-2010"

    static let flag = "--study"
    /// Chooses a paper study's budget closer to the paper's.
    static let fullFlag = "--full"

    /// The published experiment the study reruns, if it is one.
    var paper: PaperStudy? { PaperStudy.named(rawValue) }

    var arguments: [String] {
        switch self {
        case .depth:
            // Vanishing gradients (sigmoid, tanh) and Swish against depth, at each activation's own rate.
            return [
                "--activations", "relu,leaky-relu,tanh,sigmoid,swish", "--hidden", "128x2", "--hidden", "128x4",
                "--hidden", "128x8",
                "--epochs", "3", "--seeds", "3", "--output", "ablation-depth"
            ]
        case .learningRate:
            // Dead ReLUs at large rates, and the usable range of each activation.
            return [
                "--activations", "relu,leaky-relu,prelu,elu,tanh,sigmoid,swish", "--hidden", "128x4", "--lr",
                "0.01,0.05,0.1,0.2",
                "--epochs", "2", "--seeds", "2", "--output", "ablation-learning-rate"
            ]
        case .gelu2016:
            // Their network and optimiser; 8 epochs of their 50, 3 seeds of 5, their first rate
            // (about 3 minutes on 2 cores).
            return [
                "--hidden", "128x8", "--init", "unit-norm", "--optimizer", "adam", "--lr", "0.001", "--schedule",
                "constant", "--batch-size", "128", "--validation", "5000", "--epochs", "8", "--seeds", "3",
                "--output", "ablation-gelu-2016"
            ]
        case .glorot2010:
            // Their network, batch and plain SGD; one epoch of 20,000 images at one rate (about 4
            // minutes on 2 cores: batches of 10 through 19 MB of weights are bound by memory, not by
            // the cores, so the full 50,000 took 9).
            return [
                "--hidden", "1000x5", "--momentum", "0", "--lr", "0.1", "--schedule", "constant", "--batch-size",
                "10", "--limit", "30000", "--validation", "10000", "--epochs", "1", "--seeds", "3", "--output",
                "ablation-glorot-2010"
            ]
        }
    }

    /// With `--full`, a paper study's budget closer to the paper's.
    func arguments(on commandLine: [String]) -> [String] {
        guard commandLine.prefix(while: { $0 != "--" }).contains(Self.fullFlag) else { return arguments }
        return arguments.replacing(fullChanges)
    }

    /// What `--full` changes in the default budget: a flag's new value, or nil to drop the flag.
    private var fullChanges: [(flag: String, value: String?)] {
        switch self {
        case .depth, .learningRate: return []
        // The paper's 50 epochs, 5 seeds and three rates: 120 cells, about 2 hours on 2 cores
        // (the default budget took 2.1 core-seconds a cell-epoch).
        case .gelu2016: return [("--epochs", "50"), ("--seeds", "5"), ("--lr", "0.001,0.0001,0.00001")]
        // Their 50,000 training images, 10 epochs at four rates: 60 cells, about 5 hours on 2
        // cores (63 s an epoch with two side by side); theirs trained until validation error
        // stopped improving.
        case .glorot2010: return [("--epochs", "10"), ("--lr", "0.01,0.03,0.1,0.3"), ("--limit", nil)]
        }
    }

    /// One line per study for `--help`: a paper study's source and both budgets.
    static var help: String {
        allCases.map { study in
            guard let paper = study.paper else {
                return "\(study.rawValue) = \(study.arguments.joined(separator: " "))"
            }
            let changes = study.fullChanges.map { change in
                change.value.map { "\(change.flag) \($0)" } ?? "no \(change.flag)"
            }
            return
                "\(study.rawValue): \(paper.source). Parts: \(paper.parts.map { "\($0.label) (\($0.activations.map(PaperStudy.name).joined(separator: ", ")))" }.joined(separator: "; ")). "
                + "Default budget = \(study.arguments.joined(separator: " ")); \(fullFlag) changes it to \(changes.joined(separator: ", "))"
        }.joined(separator: "\n")
    }
}

private extension [String] {
    /// Flag-value pairs with the values of `changes`' flags replaced, and those changed to nil left out.
    func replacing(_ changes: [(flag: String, value: String?)]) -> [String] {
        stride(from: 0, to: count - 1, by: 2).flatMap { i -> [String] in
            guard let change = changes.first(where: { $0.flag == self[i] }) else { return [self[i], self[i + 1]] }
            return change.value.map { [self[i], $0] } ?? []
        }
    }
}
