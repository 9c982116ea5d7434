import Foundation
import Model

extension DigitWebApp.Served {
    /// At most this many ablation cell models are offered, and at most this many weights among them
    /// (a 784-256-128-10 cell has 0.24 million, 784-1024-1024-10 1.9 million; 4 bytes each, kept
    /// twice: the classifier's and the inspector's copies).
    public static let cellModelLimit = 24
    public static let cellWeightLimit = 16_000_000

    /// The ablation cells' models under --reports, to compare with on the page (the first seed's
    /// first), and what to say about them. A file that does not load is skipped with a line, not
    /// fatal: the user did not name it.
    public static func cellModels(in folders: ReportFolders, besides given: [String], minConfidence: Double) -> (
        [DigitWebApp.Served], [String]
    ) {
        let already = Set(given.compactMap(ReportFolders.realPath))
        let found = folders.cellModels().filter { !already.contains($0.file) }
        var served: [DigitWebApp.Served] = []
        var notes: [String] = []
        var weights = 0
        var cut = found.count > cellModelLimit
        for model in found.prefix(cellModelLimit) {
            do {
                let checkpoint = try Checkpoint(contentsOf: model.file)
                weights += checkpoint.model.parameters.count
                if weights > cellWeightLimit {
                    cut = true
                    break
                }
                served.append(
                    try DigitWebApp.Served(checkpoint: checkpoint, file: model.shown, minConfidence: minConfidence))
            } catch {
                // The reading errors name the file they read; it is said once, as the user knows it.
                let reason = "\(error)".replacingOccurrences(of: model.file + ": ", with: "")
                notes.append("note: not offering \(model.shown): \(reason)")
            }
        }
        if !served.isEmpty {
            notes.insert(
                "offering \(served.count) ablation cell model\(served.count == 1 ? "" : "s") from the reports to read and compare with"
                    + (cut ? " (\(served.count) of \(found.count), the first seed's first; -m adds others)" : ""),
                at: 0)
        }
        return (served, notes)
    }
}
