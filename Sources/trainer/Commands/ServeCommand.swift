import ArgumentParser
import Dispatch
import Foundation
import Model
import Serve

/// `trainer serve`: a local web page to draw digits on and watch a saved model read them, with
/// the JSON API behind it and the ablation reports beside it.
struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract:
            "Serve a page to draw digits on and watch the model read them, with a JSON API and your ablation reports.",
        discussion: """
            The page needs nothing from the network. Drawings and uploads are prepared exactly as \
            `trainer predict` prepares PNG files. The API:
              POST /api/predict   a PNG as the body -> predict --json's object plus the 28x28 image the model saw
                                  (query: top=N, min_confidence=P, preprocess=false)
              GET  /api/model     the model card
              GET  /api/reports   the reports found under --reports
              POST /api/inspect   a PNG -> inspect --json's object: every layer's units, dead and saturated ones, the saliency map
              GET  /api/weights?unit=J   first-layer unit J's weights
              POST /api/runs      a JSON config -> a new playground run (GET /api/playground lists the fields' limits and defaults)
              GET  /api/runs[/ID] the runs; one run's records and live figures
              GET  /api/runs/ID/events   its events as text/event-stream
              POST /api/runs/ID/pause|resume|step, DELETE /api/runs/ID
            ?run=ID on predict, inspect and weights reads with that run's current weights.
            Runs train one at a time on all --threads; active runs take turns of 0.3 s, round-robin by person, \
            and runs past --max-runs wait in a queue. Finished runs are saved in --runs as model.safetensors \
            (the CLI's format) and listed again after a restart; Ctrl-C or SIGTERM saves the active ones, which a \
            restarted server lists as interrupted and can resume.
            Sharing: only requests naming this server in Host are answered (--allow-host adds names); writes must be \
            JSON from this server's own page or a script (curl --json). On 127.0.0.1 nothing more is asked. On any \
            other address the server prints two links: the class's (each browser may change only its own runs) and \
            the teacher's (may change every run); scripts send Authorization: Bearer KEY.
            Failures are JSON too: {"error": "...", "status": N}.
            """
    )

    @Option(
        name: .shortAndLong,
        help: ArgumentHelp(
            "The model to serve; repeat it to offer more models to compare on the page (the first is the default). (default: model.safetensors)"
        ))
    var model: [String] = []

    @Option(
        help:
            "The address to listen on. Only 127.0.0.1 (this machine) unless you say otherwise: 0.0.0.0 shares the page with your network."
    )
    var host = "127.0.0.1"

    @Option(help: "The port to listen on (0: any free port).")
    var port: Int = 8080

    @Option(
        help: ArgumentHelp(
            "A folder of ablation reports (trainer ablate's --output, or a folder of them) to link from the page, their cells' models offered to read and compare with; repeatable.",
            valueName: "DIR"))
    var reports: [String] = []

    @Option(help: "Below this probability the page and the API say \"not confident\".")
    var minConfidence = 0.5

    @Option(help: "The largest request body accepted, in MiB (larger: 413).")
    var maxBody = 8

    @Flag(help: "Print a line per request: method, path, status, milliseconds.")
    var log = false

    @Option(help: ArgumentHelp("Where the playground's runs are saved, one folder each.", valueName: "DIR"))
    var runs = "runs"

    /// The playground's runs' TensorBoard logs, one sub-folder per run.
    @OptionGroup var logDir: LogDirOption

    @Option(help: "The widest hidden layer a playground run may ask for.")
    var maxWidth = PlaygroundLimits().width

    @Option(help: "The most hidden layers a playground run may ask for.")
    var maxLayers = PlaygroundLimits().layers

    @Option(help: "The most epochs a playground run may ask for.")
    var maxEpochs = PlaygroundLimits().epochs

    @Option(help: "The largest batch a playground run may ask for.")
    var maxBatch = PlaygroundLimits().batchSize

    @Option(
        help:
            "How many playground runs may hold a network at once (training in turn, or paused); more wait in a queue.")
    var maxRuns = PlaygroundLimits().activeRuns

    @Option(help: "How many runs one person (one browser) may have queued, training or paused.")
    var maxRunsPerPerson = PlaygroundLimits().runsPerPerson

    @Option(help: "How many runs may wait to start, over everyone.")
    var maxQueued = PlaygroundLimits().queuedRuns

    @Option(
        help: ArgumentHelp(
            "The most the --runs folder may hold, in MiB: past it the oldest finished runs of whoever keeps the most are removed (never an active one).",
            valueName: "MiB"))
    var runsLimit = PlaygroundLimits().folderBytes >> 20

    @Option(
        help: ArgumentHelp(
            "Also answer requests that name this server so (a name in DNS, a proxy's); repeatable. Others get 403.",
            valueName: "NAME"))
    var allowHost: [String] = []

    @Flag(
        help:
            "Beyond 127.0.0.1, let anyone who reaches the server use it without the class's key (the teacher's key still manages every run)."
    )
    var open = false

    @Option(
        help:
            "Seconds between two measurements of a training run's live figures (0: only when it pauses, steps or ends)."
    )
    var liveInterval = Playground.defaultLiveInterval

    @Option(
        help: ArgumentHelp(
            "Serve the page's files from this folder, read afresh on every request, instead of the copies compiled in: for editing the page (Sources/Serve/Web).",
            valueName: "DIR"))
    var webRoot: String?

    /// `--dataset`: the data set the page's form starts at; `--data`: that data set's folder.
    @OptionGroup var dataOptions: DataOptions

    @OptionGroup var threading: ThreadOptions

    @OptionGroup var compute: ComputeOptions

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be between 0 and 65535") }
        guard (0...1).contains(minConfidence) else { throw ValidationError("--min-confidence must be between 0 and 1") }
        guard (1...1024).contains(maxBody) else { throw ValidationError("--max-body must be between 1 and 1024 (MiB)") }
        guard (1...TrainingConfig.widthLimit).contains(maxWidth) else {
            throw ValidationError("--max-width must be between 1 and \(TrainingConfig.widthLimit)")
        }
        guard (1...1000).contains(maxLayers) else { throw ValidationError("--max-layers must be between 1 and 1000") }
        guard maxEpochs >= 1 else { throw ValidationError("--max-epochs must be at least 1") }
        guard (1...TrainingConfig.batchLimit).contains(maxBatch) else {
            throw ValidationError("--max-batch must be between 1 and \(TrainingConfig.batchLimit)")
        }
        guard (1...1000).contains(maxRuns) else { throw ValidationError("--max-runs must be between 1 and 1000") }
        guard (1...1000).contains(maxRunsPerPerson) else {
            throw ValidationError("--max-runs-per-person must be between 1 and 1000")
        }
        guard (1...10000).contains(maxQueued) else { throw ValidationError("--max-queued must be between 1 and 10000") }
        guard (1...(1 << 30)).contains(runsLimit) else {
            throw ValidationError("--runs-limit must be at least 1 (MiB)")
        }
        if let bad = allowHost.first(where: { $0.isEmpty || $0.contains(where: { $0 == "/" || $0 == " " }) }) {
            throw ValidationError("--allow-host \(bad): give a host name or address, such as trainer.school.example")
        }
        if let webRoot,
            !FileManager.default.fileExists(atPath: (webRoot as NSString).appendingPathComponent("index.html"))
        {
            throw ValidationError(
                "--web-root \(webRoot): no index.html there (the page's files are in Sources/Serve/Web)")
        }
        guard liveInterval >= 0 && liveInterval.isFinite else {
            throw ValidationError("--live-interval must be 0 or a positive number of seconds")
        }
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
        let files = model.isEmpty ? [Train.defaultModelPath] : model
        let checkpoint = try loadCheckpoint(files[0])
        let others = try files.dropFirst().map { file in
            do {
                return try DigitWebApp.Served(
                    checkpoint: try loadCheckpoint(file), file: file, minConfidence: minConfidence)
            } catch let failure as Failure {
                throw failure
            } catch {
                throw Failure("\(file): \(error)")
            }
        }
        let modelFile = files[0]
        let folders: ReportFolders
        do { folders = try ReportFolders(reports) } catch { throw Failure("\(error)") }
        let (cellModels, cellNotes) = DigitWebApp.Served.cellModels(
            in: folders, besides: files, minConfidence: minConfidence)
        let limits = PlaygroundLimits(
            width: maxWidth, layers: maxLayers, epochs: maxEpochs, batchSize: maxBatch, activeRuns: maxRuns,
            runsPerPerson: maxRunsPerPerson, queuedRuns: maxQueued, folderBytes: runsLimit << 20)
        let access = AccessPolicy.serving(host: host, allowing: allowHost, open: open)
        let playground: Playground
        let (dataOptions, chosen) = (dataOptions, dataOptions.kind())
        do {
            playground = try Playground(
                folder: URL(fileURLWithPath: runs), limits: limits, threads: threading.threads,
                liveInterval: liveInterval, defaultDataset: chosen,
                tensorBoard: logDir.logDir.map { ($0, LogDirOption.host) }
            ) { kind in
                kind == chosen ? dataOptions.folder(for: kind) : DataOptions.defaultFolder(for: kind)
            }
        } catch {
            throw Failure("\(error)")
        }
        let app: DigitWebApp
        do {
            app = try DigitWebApp(
                checkpoint: checkpoint, modelFile: modelFile, reports: folders, minConfidence: minConfidence,
                bodyLimit: maxBody << 20, playground: playground, others: others + cellModels,
                page: WebPage(root: webRoot), access: access)
        } catch {
            throw Failure("\(modelFile): \(error)")
        }
        // The first signal saves the runs in training and ends the server; a second ends it at once.
        let runsFolder = runs
        let interrupts = Interrupts { signal in
            Terminal.error("\(signal == SIGINT ? "interrupted" : "terminated"): saving the active playground runs")
            let saved = playground.shutdown()
            if saved > 0 {
                Terminal.error(
                    "saved \(saved) run\(saved == 1 ? "" : "s") in \(runsFolder) as interrupted; a restarted serve lists them and can resume them"
                )
            }
            Interrupts.exitNow(128 + signal)
        }
        playground.start()
        var logLine: (@Sendable (String) -> Void)?
        if log {
            logLine = { @Sendable line in
                print(line); fflush(nil)
            }
        }
        let server: WebServer
        do { server = try WebServer(app, host: host, port: UInt16(port), log: logLine) } catch {
            throw Failure("\(error)")
        }

        let outcome = ServeOutcome()
        let (host, model, runs) = (host, modelFile, runs)
        let found = folders.reports().count
        Task {
            do {
                try await server.run { bound in
                    // Said once the socket listens, with the port it got (--port 0 asks for any free one).
                    let shownHost = host.contains(":") ? "[\(host)]" : host
                    print("serving \(model) at http://\(shownHost):\(bound)/  (Ctrl-C stops)")
                    if found > 0 {
                        print(
                            "linking \(found) report\(found == 1 ? "" : "s") from \(folders.roots.map(\.given).joined(separator: ", "))"
                        )
                    }
                    for line in cellNotes { print(line) }
                    print("playground runs are saved in \(runs)")
                    for line in Self.sharing(access, host: host, port: bound) { print(line) }
                    fflush(nil)
                }
            } catch {
                outcome.fail(error)
            }
        }
        // The signal handlers live as long as the server.
        let error = withExtendedLifetime(interrupts) { outcome.wait() }
        throw Failure("\(host):\(port): cannot serve (\(WebServer.describe(error)))")
    }
}

extension ServeCommand {
    /// What to tell the teacher when the server listens beyond loopback: the class's link and the
    /// teacher's (the only place a key is ever written), or that anyone may use it (`--open`).
    static func sharing(_ access: AccessPolicy, host: String, port: UInt16) -> [String] {
        guard let teacherKey = access.teacherKey else { return [] }
        let wildcard = host == "0.0.0.0" || host == "::"
        // A name the class can type: this machine's addresses other than loopback, IPv4 first.
        let names =
            wildcard
            ? access.names.subtracting(AccessPolicy.loopbackNames).filter { !$0.hasPrefix("fe80") }.sorted {
                ($0.contains(":") ? 1 : 0, $0) < ($1.contains(":") ? 1 : 0, $1)
            } : [host]
        let shown = (names.first { $0.allSatisfy { $0.isNumber || $0 == "." } } ?? names.first ?? host)
        let base = "http://\(shown.contains(":") ? "[\(shown)]" : shown):\(port)/"
        var lines = ["listening on \(host): machines that reach this one can open the page"]
        if let classKey = access.classKey {
            lines.append("the class's link (each browser may change only its own runs): \(base)?key=\(classKey.text)")
        } else {
            lines.append("warning: --open: anyone who reaches \(base) may train and read runs, with no key")
        }
        lines.append("the teacher's link (may change every run; keep it to yourself): \(base)?key=\(teacherKey.text)")
        return lines
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
