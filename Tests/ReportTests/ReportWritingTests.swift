import Foundation
#if canImport(FoundationXML)
    import FoundationXML
#endif
import Model
import Report
import Testing
import TestSupport

@Suite struct ChartTests {
    @Test func linearAxisRoundsOutwardToNiceTicks() {
        let axis = SVGChart.Axis(low: 0.13, high: 0.87, log: false)
        #expect(axis.low == 0 && abs(axis.high - 1) < 1e-12)
        #expect(
            axis.ticks.count == 6 && zip(axis.ticks, [0, 0.2, 0.4, 0.6, 0.8, 1.0]).allSatisfy { abs($0 - $1) < 1e-12 })
        #expect(axis.unit(axis.low) == 0 && abs(axis.unit(0.5) - 0.5) < 1e-12)
        // A flat series still gets an axis one step tall.
        let flat = SVGChart.Axis(low: 3, high: 3, log: false)
        #expect(flat.high > flat.low && flat.ticks.contains(3))
    }

    @Test func niceStepsAreOneTwoFiveTimesAPowerOfTen() {
        for (raw, nice) in [(0.13, 0.2), (1.0, 1.0), (3.0, 5.0), (7.0, 10.0), (0.0004, 0.0005), (1800.0, 2000.0)] {
            #expect(abs(SVGChart.Axis.niceStep(raw) - nice) < nice * 1e-12, "niceStep(\(raw))")
        }
    }

    @Test func logAxisSpansTheDataOnTheOneTwoFiveLadder() {
        let axis = SVGChart.Axis(low: 0.003, high: 0.4, log: true)
        #expect(abs(axis.low - 0.002) < 1e-12 && abs(axis.high - 0.5) < 1e-12)
        #expect(axis.ticks.allSatisfy { $0 >= axis.low * (1 - 1e-9) && $0 <= axis.high * (1 + 1e-9) })
        #expect(axis.ticks.contains { abs($0 - 0.01) < 1e-12 } && axis.ticks.contains { abs($0 - 0.1) < 1e-12 })
        #expect(abs(axis.unit(axis.low)) < 1e-12 && abs(axis.unit(axis.high) - 1) < 1e-12)
        // Within one decade the ladder still gives ticks.
        #expect(SVGChart.Axis(low: 0.21, high: 0.39, log: true).ticks.count >= 2)
    }

    @Test func explicitTicksSpanExactlyTheData() {
        let axis = SVGChart.Axis(low: 1, high: 5, log: false, ticks: [1, 2, 3, 4, 5])
        #expect(axis.low == 1 && axis.high == 5 && axis.ticks == [1, 2, 3, 4, 5])
    }

    @Test func chartsAreWellFormedSVG() throws {
        let line = SVGChart.lines(
            title: "loss <&> \"quoted\"", xLabel: "epoch", yLabel: "loss",
            series: [
                SVGChart.Series(
                    name: "relu", color: "#0072B2", points: [(1, 0.3), (2, 0.1)],
                    band: [(1, 0.25, 0.35), (2, 0.08, 0.12)]),
                SVGChart.Series(name: "tanh", color: "#D55E00", points: [(1, 0.4), (2, 0.2)], dashed: true)
            ],
            logY: true, xTicks: [1, 2])
        let bars = SVGChart.groupedBars(
            title: "bars", yLabel: "%", groups: ["layer 1", "layer 2"],
            series: [("relu", "#0072B2", [12.5, nil]), ("sigmoid", "#D55E00", [0, 3])])
        for svg in [line, bars] {
            #expect(svg.hasPrefix("<svg"))
            let parser = XMLParser(data: Data(svg.utf8))
            #expect(parser.parse(), "not well-formed: \(parser.parserError.map(String.init(describing:)) ?? "")")
        }
        #expect(
            line.contains("loss &lt;&amp;&gt; &quot;quoted&quot;") || line.contains("loss &lt;&amp;&gt; \"quoted\""))
        #expect(line.contains("stroke-dasharray"), "the dashed series and its legend entry")
        #expect(SVGChart.coordinate(1.26) == "1.3" && SVGChart.quoted(2) == "\"2.0\"")
    }
}

@Suite struct ReportDocumentTests {
    @Test func markdownAndHTMLSayTheSameThing() throws {
        var doc = ReportDocument(title: "Ablation <test>")
        doc.add(.heading("Results", level: 2))
        doc.add(.paragraph("ReLU & friends"))
        doc.add(.bullets(["one", "two"]))
        doc.add(.table(header: ["activation", "accuracy"], rows: [["relu", "98.2"], ["a|b", "1"]]))
        doc.add(.chart(file: "charts/x.svg", svg: "<svg xmlns=\"http://www.w3.org/2000/svg\"/>", caption: "a chart"))
        let markdown = doc.markdown
        #expect(markdown.hasPrefix("# Ablation <test>\n"))
        #expect(markdown.contains("## Results") && markdown.contains("- one\n- two"))
        #expect(markdown.contains("| activation | accuracy |\n|---|---|\n| relu | 98.2 |\n| a\\|b | 1 |"))
        #expect(markdown.contains("![a chart](charts/x.svg)"))
        let html = doc.html
        #expect(html.contains("Ablation &lt;test&gt;") && html.contains("ReLU &amp; friends"))
        #expect(html.contains("<svg xmlns=\"http://www.w3.org/2000/svg\"/>"), "HTML inlines the chart")
        let parser = XMLParser(data: Data(html.utf8))
        #expect(parser.parse(), "report.html is XHTML: \(parser.parserError.map(String.init(describing:)) ?? "")")
    }
}

@Suite struct AblationReportTests {
    @Test func writesEveryFileAndTakesTheArchitectureFromThePlan() throws {
        // 100 inputs and 5 classes: nothing may assume MNIST's 784 and 10.
        let plan = Constructed.plan([.relu, .tanh], inputs: 100, classes: 5)
        let summary = Constructed.summary(plan, [.relu: [0.90, 0.91, 0.92], .tanh: [0.89, 0.90, 0.90]])
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try AblationReport(summary: summary).write(to: folder)
        for file in [
            "report.md", "report.html", "results.json", "results.csv", "charts/train-loss.svg",
            "charts/activation-tanh.svg"
        ] {
            #expect(FileManager.default.fileExists(atPath: folder + "/" + file), "\(file) missing")
        }
        let markdown = try String(contentsOfFile: folder + "/report.md", encoding: .utf8)
        #expect(markdown.hasPrefix("# Activation ablation: mnist, 100-16-8-5"))
        #expect(markdown.contains("![relu](charts/activation-relu.svg)"), "activation plots captioned by name")

        let json = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: folder + "/results.json")))
                as? [String: Any])
        // One key style throughout, the plan and the cells included.
        func keys(_ value: Any) -> [String] {
            if let object = value as? [String: Any] {
                return object.keys.filter { !$0.contains(".") && !$0.contains("-") } + object.values.flatMap(keys)
            }
            if let array = value as? [Any] { return array.flatMap(keys) }
            return []
        }
        let camel = keys(json).filter { $0.contains { $0.isUppercase } }
        #expect(camel.isEmpty, "camelCase keys in results.json: \(Set(camel))")
        #expect((json["plan"] as? [String: Any])?["inputs"] as? Int == 100)
        #expect(
            ((json["summary"] as? [[String: Any]])?.first?["test_accuracy_mean"] as? Double).map {
                abs($0 - 0.91) < 1e-9
            } == true)

        let csv = try String(contentsOfFile: folder + "/results.csv", encoding: .utf8).split(separator: "\n")
        #expect(csv.count == 1 + 6 && csv[0].hasPrefix("activation,seed,learning_rate,epoch"))
    }
}

@Suite struct ResultsFolderTests {
    @Test func savesResumesAndRefusesAnotherAblation() throws {
        let path = temporaryFolder() + "/ablation"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let plan = Constructed.plan([.relu, .tanh])
        let folder = try ResultsFolder.open(path, for: plan)
        #expect(try folder.plan() == plan && folder.results().isEmpty && folder.runs().isEmpty)
        let result = Constructed.result(plan, .tanh, seed: 2, accuracy: 0.97)
        try folder.save(result)
        let run = RunEnvironment(
            machine: "test machine", cores: 2, memoryGiB: 24, system: "Linux", build: "release", blas: "oneDNN",
            jobs: 2, blasThreadsPerCell: 1, started: "2026-11-24T00:00:00Z", command: "trainer ablate",
            datasetSHA256: [:])
        try folder.record(run)
        // Reopened for the same plan, it holds what was saved: an interrupted ablation resumes.
        let again = try ResultsFolder.open(path, for: plan)
        #expect(try again.results() == [result] && again.runs() == [run])

        var other = plan
        other.seeds = [1, 2]
        #expect(throws: ResultsFolderError.differentAblation(path: path, difference: "seeds [1, 2, 3] vs [1, 2]")) {
            _ = try ResultsFolder.open(path, for: other)
        }
        try Data("not json".utf8).write(to: URL(fileURLWithPath: path + "/cells/broken.json"))
        #expect(throws: ResultsFolderError.self) { _ = try again.results() }
        #expect(ResultsFolder.difference(plan, other) == "seeds [1, 2, 3] vs [1, 2]")
    }
}
