import ArgumentParser

/// Named training setups, each the best we measured within a few minutes on a 2-core machine.
/// `--recipe NAME` stands for the recipe's options, placed before the user's own; an option the
/// user gives replaces the recipe's value for it.
enum Recipe: String, CaseIterable, ExpressibleByArgument {
    case mnistBest = "mnist-best"
    case fashionBest = "fashion-mnist-best"

    /// The options the recipe stands for.
    var arguments: [String] {
        switch self {
        case .mnistBest:
            return ["--hidden", "1024,1024", "--batch-size", "128", "--lr", "0.1", "--epochs", "60", "--validation", "0",
                    "--augment", "affine,elastic,thickness"]
        case .fashionBest:
            return ["--dataset", "fashion-mnist", "--hidden", "1024,1024", "--batch-size", "128", "--lr", "0.05", "--epochs", "60",
                    "--validation", "0", "--augment", "flip"]
        }
    }

    /// What it measured, seeds 1–3 on the 2-core machine (AMD Zen 5) the README's figures come from.
    var measured: String {
        switch self {
        case .mnistBest: return "MNIST test accuracy 99.41, 99.36, 99.37% for seeds 1-3, mean 99.38%; about 2 minutes a run"
        case .fashionBest: return "Fashion-MNIST test accuracy 90.76, 90.65, 90.26% for seeds 1-3, mean 90.56%; under 2 minutes a run"
        }
    }

    /// One line per recipe for `--help`: its name, its options and what it measured.
    static var help: String {
        allCases.map { "\($0.rawValue) = \($0.arguments.joined(separator: " ")) (\($0.measured))" }.joined(separator: "\n")
    }

    /// The command line with each `--recipe NAME` (or `--recipe=NAME`) preceded by its options, at
    /// the start of the command's own arguments, less those the user gives (`--hidden` may be
    /// repeated, so a second one would add to the recipe's rather than replace it). An unknown
    /// name is left for the parser to refuse.
    static func expanding(_ arguments: [String]) -> [String] {
        var recipe: Recipe?
        for (i, word) in arguments.enumerated() {
            if word == "--recipe", i + 1 < arguments.count { recipe = Recipe(rawValue: arguments[i + 1]) }
            if word.hasPrefix("--recipe=") { recipe = Recipe(rawValue: String(word.dropFirst("--recipe=".count))) }
            if word == "--" { break }
        }
        guard let recipe else { return arguments }
        // After the subcommand's name when one is given (train is the default).
        let start = arguments.first.map { TrainerCommand.subcommandNames.contains($0) } == true ? 1 : 0
        let given = arguments.prefix { $0 != "--" }
        let kept = stride(from: 0, to: recipe.arguments.count, by: 2).flatMap { i -> [String] in
            let flag = recipe.arguments[i]
            return given.contains { $0 == flag || $0.hasPrefix(flag + "=") } ? [] : [flag, recipe.arguments[i + 1]]
        }
        var expanded = arguments
        expanded.insert(contentsOf: kept, at: start)
        return expanded
    }
}
