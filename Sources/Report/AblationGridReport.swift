import Foundation
import Model

/// The report of a grid (architectures and/or learning rates besides activations): the axes get
/// their own tables and charts, per-layer numbers are drawn rather than listed, and the claims
/// section judges what the grid can test.
extension AblationReport {
    /// The hidden layers' count of each architecture, when they differ (the depth axis).
    var depthsDiffer: Bool {
        Set(plan.architectures.map(\.count)).count == plan.architectures.count && plan.architectures.count > 1
    }

    var gridCharts: [Chart] {
        let table = summary.rowsBySetting
        func rows(_ hidden: [Int], _ rate: LearningRateChoice) -> [AblationSummary.ActivationRow] {
            table.first { $0.setting.hidden == hidden && $0.setting.learningRate == rate }?.rows ?? []
        }
        func chart(_ file: String, _ caption: String, _ svg: String) -> Chart {
            Chart(file: file, svg: svg, caption: caption, isActivationPlot: false)
        }
        func rateName(_ rate: LearningRateChoice) -> String { rate == .default ? "default lr" : "lr \(rate)" }
        func fileRate(_ rate: LearningRateChoice) -> String { rate == .default ? "default" : "\(rate)" }
        let architectures = plan.architectures.sorted { $0.count < $1.count }
        // The depth axis is the layer count when every architecture has its own; else the architecture's place.
        func x(_ hidden: [Int]) -> Double {
            depthsDiffer ? Double(hidden.count) : Double(architectures.firstIndex(of: hidden)! + 1)
        }
        let depthLabel =
            depthsDiffer
            ? "hidden layers"
            : "architecture ("
                + architectures.enumerated().map { "\($0 + 1) = \(AblationCell.widths($1))" }.joined(separator: ", ")
                + ")"
        /// Dead units for the ReLU family, saturated units for sigmoid and tanh: the most of any layer.
        func stuck(_ row: AblationSummary.ActivationRow) -> Double? {
            if row.activation.isReLUFamily { return row.layers.map(\.neverActiveFraction).max().map { $0 * 100 } }
            if row.activation.canSaturate { return row.layers.map(\.saturatedFraction).max().map { $0 * 100 } }
            return nil
        }
        var charts: [Chart] = []

        if plan.architectures.count > 1 {
            for rate in plan.learningRates {
                let suffix = plan.learningRates.count > 1 ? "-lr\(fileRate(rate))" : ""
                let accuracy = plan.activations.map { activation -> SVGChart.Series in
                    let points = architectures.compactMap { hidden in
                        rows(hidden, rate).first { $0.activation == activation && !$0.accuracies.isEmpty }.map {
                            (hidden, $0)
                        }
                    }
                    return SVGChart.Series(
                        name: activation.spec, color: color(activation),
                        points: points.map { (x($0.0), $0.1.meanAccuracy * 100) },
                        band: points.map {
                            (
                                x($0.0), ($0.1.meanAccuracy - $0.1.sdAccuracy) * 100,
                                ($0.1.meanAccuracy + $0.1.sdAccuracy) * 100
                            )
                        })
                }
                charts.append(
                    chart(
                        "accuracy-vs-depth\(suffix).svg",
                        "Test accuracy against depth, \(rateName(rate)), mean ± sd over seeds.",
                        SVGChart.lines(
                            title: "Test accuracy against depth (\(rateName(rate)))", xLabel: depthLabel,
                            yLabel: "test accuracy (%)",
                            series: accuracy, xTicks: architectures.map(x))))
                // Rows: activation at each depth; columns: layers from the input up.
                let heatRows = plan.activations.flatMap { activation in architectures.map { (activation, $0) } }
                let deepest = architectures.map(\.count).max() ?? 0
                let values = heatRows.map { activation, hidden -> [Double?] in
                    let layers = rows(hidden, rate).first { $0.activation == activation }?.layers ?? []
                    return (0..<deepest).map { $0 < layers.count ? layers[$0].gradientNorm : nil }
                }
                charts.append(
                    chart(
                        "gradient-heatmap\(suffix).svg",
                        "Weight-gradient norm of each hidden layer (columns, input side first) for each activation at each depth (rows), \(rateName(rate)), mean over epochs and seeds; log colour scale. A row that darkens towards layer 1 is a gradient vanishing on its way down.",
                        SVGChart.heatMap(
                            title: "Gradient norm per layer (\(rateName(rate)))",
                            rowLabels: heatRows.map { "\($0.0.spec) · \(AblationCell.widths($0.1))" },
                            columnLabels: (1...max(deepest, 1)).map { "layer \($0)" }, values: values,
                            valueLabel: "‖∂L/∂W‖")))
                let stuckSeries = plan.activations.compactMap { activation -> SVGChart.Series? in
                    let points = architectures.compactMap { hidden in
                        rows(hidden, rate).first { $0.activation == activation }.flatMap(stuck).map { (x(hidden), $0) }
                    }
                    return points.isEmpty
                        ? nil : SVGChart.Series(name: activation.spec, color: color(activation), points: points)
                }
                charts.append(
                    chart(
                        "dead-saturated-vs-depth\(suffix).svg",
                        "The most dead (ReLU family) or saturated (sigmoid, tanh) units in any layer, against depth, \(rateName(rate)).",
                        SVGChart.lines(
                            title: "Dead or saturated units against depth (\(rateName(rate)))", xLabel: depthLabel,
                            yLabel: "units in the worst layer (%)", series: stuckSeries, xTicks: architectures.map(x))))
            }
        }
        if plan.learningRates.count > 1 {
            for hidden in architectures {
                let suffix = plan.architectures.count > 1 ? "-h\(AblationCell.widths(hidden))" : ""
                // `default` sits at each activation's own rate, so every line shows where it lands.
                let perActivation = plan.activations.map { activation -> [(Double, AblationSummary.ActivationRow)] in
                    var seen: Set<Double> = []  // `default` may be one of the listed rates: one point for it
                    return plan.learningRates.compactMap { rate in
                        rows(hidden, rate).first { $0.activation == activation }.map { ($0.learningRate, $0) }
                    }
                    .filter { seen.insert($0.0).inserted }.sorted { $0.0 < $1.0 }
                }
                let ticks = Array(Set(perActivation.flatMap { $0.map(\.0) })).sorted()
                let accuracy = zip(plan.activations, perActivation).map { activation, points in
                    let done = points.filter { !$0.1.accuracies.isEmpty }
                    return SVGChart.Series(
                        name: activation.spec, color: color(activation),
                        points: done.map { ($0.0, $0.1.meanAccuracy * 100) },
                        band: done.map {
                            (
                                $0.0, ($0.1.meanAccuracy - $0.1.sdAccuracy) * 100,
                                ($0.1.meanAccuracy + $0.1.sdAccuracy) * 100
                            )
                        })
                }
                charts.append(
                    chart(
                        "accuracy-vs-lr\(suffix).svg",
                        "Test accuracy against the learning rate at \(AblationCell.widths(hidden)), mean ± sd over seeds (log scale; a missing point diverged). Each activation's usable range is where its line stays high.",
                        SVGChart.lines(
                            title: "Test accuracy against learning rate (\(AblationCell.widths(hidden)))",
                            xLabel: "learning rate (log)",
                            yLabel: "test accuracy (%)", series: accuracy, logX: true, xTicks: ticks)))
                let stuckSeries = zip(plan.activations, perActivation).compactMap {
                    activation, points -> SVGChart.Series? in
                    let values = points.compactMap { point in stuck(point.1).map { (point.0, $0) } }
                    return values.isEmpty
                        ? nil : SVGChart.Series(name: activation.spec, color: color(activation), points: values)
                }
                charts.append(
                    chart(
                        "dead-saturated-vs-lr\(suffix).svg",
                        "The most dead (ReLU family) or saturated (sigmoid, tanh) units in any layer, against the learning rate, at \(AblationCell.widths(hidden)).",
                        SVGChart.lines(
                            title: "Dead or saturated units against learning rate (\(AblationCell.widths(hidden)))",
                            xLabel: "learning rate (log)",
                            yLabel: "units in the worst layer (%)", series: stuckSeries, logX: true, xTicks: ticks)))
            }
        }
        return charts
    }

    func gridDocument(charts: [Chart]) -> ReportDocument {
        let architectures = plan.architectures.map(AblationCell.widths)
        let rates = plan.learningRates.map(\.description)
        var doc = ReportDocument(
            title:
                "Activation ablation grid: \(plan.dataset), \(architectures.joined(separator: " / ")), lr \(rates.joined(separator: " / "))"
        )
        let settings = summary.settings
        let augmented = !plan.base.augmentation.isNone
        doc.add(
            .paragraph(
                "\(plan.activations.count) activations × \(plan.architectures.count) architectures (hidden \(architectures.joined(separator: ", "))) × "
                    + "\(plan.learningRates.count) learning rates (\(rates.joined(separator: ", ")); default is each activation's own measured rate) × "
                    + "\(plan.seeds.count) seeds (\(plan.seeds.map(String.init).joined(separator: ", "))) = \(plan.cells.count) cells, "
                    + "\(plan.base.epochs) epochs each, batch \(plan.base.batchSize), \(plan.base.optimizerSummary), \(plan.base.schedule.spec) schedule"
                    + (augmented ? ", augmentation \(plan.base.augmentation.spec)" : "") + ". "
                    + "Within one architecture every cell of a seed saw the same validation split, the same batch order and the same initial normals "
                    + "(scaled by its activation's own rule), whatever its activation and learning rate."
                    + (plan.trainingLimit.map { " Trained on the first \($0) training images only." } ?? "")))

        doc.add(.heading("The claims, measured", level: 2))
        doc.add(
            .paragraph(
                "Each claim the activation-function articles make, judged on this grid's numbers; a claim the grid has no axis for says which one would test it."
            ))
        doc.add(.table(header: ["claim", "verdict", "evidence"], rows: claimRows))

        doc.add(.heading("Test accuracy across the grid", level: 2))
        doc.add(.paragraph("Mean ± sd over seeds, in %; – where every seed diverged."))
        let table = summary.rowsBySetting
        doc.add(
            .table(
                header: ["activation"] + settings.map(\.label),
                rows: plan.activations.map { activation in
                    [activation.spec]
                        + table.map { entry in
                            guard let row = entry.rows.first(where: { $0.activation == activation }),
                                !row.accuracies.isEmpty
                            else { return "–" }
                            return "\(percent(row.meanAccuracy)) ± \(percent(row.sdAccuracy))"
                                + (row.failures > 0 ? " (\(row.failures) diverged)" : "")
                        }
                }))
        if plan.learningRates.contains(.default) {
            doc.add(
                .paragraph(
                    "Default learning rates: "
                        + plan.activations.map { "\($0.spec) \($0.defaultLearningRate)" }.joined(separator: ", ") + ".")
            )
        }

        let missing = summary.missing
        if !missing.isEmpty {
            doc.add(
                .paragraph(
                    "This report is partial: \(missing.count) of \(plan.cells.count) cells have no result yet (\(missing.prefix(6).map(\.id).joined(separator: ", "))\(missing.count > 6 ? ", …" : ""))."
                ))
        }

        if plan.architectures.count > 1 {
            doc.add(.heading("Depth", level: 2))
            for chart in charts
            where chart.file.hasPrefix("accuracy-vs-depth") || chart.file.hasPrefix("gradient-heatmap")
                || chart.file.hasPrefix("dead-saturated-vs-depth")
            {
                doc.add(.chart(file: "charts/" + chart.file, svg: chart.svg, caption: chart.caption))
            }
        }
        if plan.learningRates.count > 1 {
            doc.add(.heading("Learning rate", level: 2))
            for chart in charts
            where chart.file.hasPrefix("accuracy-vs-lr") || chart.file.hasPrefix("dead-saturated-vs-lr") {
                doc.add(.chart(file: "charts/" + chart.file, svg: chart.svg, caption: chart.caption))
            }
        }

        doc.add(.heading("Each setting", level: 2))
        for entry in table {
            doc.add(.heading(entry.setting.label, level: 3))
            doc.add(
                .table(
                    header: [
                        "activation", "learning rate", "test accuracy % (mean ± sd)", "best epoch",
                        "worst layer dead / saturated %", "first-layer gradient norm", "samples / s", "seeds"
                    ],
                    rows: entry.rows.map { row in
                        let done = !row.accuracies.isEmpty
                        let stuck: String
                        if row.activation.isReLUFamily, let d = row.layers.map(\.neverActiveFraction).max() {
                            stuck = String(format: "%.1f dead", d * 100)
                        } else if row.activation.canSaturate, let s = row.layers.map(\.saturatedFraction).max() {
                            stuck = String(format: "%.1f saturated", s * 100)
                        } else {
                            stuck = "–"
                        }
                        return [
                            row.activation.spec, "\(row.learningRate)",
                            done ? "\(percent(row.meanAccuracy)) ± \(percent(row.sdAccuracy))" : "–",
                            row.bestEpoch.map(String.init) ?? "–", stuck,
                            row.layers.first?.gradientNorm.map { String(format: "%.4f", $0) } ?? "–",
                            row.samplesPerSecond.map { String(format: "%.0f", $0) } ?? "–",
                            "\(row.accuracies.count)" + (row.failures > 0 ? " (+\(row.failures) diverged)" : "")
                        ]
                    }))
        }
        doc.add(.heading("Setup", level: 2))
        doc.add(.bullets(setupLines(network: "hidden \(architectures.joined(separator: ", "))")))
        return doc
    }
}
