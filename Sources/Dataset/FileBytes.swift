import Foundation

/// Reads a whole file, refusing paths that are missing, folders, or larger than `limit`, before
/// anything is allocated for it. Every reader of user files goes through here.
public func readFileBytes(_ path: String, limit: Int = Gzip.defaultLimit) throws -> [UInt8] {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
        throw DatasetError.missingFile(path: path)
    }
    if isDirectory.boolValue { throw DatasetError.unreadable(path: path, reason: "it is a folder") }
    let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
    if size > limit { throw DatasetError.tooLarge(path: path, limit: limit) }
    guard let handle = FileHandle(forReadingAtPath: path) else {
        throw DatasetError.unreadable(path: path, reason: "permission denied")
    }
    defer { try? handle.close() }
    do {
        let data = try handle.readToEnd() ?? Data()
        return [UInt8](data)
    } catch {
        throw DatasetError.unreadable(path: path, reason: error.localizedDescription)
    }
}
