/// The playground's limits on what one request may ask the machine to do. Sized by default for
/// a laptop; `serve`'s options change them.
public struct PlaygroundLimits: Sendable, Equatable {
    public var width: Int
    public var layers: Int
    public var epochs: Int
    public var batchSize: Int
    /// Runs that hold a network in memory at once: queued, running and paused ones.
    public var activeRuns: Int

    public init(width: Int = 1024, layers: Int = 10, epochs: Int = 50, batchSize: Int = 4096, activeRuns: Int = 6) {
        self.width = width
        self.layers = layers
        self.epochs = epochs
        self.batchSize = batchSize
        self.activeRuns = activeRuns
    }
}
