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
                folder: runFolder, status: status, owner: stored.owner)
            run.trainedSeconds = stored.summary.trainedSeconds ?? 0
            run.error = stored.summary.error
            run.warning = stored.summary.warning
            run.testAccuracy = stored.summary.testAccuracy
            run.testLoss = stored.summary.testLoss
            run.history = stored.epochs
            run.lesson = stored.summary.lesson
            run.log =
                stored.epochs.map { .epoch(run: name, record: $0) } + [.status(run: name, status: status, error: nil)]
            return run
        }
    }

    /// Keeps the runs folder under `limits.folderBytes` with room for `requests`' checkpoints: removes
    /// the oldest runs that are over (then interrupted ones) of whoever keeps the most bytes, never
    /// an active one; 507 when that is not enough. Called with the lock held.
    func makeRoom(for requests: [RunRequest]) throws -> [RemovedRun] {
        let needed = requests.reduce(0) { $0 + Self.estimatedBytes($1.config) }
        var sizes: [String: Int] = [:]
        for run in allRuns { sizes[run.id] = Self.bytes(in: run.folder) }
        var used = sizes.values.reduce(0, +)
        var removed: [RemovedRun] = []
        let limit = DigitWebApp.size(limits.folderBytes)
        let freeable = allRuns.filter { !$0.status.isActive }.reduce(0) { $0 + (sizes[$1.id] ?? 0) }
        // Nothing is removed for a run that would not fit even so.
        guard used - freeable + needed <= limits.folderBytes else {
            throw Problem(
                status: 507,
                description:
                    "the runs folder cannot make room for \(requests.count == 1 ? "this run" : "these \(requests.count) runs") under its \(limit) (serve --runs-limit): active runs hold \(DigitWebApp.size(used - freeable)) and \(requests.count == 1 ? "this one needs" : "they need") about \(DigitWebApp.size(needed)); cancel one, or wait for one to finish"
            )
        }
        while used + needed > limits.folderBytes {
            let runs = allRuns
            let removable = runs.filter(\.status.isOver) + runs.filter { $0.status == .interrupted }
            var kept: [Person: Int] = [:]
            for run in runs { kept[run.owner, default: 0] += sizes[run.id] ?? 0 }
            let heaviest = removable.map(\.owner).max { (kept[$0] ?? 0, $1.hash) < (kept[$1] ?? 0, $0.hash) }!
            let theirs = removable.filter { $0.owner == heaviest }
            let oldest =
                (theirs.filter(\.status.isOver).min(by: TurnOrder.madeBefore) ?? theirs.min(by: TurnOrder.madeBefore))!
            let reason =
                "removed to keep the runs folder under its \(limit) (serve --runs-limit): the oldest \(oldest.status.rawValue) run of whoever kept the most"
            noteRemoved(oldest, reason: reason)
            used -= sizes[oldest.id] ?? 0
            removed.append(RemovedRun(id: oldest.id, title: oldest.request.title, reason: reason))
        }
        return removed
    }

    /// What a run's checkpoint will take: weights and momentum in fp32, and a little for its records.
    static func estimatedBytes(_ config: TrainingConfig) -> Int {
        let widths = [28 * 28] + config.hidden + [10]
        let parameters = zip(widths, widths.dropFirst()).reduce(0) { $0 + $1.0 * $1.1 + $1.1 }
        return parameters * 4 * 2 + (64 << 10)
    }

    /// The bytes of the files in `folder` (a run's: its checkpoint and `run.json`).
    static func bytes(in folder: URL) -> Int {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.reduce(0) { total, name in
            let attributes = try? FileManager.default.attributesOfItem(atPath: folder.appendingPathComponent(name).path)
            return total + ((attributes?[.size] as? NSNumber)?.intValue ?? 0)
        }
    }
}
