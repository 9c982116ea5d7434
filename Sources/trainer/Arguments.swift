import ArgumentParser
import Dataset
import Model

// The command line's structured values, each parsed once by argument-parser (through `transform:`)
// into a typed value; a malformed one is refused before any command runs, with what is wrong.

/// `relu`, `relu,tanh` (one per hidden layer), `leaky-relu:0.1`, or `all`.
struct ActivationList: CustomStringConvertible, Sendable {
    let activations: [Activation]

    init(_ activations: [Activation]) { self.activations = activations }

    init(parsing text: String) throws {
        if text.lowercased() == "all" {
            activations = Activation.all
            return
        }
        activations = try text.split(separator: ",").map { part in
            guard let activation = Activation(spec: part.trimmingCharacters(in: .whitespaces)) else {
                throw ValidationError("unknown activation '\(part)'; choose from \(activationChoices)")
            }
            return activation
        }
        guard !activations.isEmpty else {
            throw ValidationError("give at least one activation; choose from \(activationChoices)")
        }
    }

    var description: String { activations.map(\.spec).joined(separator: ",") }
}

let activationChoices =
    Activation.all.map(\.name).joined(separator: ", ") + " (silu = swish; add :VALUE for α/β, e.g. leaky-relu:0.1)"

/// Hidden-layer widths: `256,128`.
struct LayerWidths: CustomStringConvertible, Sendable {
    let widths: [Int]

    init(_ widths: [Int]) { self.widths = widths }

    /// `256,128`; `128x4` is four layers of 128, and the forms mix: `256,128x2`.
    init(parsing text: String) throws {
        guard let widths = Architecture.hiddenWidths(spec: text) else {
            throw ValidationError(
                "positive layer widths separated by commas, such as 256,128, or WIDTHxLAYERS such as 128x4 (got '\(text)')"
            )
        }
        self.widths = widths
    }

    var description: String { widths.map(String.init).joined(separator: ",") }
}

/// `--lr`: one learning rate, or for `ablate` a comma list of them, where `default` stands for
/// each activation's own measured rate.
struct LearningRateList: CustomStringConvertible, Sendable {
    let rates: [LearningRateChoice]

    init(parsing text: String) throws {
        var rates: [LearningRateChoice] = []
        for part in text.split(separator: ",", omittingEmptySubsequences: false).map({
            $0.trimmingCharacters(in: .whitespaces)
        }) {
            if part == "default" {
                rates.append(.default)
            } else if let rate = Double(part), rate > 0, rate.isFinite {
                rates.append(.rate(rate))
            } else {
                throw ValidationError(
                    "a positive learning rate, `default`, or (for ablate) a comma list of them such as default,0.01,0.1 (got '\(text)')"
                )
            }
        }
        guard Set(rates).count == rates.count else {
            throw ValidationError("--lr lists a learning rate twice (got '\(text)')")
        }
        self.rates = rates
    }

    var description: String { rates.map(\.description).joined(separator: ",") }
}

extension Augmentation {
    init(parsing text: String) throws {
        guard let augmentation = Augmentation(spec: text) else {
            throw ValidationError(
                "a comma list of \(Augmentation.names.joined(separator: ", ")) (or none), each with an optional :STRENGTH from 0 to \(Augmentation.strengthLimit) (shift: whole pixels up to \(Augmentation.shiftLimit)), such as affine,elastic:0.5 (got '\(text)')"
            )
        }
        self = augmentation
    }
}

/// `--seeds`: a count N (seeds 1…N) or a list such as `1,2,5`.
struct SeedList: CustomStringConvertible, Sendable {
    let seeds: [UInt64]

    init(_ seeds: [UInt64]) { self.seeds = seeds }

    init(parsing text: String) throws {
        let parts = text.split(separator: ",").map { UInt64($0.trimmingCharacters(in: .whitespaces)) }
        guard !parts.isEmpty, parts.allSatisfy({ $0 != nil }) else {
            throw ValidationError("a count such as 3 or a list such as 1,2,5 (got '\(text)')")
        }
        if parts.count == 1 && !text.contains(",") {
            guard (1...1000).contains(parts[0]!) else {
                throw ValidationError("a count between 1 and 1000 (got \(parts[0]!))")
            }
            seeds = Array(1...parts[0]!)
        } else {
            guard Set(parts).count == parts.count else {
                throw ValidationError("a seed is listed twice (got '\(text)')")
            }
            seeds = parts.map { $0! }
        }
    }

    var description: String { seeds.map(String.init).joined(separator: ",") }
}

/// `--shard i/N`: the i-th (1-based) of N shards.
struct Shard: Sendable {
    let index: Int
    let count: Int

    init(parsing text: String) throws {
        let parts = text.split(separator: "/").compactMap { Int($0) }
        guard parts.count == 2, parts[1] >= 1, (1...parts[1]).contains(parts[0]) else {
            throw ValidationError("i/N with 1 ≤ i ≤ N, such as 2/4 (got '\(text)')")
        }
        (index, count) = (parts[0], parts[1])
    }
}
