import ArgumentParser
import Dataset
import Foundation
import Model
import Report

/// Where the data comes from; shared by every command that reads a data set.
struct DataOptions: ParsableArguments {
    @Option(
        help:
            "Data set: \(DatasetKind.allCases.map(\.rawValue).joined(separator: ", ")) (default: mnist; for a saved model, the one it was trained on)."
    )
    var dataset: DatasetKind?

    @Option(
        help: ArgumentHelp(
            "Folder holding the four IDX files (.gz or plain).",
            discussion:
                "Default: $MNIST_MIRROR if it is a folder, else data/mnist (fill it with scripts/fetch-mnist); /usr/share/datasets/fashion-mnist for Fashion-MNIST."
        ))
    var data: String?

    /// The data set asked for, else `modelDataset` (a saved model's), else MNIST.
    func kind(modelDataset: DatasetKind? = nil) -> DatasetKind { dataset ?? modelDataset ?? .mnist }

    func folder(for kind: DatasetKind) -> String { data ?? Self.defaultFolder(for: kind) }

    /// Where the files are looked for without --data: `MNIST_MIRROR` when it names a local folder,
    /// else data/mnist (what scripts/fetch-mnist fills); Debian's package folder for Fashion-MNIST.
    static func defaultFolder(
        for dataset: DatasetKind, environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> String {
        switch dataset {
        case .mnist:
            if let mirror = environment["MNIST_MIRROR"], !mirror.contains("://"), !mirror.isEmpty { return mirror }
            return "data/mnist"
        case .fashionMNIST:
            return "/usr/share/datasets/fashion-mnist"
        }
    }

    /// Loads the data set asked for, or for a saved model the one it was trained on (`modelDataset`).
    func load(modelDataset: DatasetKind? = nil) throws -> TrainAndTest {
        let kind = self.kind(modelDataset: modelDataset)
        do {
            return try TrainAndTest(kind: kind, folder: folder(for: kind))
        } catch let error as DatasetError {
            guard case .filesNotFound = error else { throw error }
            switch (kind, data) {
            case (.fashionMNIST, nil):
                throw Failure("\(error); install Fashion-MNIST with: apt-get install dataset-fashion-mnist")
            case (.mnist, nil): throw Failure("\(error) (run scripts/fetch-mnist, or set MNIST_MIRROR / --data)")
            default: throw Failure("\(error) (is --data the right folder?)")
            }
        }
    }
}

extension DatasetKind: ExpressibleByArgument {}

extension TrainAndTest {
    /// A note when `checkpoint` was trained on other data than this, or nil.
    func mismatchNote(for checkpoint: Checkpoint, path: String) -> String? {
        if let trained = checkpoint.datasetKind, trained != kind {
            return
                "note: \(path) was trained on \(trained.rawValue), not \(kind.rawValue); its accuracy here says little about it"
        }
        let differing = checkpoint.datasetSHA256.filter { file, sum in sha256[file].map { $0 != sum } ?? false }.keys
            .sorted()
        guard !differing.isEmpty else { return nil }
        return
            "note: \(path) was trained with other copies of \(differing.joined(separator: ", ")) than these (their SHA-256s differ)"
    }
}
extension GEMMLibrary: ExpressibleByArgument {}

/// How the arithmetic runs; shared by every command that multiplies matrices.
struct ComputeOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "GEMM library: \(GEMMLibrary.available.map(\.rawValue).joined(separator: " or ")).",
            discussion:
                "oneDNN (the default on Linux) builds its kernels for the instruction sets this CPU reports; OpenBLAS's kernel follows OPENBLAS_CORETYPE or its table of CPU models."
        ))
    var gemm: GEMMLibrary = .platformDefault

    func validate() throws {
        guard GEMMLibrary.available.contains(gemm) else {
            throw ValidationError(
                "--gemm \(gemm.rawValue) is not available in this build (use \(GEMMLibrary.available.map(\.rawValue).joined(separator: " or ")))"
            )
        }
    }

    func apply() { GEMMLibrary.current = gemm }
}

/// How many threads share the work of one model; for every command that trains or evaluates one.
struct ThreadOptions: ParsableArguments {
    @Option(
        help:
            "Threads that share each training step and evaluation (default: all cores). The same seed and thread count give the same numbers; another thread count can change float rounding (oneDNN splits sums by thread on AVX2 CPUs such as Zen 3), not the accuracy."
    )
    var threads = ProcessInfo.processInfo.activeProcessorCount

    func validate() throws {
        guard threads >= 1 else { throw ValidationError("--threads must be at least 1") }
    }
}

/// The training settings on the command line: every row of `TrainingSettings.all` as `--flag VALUE`
/// (or `--flag=VALUE`; a true/false setting also as a bare `--flag`), read by the table itself.
/// Derived, not declared: a setting added to the table is an option of `train` and `ablate` with
/// its help and rule, and nothing here changes.
struct SettingOptions: ParsableArguments {
    @Argument(parsing: .allUnrecognized, help: .hidden)
    var words: [String] = []

    /// The settings given, each with every value given for it, in the order given.
    func given() throws -> [(setting: TrainingSetting, values: [String])] {
        var found: [(setting: TrainingSetting, values: [String])] = []
        var k = 0
        while k < words.count {
            let word = words[k]
            k += 1
            let (name, attached) =
                word.firstIndex(of: "=").map { (String(word[..<$0]), String(word[word.index(after: $0)...])) }
                ?? (word, nil)
            guard name.hasPrefix("--"), let setting = TrainingSettings.named(name) else {
                throw ValidationError(Self.unknown(word))
            }
            let value: String
            if let attached {
                value = attached
            } else if case .bool = setting.defaultValue, k == words.count || words[k].hasPrefix("--") {
                value = "true"
            } else {
                guard k < words.count else { throw ValidationError("\(setting.flag) needs a value: \(setting.rule)") }
                value = words[k]
                k += 1
            }
            if let i = found.firstIndex(where: { $0.setting.id == setting.id }) {
                found[i].values.append(value)
            } else {
                found.append((setting, [value]))
            }
        }
        return found
    }

    func validate() throws { _ = try given() }

    /// The values given for `id` (empty when it was not given).
    func values(of id: String) throws -> [String] {
        try given().first { $0.setting.id == id }?.values ?? []
    }

    /// Sets every setting given in `config`, refusing a second value for one (`except` the ones
    /// the caller reads as lists itself).
    func apply(to config: inout TrainingConfig, except: Set<String> = []) throws {
        for (setting, values) in try given() where !except.contains(setting.id) {
            guard values.count == 1 else {
                throw ValidationError("\(setting.flag) is given \(values.count) times; give it once")
            }
            do { try setting.set(values[0], in: &config) } catch { throw ValidationError(error.flagWording) }
        }
    }

    /// An unknown word, with the nearest setting when there is one.
    private static func unknown(_ word: String) -> String {
        let name = word.split(separator: "=", maxSplits: 1).first.map(String.init) ?? word
        let near = TrainingSettings.all.map(\.flag).min { distance($0, name) < distance($1, name) }
        let suggestion = near.flatMap { distance($0, name) <= 2 ? " (did you mean \($0)?)" : nil } ?? ""
        return "unknown option '\(name)'\(suggestion)"
    }

    private static func distance(_ a: String, _ b: String) -> Int {
        let (a, b) = (Array(a), Array(b))
        var row = Array(0...b.count)
        for i in 1...max(a.count, 1) where !a.isEmpty {
            var previous = row[0]
            row[0] = i
            for j in 1...max(b.count, 1) where !b.isEmpty {
                let kept = row[j]
                row[j] = min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] == b[j - 1] ? 0 : 1))
                previous = kept
            }
        }
        return row[b.count]
    }

    /// The settings as `--help` lists them, with their defaults; `leaving` out those a command
    /// takes otherwise.
    static func help(leaving: Set<String> = []) -> String {
        let rows = TrainingSettings.all.filter { !leaving.contains($0.id) }
        let width = (rows.map { $0.flag.count }.max() ?? 0) + 4
        // Wrapped here, with the text in a column, so that argument-parser's own wrapping leaves it alone.
        return "Training settings:\n"
            + rows.map { setting in
                let text = "\(setting.help) (default: \(setting.defaultText))"
                var lines: [String] = []
                var line = ""
                for word in text.split(separator: " ") {
                    if !line.isEmpty && width + line.count + 1 + word.count > 79 {
                        lines.append(line)
                        line = ""
                    }
                    line += (line.isEmpty ? "" : " ") + word
                }
                lines.append(line)
                let head = "  " + setting.flag.padding(toLength: width - 2, withPad: " ", startingAt: 0)
                return head + lines.joined(separator: "\n" + String(repeating: " ", count: width))
            }.joined(separator: "\n")
    }
}

extension Precision: ExpressibleByArgument {}

/// How many views of each image a saved model reads; for `evaluate` and `predict`.
struct ViewOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "Read each image as the mean over 1, 5 or 9 views of it (moved by one pixel). (default: what the model was tested with when trained)"
        ))
    var tta: Int?

    func validate() throws {
        if let tta, TestTimeAugmentation(views: tta) == nil {
            throw ValidationError(
                "--tta must be \(TestTimeAugmentation.viewCounts.map(String.init).joined(separator: ", ")) (got \(tta))"
            )
        }
    }

    /// The views asked for, else the checkpoint's own.
    func views(for checkpoint: Checkpoint) -> TestTimeAugmentation {
        tta.flatMap { TestTimeAugmentation(views: $0) } ?? checkpoint.config.testTimeAugmentation
    }
}

extension TrainingConfig {
    /// This configuration with bf16 replaced by fp32 on a CPU without native bf16, and the note that
    /// says so (nil when nothing changed). Falling back rather than refusing keeps recipes and
    /// scripts that ask for bf16 working on every machine: the answer is the same model, only slower.
    func withAvailablePrecision() -> (config: TrainingConfig, note: String?) {
        guard !precision.isAvailable else { return (self, nil) }
        var config = self
        config.precision = .fp32
        return (
            config,
            "note: this CPU has no native bf16 arithmetic (its best instruction set is \(Precision.cpuInstructionSet)); training in fp32"
        )
    }
}

/// Loads a saved model; the default path, when missing, gets advice on how to make one.
func loadCheckpoint(_ path: String) throws -> Checkpoint {
    do {
        return try Checkpoint(contentsOf: path)
    } catch CheckpointError.missing(let missing) where missing == Train.defaultModelPath {
        throw Failure("\(missing): no model yet; train one first with: trainer --activation relu --epochs 5")
    }
}

extension SettingProblem {
    /// The problem in the words of the command line: `--momentum: a number in [0, 1) (got 1.5)`.
    var flagWording: String {
        "\(TrainingSettings.named(setting)?.flag ?? setting): \(rule) (got \(got))"
    }
}

extension ClaimNeed {
    /// The need in the words of `trainer ablate`'s flags.
    var flagWording: String {
        switch self {
        case .depths(let example):
            return "Needs architectures of different depths: add e.g. "
                + example.map { "--hidden \(AblationCell.widths($0))" }.joined(separator: " ") + "."
        case .activations(let activations):
            return "Needs \(activations.map(\.spec).joined(separator: " and ")) in --activations."
        case .oneOf(let activations):
            return "Needs \(activations.map(\.spec).joined(separator: " or ")) in --activations."
        case .learningRates(let example):
            return
                "Needs ReLU finished at two learning rates or more: add e.g. --lr \(example.map(\.description).joined(separator: ",")) "
                + "(a rate at which ReLU diverges in every seed gives no dead-unit count)."
        }
    }
}

extension NextRunWording {
    /// What a report written by `trainer` says: the flags to run next.
    static let commandLine = NextRunWording(
        need: { $0.flagWording },
        grid: "`--hidden` repeated, `--lr` with a list, or `--study depth|learning-rate`")
}

extension TrainingError {
    /// The error with what to try next, for someone at the command line, and what is on disk:
    /// `saved` is the file and epoch of the last checkpoint this run wrote, if it wrote one.
    func advice(saved: (path: String, epoch: Int)?) -> String {
        switch self {
        case .nonFinite(_, _, let lr, _):
            return "\(self); try a smaller --lr (say \(lr / 10)) or a smaller --momentum. "
                + (saved.map { "\($0.path) holds the run as it was after epoch \($0.epoch), before it diverged." }
                    ?? "No model was saved from this run.")
        }
    }
}

/// Warns once that a debug build is far slower than a release build.
func warnIfUnoptimised() {
    #if DEBUG
        Terminal.error(
            "warning: this trainer was built without optimisation and trains about 50x slower; build with: swift build -c release"
        )
    #endif
}
