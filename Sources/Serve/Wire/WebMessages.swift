import Foundation

/// One HTTP request as `serve`'s routes see it, whatever server library carried it: the method,
/// the path exactly as sent (still percent-encoded, so an encoded slash stays visible), the query,
/// the headers the gate reads (names lowercase) and the whole body.
struct WebRequest: Sendable {
    var method: String
    var path: String
    var query: [String: String] = [:]
    var body: [UInt8] = []
    var headers: [String: String] = [:]

    /// The headers `Gate` and the routes read (`accept-encoding`: whether to gzip the page); the
    /// transport passes these on and no others.
    static let readHeaders = [
        "host", "origin", "sec-fetch-site", "content-type", "cookie", "authorization", "accept-encoding"
    ]
}

/// One HTTP response: a status, headers and the body bytes.
struct WebResponse: Sendable {
    var status: Int
    var headers: [String: String] = [:]
    var body: [UInt8] = []
    /// For a stream of Server-Sent Events: sent as it comes, after `body`, until it finishes.
    var stream: AsyncStream<[UInt8]>?
    /// `Set-Cookie` values, each sent as a header of its own.
    var cookies: [String] = []

    static let securityHeaders = ["X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer"]

    init(status: Int, contentType: String, body: [UInt8], headers extra: [String: String] = [:]) {
        self.status = status
        self.body = body
        headers = Self.securityHeaders.merging(["Content-Type": contentType], uniquingKeysWith: { $1 })
            .merging(extra, uniquingKeysWith: { $1 })
    }

    /// A record as JSON (`WireJSON`), never cached.
    static func json(_ record: some Encodable, status: Int = 200, headers: [String: String] = [:]) -> WebResponse {
        WebResponse(
            status: status, contentType: "application/json; charset=utf-8", body: WireJSON.bytes(record),
            headers: headers.merging(["Cache-Control": "no-store"], uniquingKeysWith: { mine, _ in mine }))
    }

    /// A failure as JSON: `{"error": "<one line>", "status": N}` (`ErrorRecord`), with the field at
    /// fault when there is one. Every failure `serve` sends looks like this.
    static func failure(_ status: Int, _ message: String, field: String? = nil, headers: [String: String] = [:])
        -> WebResponse
    {
        json(ErrorRecord(error: message, status: status, field: field), status: status, headers: headers)
    }

    /// The reason phrase of the statuses `serve` sends.
    static func reason(_ status: Int) -> String {
        switch status {
        case 200: return "OK"
        case 204: return "No Content"
        case 400: return "Bad Request"
        case 401: return "Unauthorized"
        case 403: return "Forbidden"
        case 415: return "Unsupported Media Type"
        case 507: return "Insufficient Storage"
        case 404: return "Not Found"
        case 201: return "Created"
        case 405: return "Method Not Allowed"
        case 409: return "Conflict"
        case 429: return "Too Many Requests"
        case 503: return "Service Unavailable"
        case 413: return "Payload Too Large"
        case 500: return "Internal Server Error"
        default: return "Status \(status)"
        }
    }
}
