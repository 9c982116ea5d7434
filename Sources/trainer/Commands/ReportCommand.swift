import ArgumentParser
import Foundation
import Model
import Report

/// `trainer report`: one report from one or more ablation result folders (shards). Named apart
/// from the `Report` module it calls, which it would otherwise shadow.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write an ablation report from result folders, merging shards run apart.",
        discussion:
            "Every folder must come from the same ablation (same plan.json). Cells missing from all of them are listed as missing."
    )

    @Argument(help: "Result folders written by `trainer ablate`.")
    var folders: [String]

    @Option(name: .shortAndLong, help: "Where to write the report (default: the folder itself when there is one).")
    var output: String?

    func run() throws {
        var plan: AblationPlan?
        var results: [AblationCell: CellResult] = [:]
        var sources: [AblationCell: ResultsFolder] = [:]
        var runs: [RunEnvironment] = []
        for path in folders {
            let folder = ResultsFolder(path: path)
            guard FileManager.default.fileExists(atPath: folder.planPath) else {
                throw Failure("\(path): no plan.json, so not a result folder of `trainer ablate`")
            }
            let folderPlan = try folder.plan()
            if let plan, plan != folderPlan {
                throw Failure(
                    "\(path): comes from a different ablation than \(folders[0]) (\(ResultsFolder.difference(plan, folderPlan)))"
                )
            }
            plan = folderPlan
            for result in try folder.results() where results[result.cell] == nil {
                results[result.cell] = result
                sources[result.cell] = folder
            }
            runs += try folder.runs().filter { !runs.contains($0) }
        }
        guard let plan else { throw ValidationError("give at least one result folder") }
        let target = output ?? (folders.count == 1 ? folders[0] : "ablation-report")
        let summary = AblationSummary(plan: plan, results: Array(results.values), environments: runs)
        try AblationReport(summary: summary, wording: .commandLine).write(to: target)
        // The cells' models come along, so the merged folder can be served and inspected as a whole.
        let merged = ResultsFolder(path: target)
        var models = 0
        for (cell, source) in sources {
            if try merged.copyModel(of: cell, from: source) { models += 1 }
        }
        if !summary.missing.isEmpty {
            Terminal.error(
                "warning: \(summary.missing.count) of \(plan.cells.count) cells have no result; the report is partial")
        }
        print(
            "report: \(target)/report.html (and report.md, results.json, results.csv) from \(results.count) cells"
                + (models > 0 ? "; \(models) cell models copied into \(target)/cells" : ""))
    }
}
