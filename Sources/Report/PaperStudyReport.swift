import Dataset
import Foundation
import Model

/// A paper study's report: the claims judged, the paper's figures beside ours, the curves, and
/// every way our setup differs; written beside the parts' own ablation reports.
public struct PaperStudyReport {
    public let results: PaperStudyResults
    /// Which budget produced it, in words: `the default (short) budget: 8 epochs, …`.
    public let budget: String

    public init(results: PaperStudyResults, budget: String) { (self.results, self.budget) = (results, budget) }

    private var study: PaperStudy { results.study }

    /// report.md, report.html, results.json and charts/ in `folder` (each written whole).
    public func write(to folder: String) throws {
        let charts = self.charts
        for chart in charts { try AtomicFile.write(chart.svg, to: folder + "/charts/" + chart.file) }
        let document = self.document(charts: charts)
        try AtomicFile.write(document.markdown, to: folder + "/report.md")
        try AtomicFile.write(document.html, to: folder + "/report.html")
        try AtomicFile.write(try json, to: folder + "/results.json")
    }

    public var document: ReportDocument { document(charts: charts) }

    private func document(charts: [(file: String, svg: String, caption: String)]) -> ReportDocument {
        var doc = ReportDocument(title: study.title)
        doc.add(.paragraph("Source: \(study.source)."))
        doc.add(.paragraph("Budget: \(budget)"))
        doc.add(.paragraph("The paper's setup: \(study.paperSetup)"))
        doc.add(.heading("The claims, judged on our numbers", level: 2))
        doc.add(.bullets(results.claims.map { "**\($0.verdict.rawValue)**: \($0.statement) \($0.evidence)" }))
        doc.add(
            .paragraph(
                "Beyond seed noise means a paired t-test over the seeds (each seed's cells share the split and batch order) at the two-sided 5% level; with 3 seeds that asks for differences that are large and consistent."
            ))
        doc.add(.heading("The paper's figures beside ours", level: 2))
        doc.add(.table(header: tableHeader, rows: tableRows))
        doc.add(
            .heading(study.measure == .trainingLoss ? "Training loss" : "The first epoch, layer by layer", level: 2))
        doc.add(.chartRow(charts))
        doc.add(.paragraph(charts.first?.caption ?? ""))
        doc.add(.heading("How ours differs from the paper", level: 2))
        doc.add(.bullets(study.differences))
        doc.add(.heading("Each part's own ablation report", level: 2))
        doc.add(
            .bullets(
                zip(study.parts, results.summaries).map { part, summary in
                    "`\(part.id)/report.html`: \(part.label), \(summary.results.count) cells (every chart and diagnostic of a plain ablation)"
                }))
        return doc
    }

    private var tableHeader: [String] {
        let ours =
            study.measure == .trainingLoss
            ? "ours: median last-epoch training loss (range)" : "ours: test error, median (range)"
        return [
            "", "learning rate (on validation)", "the paper", ours, "ours: test error, mean ± sd", "seeds (diverged)"
        ]
    }

    private var tableRows: [[String]] {
        results.entries.map { entry in
            let values = entry.values(study.measure).values.sorted()
            let errors = Array(entry.testError.values)
            return [
                study.label(entry.activation, in: entry.part), entry.learningRate.description,
                entry.part.paper(for: entry.activation) ?? "",
                values.isEmpty
                    ? "diverged"
                    : "\(results.figure(Statistics.median(values))) (\(results.figure(values.first!))–\(results.figure(values.last!)))",
                errors.isEmpty
                    ? "" : "\(percent(Statistics.mean(errors)))% ± \(percent(Statistics.standardDeviation(errors)))",
                "\(entry.cells.count)" + (entry.failures > 0 ? " (\(entry.failures))" : "")
            ]
        }
    }

    // MARK: Charts

    private var charts: [(file: String, svg: String, caption: String)] {
        study.measure == .trainingLoss ? lossCharts : traceCharts
    }

    private func color(_ activation: Activation) -> String {
        let all = study.parts.flatMap(\.activations).reduce(into: [Activation]()) {
            if !$0.contains($1) { $0.append($1) }
        }
        return SVGChart.colors[(all.firstIndex(of: activation) ?? 0) % SVGChart.colors.count]
    }

    /// Per part, each activation's median training loss per epoch: their Figure 3's panels.
    private var lossCharts: [(file: String, svg: String, caption: String)] {
        study.parts.map { part in
            let series = results.entries.filter { $0.part.id == part.id }.map { entry in
                SVGChart.Series(
                    name: PaperStudy.name(entry.activation), color: color(entry.activation),
                    points: entry.medianTrainingLossCurve.map { (Double($0.epoch), $0.loss) })
            }
            return (
                "train-loss-\(part.id).svg",
                SVGChart.lines(
                    title: "Median training loss, \(part.label)", xLabel: "epoch", yLabel: "log loss (log scale)",
                    series: series, logY: true, width: 480, height: 320),
                "Median over seeds of each epoch's training loss (each batch's, before its step, with dropout off), at each activation's chosen rate; log scale."
            )
        }
    }

    /// Per entry, each layer's mean output through the first epoch with a ±1 sd band (their Figure 2).
    private var traceCharts: [(file: String, svg: String, caption: String)] {
        results.entries.compactMap { entry in
            guard let trace = entry.cells.first?.activationTrace, let width = trace.first?.layers.count else {
                return nil
            }
            let series = (0..<width).map { l in
                SVGChart.Series(
                    name: "layer \(l + 1)", color: SVGChart.colors[l % SVGChart.colors.count],
                    points: trace.map { (Double($0.step), $0.layers[l].mean) },
                    band: trace.map {
                        (
                            Double($0.step), $0.layers[l].mean - $0.layers[l].standardDeviation,
                            $0.layers[l].mean + $0.layers[l].standardDeviation
                        )
                    })
            }
            let name = study.label(entry.activation, in: entry.part)
            return (
                "first-epoch-\(entry.part.id)-\(entry.activation.spec).svg",
                SVGChart.lines(
                    title: name, xLabel: "batches trained", yLabel: "output (mean ± sd)", series: series, width: 420,
                    height: 300),
                "Each hidden layer's mean output (±1 sd over units and 500 held-out images) from the initial weights through the first epoch, seed \(entry.cells.first!.cell.seed): the measure of Glorot & Bengio's Figure 2."
            )
        }
    }

    // MARK: JSON

    private var json: String {
        get throws {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            return String(decoding: try encoder.encode(StudyRecord(self)), as: UTF8.self) + "\n"
        }
    }
}

/// `results.json`: the study, its budget, each activation's figures per seed, and the claims.
private struct StudyRecord: Encodable {
    struct Entry: Encodable {
        let part: String
        let activation: String
        let learningRate: String
        /// What the paper reported for it (null where it did not).
        let paper: String?
        /// By seed.
        let finalTrainingLoss: [String: Double]
        let testError: [String: Double]
        let diverged: Int

        enum CodingKeys: String, CodingKey {
            case part, activation, paper, diverged
            case learningRate = "learning_rate", finalTrainingLoss = "final_training_loss", testError = "test_error"
        }

        func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(part, forKey: .part)
            try c.encode(activation, forKey: .activation)
            try c.encode(learningRate, forKey: .learningRate)
            try c.encode(paper, forKey: .paper)  // null, not absent
            try c.encode(finalTrainingLoss, forKey: .finalTrainingLoss)
            try c.encode(testError, forKey: .testError)
            try c.encode(diverged, forKey: .diverged)
        }
    }

    struct ClaimRecord: Encodable {
        let statement: String
        let verdict: String
        let evidence: String
    }

    let study: String
    let source: String
    let budget: String
    let entries: [Entry]
    let claims: [ClaimRecord]

    init(_ report: PaperStudyReport) {
        let (results, study) = (report.results, report.results.study)
        (self.study, source, budget) = (study.name, study.source, report.budget)
        let bySeed = { (values: [UInt64: Double]) in
            Dictionary(uniqueKeysWithValues: values.map { ("\($0.key)", $0.value) })
        }
        entries = results.entries.map { entry in
            Entry(
                part: entry.part.id, activation: PaperStudy.name(entry.activation),
                learningRate: entry.learningRate.description, paper: entry.part.paper(for: entry.activation),
                finalTrainingLoss: bySeed(entry.finalTrainingLoss), testError: bySeed(entry.testError),
                diverged: entry.failures)
        }
        claims = results.claims.map {
            ClaimRecord(statement: $0.statement, verdict: $0.verdict.rawValue, evidence: $0.evidence)
        }
    }
}
