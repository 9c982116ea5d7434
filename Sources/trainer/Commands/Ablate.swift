import ArgumentParser
import Dataset
import Foundation
import Model
import Report

/// `trainer ablate`: the same network trained once per (activation, seed), then a report.
struct Ablate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Compare activations fairly: train the same network per activation and seed, then write a report.",
        discussion: """
            For each seed every activation gets the same validation split, batch order and initial \
            normals; only the activation differs. Finished cells are saved in OUTPUT/cells, so a rerun \
            skips them (resume after an interruption). --shard i/N runs every N-th cell from the i-th, \
            for spreading one ablation over machines; merge the folders with `trainer report DIR...`.
            The report: OUTPUT/report.html (self-contained), report.md, results.json, results.csv, charts/.

            A grid: repeat --hidden to compare architectures (128x4 is four layers of 128) and give \
            --lr a list to compare learning rates (default = each activation's own); every \
            activation × architecture × learning rate × seed is a cell, and the report gets charts \
            against depth and learning rate and judges the textbook claims on the numbers.

            Studies (--study NAME; options given beside it override the study's):
            \(Study.help)

            \(SettingOptions.help(leaving: Ablate.axes))
              --hidden may be repeated and --lr given a comma list such as default,0.01,0.1: each is an axis of the grid.
            """
    )

    @Option(
        help: ArgumentHelp(
            "A grid that shows the textbook effects in a few minutes: \(Study.allCases.map(\.rawValue).joined(separator: " or ")) (listed above)."
        ))
    var study: Study?

    @Flag(
        help:
            "With a paper study (gelu-2016, glorot-2010): the budget closer to the paper's (listed above) instead of the few-minute default."
    )
    var full = false

    @OptionGroup var dataOptions: DataOptions

    @Option(
        help:
            "Activations to compare, comma-separated (any of: \(Activation.all.map(\.name).joined(separator: ", "))), or all. (default: relu,leaky-relu,tanh,sigmoid,swish)",
        transform: ActivationList.init(parsing:))
    var activations = defaultActivations
    static let defaultActivations = ActivationList([.relu, .leakyRelu(alpha: 0.01), .tanh, .sigmoid, .swish(beta: 1)])

    @Option(
        help: "Seeds: a count N (seeds 1...N) or a comma-separated list. (default: 3)",
        transform: SeedList.init(parsing:))
    var seeds = SeedList([1, 2, 3])

    @OptionGroup var settings: SettingOptions

    /// Settings that are axes of the ablation with options of their own (--activations, --seeds).
    static let axes: Set<String> = ["activation", "seed"]

    /// The architectures given with --hidden (one each), or the default one.
    func architectures() throws -> [[Int]] {
        let given = try settings.values(of: "hidden")
        guard !given.isEmpty else { return [TrainingConfig().hidden] }
        return try given.map { try LayerWidths(parsing: $0).widths }
    }

    /// The settings every cell shares: the table's settings given, the first architecture and rate.
    func baseConfig() throws -> TrainingConfig {
        var base = TrainingConfig()
        try settings.apply(to: &base, except: ["hidden", "lr"])
        (base.hidden, base.learningRate) = (try architectures()[0], try learningRates()[0].value)
        return base
    }

    /// The learning rates given with --lr (a comma list), or each activation's own.
    func learningRates() throws -> [LearningRateChoice] {
        let given = try settings.values(of: "lr")
        guard given.count <= 1 else { throw ValidationError("--lr is given \(given.count) times; give one comma list") }
        return try given.first.map { try LearningRateList(parsing: $0).rates } ?? [.default]
    }

    @OptionGroup var compute: ComputeOptions

    @Option(help: "Train on only the first N training images (quick trials).")
    var limit: Int?

    @Option(help: "Cells trained at the same time, each on one thread (default: one per core).")
    var jobs = ProcessInfo.processInfo.activeProcessorCount

    @Option(
        help: ArgumentHelp("Run only shard i of N (1-based): every N-th cell from the i-th.", valueName: "i/N"),
        transform: Shard.init(parsing:))
    var shard: Shard?

    @Option(name: .shortAndLong, help: "Result folder (reused to resume).")
    var output = "ablation"

    @Flag(
        help:
            "Do not keep each cell's trained model (OUTPUT/cells/CELL.safetensors, 8 bytes per weight: about 1.9 MB for 784-256-128-10)."
    )
    var noModels = false

    @Flag(help: "Print one JSON object per finished cell instead of text.")
    var json = false

    @OptionGroup var log: LogDirOption

    func validate() throws {
        guard Set(activations.activations).count == activations.activations.count else {
            throw ValidationError("--activations lists an activation twice")
        }
        guard jobs >= 1 else { throw ValidationError("--jobs must be at least 1") }
        if let axis = try settings.given().first(where: { Self.axes.contains($0.setting.id) }) {
            throw ValidationError(
                "\(axis.setting.flag): ablate compares \(axis.setting.id)s; give them with --\(axis.setting.id)s")
        }
        let architectures = try architectures()
        guard Set(architectures).count == architectures.count else {
            throw ValidationError("--hidden gives one architecture twice")
        }
        guard try baseConfig().validationCount > 0 else {
            throw ValidationError("--validation must be above 0: the diagnostics are measured on the validation set")
        }
        if let limit, limit < 2 { throw ValidationError("--limit must be at least 2") }
        if full && study?.paper == nil {
            throw ValidationError(
                "--full chooses a paper study's budget: give it with --study gelu-2016 or glorot-2010")
        }
        if let study, study.paper != nil {
            if activations.activations != Self.defaultActivations.activations {
                throw ValidationError(
                    "--activations: \(study.rawValue) compares the paper's activations, part by part (see --help)")
            }
            if shard != nil { throw ValidationError("--shard: a paper study runs whole, its parts side by side") }
        }
    }

    func run() throws {
        warnIfUnoptimised()
        let wallStart = Date()
        let data = try dataOptions.load()
        var base = try baseConfig()
        var precisionNote: String?
        (base, precisionNote) = base.withAvailablePrecision()
        if base.precision == .auto {
            // Chosen once for every cell (each trains on one thread), so that no two differ in it.
            compute.apply()
            let choice = PrecisionChoice.measure(
                base, inputs: data.train.featureCount, classes: data.kind.classNames.count, threads: 1)
            base.precision = choice.precision
            precisionNote = "precision auto: \(choice.description)"
        }
        // A paper study is one ablation per part, in sub-folders; anything else is one ablation.
        let paper = study?.paper
        let ablations: [(plan: AblationPlan, output: String)] =
            try paper.map { paper in
                try paper.parts.map { part in
                    var plan = try self.plan(part.activations, base: part.config(from: base), data: data)
                    plan.lossWithoutDropout = true
                    plan.traceSnapshots = paper.tracesFirstEpoch ? Self.traceSnapshots : 0
                    return (plan, output + "/" + part.id)
                }
            } ?? [(try plan(activations.activations, base: base, data: data), output)]
        for (plan, _) in ablations {
            let trainingCount = Ablation.trainingSet(plan, data: data).count
            for hidden in plan.architectures {
                var config = plan.base
                config.hidden = hidden
                if let problem = config.problem(trainingExamples: trainingCount) { throw Failure(problem.flagWording) }
            }
        }

        let wanted = ablations.indices.flatMap { index in
            let plan = ablations[index].plan
            return (shard.map { plan.cells(shard: $0.index, of: $0.count) } ?? plan.cells).map {
                CellWork(ablation: index, cell: $0)
            }
        }
        // One log sub-folder per cell (per part and cell in a study), and the HParams experiment
        // above them; checked (another run's log refused) before any result folder is made.
        let logParts = ablations.map { paper == nil ? "" : URL(fileURLWithPath: $0.output).lastPathComponent + "/" }
        let logFolders = self.log.logDir.map { root in logParts.map { root + "/" + $0 } }
        if let root = self.log.logDir {
            try TrainingLog.writeExperiment(
                folder: root, configs: wanted.map { ablations[$0.ablation].plan.config(for: $0.cell) },
                cells: wanted.map { logParts[$0.ablation] + $0.cell.id }, description: typedCommandLine(),
                host: LogDirOption.host)
        }
        var folders: [ResultsFolder] = []
        var pending: [CellWork] = []
        for (index, (plan, output)) in ablations.enumerated() {
            let folder: ResultsFolder
            do {
                folder = try ResultsFolder.open(output, for: plan)
            } catch let error as ResultsFolderError {
                guard case .differentAblation = error else { throw error }
                throw Failure("\(error); choose another --output, or delete the folder to start over")
            }
            folders.append(folder)
            let done = Set(try folder.results().map(\.cell))
            pending += wanted.filter { $0.ablation == index && !done.contains($0.cell) }
        }
        let jobs = max(1, min(self.jobs, pending.count))
        let total = wanted.count, results = folders
        compute.apply()
        for folder in folders {
            try folder.record(RunEnvironment.current(jobs: jobs, blasThreads: 1, datasetSHA256: data.sha256))
        }

        let log = AblationLog(json: json, total: wanted.count, finished: wanted.count - pending.count)
        if let precisionNote { log.note(precisionNote) }
        let what =
            paper.map { paper in
                "study \(paper.name): "
                    + zip(paper.parts, ablations).map { "\($0.label) (\(Self.describe($1.plan)))" }.joined(
                        separator: "; ")
            } ?? "ablation: \(Self.describe(ablations[0].plan))"
        log.start(
            "\(what) = \(wanted.count) cells"
                + (shard.map { "; shard \($0.index)/\($0.count) has \(wanted.count)" } ?? "")
                + "; \(pending.count) to train (\(wanted.count - pending.count) already in \(output)), \(jobs) at a time"
        )

        // Finished cells are on disk (each written whole), so a signal can end the run at once.
        let interrupts = Interrupts { signal in
            let saved = log.saved
            Terminal.error(
                "\n\(signal == SIGINT ? "interrupted" : "terminated"): \(saved) of \(total) cells are saved in \(output); "
                    + "run the same command again to resume (the cells in progress start over)")
            Interrupts.exitNow(128 + signal)
        }
        // Each cell trains on one thread (Ablation.run), whatever --jobs is: the cores are used by
        // running cells side by side, and a cell's numbers never depend on the scheduling.
        let queue = CellQueue(pending)
        withExtendedLifetime(interrupts) {
            DispatchQueue.concurrentPerform(iterations: jobs) { _ in
                while let work = queue.next() {
                    var cellLog: Result<TrainingLog, TensorBoardLogError>?
                    var trained = Ablation.run(
                        work.cell, plan: ablations[work.ablation].plan, data: data, probeImages: self.log.probeImages
                    ) { training in
                        // A cell that starts over continues its own log: its steps come out the same.
                        cellLog = logFolders.map { folders in
                            Result { () throws(TensorBoardLogError) in
                                try TrainingLog(
                                    folder: folders[work.ablation] + work.cell.id, training: training,
                                    commandLine: typedCommandLine() + "\n\ncell: " + work.cell.id, resuming: true,
                                    host: LogDirOption.host)
                            }
                        }
                        return try? cellLog?.get()
                    }
                    trained.checkpoint?.savedAt = Date()
                    do {
                        if let tensorBoard = try cellLog?.get() {
                            let result = trained.result
                            tensorBoard.finished(
                                epochs: result.history.count,
                                test: result.testAccuracy.map { ($0, result.testLoss ?? .nan) }, failure: result.failure
                            )
                            if let failure = tensorBoard.failure { throw failure }
                        }
                        try results[work.ablation].save(trained, model: !noModels)
                        log.finished(trained.result)
                    } catch {
                        queue.fail(error)
                    }
                }
            }
        }
        if let error = queue.error { throw error }

        let wall = Date().timeIntervalSince(wallStart)
        if let shard {
            log.note(
                String(
                    format:
                        "shard %d/%d finished in %.0f s; when every shard has run, merge them with: trainer report DIR1 DIR2 ... -o REPORT",
                    shard.index, shard.count, wall))
            return
        }
        let summaries = try zip(ablations, folders).map { ablation, folder in
            AblationSummary(plan: ablation.plan, results: try folder.results(), environments: try folder.runs())
        }
        for (summary, ablation) in zip(summaries, ablations) {
            try AblationReport(summary: summary, wording: .commandLine).write(to: ablation.output)
        }
        if let paper {
            let results = PaperStudyResults(study: paper, summaries: summaries)
            try PaperStudyReport(results: results, budget: budget(ablations[0].plan)).write(to: output)
            log.study(results, folder: output, seconds: wall)
        } else {
            log.report(summaries[0], folder: output, seconds: wall)
        }
    }

    /// Snapshots of each layer through the first epoch, for a study that traces it.
    static let traceSnapshots = 20

    /// The ablation of `activations` with `base`'s settings and the command's axes.
    private func plan(_ activations: [Activation], base: TrainingConfig, data: TrainAndTest) throws -> AblationPlan {
        AblationPlan(
            activations: activations, seeds: seeds.seeds, base: base,
            dataset: data.kind.rawValue, trainingLimit: limit, inputs: data.train.featureCount,
            classes: data.kind.classNames.count, architectures: try architectures(),
            learningRates: try learningRates())
    }

    /// `relu, tanh × architectures 128x2, 128x4 × seeds 1,2,3`.
    private static func describe(_ plan: AblationPlan) -> String {
        plan.activations.map(\.spec).joined(separator: ", ")
            + (plan.architectures.count > 1
                ? " × architectures \(plan.architectures.map(AblationCell.widths).joined(separator: ", "))" : "")
            + (plan.learningRates.count > 1
                ? " × learning rates \(plan.learningRates.map(\.description).joined(separator: ", "))" : "")
            + " × seeds \(plan.seeds.map(String.init).joined(separator: ","))"
    }

    /// Which budget a paper study ran, in words, with what it trained.
    private func budget(_ plan: AblationPlan) -> String {
        let name =
            full
            ? "the one closer to the paper's (\(Study.fullFlag))"
            : "the default, few-minute one (\(Study.fullFlag) for one closer to the paper's)"
        let images = plan.trainingLimit.map { "the first \($0) training images" } ?? "every training image"
        return
            "\(name): \(plan.base.epochs) epoch\(plan.base.epochs == 1 ? "" : "s"), seeds \(plan.seeds.map(String.init).joined(separator: ", ")), learning rate\(plan.learningRates.count == 1 ? "" : "s") \(plan.learningRates.map(\.description).joined(separator: ", ")), \(AblationCell.widths(plan.base.hidden)) hidden, batch \(plan.base.batchSize), \(plan.base.optimizerSummary), \(images) less \(plan.base.validationCount) held out for validation."
    }
}

/// One cell of one of the command's ablations (a paper study has one per part).
struct CellWork: Sendable {
    let ablation: Int
    let cell: AblationCell
}

/// Hands out cells to the worker threads and keeps the first error.
final class CellQueue: @unchecked Sendable {
    private var cells: [CellWork]
    private let lock = NSLock()
    private(set) var error: Error?

    init(_ cells: [CellWork]) { self.cells = cells.reversed() }

    func next() -> CellWork? {
        lock.withLock { error == nil ? cells.popLast() : nil }
    }

    func fail(_ error: Error) {
        lock.withLock { if self.error == nil { self.error = error } }
    }
}

/// The ablation's terminal output: a line per finished cell, then the summary.
final class AblationLog: @unchecked Sendable {
    let json: Bool
    let total: Int
    private var finishedCount: Int
    private let lock = NSLock()

    init(json: Bool, total: Int, finished: Int) {
        (self.json, self.total, finishedCount) = (json, total, finished)
    }

    private func out(_ line: String) {
        print(line)
        fflush(nil)
    }

    /// Cells finished, in this run or before it.
    var saved: Int { lock.withLock { finishedCount } }

    func start(_ line: String) { if !json { out(line) } }
    func note(_ line: String) { if !json { out(line) } }

    func finished(_ result: CellResult) {
        lock.withLock {
            finishedCount += 1
            if json {
                var fields: [String: Any] = [
                    "event": "cell", "activation": result.cell.activation.spec, "seed": result.cell.seed,
                    "test_accuracy": result.testAccuracy as Any, "failure": result.failure as Any,
                    "seconds": result.seconds
                ]
                if let hidden = result.cell.hidden { fields["hidden"] = hidden }
                if let rate = result.cell.learningRate { fields["learning_rate"] = rate.description }
                out(jsonLine(fields))
                return
            }
            let width = String(total).count
            // In a grid, the cell's architecture and learning rate too: "tanh 128x4 lr 0.1 seed 2".
            let name = [
                result.cell.activation.spec, result.cell.hidden.map(AblationCell.widths),
                result.cell.learningRate.map { "lr \($0)" }
            ]
            .compactMap { $0 }.joined(separator: " ")
            let head = String(format: "[%\(width)d/%d] %@ seed %llu: ", finishedCount, total, name, result.cell.seed)
            if let accuracy = result.testAccuracy {
                out(
                    head
                        + String(
                            format: "test accuracy %.2f%% (validation %.2f%%), %.1f s", accuracy * 100,
                            (result.history.last?.validationAccuracy ?? .nan) * 100, result.seconds))
            } else {
                out(head + "diverged: \(result.failure ?? "")")
            }
        }
    }

    func report(_ summary: AblationSummary, folder: String, seconds: Double) {
        if json {
            out(jsonLine(["event": "report", "folder": folder, "seconds": seconds, "report": folder + "/report.html"]))
            return
        }
        out("")
        if summary.plan.isGrid {
            for setting in summary.settings {
                let rows = summary.slice(setting).rows
                out(
                    "  \(setting.label): "
                        + rows.map {
                            "\($0.activation.spec) " + ($0.accuracies.isEmpty ? "diverged" : percent($0.meanAccuracy))
                        }.joined(separator: ", "))
            }
            out("")
            for claim in summary.claims {
                out(
                    "- \(claim.statement) \(claim.verdict.rawValue.capitalized(firstLetterOnly: true)): \(claim.need?.flagWording ?? claim.evidence)"
                )
            }
        } else {
            for row in summary.rows {
                let name = row.activation.spec.padding(
                    toLength: max(12, row.activation.spec.count), withPad: " ", startingAt: 0)
                out(
                    "  \(name) "
                        + (row.accuracies.isEmpty
                            ? "no finished seed"
                            : "\(percent(row.meanAccuracy)) ± \(percent(row.sdAccuracy)) % test accuracy"))
            }
            out("")
            for line in summary.conclusions { out("- " + line) }
        }
        out(
            String(
                format: "\nreport: %@/report.html (and report.md, results.json, results.csv); wall time %.0f s", folder,
                seconds))
        if let pair = modelsToCompare(summary, folder: folder) {
            out(
                "models: \(folder)/cells/*.safetensors; one digit through two of them: "
                    + "trainer inspect --model \(pair.0) --model \(pair.1) DIGIT.png")
        }
    }

    /// A paper study's closing lines: each entry's figure, then the claims judged.
    func study(_ results: PaperStudyResults, folder: String, seconds: Double) {
        if json {
            out(
                jsonLine([
                    "event": "report", "folder": folder, "seconds": seconds, "report": folder + "/report.html",
                    "claims": results.claims.map { ["statement": $0.statement, "verdict": $0.verdict.rawValue] }
                ]))
            return
        }
        out("")
        for entry in results.entries {
            let value = results.medianValue(entry).map(results.figure) ?? "every seed diverged"
            out("  \(results.study.label(entry.activation, in: entry.part)) at lr \(entry.learningRate): \(value)")
        }
        out("")
        for claim in results.claims {
            out("- \(claim.verdict.rawValue.uppercased()): \(claim.statement) \(claim.evidence)")
        }
        out(
            String(
                format: "\nreport: %@/report.html (each part's own in %@/PART/report.html); wall time %.0f s", folder,
                folder, seconds))
    }

    /// Two saved cell models of different activations (the first seed's), for the closing hint.
    private func modelsToCompare(_ summary: AblationSummary, folder: String) -> (String, String)? {
        let results = ResultsFolder(path: folder)
        let saved = summary.results.filter { FileManager.default.fileExists(atPath: results.modelPath($0.cell)) }
        guard let first = saved.first,
            let second = saved.first(where: {
                $0.cell.activation != first.cell.activation && $0.cell.seed == first.cell.seed
            })
        else { return nil }
        return (results.modelPath(first.cell), results.modelPath(second.cell))
    }
}

private extension String {
    func capitalized(firstLetterOnly: Bool) -> String { prefix(1).uppercased() + dropFirst() }
}
