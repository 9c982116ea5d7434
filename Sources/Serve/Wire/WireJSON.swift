import Foundation

/// How `serve` writes JSON: keys sorted, so that answers are stable to compare; slashes as they are.
enum WireJSON {
    static func bytes(_ value: some Encodable) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Every record says its non-finite figures as null; this is the last guard against one
        // that slipped through (JSONEncoder would refuse the whole answer).
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        return (try? encoder.encode(value)).map(Array.init) ?? Array("{}".utf8)
    }
}

/// Every failure `serve` sends: `{"error": "<one line>", "status": N}`, with the request's field
/// when one field is what is wrong.
struct ErrorRecord: Encodable, Sendable {
    var error: String
    var status: Int
    var field: String?
}
