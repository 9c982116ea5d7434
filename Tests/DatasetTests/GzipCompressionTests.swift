import Testing

@testable import Dataset

/// What the page is served with: gzip that our own reader (and so any) inflates back to the bytes.
@Suite struct GzipCompressionTests {
    @Test func compressedTextInflatesBackAndIsSmaller() throws {
        let text = Array(
            String(repeating: "function draw(canvas, curve) { return curve.f.map((y) => y * 2); }\n", count: 300).utf8)
        let packed = try #require(Gzip.compress(text))
        #expect(Gzip.isGzip(packed) && packed.count * 10 < text.count)
        #expect(try Gzip.decompressIfNeeded(packed, path: "page.js") == text)
        let empty = try #require(Gzip.compress([]))
        #expect(try Gzip.inflate(empty, path: "empty", limit: 16).isEmpty)
    }
}
