import Dataset
import Testing

@testable import Serve

/// The page's files go gzip-compressed to a browser that takes it, and as they are otherwise.
@Suite struct PageCompressionTests {
    @Test func filesAreGzippedOnlyForABrowserThatTakesIt() throws {
        let page = WebPage()
        for path in ["/", "/playground.js", "/gallery.html", "/page.css"] {
            let plain = try #require(page.response(for: path))
            let packed = try #require(page.response(for: path, acceptsGzip: true))
            #expect(plain.headers["Content-Encoding"] == nil && packed.headers["Content-Encoding"] == "gzip")
            #expect(packed.headers["Vary"] == "Accept-Encoding" && plain.headers["Vary"] == "Accept-Encoding")
            #expect(try Gzip.decompressIfNeeded(packed.body, path: path) == plain.body, "\(path)")
            #expect(packed.body.count * 2 < plain.body.count, "\(path): \(packed.body.count) of \(plain.body.count)")
        }
        #expect(WebPage.acceptsGzip("gzip, deflate, br"))
        #expect(WebPage.acceptsGzip("br;q=1.0, GZIP;q=0.5"))
        #expect(!WebPage.acceptsGzip("gzip;q=0"))
        #expect(!WebPage.acceptsGzip("deflate"))
        #expect(!WebPage.acceptsGzip(nil))
    }
}
