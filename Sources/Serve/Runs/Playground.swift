import Dataset
import Foundation
import Model
import Report

/// The playground behind `serve`'s Train panel: runs created from the page, trained one slice at a
/// time on one training thread through `Training.run` (the loop `trainer train` uses, with a
/// `LiveObserver`), saved in a runs folder and listed again after a restart.
///
/// How runs share the cores: one run trains at a time on all `threads` (so its numbers are those of
/// `trainer train --threads N`); with several runs active they take turns of `slice` seconds,
/// round-robin by person and then by run (`TurnOrder`), and each resumes exactly where it stopped
/// (`Training.run` resumes mid-epoch bit-exactly). Runs past what the server holds at once wait in
/// a queue. The server's own requests run on other threads.
///
/// Each run belongs to the person who started it: only they, or a visitor who manages every run,
/// may change it; anyone may watch it.
public final class Playground: @unchecked Sendable {
    /// Why a request about runs cannot be done: an HTTP status and one sentence.
    struct Problem: Error, CustomStringConvertible {
        let status: Int
        let description: String
        var field: String?
    }

    let folder: URL
    let limits: PlaygroundLimits
    let threads: Int
    /// How long a run trains before the next active one takes its turn.
    let slice: Double
    /// Where each data set's files are read from (`serve --data` for `--dataset`'s).
    let dataFolder: @Sendable (DatasetKind) -> String
    /// The data set the page's form starts at (`serve --dataset`).
    let defaultDataset: DatasetKind
    private let lock = NSCondition()
    private var runs: [String: PlaygroundRun] = [:]
    private var datasets: [DatasetKind: TrainAndTest] = [:]
    private var lastTurn: String?
    private var lastPerson: Person?
    private var lastRunOf: [Person: PlaygroundRun] = [:]
    /// Runs removed to keep the folder under its limit, told to their owners (the latest few each).
    private var removedOf: [Person: [RemovedRun]] = [:]
    private var stopping = false
    private var trainingThreadDone = false
    private var counter = 0
    /// Live figures this often at most while a run trains, in seconds (0: only when a run pauses,
    /// steps or ends).
    let liveInterval: Double
    public static let defaultLiveInterval = 0.1
    /// Held-out images the live figures are measured on.
    static let probeImages = 128

    /// Where each run's TensorBoard log goes (a sub-folder per run, named by its id), and the
    /// machine's name for the files' names; nil for none.
    let tensorBoard: (folder: String, host: String)?

    public init(
        folder: URL, limits: PlaygroundLimits, threads: Int, slice: Double = 0.3,
        liveInterval: Double = defaultLiveInterval, defaultDataset: DatasetKind = .mnist,
        tensorBoard: (folder: String, host: String)? = nil,
        dataFolder: @escaping @Sendable (DatasetKind) -> String
    ) throws {
        self.defaultDataset = defaultDataset
        self.tensorBoard = tensorBoard
        (self.folder, self.limits, self.threads, self.slice, self.dataFolder) = (
            folder, limits, threads, slice, dataFolder
        )
        self.liveInterval = liveInterval
        // Made with the first run, so that a server that never trains leaves no folder behind.
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: folder.path, isDirectory: &isFolder), !isFolder.boolValue {
            throw Problem(
                status: 500, description: "\(folder.path): not a folder; give --runs a folder for the playground's runs"
            )
        }
        for run in Self.listed(in: folder) { runs[run.id] = run }
    }

    /// Starts the training thread.
    public func start() {
        let thread = Thread { [self] in trainingLoop() }
        thread.name = "playground training"
        thread.stackSize = 8 << 20
        thread.start()
    }

    // MARK: Requests

    /// A new run of `visitor`'s, queued (or paused, to be stepped); the finished runs removed to make room.
    func create(_ request: RunRequest, by visitor: Visitor) throws -> (PlaygroundRun, [RemovedRun]) {
        let (made, removed) = try create([request], by: visitor)
        return (made[0], removed)
    }

    /// `lesson`'s runs, one per cell of its plan and variant, made together or not at all (a cap refuses the
    /// whole lesson), paused or queued; each tagged with the lesson and its group (the first run's id).
    func start(_ lesson: Lesson, paused: Bool, by visitor: Visitor) throws -> ([PlaygroundRun], [RemovedRun]) {
        let runs = lesson.runs
        let requests = runs.map { run in
            var request = RunRequest.lessonRun(lesson, run)
            request.startPaused = paused
            return request
        }
        return try create(requests, by: visitor) { index, first in
            LessonTag(name: lesson.name, title: lesson.title, group: first, run: runs[index])
        }
    }

    /// Runs of one request, made together or not at all; `tag` gives the k-th its lesson, knowing the first's id.
    private func create(
        _ requests: [RunRequest], by visitor: Visitor, tag: (Int, String) -> LessonTag? = { _, _ in nil }
    ) throws -> ([PlaygroundRun], [RemovedRun]) {
        lock.lock()
        defer { lock.unlock() }
        guard !stopping else { throw Problem(status: 503, description: "the server is stopping") }
        try checkCaps(adding: visitor.person, count: requests.count)
        let removed = try makeRoom(for: requests)
        var made: [PlaygroundRun] = []
        for (index, request) in requests.enumerated() {
            counter += 1
            let now = Date()
            let stamp = Self.idFormat.string(from: now)
            var id = "\(stamp)-\(counter)"
            while runs[id] != nil { counter += 1; id = "\(stamp)-\(counter)" }
            let run = PlaygroundRun(
                id: id, request: request, created: now, folder: folder.appendingPathComponent(id),
                status: request.startPaused ? .paused : .queued, owner: visitor.person)
            run.lesson = tag(index, made.first?.id ?? id)
            do {
                try FileManager.default.createDirectory(at: run.folder, withIntermediateDirectories: true)
            } catch {
                for earlier in made { runs[earlier.id] = nil; try? FileManager.default.removeItem(at: earlier.folder) }
                throw Problem(
                    status: 500, description: "cannot create \(run.folder.path): \(error.localizedDescription)")
            }
            made.append(run)
        }
        for run in made {
            runs[run.id] = run
            persist(run)
            emit(run, .status(run: run.id, status: run.status, error: nil))
        }
        lock.broadcast()
        return (made, removed)
    }

    /// A person's cap (`runsPerPerson`) and the server's on waiting runs (`queuedRuns`): 429 naming it.
    private func checkCaps(adding person: Person, count: Int) throws {
        let theirs = runs.values.filter { $0.owner == person && $0.status.isActive }.count
        guard theirs + count <= limits.runsPerPerson else {
            throw Problem(
                status: 429,
                description:
                    "you have \(theirs) runs queued, training or paused, the most one person may have here (serve --max-runs-per-person); cancel one or wait for one to finish",
                field: "runs")
        }
        let waiting = runs.values.filter { $0.status.isActive && !$0.started }.count
        guard waiting + count <= limits.queuedRuns else {
            throw Problem(
                status: 429,
                description:
                    "\(waiting) runs are waiting to start, the most this server queues (serve --max-queued); try again when some have started",
                field: "runs")
        }
    }

    /// The runs as `viewer` sees them, newest first, and their own runs removed lately.
    func list(for viewer: Visitor) -> RunList {
        lock.lock()
        defer { lock.unlock() }
        let places = turnOrder.places()
        return RunList(
            runs: runs.values.sorted { ($0.created, $0.id) > ($1.created, $1.id) }.map {
                $0.summary(for: viewer, place: places[$0.id])
            }, removed: removedOf[viewer.person] ?? [])
    }

    func details(_ id: String, for viewer: Visitor) throws -> RunDetails {
        lock.lock()
        defer { lock.unlock() }
        return try find(id).details(for: viewer, place: turnOrder.places()[id])
    }

    /// A run's summary as `viewer` sees it, read under the lock (without its details' event series).
    func summary(_ id: String, for viewer: Visitor) throws -> RunSummary {
        lock.lock()
        defer { lock.unlock() }
        return try find(id).summary(for: viewer, place: turnOrder.places()[id])
    }

    func pause(_ id: String, by visitor: Visitor) throws -> RunSummary {
        try change(id, by: visitor) { run in
            guard run.status == .running || run.status == .queued else {
                throw Problem(
                    status: 409,
                    description: "run \(id) is \(run.status.rawValue); only a running or queued run can pause")
            }
            run.status = .paused
        }
    }

    func resume(_ id: String, by visitor: Visitor) throws -> RunSummary {
        try change(id, by: visitor) { run in
            switch run.status {
            case .paused: run.status = run.started ? .running : .queued
            case .interrupted:
                try checkCaps(adding: run.owner, count: 1)
                run.status = .queued
            default:
                throw Problem(
                    status: 409,
                    description: "run \(id) is \(run.status.rawValue); only a paused or interrupted run can resume")
            }
        }
    }

    func step(_ id: String, by visitor: Visitor) throws -> RunSummary {
        try change(id, by: visitor) { run in
            switch run.status {
            case .paused, .queued:
                run.status = .paused
                run.pendingSteps += 1
            default:
                throw Problem(
                    status: 409,
                    description: "run \(id) is \(run.status.rawValue); pause it to step it one batch at a time")
            }
        }
    }

    /// Cancels an active run; deletes (files included) one that is over or interrupted.
    func delete(_ id: String, by visitor: Visitor) throws -> any Encodable & Sendable {
        lock.lock()
        defer { lock.unlock() }
        let run = try find(id, changedBy: visitor)
        if run.status.isActive {
            run.cancelRequested = true
            // A run that is not on the training thread now is cancelled at once; else at its next batch.
            if run.status != .running || lastTurn != run.id {
                finish(run, as: .cancelled)
                run.state = nil
            }
            lock.broadcast()
            return run.summary(for: visitor)
        }
        runs[id] = nil
        close(run)
        try? FileManager.default.removeItem(at: run.folder)
        return DeletedRun(id: id)
    }

    /// The events of runs `ids`: every logged event of each first, then each new one as it happens,
    /// ending once every one of them has ended.
    func events(_ ids: [String]) throws -> AsyncStream<[UInt8]> {
        lock.lock()
        defer { lock.unlock() }
        let chosen = try ids.map(find)
        let (stream, continuation) = AsyncStream<[UInt8]>.makeStream(bufferingPolicy: .bufferingNewest(1024))
        let listener = Listener(continuation)
        for run in chosen {
            for event in run.log { continuation.yield(event.serverSent) }
            if let live = run.live { continuation.yield(RunEvent.live(run: run.id, live).serverSent) }
            if !(run.status.isOver || run.status == .interrupted) {
                run.listeners[listener.id] = listener
                listener.open += 1
            }
        }
        if listener.open == 0 { continuation.finish() }
        // A client that goes away stops listening. Not on the calling thread: `finish()`, called
        // with the lock held when a run ends, runs this at once.
        continuation.onTermination = { [weak self] _ in
            guard let self else { return }
            DispatchQueue.global().async {
                self.lock.lock()
                for run in chosen { run.listeners[listener.id] = nil }
                self.lock.unlock()
            }
        }
        return stream
    }

    /// The weights a run has now, and its data set, to read digits with.
    func model(_ id: String) throws -> (MLP<Float>, DatasetKind) {
        lock.lock()
        defer { lock.unlock() }
        let run = try find(id)
        // A failed run's last snapshot, if it has one, is from just before it went wrong: not a
        // model to read with, and whether one exists depends on timing. Say why, every time.
        if run.status == .failed {
            throw Problem(
                status: 409,
                description:
                    "run \(id) failed (\(run.error ?? "it stopped")); read digits with a run that finished or is training"
            )
        }
        if run.snapshot == nil, let checkpoint = try? Checkpoint(contentsOf: run.checkpointURL.path) {
            run.snapshot = checkpoint.model
        }
        guard let snapshot = run.snapshot else {
            throw Problem(status: 409, description: "run \(id) has no weights yet; it has not trained a batch")
        }
        return (snapshot, run.request.dataset)
    }

    /// Stops training at the next batch, saves every active run's state in its folder, and marks it
    /// interrupted so that a restarted server lists it and can resume it. Returns how many were saved.
    @discardableResult
    public func shutdown() -> Int {
        lock.lock()
        stopping = true
        lock.broadcast()
        while !trainingThreadDone { lock.wait() }
        var saved = 0
        for run in runs.values where run.status.isActive {
            if let state = run.state {
                try? Checkpoint(
                    config: run.request.config, state: state, dataset: run.request.dataset.rawValue,
                    datasetSHA256: datasets[run.request.dataset]?.sha256 ?? [:], savedAt: Date()
                ).write(to: run.checkpointURL.path)
            }
            run.status = .interrupted
            run.tensorBoard?.flush()
            persist(run)
            close(run)
            saved += 1
        }
        lock.unlock()
        return saved
    }

    // MARK: The training thread

    private func trainingLoop() {
        while true {
            lock.lock()
            var next = nextTurn()
            while !stopping && next == nil {
                lock.wait()
                next = nextTurn()
            }
            guard !stopping, let run = next else {
                trainingThreadDone = true
                lock.broadcast()
                lock.unlock()
                return
            }
            lastTurn = run.id
            lastPerson = run.owner
            lastRunOf[run.owner] = run
            if !run.started {
                run.started = true
                if run.firstTurn == nil { run.firstTurn = Date() }
            }
            let stepping = run.status == .paused
            if run.status == .queued {
                run.status = .running
                emit(run, .status(run: run.id, status: .running, error: nil))
                persist(run)
            }
            lock.unlock()
            train(run, stepping: stepping)
        }
    }

    /// The next run to train (`TurnOrder`): running ones, and paused ones with steps asked for.
    private func nextTurn() -> PlaygroundRun? { turnOrder.next() }

    /// The order of turns as things stand; read with the lock held.
    private var turnOrder: TurnOrder {
        TurnOrder(runs: Array(runs.values), capacity: limits.activeRuns, lastPerson: lastPerson, lastRunOf: lastRunOf)
    }

    private func train(_ run: PlaygroundRun, stepping: Bool) {
        let data: TrainAndTest
        do {
            data = try dataset(run.request.dataset)
        } catch {
            return fail(run, "\(error)")
        }
        var config = run.request.config
        if let problem = config.problem(trainingExamples: data.train.count) { return fail(run, problem.description) }
        let saved = run.state == nil ? try? Checkpoint(contentsOf: run.checkpointURL.path) : nil
        if config.precision == .auto {
            // Chosen once, at the run's first turn (or as its saved checkpoint records it), not every
            // turn; timed without the lock, which the server's requests need meanwhile.
            lock.lock()
            let known = run.precision ?? saved?.config.precision
            lock.unlock()
            let chosen =
                known
                ?? PrecisionChoice.measure(
                    config, inputs: data.train.featureCount, classes: data.kind.classNames.count, threads: threads
                ).precision
            lock.lock()
            run.precision = chosen
            lock.unlock()
            config.precision = chosen
        }
        let trainingRun = TrainingRun(
            config: config, data: data, threads: threads, probeImages: tensorBoard == nil ? 0 : TrainingLog.probeImages)
        let training = trainingRun.training
        lock.lock()
        var log = run.tensorBoard
        lock.unlock()
        if let tensorBoard, log == nil {
            // Made at the run's first turn; every later turn (and a restart) continues the run's own log.
            do {
                log = try TrainingLog(
                    folder: tensorBoard.folder + "/" + run.id, training: training,
                    commandLine: "playground run \(run.id) (\(run.owner.label)): \(run.request.title)", resuming: true,
                    host: tensorBoard.host)
            } catch {
                return fail(run, "\(error)")
            }
        }
        lock.lock()
        run.tensorBoard = log
        if let saved, saved.config == config { run.state = saved.state }
        var state = run.state ?? training.initialState()
        lock.unlock()
        if run.probe == nil {
            let held =
                training.split.validation.isEmpty
                ? Array(0..<min(Self.probeImages, data.test.count))
                : Array(training.split.validation.prefix(Self.probeImages))
            run.probe = LiveProbe(
                architecture: state.model.architecture,
                data: training.split.validation.isEmpty ? data.test.subset(held) : data.train.subset(held),
                objective: config.objective)
        }
        let observer = LiveObserver(run: run, probe: run.probe!, interval: liveInterval) { [self] event, model in
            lock.lock()
            if let model { run.snapshot = model }
            emit(run, event)
            lock.unlock()
        }
        let observers = ObserverGroup([observer, log])
        let started = DispatchTime.now().uptimeNanoseconds
        let shouldStop = { [self] () -> Bool in
            lock.lock()
            defer { lock.unlock() }
            if stopping || run.cancelRequested { return true }
            if stepping { return observer.batches >= 1 }
            if run.status != .running { return true }
            // Another run's turn, once this one has had its slice.
            let elapsed = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
            return elapsed > slice && observer.batches >= 1 && turnOrder.othersWaiting(besides: run)
        }
        var saveError: String?
        let outcome: Result<TrainingRun.Outcome, Error>
        do {
            outcome = .success(
                try trainingRun.run(&state, observer: observers, shouldStop: shouldStop) { [self] in
                    // The tested model that cannot be saved is still a finished run, with the reason noted.
                    guard $0.testAccuracy == nil else {
                        do { try $0.write(to: run.checkpointURL.path) } catch { saveError = "\(error)" }
                        return
                    }
                    try $0.write(to: run.checkpointURL.path)
                    lock.lock()
                    run.history = $0.state.history
                    persist(run)
                    lock.unlock()
                })
        } catch {
            outcome = .failure(error)
        }
        let turn = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
        lock.lock()
        run.trainedSeconds += turn
        lock.unlock()

        switch outcome {
        case .success(.tested(_, let test)):
            let final = observer.liveRecord(state)
            lock.lock()
            run.state = state
            run.snapshot = state.evaluatedModel  // the model tested: the moving average, with --ema
            run.history = state.history
            run.testAccuracy = test.accuracy
            run.testLoss = test.loss
            run.warning = Self.learnedNothing(
                accuracy: test.accuracy, classes: state.model.architecture.outputs, live: final, config: config)
            emit(run, .live(run: run.id, final))
            emit(
                run,
                .result(
                    run: run.id,
                    ResultRecord(
                        testAccuracy: test.accuracy, testLoss: test.loss.finite, epochs: state.epochsCompleted,
                        stoppedEarly: state.stoppedEarly, model: run.checkpointURL.path, warning: run.warning)))
            if let saveError { run.error = saveError }
            finish(run, as: .finished)
            run.state = nil  // the snapshot and the file keep what is needed; the optimiser's velocity can go
            lock.unlock()
        case .success(.interrupted):
            let figures = stepping || !stopping ? observer.liveRecord(state) : nil
            lock.lock()
            run.state = state
            run.snapshot = state.model
            run.history = state.history
            if let figures { emit(run, .live(run: run.id, figures)) }
            if stepping { run.pendingSteps = max(0, run.pendingSteps - 1) }
            if stopping || run.status != .running { run.tensorBoard?.flush() }
            if run.cancelRequested && !stopping {
                finish(run, as: .cancelled)
                run.state = nil
            }
            lock.unlock()
        case .failure(let error):
            lock.lock()
            run.state = nil
            run.history = state.history
            if let diverged = error as? TrainingError {
                run.error =
                    "\(diverged); try a smaller learning rate (say \((config.effectiveLearningRate / 10).shortText)) or less momentum"
            } else {
                run.error = "\(error)"
            }
            finish(run, as: .failed)
            lock.unlock()
        }
    }

    /// Ends a run that cannot train (its data, its settings, its log), saying why.
    private func fail(_ run: PlaygroundRun, _ reason: String) {
        lock.lock()
        run.error = reason
        finish(run, as: .failed)
        lock.unlock()
    }

    /// The data set, read once and kept (60,000 MNIST images are 47 MB).
    private func dataset(_ kind: DatasetKind) throws -> TrainAndTest {
        lock.lock()
        if let data = datasets[kind] { lock.unlock(); return data }
        lock.unlock()
        let folder = dataFolder(kind)
        let data: TrainAndTest
        do {
            data = try TrainAndTest(kind: kind, folder: folder)
        } catch let error as DatasetError {
            guard case .filesNotFound = error else { throw error }
            throw Problem(
                status: 400,
                description: kind == .fashionMNIST
                    ? "\(error); install Fashion-MNIST with: apt-get install dataset-fashion-mnist"
                    : "\(error) (run scripts/fetch-mnist, or start serve with MNIST_MIRROR set)")
        }
        lock.lock()
        datasets[kind] = data
        lock.unlock()
        return data
    }

    // MARK: Helpers (called with the lock held)

    private func find(_ id: String) throws -> PlaygroundRun {
        guard let run = runs[id] else { throw Problem(status: 404, description: "no run \(DigitWebApp.shown(id))") }
        return run
    }

    /// The run, when `visitor` may change it; 403 when it is someone else's.
    private func find(_ id: String, changedBy visitor: Visitor) throws -> PlaygroundRun {
        let run = try find(id)
        guard visitor.mayChange(runOf: run.owner) else {
            throw Problem(
                status: 403,
                description:
                    "run \(id) is someone else's (\(run.owner.label)); you can watch it, read digits with it and compare with it, not change it"
            )
        }
        return run
    }

    private func change(_ id: String, by visitor: Visitor, _ body: (PlaygroundRun) throws -> Void) throws
        -> RunSummary
    {
        lock.lock()
        defer { lock.unlock() }
        let run = try find(id, changedBy: visitor)
        try body(run)
        emit(run, .status(run: run.id, status: run.status, error: nil))
        persist(run)
        lock.broadcast()
        return run.summary(for: visitor)
    }

    /// Notes a run removed to make room, for its owner's page; called with the lock held.
    func noteRemoved(_ run: PlaygroundRun, reason: String) {
        runs[run.id] = nil
        close(run)
        try? FileManager.default.removeItem(at: run.folder)
        removedOf[run.owner, default: []].append(RemovedRun(id: run.id, title: run.request.title, reason: reason))
        removedOf[run.owner] = Array(removedOf[run.owner]!.suffix(20))
    }

    /// Every run, for the folder's accounting; read with the lock held.
    var allRuns: [PlaygroundRun] { Array(runs.values) }

    private func finish(_ run: PlaygroundRun, as status: PlaygroundRun.Status) {
        run.status = status
        run.pendingSteps = 0
        emit(run, .status(run: run.id, status: status, error: run.error))
        if let log = run.tensorBoard {
            let test = status == .finished ? run.testAccuracy.map { ($0, run.testLoss ?? .nan) } : nil
            log.finished(
                epochs: run.history.count, test: test, failure: test == nil ? run.error ?? status.rawValue : nil)
            if let failure = log.failure, run.warning == nil { run.warning = "\(failure)" }
            run.tensorBoard = nil
        }
        persist(run)
        close(run)
        if let lesson = run.lesson { judge(group: lesson.group, of: lesson.name) }
    }

    /// Once every run of a lesson's group is over, the lesson's verdicts on those that finished or
    /// failed (a cancelled run is a missing cell, not a diverged one), recorded in each.
    private func judge(group: String, of name: String) {
        let members = runs.values.filter { $0.lesson?.group == group }
        guard let lesson = Lesson.named(name), members.allSatisfy(\.status.isOver) else { return }
        let results = members.filter { $0.status != .cancelled }.compactMap { run in
            run.lesson.map { (run: $0.run, result: run.cellResult($0.run.cell)) }
        }
        let verdicts = lesson.verdicts(results).map(VerdictRecord.init)
        for run in members {
            run.lesson?.verdicts = verdicts
            persist(run)
        }
    }

    /// Sends `event` to the run's listeners; keeps it in the log (live events without their heavy parts).
    private func emit(_ run: PlaygroundRun, _ event: RunEvent) {
        if case .live(let id, let record) = event {
            run.live = record
            run.log.append(.live(run: id, record.compact))
        } else {
            run.log.append(event)
        }
        // Made on the training thread between two steps, so only when someone is listening.
        guard !run.listeners.isEmpty else { return }
        let bytes = event.serverSent(at: Date())
        for listener in run.listeners.values { listener.continuation.yield(bytes) }
    }

    private func close(_ run: PlaygroundRun) {
        for listener in run.listeners.values {
            listener.open -= 1
            if listener.open == 0 { listener.continuation.finish() }
        }
        run.listeners = [:]
    }
}

/// One page's (or client's) event stream, listening to one or more runs; it ends when the last of them does.
final class Listener: @unchecked Sendable {
    let id = UUID()
    let continuation: AsyncStream<[UInt8]>.Continuation
    /// How many of its runs have not ended yet (guarded by the playground's lock).
    var open = 0

    init(_ continuation: AsyncStream<[UInt8]>.Continuation) { self.continuation = continuation }
}
