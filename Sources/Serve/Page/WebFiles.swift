/// The page's files as the build compiled them in (`WebFiles+Generated.swift`, written by
/// scripts/embed-web from `Sources/Serve/Web`), so the `trainer` binary needs nothing beside it.
enum WebFiles {
    /// The file named `name` (`index.html`), or nil.
    static func named(_ name: String) -> [UInt8]? { bytes[name] }

    private static let bytes = texts.mapValues { Array($0.utf8) }
}
