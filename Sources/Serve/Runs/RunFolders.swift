import Dataset
import Foundation
import Model

/// The runs folder: each run in a folder of its own, named by the server (`ID/model.safetensors`,
/// the CLI's format, and `ID/run.json`), read again when a server starts.
extension Playground {
    /// Writes what a restart needs to list the run again (`run.json`, atomically); called with the lock held.
    func persist(_ run: PlaygroundRun) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(run.stored) else { return }
        try? AtomicFile.write(Array(data), to: run.recordURL.path)
    }

    static var idFormat: DateFormatter {
        let format = DateFormatter()
        format.locale = Locale(identifier: "en_US_POSIX")
        format.timeZone = TimeZone(identifier: "UTC")
        format.dateFormat = "yyyyMMdd-HHmmss"
        return format
    }

    /// The runs saved in `folder` by an earlier server: those that were still active come back interrupted.
    static func listed(in folder: URL) -> [PlaygroundRun] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path) else { return [] }
        return names.compactMap { name -> PlaygroundRun? in
            let runFolder = folder.appendingPathComponent(name)
            guard name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }),
                let bytes = try? readFileBytes(runFolder.appendingPathComponent("run.json").path, limit: 16 << 20),
                let stored = try? JSONDecoder().decode(StoredRun.self, from: Data(bytes)),
                stored.summary.id == name,
                let dataset = stored.summary.config["dataset"].flatMap({ DatasetKind(rawValue: $0.text) }),
                var status = PlaygroundRun.Status(rawValue: stored.summary.status)
            else { return nil }
            if status.isActive { status = .interrupted }
            let created = Checkpoint.dateFormat.date(from: stored.summary.created) ?? Date(timeIntervalSince1970: 0)
            let run = PlaygroundRun(
                id: name, request: RunRequest(config: stored.trainingConfig, dataset: dataset), created: created,
                folder: runFolder, status: status)
            run.error = stored.summary.error
            run.warning = stored.summary.warning
            run.testAccuracy = stored.summary.testAccuracy
            run.testLoss = stored.summary.testLoss
            run.history = stored.epochs
            run.log =
                stored.epochs.map { .epoch(run: name, record: $0) } + [.status(run: name, status: status, error: nil)]
            return run
        }
    }
}
