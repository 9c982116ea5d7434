import ArgumentParser
import Dispatch
import Foundation
import Model

/// `trainer serve`: a local web page to draw digits on and watch a saved model read them, with
/// the JSON API behind it and the ablation reports beside it.
struct Serve: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve a page to draw digits on and watch the model read them, with a JSON API and your ablation reports.",
        discussion: """
        The page needs nothing from the network. Drawings and uploads are prepared exactly as \
        `trainer predict` prepares PNG files. The API:
          POST /api/predict   a PNG as the body -> predict --json's object plus the 28x28 image the model saw
                              (query: top=N, min_confidence=P, preprocess=false)
          GET  /api/model     the model card
          GET  /api/reports   the reports found under --reports
        Failures are JSON too: {"error": "...", "status": N}.
        """
    )

    @Option(name: .shortAndLong, help: "The model to serve.")
    var model = Train.defaultModelPath

    @Option(help: "The address to listen on. Only 127.0.0.1 (this machine) unless you say otherwise: 0.0.0.0 shares the page with your network.")
    var host = "127.0.0.1"

    @Option(help: "The port to listen on (0: any free port).")
    var port: Int = 8080

    @Option(help: ArgumentHelp("A folder of ablation reports (trainer ablate's --output, or a folder of them) to link from the page; repeatable.",
                               valueName: "DIR"))
    var reports: [String] = []

    @Option(help: "Below this probability the page and the API say \"not confident\".")
    var minConfidence = 0.5

    @Option(help: "The largest request body accepted, in MiB (larger: 413).")
    var maxBody = 8

    @Flag(help: "Print a line per request: method, path, status, milliseconds.")
    var log = false

    @OptionGroup var compute: ComputeOptions

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be between 0 and 65535") }
        guard (0...1).contains(minConfidence) else { throw ValidationError("--min-confidence must be between 0 and 1") }
        guard (1...1024).contains(maxBody) else { throw ValidationError("--max-body must be between 1 and 1024 (MiB)") }
    }

    func run() throws {
        // Ctrl-C and SIGTERM stop the server (the default action), even when the parent that
        // started it left them blocked: a test runner's or a supervisor's mask is inherited.
        var stopping = sigset_t()
        sigemptyset(&stopping)
        for signal in [SIGINT, SIGTERM, SIGHUP] { sigaddset(&stopping, signal) }
        pthread_sigmask(SIG_UNBLOCK, &stopping, nil)
        compute.apply()
        // Everything that can be wrong with the model or the folders is said before the port is taken.
        let checkpoint = try loadCheckpoint(model)
        let folders: ReportFolders
        do { folders = try ReportFolders(reports) } catch { throw Failure("\(error)") }
        let app: DigitWebApp
        do {
            app = try DigitWebApp(checkpoint: checkpoint, modelFile: model, reports: folders, minConfidence: minConfidence,
                                  bodyLimit: maxBody << 20)
        } catch {
            throw Failure("\(model): \(error)")
        }
        var logLine: (@Sendable (String) -> Void)?
        if log { logLine = { @Sendable line in print(line); fflush(nil) } }
        let server: FlyingFoxServer
        do { server = try WebServer.make(app, host: host, port: UInt16(port), log: logLine) } catch { throw Failure("\(error)") }

        let outcome = ServeOutcome()
        let (host, model, isLoopback) = (host, model, ["127.0.0.1", "localhost", "::1"].contains(host))
        let found = folders.reports().count
        Task {
            do {
                try await server.run()
                outcome.fail(Failure("the server stopped"))
            } catch {
                outcome.fail(error)
            }
        }
        Task {
            // Said once the socket listens, with the port it got (--port 0 asks for any free one).
            guard (try? await server.waitUntilListening(timeout: 10)) != nil, let bound = await WebServer.port(of: server) else { return }
            await WebServer.disableNagle(server)
            let shownHost = host.contains(":") ? "[\(host)]" : host
            print("serving \(model) at http://\(shownHost):\(bound)/  (Ctrl-C stops)")
            if found > 0 { print("linking \(found) report\(found == 1 ? "" : "s") from \(folders.roots.map(\.given).joined(separator: ", "))") }
            if !isLoopback { print("note: listening on \(host), so other machines that reach this one can use the page and the API") }
            fflush(nil)
        }
        let error = outcome.wait()
        throw Failure("\(host):\(port): cannot serve (\(WebServer.describe(error)))")
    }
}

/// The server's end, handed from its task to the command's thread.
private final class ServeOutcome: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    private var error: Error?

    func fail(_ error: Error) {
        self.error = error
        done.signal()
    }

    func wait() -> Error {
        done.wait()
        return error!
    }
}
