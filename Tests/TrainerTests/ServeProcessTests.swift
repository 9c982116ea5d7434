import Dataset
import Foundation
import Model
import Testing
import TestSupport
@testable import trainer

/// `trainer serve` as a process: the server over real sockets, and what it says before binding.
@Suite(.serialized) struct ServeProcessTests {
    static var trained: (checkpoint: Checkpoint, file: String)? { ServedModel.trained }

    /// The real `trainer serve` in its own process: in process, the server's tasks would share
    /// Swift's cooperative threads with the suites that train, and under ThreadSanitizer those
    /// held both threads for over a minute, so the server could not answer.
    @Test func theServerAnswersOverHTTPAndKeepsServing() throws {
        let trained = try #require(Self.trained)
        let server = Process()
        server.executableURL = URL(fileURLWithPath: builtExecutable("trainer"))
        let runs = temporaryFolder() + "/runs"
        server.arguments = ["serve", "--model", trained.file, "--port", "0", "--max-body", "1", "--runs", runs]
        let out = Pipe()
        server.standardOutput = out
        try server.run()
        defer { if server.isRunning { kill(server.processIdentifier, SIGKILL) } }
        // "serving M at http://127.0.0.1:PORT/  (Ctrl-C stops)", or the end of the output if it failed.
        var printed = ""
        while !printed.contains("/  (Ctrl-C"), case let data = out.fileHandleForReading.availableData, !data.isEmpty {
            printed += String(decoding: data, as: UTF8.self)
        }
        let port = try #require(
            printed.components(separatedBy: "http://127.0.0.1:").dropFirst().first?.split(separator: "/").first.flatMap
            { UInt16($0) },
            "the server printed \(printed)")
        let png = try ServedModel.drawing(0)

        // Two requests on one kept-alive connection.
        let client = try RawHTTPClient(port: port)
        let page = try client.exchange("GET / HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\n\r\n")
        #expect(page.status == 200 && String(decoding: page.body, as: UTF8.self).contains("<canvas id=\"pad\""))
        let script = try client.exchange("GET /pad.js HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\n\r\n")
        #expect(script.status == 200 && script.body.count > 5_000 && script.headers.contains("text/javascript"))
        let predicted = try client.exchange(
            "POST /api/predict?top=2 HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nContent-Type: image/png\r\nContent-Length: \(png.count)\r\n\r\n",
            body: png)
        #expect(predicted.status == 200)
        let answer = try #require(try JSONSerialization.jsonObject(with: Data(predicted.body)) as? [String: Any])
        #expect((answer["top"] as? [Any])?.count == 2)
        client.close()

        // Sent raw, without a client tidying the path.
        let traversal = try RawHTTPClient(port: port).exchange(
            "GET /reports/0/../../../../etc/passwd HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\n\r\n")
        #expect(traversal.status == 404)

        // A declared length over the limit (--max-body 1: 1 MiB), and a chunked body that grows past it: 413 as JSON.
        let big = [UInt8](repeating: 7, count: (1 << 20) + 1)
        let declared = try RawHTTPClient(port: port).exchange(
            "POST /api/predict HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nContent-Length: \(big.count)\r\n\r\n", body: big)
        #expect(declared.status == 413)
        #expect(String(decoding: declared.body, as: UTF8.self).contains("\"status\":413"))
        let chunk = [UInt8](repeating: 7, count: 64 << 10)
        var chunked: [UInt8] = []
        for _ in 0..<17 { chunked += Array("10000\r\n".utf8) + chunk + Array("\r\n".utf8) }
        chunked += Array("0\r\n\r\n".utf8)
        let streamed = try RawHTTPClient(port: port).exchange(
            "POST /api/predict HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nTransfer-Encoding: chunked\r\n\r\n", body: chunked
        )
        #expect(streamed.status == 413)

        // Garbage instead of HTTP: that connection ends; the server goes on.
        let garbage = try RawHTTPClient(port: port)
        try garbage.send(Array("NONSENSE\r\n\r\n".utf8))
        garbage.close()
        let after = try RawHTTPClient(port: port).exchange("GET /api/model HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\n\r\n")
        #expect(after.status == 200)
        #expect(server.isRunning)

        // A playground run that trains, and a page following its events over a real socket.
        let body = Array(#"{"hidden": [64], "epochs": 40, "validation": 1000}"#.utf8)
        let created = try RawHTTPClient(port: port).exchange(
            "POST /api/runs HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nContent-Type: application/json\r\nContent-Length: \(body.count)\r\n\r\n",
            body: body)
        #expect(created.status == 201)
        let id = try #require(
            (try JSONSerialization.jsonObject(with: Data(created.body)) as? [String: Any])?["id"] as? String)
        let events = try RawHTTPClient(port: port)
        try events.send(Array("GET /api/runs/\(id)/events HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\n\r\n".utf8))
        let stream = try events.receive(until: "\"event\":\"epoch\"", seconds: 300)
        #expect(
            stream.contains("text/event-stream") && stream.contains("Transfer-Encoding: chunked")
                && stream.contains("data: {"), "\(stream.prefix(300))")

        // SIGTERM saves the run where it stands and stops the server (this test runner starts it with
        // the signal blocked; serve unblocks it); the run is marked interrupted, resumable.
        server.terminate()
        let deadline = Date().addingTimeInterval(20)
        while server.isRunning && Date() < deadline { usleep(20_000) }
        #expect(!server.isRunning, "SIGTERM did not stop the server")
        #expect(server.terminationStatus == 143)
        let record =
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: runs + "/\(id)/run.json")))
            as? [String: Any]
        #expect(record?["status"] as? String == "interrupted")
        let saved = try Checkpoint(contentsOf: runs + "/\(id)/model.safetensors")
        #expect(saved.state.epochsCompleted >= 1 && saved.testAccuracy == nil, "the run as it stood, not finished")
    }

    /// The real server shared with a class (`--host 0.0.0.0`): it prints the class's and the
    /// teacher's links, the API needs a key, another site's names and forms are refused, and one
    /// student cannot cancel another's run.
    @Test func aSharedServerAsksForItsKeyAndRefusesOtherSites() throws {
        let trained = try #require(Self.trained)
        let server = Process()
        server.executableURL = URL(fileURLWithPath: builtExecutable("trainer"))
        server.arguments = [
            "serve", "--model", trained.file, "--host", "0.0.0.0", "--port", "0", "--runs", temporaryFolder() + "/runs"
        ]
        let out = Pipe()
        server.standardOutput = out
        try server.run()
        defer { if server.isRunning { kill(server.processIdentifier, SIGKILL) } }
        var printed = ""
        while !printed.contains("teacher's link"), case let data = out.fileHandleForReading.availableData, !data.isEmpty
        {
            printed += String(decoding: data, as: UTF8.self)
        }
        let port = try #require(
            printed.components(separatedBy: "http://0.0.0.0:").dropFirst().first?.split(separator: "/").first.flatMap {
                UInt16($0)
            }, "the server printed \(printed)")
        func key(_ whose: String) throws -> String {
            let line = try #require(printed.split(separator: "\n").first { $0.contains(whose) }, "\(printed)")
            return String(try #require(line.components(separatedBy: "?key=").last))
        }
        let (classKey, teacherKey) = (try key("class's link"), try key("teacher's link"))
        #expect(classKey.count == 64 && teacherKey.count == 64 && classKey != teacherKey)
        let host = "Host: 127.0.0.1:\(port)\r\n"
        func send(_ head: String, _ body: String = "") throws -> (status: Int, headers: String, body: [UInt8]) {
            let bytes = Array(body.utf8)
            return try RawHTTPClient(port: port).exchange(
                head + (bytes.isEmpty ? "" : "Content-Length: \(bytes.count)\r\n") + "\r\n", body: bytes)
        }
        #expect(try send("GET /api/runs HTTP/1.1\r\n\(host)").status == 401)
        #expect(try send("GET / HTTP/1.1\r\n\(host)").status == 200, "the page is public; it asks for the key")
        let opened = try send("GET /?key=\(classKey) HTTP/1.1\r\n\(host)")
        let cookie = try #require(
            opened.headers.split(separator: "\r\n").first { $0.hasPrefix("Set-Cookie: trainer_key_") },
            "\(opened.headers)")
        #expect(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"))
        let keyCookie = String(cookie.dropFirst("Set-Cookie: ".count).split(separator: ";")[0])
        #expect(try send("GET /api/runs HTTP/1.1\r\n\(host)Cookie: \(keyCookie)\r\n").status == 200)
        #expect(try send("GET /api/runs HTTP/1.1\r\n\(host)Authorization: Bearer \(classKey)\r\n").status == 200)
        // A rebound name, and another site's form, even with the key's cookie.
        #expect(
            try send("GET /api/runs HTTP/1.1\r\nHost: attacker.example:\(port)\r\nCookie: \(keyCookie)\r\n").status
                == 403)
        let form = try send(
            "POST /api/runs HTTP/1.1\r\n\(host)Cookie: \(keyCookie)\r\nOrigin: http://attacker.example\r\nContent-Type: text/plain\r\n",
            #"{"hidden": [8], "paused": true}"#)
        #expect(form.status == 403)
        // Two students: Bo cannot cancel Ada's run; the teacher can.
        let ada = "Cookie: \(keyCookie); trainer_person=ada\r\nContent-Type: application/json\r\n"
        let bo = "Cookie: \(keyCookie); trainer_person=bo\r\nContent-Type: application/json\r\n"
        let made = try send("POST /api/runs HTTP/1.1\r\n\(host)\(ada)", #"{"hidden": [8], "paused": true}"#)
        #expect(made.status == 201)
        let id = try #require(
            (try JSONSerialization.jsonObject(with: Data(made.body)) as? [String: Any])?["id"] as? String)
        #expect(try send("DELETE /api/runs/\(id) HTTP/1.1\r\n\(host)\(bo)").status == 403)
        let list = try send("GET /api/runs HTTP/1.1\r\n\(host)\(bo)")
        #expect(String(decoding: list.body, as: UTF8.self).contains("\"status\":\"paused\""))
        #expect(
            try send(
                "DELETE /api/runs/\(id) HTTP/1.1\r\n\(host)Authorization: Bearer \(teacherKey)\r\nContent-Type: application/json\r\n"
            ).status == 200)
    }

    // MARK: The command

    @Test func startUpProblemsAreSaidBeforeTheServerBinds() throws {
        let trained = try #require(Self.trained)
        let missing = try run(
            "/usr/bin/timeout",
            ["20", builtExecutable("trainer"), "serve", "--model", "/no/such/model.safetensors", "--port", "0"])
        #expect(missing.status == 1 && missing.err.contains("/no/such/model.safetensors"), "\(missing)")
        let notAModel = temporaryFolder() + "/not-a-model.safetensors"
        FileManager.default.createFile(atPath: notAModel, contents: Data("hello".utf8))
        let broken = try run(
            "/usr/bin/timeout", ["20", builtExecutable("trainer"), "serve", "--model", notAModel, "--port", "0"])
        #expect(
            broken.status == 1 && broken.err.contains(notAModel) && broken.err.split(separator: "\n").count == 1,
            "\(broken)")
        let folder = try run(
            "/usr/bin/timeout",
            [
                "20", builtExecutable("trainer"), "serve", "--model", trained.file, "--reports", "/no/such/dir",
                "--port", "0"
            ])
        #expect(folder.status == 1 && folder.err.contains("/no/such/dir: no such folder"), "\(folder)")
        let host = try run(
            "/usr/bin/timeout",
            ["20", builtExecutable("trainer"), "serve", "--model", trained.file, "--host", "999.1.1.1", "--port", "0"])
        #expect(host.status == 1 && host.err.contains("--host 999.1.1.1"), "\(host)")

        // A port that is taken.
        let taken = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { Glibc.close(taken) }
        var address = sockaddr_in(
            sin_family: sa_family_t(AF_INET), sin_port: 0, sin_addr: in_addr(s_addr: inet_addr("127.0.0.1")),
            sin_zero: (0, 0, 0, 0, 0, 0, 0, 0))
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(taken, $0, length) }
        }
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(taken, $0, &length) }
        }
        listen(taken, 1)
        let port = String(UInt16(bigEndian: address.sin_port))
        let busy = try run(
            "/usr/bin/timeout", ["20", builtExecutable("trainer"), "serve", "--model", trained.file, "--port", port])
        #expect(busy.status == 1 && busy.err.contains("the port is taken"), "\(busy)")
    }
}

/// Just enough of an HTTP/1.1 client to send requests byte for byte as written (no path
/// normalisation, any framing) and read one response with a Content-Length.
final class RawHTTPClient {
    private let fd: Int32
    private var buffered: [UInt8] = []
    private var isOpen = true

    init(port: UInt16) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        // generous: under ThreadSanitizer, beside suites that train, an answer can take seconds
        var timeout = timeval(tv_sec: 60, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in(
            sin_family: sa_family_t(AF_INET), sin_port: port.bigEndian,
            sin_addr: in_addr(s_addr: inet_addr("127.0.0.1")),
            sin_zero: (0, 0, 0, 0, 0, 0, 0, 0))
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else { throw Failure("connect to port \(port) failed") }
    }

    func send(_ bytes: [UInt8]) throws {
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { throw Failure("send failed") }
            sent += n
        }
    }

    /// Sends a request and reads its response. The bytes go out from another thread while the
    /// answer is read, as a browser does: a server may answer (413) before it has read a large
    /// body, and a client that only sends would then block on a full socket buffer for ever.
    func exchange(_ head: String, body: [UInt8] = []) throws -> (status: Int, headers: String, body: [UInt8]) {
        let bytes = Array(head.utf8) + body
        let sent = DispatchSemaphore(value: 0)
        nonisolated(unsafe) let client = self
        DispatchQueue.global().async {
            try? client.send(bytes)  // fails once the server has answered and closed: what is read decides
            sent.signal()
        }
        defer { sent.wait() }
        let request = head.components(separatedBy: "\r\n").first ?? head
        while !buffered.containsHeaderEnd { try receive(request) }
        let end = buffered.headerEnd!
        let headers = String(decoding: buffered[..<end], as: UTF8.self)
        let status = Int(headers.split(separator: " ").dropFirst().first ?? "") ?? 0
        let length =
            headers.split(separator: "\r\n").compactMap { line -> Int? in
                let parts = line.split(separator: ":", maxSplits: 1)
                return parts.count == 2 && parts[0].lowercased() == "content-length"
                    ? Int(parts[1].trimmingCharacters(in: .whitespaces)) : nil
            }.first ?? 0
        while buffered.count < end + 4 + length { try receive(request) }
        let bodyBytes = Array(buffered[(end + 4)..<(end + 4 + length)])
        buffered.removeFirst(end + 4 + length)
        return (status, headers, bodyBytes)
    }

    /// Reads a response that does not end (an event stream) until `text` shows up in it or
    /// `seconds` pass; returns what arrived, as text.
    func receive(until text: String, seconds: Double) throws -> String {
        let deadline = Date().addingTimeInterval(seconds)
        while !String(decoding: buffered, as: UTF8.self).contains(text) {
            guard Date() < deadline else {
                throw Failure(
                    "no \(text) within \(seconds) s; got \(String(decoding: buffered.prefix(400), as: UTF8.self))")
            }
            try receive("the stream")
        }
        return String(decoding: buffered, as: UTF8.self)
    }

    private func receive(_ request: String) throws {
        var chunk = [UInt8](repeating: 0, count: 65536)
        let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        guard n > 0 else {
            throw Failure(
                "\(request): \(n == 0 ? "the connection closed" : "no answer within the timeout") before a whole response arrived (\(buffered.count) bytes)"
            )
        }
        buffered += chunk[..<n]
    }

    func close() {
        if isOpen { Glibc.close(fd) }
        isOpen = false
    }
    deinit { close() }
}

private extension Array where Element == UInt8 {
    var headerEnd: Int? {
        guard count >= 4 else { return nil }
        for i in 0...(count - 4) where self[i] == 13 && self[i + 1] == 10 && self[i + 2] == 13 && self[i + 3] == 10 {
            return i
        }
        return nil
    }
    var containsHeaderEnd: Bool { headerEnd != nil }
}
