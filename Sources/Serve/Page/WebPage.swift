import Dataset
import Foundation

/// `serve`'s page: the files of `Sources/Serve/Web` (HTML, CSS, one script per view), compiled into
/// the binary (`WebFiles`) so that a copied `trainer` serves the whole page with nothing beside it,
/// or read from a folder as they are edited (`serve --web-root`).
///
/// Everything comes from the page's own origin: the Content-Security-Policy allows scripts and
/// styles from `'self'` only, so no inline script, style or handler runs, and nothing is fetched
/// from elsewhere.
public struct WebPage: Sendable {
    /// A folder to read the files from on every request, instead of the compiled-in copies.
    let root: String?

    public init(root: String? = nil) { self.root = root }

    static let policy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src data: blob:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

    /// The files the page is served from, by the path they are asked for with.
    static let served: [String: (file: String, type: String)] = [
        "/": ("index.html", "text/html; charset=utf-8"),
        "/index.html": ("index.html", "text/html; charset=utf-8"),
        "/page.css": ("page.css", "text/css; charset=utf-8"),
        "/inside.css": ("inside.css", "text/css; charset=utf-8"),
        "/playground.css": ("playground.css", "text/css; charset=utf-8"),
        "/logic.js": ("logic.js", "text/javascript; charset=utf-8"),
        "/inside.js": ("inside.js", "text/javascript; charset=utf-8"),
        "/pad.js": ("pad.js", "text/javascript; charset=utf-8"),
        "/playground.js": ("playground.js", "text/javascript; charset=utf-8"),
        "/main.js": ("main.js", "text/javascript; charset=utf-8"),
        "/gallery.html": ("gallery.html", "text/html; charset=utf-8"),
        "/gallery.css": ("gallery.css", "text/css; charset=utf-8"),
        "/gallery.js": ("gallery.js", "text/javascript; charset=utf-8")
    ]

    /// The answer for `path` when it is one of the page's files, else nil; gzip-compressed when the
    /// browser takes it (`acceptsGzip`), which cuts a cold load to about a third: a class of thirty
    /// loads it at once over one school network.
    func response(for path: String, acceptsGzip: Bool = false) -> WebResponse? {
        guard let (file, type) = Self.served[path] else { return nil }
        guard let bytes = self.file(file) else {
            return .failure(500, "\(file) is missing from --web-root \(root ?? "")")
        }
        var headers = ["Cache-Control": "no-cache", "Content-Security-Policy": Self.policy, "Vary": "Accept-Encoding"]
        var body = bytes
        if acceptsGzip, let compressed = root == nil ? Self.compressed[file] ?? nil : Gzip.compress(bytes) {
            (body, headers["Content-Encoding"]) = (compressed, "gzip")
        }
        return WebResponse(status: 200, contentType: type, body: body, headers: headers)
    }

    /// The compiled-in files, compressed once, when first asked for.
    private static let compressed: [String: [UInt8]?] = Dictionary(
        uniqueKeysWithValues: Set(served.values.map(\.file)).map { ($0, WebFiles.named($0).flatMap(Gzip.compress)) })

    /// Whether a request's `Accept-Encoding` lists gzip (with no `q=0`).
    static func acceptsGzip(_ header: String?) -> Bool {
        (header ?? "").lowercased().split(separator: ",").contains { item in
            let parts = item.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            return parts.first == "gzip"
                && !parts.dropFirst().contains { $0.replacingOccurrences(of: " ", with: "") == "q=0" }
        }
    }

    /// A file of the page: from `root` when serving from a folder, else the compiled-in copy.
    func file(_ name: String) -> [UInt8]? {
        if let root {
            return FileManager.default.contents(atPath: (root as NSString).appendingPathComponent(name)).map(Array.init)
        }
        return WebFiles.named(name)
    }
}
