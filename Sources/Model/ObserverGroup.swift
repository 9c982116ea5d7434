/// Several observers of one run, told in order: a run watched by a progress bar and a
/// TensorBoard log, or by the playground's live view and a log, at once.
public final class ObserverGroup: TrainingObserver {
    public let observers: [TrainingObserver]

    public init(_ observers: [TrainingObserver?]) { self.observers = observers.compactMap { $0 } }

    public func epochStarted(epoch: Int, of total: Int, batches: Int) {
        for o in observers { o.epochStarted(epoch: epoch, of: total, batches: batches) }
    }
    public func batchFinished(_ progress: BatchProgress) { for o in observers { o.batchFinished(progress) } }
    public func epochFinished(_ record: EpochRecord) { for o in observers { o.epochFinished(record) } }
    public func batchTrained(_ batch: BatchOutcome, state: TrainingState) {
        for o in observers { o.batchTrained(batch, state: state) }
    }
}
