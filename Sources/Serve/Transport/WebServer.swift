import FlyingFox
import FlyingSocks
import Foundation

/// Carries `DigitWebApp` over HTTP/1.1 with FlyingFox: reads each body up to the app's limit,
/// hands the request over, and sends the answer back. The one file that knows the server library.
public final class WebServer: Sendable {
    /// Why the server cannot start, in one sentence.
    public struct Problem: Error, CustomStringConvertible {
        public let description: String
    }

    private let server: HTTPServer

    /// A server for `app` on `host:port` (port 0: any free one), not yet listening; `log` sees
    /// one line per request.
    public init(_ app: DigitWebApp, host: String, port: UInt16, log: (@Sendable (String) -> Void)? = nil) throws {
        let address: any SocketAddress
        do {
            switch host {
            case "localhost": address = try sockaddr_in.inet(ip4: "127.0.0.1", port: port)
            case _ where host.contains(":"): address = try sockaddr_in6.inet6(ip6: host, port: port)
            default: address = try sockaddr_in.inet(ip4: host, port: port)
            }
        } catch {
            throw Problem(description: "--host \(host): not an IPv4 or IPv6 address (try 127.0.0.1, ::1 or 0.0.0.0)")
        }
        server = HTTPServer(
            config: .init(address: address, timeout: 30, logger: .disabled), handler: Handler(app: app, log: log))
    }

    /// Serves until the server stops, which it does only on an error: that error, or `Problem`.
    /// `listening` hears the port once the socket listens (`port` 0 asks for any free one).
    public func run(listening: @escaping @Sendable (UInt16) -> Void) async throws -> Never {
        let server = self.server
        Task {
            guard (try? await server.waitUntilListening(timeout: 10)) != nil, let bound = await Self.port(of: server)
            else { return }
            await Self.disableNagle(server)
            listening(bound)
        }
        try await server.run()
        throw Problem(description: "the server stopped")
    }

    /// A server error in words: the system's reason when the socket failed (port taken, address not here).
    public static func describe(_ error: any Error) -> String {
        if let socket = error as? SocketError, case .failed(_, let errno, let message) = socket {
            return errno == EADDRINUSE
                ? "the port is taken; choose another with --port, or 0 for any free one" : message
        }
        return "\(error)"
    }

    /// Turns Nagle's algorithm off for the connections `server` will accept, once it listens.
    ///
    /// FlyingFox writes a response's head and body separately; with Nagle on, the body waits for
    /// the client's ACK of the head, which a client delays by up to 40 ms: every answer took 44 ms
    /// (22 requests/s on one connection). FlyingFox 0.27 has no option for it and keeps its
    /// listening socket to itself, so it is found among the process's descriptors by its port;
    /// sockets accepted from it inherit TCP_NODELAY (Linux and the BSDs).
    private static func disableNagle(_ server: HTTPServer) async {
        guard let port = await port(of: server) else { return }
        for fd in Int32(0)..<Int32(4096) {
            var listening: Int32 = 0
            var size = socklen_t(MemoryLayout<Int32>.size)
            guard getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &size) == 0, listening == 1 else { continue }
            var address = sockaddr_storage()
            var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
            let named = withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
            }
            guard named == 0 else { continue }
            let bound: UInt16
            switch Int32(address.ss_family) {
            case AF_INET: bound = withUnsafeBytes(of: &address) { $0.load(as: sockaddr_in.self).sin_port.bigEndian }
            case AF_INET6: bound = withUnsafeBytes(of: &address) { $0.load(as: sockaddr_in6.self).sin6_port.bigEndian }
            default: continue
            }
            guard bound == port else { continue }
            var on: Int32 = 1
            setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &on, socklen_t(MemoryLayout<Int32>.size))
        }
    }

    /// The port the server listens on, once it does.
    private static func port(of server: HTTPServer) async -> UInt16? {
        switch await server.listeningAddress {
        case .ip4(_, let port)?, .ip6(_, let port)?: return port
        default: return nil
        }
    }

    struct Handler: HTTPHandler {
        let app: DigitWebApp
        let log: (@Sendable (String) -> Void)?

        func handleRequest(_ request: FlyingFox.HTTPRequest) async throws -> HTTPResponse {
            let start = ContinuousClock.now
            let path = request.target.path(percentEncoded: true)
            let answer = await respond(to: request, path: path)
            if let log {
                let elapsed = ContinuousClock.now - start
                let ms = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
                log(
                    String(
                        format: "%@ %@ %d %.1f ms", request.method.rawValue, DigitWebApp.shown(path), answer.status, ms)
                )
            }
            var headers = HTTPHeaders()
            for (name, value) in answer.headers { headers[HTTPHeader(name)] = value }
            for cookie in answer.cookies { headers.addValue(cookie, for: .setCookie) }
            let status = HTTPStatusCode(answer.status, phrase: WebResponse.reason(answer.status))
            if let stream = answer.stream {
                return HTTPResponse(
                    statusCode: status, headers: headers, body: HTTPBodySequence(from: EventBytes(stream: stream)))
            }
            return HTTPResponse(statusCode: status, headers: headers, body: Data(answer.body))
        }

        private func respond(to request: FlyingFox.HTTPRequest, path: String) async -> WebResponse {
            // A declared length over the limit is refused before a byte of it is read.
            if let declared = request.headers[.contentLength].flatMap(Int.init), declared > app.bodyLimit {
                return app.tooLarge
            }
            var body: [UInt8] = []
            do {
                for try await chunk in request.bodySequence {
                    guard body.count + chunk.count <= app.bodyLimit else { return app.tooLarge }
                    body.append(contentsOf: chunk)
                }
            } catch {
                return .failure(400, "the body could not be read: \(error.localizedDescription)")
            }
            var query: [String: String] = [:]
            for item in request.query { query[item.name] = item.value }
            var headers: [String: String] = [:]
            for name in WebRequest.readHeaders {
                let values = request.headers.values(for: HTTPHeader(name))
                if !values.isEmpty { headers[name] = values.joined(separator: name == "cookie" ? "; " : ", ") }
            }
            return app.respond(
                to: WebRequest(method: request.method.rawValue, path: path, query: query, body: body, headers: headers))
        }
    }
}

/// A stream of byte chunks as FlyingFox sends a body of unknown length (chunked): each chunk goes
/// out as soon as it arrives, so Server-Sent Events reach the page as they happen.
struct EventBytes: AsyncBufferedSequence, Sendable {
    typealias Element = UInt8
    let stream: AsyncStream<[UInt8]>

    func makeAsyncIterator() -> Iterator { Iterator(chunks: stream.makeAsyncIterator()) }

    struct Iterator: AsyncBufferedIteratorProtocol {
        var chunks: AsyncStream<[UInt8]>.AsyncIterator
        var pending: [UInt8] = []

        mutating func next() async throws -> UInt8? {
            if pending.isEmpty { guard let chunk = await chunks.next() else { return nil }; pending = chunk }
            return pending.isEmpty ? nil : pending.removeFirst()
        }

        mutating func nextBuffer(suggested count: Int) async throws -> [UInt8]? {
            if !pending.isEmpty { defer { pending = [] }; return pending }
            while let chunk = await chunks.next() {
                if !chunk.isEmpty { return chunk }
            }
            return nil
        }
    }
}
