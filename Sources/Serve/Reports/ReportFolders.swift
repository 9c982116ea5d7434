import Foundation

/// The folders `serve --reports` shares, read-only: the ablation reports found in them, and any
/// file inside them by a path that cannot leave them (no `..`, no encoded slash or backslash, no
/// hidden names, no symlink out).
public struct ReportFolders: Sendable {
    /// One shared folder: as the user named it and as the file system resolves it.
    public struct Root: Sendable {
        public let given: String
        let resolved: String
    }

    /// One ablation report found in a shared folder.
    public struct Found: Sendable, Equatable {
        let title: String
        let folder: String
        let url: String
        let modified: Date?
    }

    /// Why a shared folder cannot be used, before the server starts.
    public struct Problem: Error, CustomStringConvertible {
        public let description: String
    }

    public let roots: [Root]

    /// How deep below a shared folder reports are looked for (a results folder of results folders).
    public static let searchDepth = 3

    public init(_ folders: [String]) throws {
        roots = try folders.map { folder in
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder) else {
                throw Problem(description: "\(folder): no such folder (--reports)")
            }
            guard isFolder.boolValue, let resolved = Self.realPath(folder) else {
                throw Problem(description: "\(folder): not a folder (--reports)")
            }
            return Root(given: folder, resolved: resolved)
        }
    }

    /// Every `report.html` under the shared folders, in folder order, as links into `/reports/`.
    public func reports() -> [Found] {
        var found: [Found] = []
        for (k, root) in roots.enumerated() {
            var seen: Set<String> = []
            for relative in Self.reportFiles(in: root.resolved, depth: Self.searchDepth) {
                // Listed once, and only when the page could open it: a symlinked folder may lead out.
                guard
                    let file = self.file(
                        root: k,
                        path: relative.split(separator: "/").map { Self.encoded(String($0)) }.joined(separator: "/")),
                    seen.insert(file).inserted
                else { continue }
                let folder = (relative as NSString).deletingLastPathComponent
                let shownFolder = folder.isEmpty ? root.given : (root.given as NSString).appendingPathComponent(folder)
                let url =
                    "/reports/\(k)/"
                    + relative.split(separator: "/").map { Self.encoded(String($0)) }.joined(separator: "/")
                let modified = (try? FileManager.default.attributesOfItem(atPath: file))?[.modificationDate] as? Date
                found.append(
                    Found(title: Self.title(of: file) ?? shownFolder, folder: shownFolder, url: url, modified: modified)
                )
            }
        }
        return found
    }

    /// The models an ablation keeps beside its report (`cells/*.safetensors`), as the file to read
    /// and the path to show, the first seed's cells first: the page offers them to compare with.
    public func cellModels() -> [(file: String, shown: String)] {
        var found: [(file: String, shown: String, seed: Int)] = []
        for (k, root) in roots.enumerated() {
            for relative in Self.reportFiles(in: root.resolved, depth: Self.searchDepth) {
                let folder = (relative as NSString).deletingLastPathComponent
                let cells = (folder.isEmpty ? "" : folder + "/") + "cells"
                let names = (try? FileManager.default.contentsOfDirectory(atPath: root.resolved + "/" + cells)) ?? []
                for name in names.sorted() where name.hasSuffix(".safetensors") && !name.hasPrefix(".") {
                    // Through file(root:path:), so a symlink out of the shared folder is not followed.
                    let path = (cells + "/" + name).split(separator: "/").map { Self.encoded(String($0)) }
                    guard let file = file(root: k, path: path.joined(separator: "/")) else { continue }
                    let seed = Int(name.dropLast(".safetensors".count).components(separatedBy: "-seed").last ?? "")
                    found.append(
                        (file, (root.given as NSString).appendingPathComponent(cells + "/" + name), seed ?? .max))
                }
            }
        }
        // A stable sort: within a seed, folder and name order are kept.
        return found.enumerated().sorted { ($0.element.seed, $0.offset) < ($1.element.seed, $1.offset) }.map {
            ($0.element.file, $0.element.shown)
        }
    }

    /// The file that `/reports/<k>/<path>` names, or nil when there is none that may be shown.
    /// `path` is as sent, percent-encoded; each segment is decoded on its own, so `%2F` cannot
    /// join two of them.
    public func file(root k: Int, path: String) -> String? {
        guard roots.indices.contains(k) else { return nil }
        var segments: [String] = []
        for raw in path.split(separator: "/", omittingEmptySubsequences: false) {
            guard let segment = String(raw).removingPercentEncoding, !segment.isEmpty, !segment.hasPrefix("."),
                !segment.contains("/"), !segment.contains("\\"), !segment.contains("\0")
            else { return nil }
            segments.append(segment)
        }
        guard !segments.isEmpty else { return nil }
        let root = roots[k].resolved
        // The real path has every symlink followed: it must still be inside the shared folder.
        guard let real = Self.realPath(root + "/" + segments.joined(separator: "/")),
            real.hasPrefix(root == "/" ? "/" : root + "/")
        else {
            return nil
        }
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: real, isDirectory: &isFolder), !isFolder.boolValue else {
            return nil
        }
        return real
    }

    /// The media type a report file is served with.
    public static func contentType(of file: String) -> String {
        switch (file as NSString).pathExtension.lowercased() {
        case "html", "htm": return "text/html; charset=utf-8"
        case "svg": return "image/svg+xml"
        case "json": return "application/json; charset=utf-8"
        case "csv": return "text/csv; charset=utf-8"
        case "md": return "text/markdown; charset=utf-8"
        case "txt", "log": return "text/plain; charset=utf-8"
        case "png": return "image/png"
        case "css": return "text/css; charset=utf-8"
        default: return "application/octet-stream"
        }
    }

    // MARK: Helpers

    public static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// `report.html` files below `folder`, as paths relative to it, sorted; hidden folders skipped.
    public static func reportFiles(in folder: String, depth: Int, prefix: String = "") -> [String] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return [] }
        var result: [String] = []
        for name in names.sorted() where !name.hasPrefix(".") {
            let path = folder + "/" + name
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else { continue }
            if isFolder.boolValue {
                if depth > 0 { result += reportFiles(in: path, depth: depth - 1, prefix: prefix + name + "/") }
            } else if name == "report.html" {
                result.append(prefix + name)
            }
        }
        return result
    }

    /// The `<title>` of an HTML file, from its first few kilobytes.
    public static func title(of file: String) -> String? {
        guard let handle = FileHandle(forReadingAtPath: file) else { return nil }
        defer { try? handle.close() }
        let head = String(decoding: handle.readData(ofLength: 8192), as: UTF8.self)
        guard let open = head.range(of: "<title>"),
            let close = head.range(of: "</title>", range: open.upperBound..<head.endIndex)
        else {
            return nil
        }
        var title = head[open.upperBound..<close.lowerBound].trimmingCharacters(in: .whitespacesAndNewlines)
        for (entity, character) in [("&lt;", "<"), ("&gt;", ">"), ("&quot;", "\""), ("&#39;", "'"), ("&amp;", "&")] {
            title = title.replacingOccurrences(of: entity, with: character)
        }
        return title.isEmpty ? nil : title
    }

    public static func encoded(_ segment: String) -> String {
        segment.addingPercentEncoding(
            withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/?#"))) ?? segment
    }
}
