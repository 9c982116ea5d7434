import Dataset
import Foundation
import Model

/// An ablation's result folder: `plan.json`, one `cells/<cell>.json` per finished cell (so an
/// interrupted run resumes where it stopped and shards merge by copying) with its trained model
/// beside it in `cells/<cell>.safetensors`, and `runs.json`, the machines and commands that
/// produced them.
public struct ResultsFolder: Sendable {
    public let path: String

    /// The folder at `path`, as it is (`open` creates one for a plan).
    public init(path: String) { self.path = path }

    public var planPath: String { path + "/plan.json" }
    public var runsPath: String { path + "/runs.json" }
    public func cellPath(_ cell: AblationCell) -> String { path + "/cells/\(cell.id).json" }
    public func modelPath(_ cell: AblationCell) -> String { path + "/cells/\(cell.id).safetensors" }

    public static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        return encoder
    }()

    public static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(
            positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        return decoder
    }()

    /// Opens the folder for `plan`, creating it; refuses a folder that holds a different ablation.
    public static func open(_ path: String, for plan: AblationPlan) throws -> ResultsFolder {
        let folder = ResultsFolder(path: path)
        if FileManager.default.fileExists(atPath: folder.planPath) {
            let existing = try folder.plan()
            guard existing == plan else {
                throw ResultsFolderError.differentAblation(path: path, difference: difference(existing, plan))
            }
        } else {
            try AtomicFile.write(try encoder.encode(plan).asBytes, to: folder.planPath)
        }
        return folder
    }

    public func plan() throws -> AblationPlan {
        try decode(AblationPlan.self, from: planPath)
    }

    /// The finished cells found in `cells/`.
    public func results() throws -> [CellResult] {
        let folder = path + "/cells"
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return [] }
        return try names.filter { $0.hasSuffix(".json") && !$0.hasPrefix(".") }.sorted().map {
            try decode(CellResult.self, from: folder + "/" + $0)
        }
    }

    public func runs() throws -> [RunEnvironment] {
        FileManager.default.fileExists(atPath: runsPath) ? try decode([RunEnvironment].self, from: runsPath) : []
    }

    public func save(_ result: CellResult) throws {
        try AtomicFile.write(try Self.encoder.encode(result).asBytes, to: cellPath(result.cell))
    }

    /// Saves the cell's model, then its result: the result is what marks a cell finished, so a
    /// cell interrupted between the two trains again rather than lacking its model.
    public func save(_ trained: TrainedCell, model: Bool) throws {
        if model, let checkpoint = trained.checkpoint { try checkpoint.write(to: modelPath(trained.result.cell)) }
        try save(trained.result)
    }

    /// Copies the cell's model from `other` (a shard) into this folder, when `other` has one and
    /// this folder does not: a merged report then holds every model beside its numbers.
    /// Returns whether it copied.
    @discardableResult
    public func copyModel(of cell: AblationCell, from other: ResultsFolder) throws -> Bool {
        let (source, target) = (other.modelPath(cell), modelPath(cell))
        guard source != target, !FileManager.default.fileExists(atPath: target),
            let bytes = FileManager.default.contents(atPath: source)
        else { return false }
        try AtomicFile.write(Array(bytes), to: target)
        return true
    }

    public func record(_ run: RunEnvironment) throws {
        try AtomicFile.write(try Self.encoder.encode(try runs() + [run]).asBytes, to: runsPath)
    }

    private func decode<T: Decodable>(_ type: T.Type, from file: String) throws -> T {
        guard let data = FileManager.default.contents(atPath: file) else {
            throw ResultsFolderError.unreadable(path: file)
        }
        do {
            return try Self.decoder.decode(type, from: data)
        } catch {
            throw ResultsFolderError.notAblationFile(path: file, reason: error.localizedDescription)
        }
    }

    /// The first setting in which two plans differ, for the error message.
    public static func difference(_ a: AblationPlan, _ b: AblationPlan) -> String {
        if a.activations != b.activations {
            return "activations \(a.activations.map(\.spec)) vs \(b.activations.map(\.spec))"
        }
        if a.seeds != b.seeds { return "seeds \(a.seeds) vs \(b.seeds)" }
        if a.dataset != b.dataset { return "data set \(a.dataset) vs \(b.dataset)" }
        if a.trainingLimit != b.trainingLimit {
            return
                "training images \(a.trainingLimit.map(String.init) ?? "all") vs \(b.trainingLimit.map(String.init) ?? "all")"
        }
        if a.base.epochs != b.base.epochs { return "epochs \(a.base.epochs) vs \(b.base.epochs)" }
        if a.base.hidden != b.base.hidden { return "hidden \(a.base.hidden) vs \(b.base.hidden)" }
        return "training settings differ"
    }
}

/// What is wrong with a results folder, naming the file.
public enum ResultsFolderError: Error, Equatable, CustomStringConvertible {
    /// The folder's plan.json describes another ablation; `difference` names the first setting that differs.
    case differentAblation(path: String, difference: String)
    case unreadable(path: String)
    case notAblationFile(path: String, reason: String)

    public var description: String {
        switch self {
        case .differentAblation(let path, let difference):
            return "\(path): holds results of a different ablation (\(difference))"
        case .unreadable(let path): return "\(path): cannot be read"
        case .notAblationFile(let path, let reason): return "\(path): not a digit-trainer ablation file (\(reason))"
        }
    }
}

extension Data {
    public var asBytes: [UInt8] { [UInt8](self) }
}
