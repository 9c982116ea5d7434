import Dataset
import Foundation
import Model

/// Writes an ablation's report folder: report.md, report.html (self-contained), results.json,
/// results.csv and charts/*.svg.
public struct AblationReport {
    public let summary: AblationSummary
    /// How the report words what a reader could run next.
    public let wording: NextRunWording

    public init(summary: AblationSummary, wording: NextRunWording = .plain) {
        self.summary = summary
        self.wording = wording
    }

    /// The claims' rows: statement, verdict, and evidence (a need in the reader's words).
    var claimRows: [[String]] {
        summary.claims.map { [$0.statement, $0.verdict.rawValue, $0.need.map(wording.need) ?? $0.evidence] }
    }

    /// The paragraph that opens the claims' section.
    var claimsIntroduction: String {
        "Each claim the activation-function articles make, judged on this ablation's numbers; most need a grid over depth or learning rate"
            + (wording.grid.map { " (\($0))." } ?? ".")
    }

    public var plan: AblationPlan { summary.plan }

    public func write(to folder: String) throws {
        let charts = plan.isGrid ? gridCharts + activationPlots : self.charts
        for chart in charts { try AtomicFile.write(chart.svg, to: folder + "/charts/" + chart.file) }
        let document = plan.isGrid ? gridDocument(charts: charts) : self.document(charts: charts)
        try AtomicFile.write(document.markdown, to: folder + "/report.md")
        try AtomicFile.write(document.html, to: folder + "/report.html")
        try AtomicFile.write(try json, to: folder + "/results.json")
        try AtomicFile.write(csv, to: folder + "/results.csv")
    }

    // MARK: - Charts

    func color(_ activation: Activation) -> String {
        SVGChart.colors[(plan.activations.firstIndex(of: activation) ?? 0) % SVGChart.colors.count]
    }

    /// The hidden layers, which the diagnostics describe.
    var layerNames: [String] { plan.base.hidden.indices.map { "layer \($0 + 1) (\(plan.base.hidden[$0]))" } }

    /// One chart of the report: its file under charts/, the SVG, and the caption the documents give it.
    struct Chart {
        let file: String
        let svg: String
        let caption: String
        /// The small multiples of the activations themselves, shown side by side.
        let isActivationPlot: Bool
    }

    /// The charts, in the order the report shows them.
    var charts: [Chart] {
        func curves(_ value: @escaping (EpochRecord) -> Double?, scale: Double = 1) -> [SVGChart.Series] {
            plan.activations.map { activation in
                let curve = summary.curve(activation, value)
                return SVGChart.Series(
                    name: activation.spec, color: color(activation),
                    points: curve.map { (Double($0.epoch), $0.mean * scale) },
                    band: curve.map { (Double($0.epoch), ($0.mean - $0.sd) * scale, ($0.mean + $0.sd) * scale) })
            }
        }
        let epochs = (1...plan.base.epochs).map(Double.init)
        let rows = summary.rows
        func chart(_ file: String, _ caption: String, _ svg: String) -> Chart {
            Chart(file: file, svg: svg, caption: caption, isActivationPlot: false)
        }
        let result: [Chart] = [
            chart(
                "train-loss.svg", "Training loss per epoch, mean over seeds with ±1 sd band (log scale).",
                SVGChart.lines(
                    title: "Training loss (mean ± sd over seeds)", xLabel: "epoch", yLabel: "cross-entropy",
                    series: curves { $0.trainLoss }, logY: true, xTicks: epochs)),
            chart(
                "validation-accuracy.svg", "Validation accuracy per epoch, mean over seeds with ±1 sd band.",
                SVGChart.lines(
                    title: "Validation accuracy (mean ± sd over seeds)", xLabel: "epoch", yLabel: "accuracy (%)",
                    series: curves({ $0.validationAccuracy }, scale: 100), xTicks: epochs)),
            chart(
                "gradient-norm-epochs.svg",
                "How much gradient reaches the first layer as training goes on (log scale).",
                SVGChart.lines(
                    title: "First-layer weight-gradient norm per epoch (mean ± sd over seeds)", xLabel: "epoch",
                    yLabel: "‖∂L/∂W₁‖ (log)", series: curves { $0.layers?.first?.gradientNorm }, logY: true,
                    xTicks: epochs)),
            chart(
                "gradient-norms.svg",
                "Mean weight-gradient norm per layer (log scale). Layers differ in size, so compare activations within a layer: a short bar is a gradient that has faded on its way down.",
                SVGChart.groupedBars(
                    title: "Weight-gradient norm per layer (mean over epochs and seeds)", yLabel: "‖∂L/∂W‖ (log)",
                    groups: layerNames,
                    series: rows.map { row in
                        (row.activation.spec, color(row.activation), row.layers.map(\.gradientNorm))
                    }, logY: true)),
            chart(
                "dead-saturated.svg",
                "Units that never fired (ReLU family) or sat in the flat part of the curve (sigmoid, tanh).",
                SVGChart.groupedBars(
                    title: "Dead (ReLU family) or saturated (sigmoid, tanh) units, last epoch", yLabel: "units (%)",
                    groups: layerNames,
                    series: rows.compactMap { row in
                        if row.activation.canSaturate {
                            return (
                                "\(row.activation.spec) saturated", color(row.activation),
                                row.layers.map { $0.saturatedFraction * 100 }
                            )
                        }
                        if row.activation.isReLUFamily {
                            return (
                                "\(row.activation.spec) dead", color(row.activation),
                                row.layers.map { $0.neverActiveFraction * 100 }
                            )
                        }
                        return nil
                    }))
        ]
        return result + activationPlots
    }

    /// Each activation and its derivative, drawn small.
    var activationPlots: [Chart] {
        var result: [Chart] = []
        let xs = stride(from: -6.0, through: 6.0, by: 0.05).map { $0 }
        for activation in plan.activations {
            let f = SVGChart.Series(
                name: "f(x)", color: color(activation),
                points: xs.map { ($0, activation.value($0, slope: activation.parameter ?? 0.25)) })
            let d = SVGChart.Series(
                name: "f′(x)", color: "#555555",
                points: xs.map { ($0, activation.derivative($0, slope: activation.parameter ?? 0.25)) }, dashed: true)
            result.append(
                Chart(
                    file: "activation-\(activation.spec.replacingOccurrences(of: ":", with: "_")).svg",
                    svg: SVGChart.lines(
                        title: activation.spec, xLabel: "x", yLabel: "", series: [f, d], width: 320, height: 230,
                        xTicks: [-6, -3, 0, 3, 6]),
                    caption: activation.spec, isActivationPlot: true))
        }
        return result
    }

    // MARK: - The document

    func document(charts: [Chart]) -> ReportDocument {
        let architecture = plan.architecture.widths.map(String.init).joined(separator: "-")
        var doc = ReportDocument(title: "Activation ablation: \(plan.dataset), \(architecture)")
        let rows = summary.rows
        let lrText =
            plan.sharedLearningRate.map { "one shared learning rate, \($0), for every activation" }
            ?? "each activation's own measured default learning rate ("
            + rows.map { "\($0.activation.spec) \($0.learningRate)" }.joined(separator: ", ") + ")"
        let augmented = !plan.base.augmentation.isNone
        let augmentationText =
            augmented ? ", training images distorted afresh each epoch (\(plan.base.augmentation.spec))" : ""
        doc.add(
            .paragraph(
                "\(plan.activations.count) activations × \(plan.seeds.count) seeds (\(plan.seeds.map(String.init).joined(separator: ", "))), "
                    + "\(plan.base.epochs) epochs each, batch \(plan.base.batchSize), \(plan.base.optimizerSummary), \(plan.base.schedule.spec) schedule, "
                    + "\(lrText)\(augmentationText). For each seed every activation saw the same validation split, the same batch order"
                    + "\(augmented ? ", the same distorted images" : "") and the same initial "
                    + "normals (scaled by its own He or Glorot rule); only the activation differed."
                    + (plan.trainingLimit.map { " Trained on the first \($0) training images only." } ?? "")))

        doc.add(.heading("Conclusions", level: 2))
        doc.add(.bullets(summary.conclusions))

        doc.add(.heading("The claims, measured", level: 2))
        doc.add(.paragraph(claimsIntroduction))
        doc.add(.table(header: ["claim", "verdict", "evidence"], rows: claimRows))

        doc.add(.heading("Test accuracy", level: 2))
        doc.add(
            .table(
                header: [
                    "activation", "learning rate", "test accuracy % (mean ± sd)", "min", "max", "test loss",
                    "best epoch", "s / epoch", "samples / s", "seeds"
                ],
                rows: rows.map { row in
                    let done = !row.accuracies.isEmpty
                    return [
                        row.activation.spec, "\(row.learningRate)",
                        done ? "\(percent(row.meanAccuracy)) ± \(percent(row.sdAccuracy))" : "–",
                        done ? percent(row.accuracies.min()!) : "–", done ? percent(row.accuracies.max()!) : "–",
                        done ? String(format: "%.4f", Statistics.mean(row.testLosses)) : "–",
                        row.bestEpoch.map(String.init) ?? "–",
                        row.secondsPerEpoch.map { String(format: "%.2f", $0) } ?? "–",
                        row.samplesPerSecond.map { String(format: "%.0f", $0) } ?? "–",
                        "\(row.accuracies.count)" + (row.failures > 0 ? " (+\(row.failures) diverged)" : "")
                    ]
                }))

        let comparisons = summary.comparisons
        if !comparisons.isEmpty {
            doc.add(.heading("Paired differences against \(summary.reference.spec)", level: 2))
            doc.add(
                .paragraph(
                    "Test accuracy minus \(summary.reference.spec)'s on the same seed, in points. The paired t statistic compares the mean difference with its spread over seeds; "
                        + "beyond the two-sided 5% critical value the difference is larger than seed noise."))
            doc.add(
                .table(
                    header: ["activation"] + plan.seeds.map { "seed \($0)" } + [
                        "mean", "paired t (df)", "larger than seed noise?"
                    ],
                    rows: comparisons.map { c in
                        let perSeed = plan.seeds.map { seed in
                            c.seeds.firstIndex(of: seed).map { String(format: "%+.2f", c.differences[$0] * 100) } ?? "–"
                        }
                        let t =
                            c.t.map {
                                ($0.t.isFinite ? String(format: "%.2f", $0.t) : "∞") + " (\($0.degreesOfFreedom))"
                            } ?? "– (one seed)"
                        return [c.activation.spec] + perSeed + [
                            c.differences.isEmpty ? "–" : String(format: "%+.2f", c.meanDifference * 100), t,
                            c.t == nil ? "–" : c.significant ? "yes" : "no"
                        ]
                    }))
        }

        doc.add(.heading("Diagnostics", level: 2))
        doc.add(
            .paragraph(
                "Measured on the validation set after the last epoch, averaged over seeds. Never active: units whose pre-activation was never positive "
                    + "on any validation image (for ReLU they are dead: no gradient reaches their weights), shown for the ReLU family. Saturated: units whose mean |f′| was below a tenth of "
                    + "the activation's peak slope, shown for sigmoid and tanh (results.json has both numbers for every activation). Gradient norm: ‖∂L/∂W‖ of the layer's weights, averaged over the batches of every epoch."
            ))
        doc.add(
            .table(
                header: ["activation", "layer", "never active %", "saturated %", "mean activation", "gradient norm"],
                rows: rows.flatMap { row in
                    row.layers.enumerated().map { l, d in
                        [
                            row.activation.spec, layerNames[l],
                            row.activation.isReLUFamily ? String(format: "%.1f", d.neverActiveFraction * 100) : "–",
                            row.activation.canSaturate ? String(format: "%.1f", d.saturatedFraction * 100) : "–",
                            String(format: "%.3f", d.meanActivation),
                            d.gradientNorm.map { String(format: "%.4f", $0) } ?? "–"
                        ]
                    }
                }))

        doc.add(.heading("Curves", level: 2))
        for chart in charts where !chart.isActivationPlot {
            doc.add(.chart(file: "charts/" + chart.file, svg: chart.svg, caption: chart.caption))
        }
        doc.add(.heading("The activations", level: 2))
        doc.add(
            .paragraph(
                "Each activation (solid) and its derivative (dashed) on [−6, 6]: where the derivative is near zero, learning stalls."
            ))
        doc.add(.chartRow(charts.filter(\.isActivationPlot).map { ("charts/" + $0.file, $0.svg, $0.caption) }))

        doc.add(.heading("Setup", level: 2))
        let setup = setupLines(
            network: "\(architecture), hidden widths \(plan.base.hidden.map(String.init).joined(separator: ","))")
        doc.add(.bullets(setup))
        return doc
    }

    /// Where the data, the network and the runs came from, for the Setup section.
    func setupLines(network: String) -> [String] {
        var setup = [
            "Data: \(plan.dataset), \(plan.trainingLimit.map { "first \($0) of the" } ?? "all") training images, \(plan.base.validationCount) of them held out for validation; the test set for test accuracy.",
            "Network: \(network); \(plan.base.optimizerSummary), weight decay \(plan.base.weightDecay), batch \(plan.base.batchSize), \(plan.base.epochs) epochs, \(plan.base.schedule.spec) schedule; augmentation: \(plan.base.augmentation.spec); dropout \(plan.base.dropout).",
            "Seeds: \(plan.seeds.map(String.init).joined(separator: ", "))."
        ]
        for (i, env) in summary.environments.enumerated() {
            let label = summary.environments.count > 1 ? "Run \(i + 1)" : "Run"
            setup.append(
                "\(label): \(env.machine), \(env.cores) cores, \(env.memoryGiB) GiB, \(env.system); \(env.build) build; \(env.blas); "
                    + "\(env.jobs) cells at a time, \(env.blasThreadsPerCell) BLAS thread(s) each; started \(env.started)."
            )
            setup.append("Command: `\(env.command)`")
        }
        for (file, sum) in (summary.environments.first?.datasetSHA256 ?? [:]).sorted(by: { $0.key < $1.key }) {
            setup.append("`\(file)` SHA-256 `\(sum)`")
        }
        return setup
    }

    // MARK: - Machine-readable results

    var json: String {
        get throws {
            try String(decoding: Self.resultsEncoder.encode(jsonFile), as: UTF8.self) + "\n"
        }
    }

    /// results.json is for other programs: one key style throughout (snake_case, as Python and R
    /// code expects), the plan and the cells included.
    static let resultsEncoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.nonConformingFloatEncodingStrategy = ResultsFolder.encoder.nonConformingFloatEncodingStrategy
        return encoder
    }()

    /// results.json: the plan, where it ran, the summary rows, the comparisons, the conclusions and every cell.
    struct ResultsFile: Encodable {
        public struct Row: Encodable {
            public let activation: String, hidden: [Int], learningRateChoice: String, learningRate: Double,
                testAccuracies: [Double], testAccuracyMean: Double?, testAccuracySd: Double?
            public let testLossMean: Double?, bestEpoch: Int?, secondsPerEpoch: Double?, samplesPerSecond: Double?,
                diverged: Int, layers: [LayerDiagnostics]
        }
        public struct Comparison: Encodable {
            public let activation: String, reference: String, seeds: [UInt64], differences: [Double],
                meanDifference: Double?
            public let t: Double?, degreesOfFreedom: Int?, largerThanSeedNoise: Bool?
        }
        public let plan: AblationPlan, environments: [RunEnvironment], summary: [Row], comparisons: [Comparison]
        public let conclusions: [String], claims: [ClaimEntry], missingCells: [String], cells: [CellResult]
        public struct ClaimEntry: Encodable { public let statement: String, verdict: String, evidence: String }
    }

    var jsonFile: ResultsFile {
        ResultsFile(
            plan: plan, environments: summary.environments,
            summary: summary.rowsBySetting.flatMap { entry in entry.rows.map { (entry.setting, $0) } }.map {
                setting, r in
                ResultsFile.Row(
                    activation: r.activation.spec, hidden: setting.hidden,
                    learningRateChoice: setting.learningRate.description,
                    learningRate: r.learningRate, testAccuracies: r.accuracies,
                    testAccuracyMean: r.accuracies.isEmpty ? nil : r.meanAccuracy,
                    testAccuracySd: r.accuracies.isEmpty ? nil : r.sdAccuracy,
                    testLossMean: r.testLosses.isEmpty ? nil : Statistics.mean(r.testLosses), bestEpoch: r.bestEpoch,
                    secondsPerEpoch: r.secondsPerEpoch, samplesPerSecond: r.samplesPerSecond, diverged: r.failures,
                    layers: r.layers)
            },
            comparisons: summary.comparisons.map { c in
                ResultsFile.Comparison(
                    activation: c.activation.spec, reference: summary.reference.spec, seeds: c.seeds,
                    differences: c.differences,
                    meanDifference: c.differences.isEmpty ? nil : c.meanDifference, t: c.t?.t,
                    degreesOfFreedom: c.t?.degreesOfFreedom, largerThanSeedNoise: c.t == nil ? nil : c.significant)
            },
            conclusions: plan.isGrid ? [] : summary.conclusions,
            claims: summary.claims.map {
                ResultsFile.ClaimEntry(statement: $0.statement, verdict: $0.verdict.rawValue, evidence: $0.evidence)
            },
            missingCells: summary.missing.map(\.id), cells: summary.results)
    }

    /// One row per (activation, seed, epoch), every per-epoch number and the cell's test result.
    var csv: String {
        let layers = plan.architectures.map(\.count).max() ?? plan.base.hidden.count
        var header = [
            "activation", "seed", "learning_rate", "epoch", "train_loss", "train_accuracy", "validation_loss",
            "validation_accuracy",
            "epoch_seconds", "samples_per_second", "scheduled_lr"
        ]
        for l in 1...layers {
            header += ["l\(l)_never_active", "l\(l)_saturated", "l\(l)_mean_activation", "l\(l)_gradient_norm"]
        }
        header += ["test_accuracy", "test_loss", "failure"]
        if plan.isGrid { header += ["hidden", "learning_rate_choice"] }
        var lines = [header.joined(separator: ",")]
        func number(_ x: Double?) -> String { x.map { "\($0)" } ?? "" }
        for result in summary.results {
            for record in result.history {
                var row = [
                    result.cell.activation.spec, "\(result.cell.seed)", "\(result.learningRate)", "\(record.epoch)",
                    number(record.trainLoss), number(record.trainAccuracy), number(record.validationLoss),
                    number(record.validationAccuracy),
                    number(record.seconds), number(record.samplesPerSecond), number(record.learningRate)
                ]
                for l in 0..<layers {
                    let d = record.layers.flatMap { $0.count > l ? $0[l] : nil }
                    row += [
                        number(d?.neverActiveFraction), number(d?.saturatedFraction), number(d?.meanActivation),
                        number(d?.gradientNorm)
                    ]
                }
                row += [
                    number(result.testAccuracy), number(result.testLoss),
                    result.failure.map { "\"" + $0.replacingOccurrences(of: "\"", with: "\"\"") + "\"" } ?? ""
                ]
                if plan.isGrid {
                    row += [
                        AblationCell.widths(plan.hidden(of: result.cell)),
                        plan.learningRate(of: result.cell).description
                    ]
                }
                lines.append(row.joined(separator: ","))
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}

/// How a report words what its reader could run next (what an untested claim needs, how to ask for
/// a grid): the library's own words by default; a program gives its own (the CLI: its flags).
public struct NextRunWording: Sendable {
    public var need: @Sendable (ClaimNeed) -> String
    /// How to ask for a grid over depth or learning rate, if there is a way to say it.
    public var grid: String?

    public init(need: @escaping @Sendable (ClaimNeed) -> String, grid: String?) {
        self.need = need
        self.grid = grid
    }

    public static let plain = NextRunWording(need: { $0.description }, grid: nil)
}
