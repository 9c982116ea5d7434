/// The playground's limits: what one request may ask the machine to do, and how many runs the
/// server keeps, per person and in all. Sized by default for a class of thirty on a two-core
/// machine; `serve`'s options change them.
public struct PlaygroundLimits: Sendable, Equatable {
    public var width: Int
    public var layers: Int
    public var epochs: Int
    public var batchSize: Int
    /// Runs that hold a network in memory at once: started and not over (training in turn, or
    /// paused). More wait in the queue, holding nothing.
    public var activeRuns: Int
    /// Runs one person may have queued, running or paused: a comparison of five values and one more.
    public var runsPerPerson: Int
    /// Runs that may wait to start, over everyone.
    public var queuedRuns: Int
    /// The most the runs folder may hold, in bytes: past it, the oldest finished runs of whoever
    /// keeps the most go first, never an active one.
    public var folderBytes: Int

    public init(
        width: Int = 1024, layers: Int = 10, epochs: Int = 50, batchSize: Int = 4096, activeRuns: Int = 32,
        runsPerPerson: Int = 6, queuedRuns: Int = 120, folderBytes: Int = 2 << 30
    ) {
        self.width = width
        self.layers = layers
        self.epochs = epochs
        self.batchSize = batchSize
        self.activeRuns = activeRuns
        self.runsPerPerson = runsPerPerson
        self.queuedRuns = queuedRuns
        self.folderBytes = folderBytes
    }
}
