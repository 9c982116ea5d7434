import Atomics
import Foundation

/// A fixed set of threads that run one closure together, meeting at barriers inside it.
///
/// A training step at batch 64 is a chain of small GEMMs, each a few dozen microseconds long.
/// Letting the GEMM library split each one over its own threads costs a hand-off per GEMM and
/// reached 59% of the machine's peak; splitting every layer by units ourselves, with one
/// single-threaded GEMM per thread and a spin barrier between layers, reached 75% (oneDNN, Zen 5,
/// measured in C). The threads live as long as the team, spin while work is close, and sleep in
/// between runs (evaluation, checkpoints) so that they never steal the core from anyone. Every
/// member flushes subnormals to zero (`Subnormals`).
public final class WorkerTeam: @unchecked Sendable {
    /// Threads in the team, the caller of `run` included.
    public let size: Int

    private let generation = ManagedAtomic<Int>(0)
    private let arrived = ManagedAtomic<Int>(0)
    private let barrierRound = ManagedAtomic<Int>(0)
    private let stopping = ManagedAtomic<Bool>(false)
    private let wake = NSCondition()
    private let exited = DispatchSemaphore(value: 0)
    /// The closure of the current run; written before `generation` is bumped, read after it is seen.
    nonisolated(unsafe) private var job: ((Int) -> Void)?

    /// A team of `size` threads: the caller of `run` and `size - 1` workers started now.
    public init(size: Int) {
        precondition(size >= 1, "a team has at least one thread")
        self.size = size
        for member in 1..<size {
            let thread = Thread { [self] in work(as: member) }
            thread.name = "digit-trainer worker \(member)"
            thread.stackSize = 1 << 20
            thread.start()
        }
    }

    deinit {
        stopping.store(true, ordering: .releasing)
        wake.lock()
        generation.wrappingIncrement(ordering: .releasing)
        wake.broadcast()
        wake.unlock()
        for _ in 1..<size { exited.wait() }
    }

    /// Runs `body(member)` on every member of the team at once (`member` 0 is the caller) and
    /// returns when all have finished. `body` may call `barrier()`; every member must reach the same
    /// barriers in the same order.
    public func run(_ body: (Int) -> Void) {
        // The caller computes too (as member 0): a few cycles a run, against a step's hundreds of microseconds.
        Subnormals.flushInThisThread()
        guard size > 1 else { return body(0) }
        withoutActuallyEscaping(body) { body in
            job = body
            wake.lock()
            generation.wrappingIncrement(ordering: .releasing)
            wake.broadcast()
            wake.unlock()
            body(0)
            barrier()
            job = nil
        }
    }

    /// Waits until every member has reached this point. Only inside `run`.
    public func barrier() {
        guard size > 1 else { return }
        let round = barrierRound.load(ordering: .acquiring)
        if arrived.wrappingIncrementThenLoad(ordering: .acquiringAndReleasing) == size {
            arrived.store(0, ordering: .relaxed)
            barrierRound.wrappingIncrement(ordering: .releasing)
            return
        }
        var spins = 0
        while barrierRound.load(ordering: .acquiring) == round {
            spins += 1
            // Past ~50 µs someone is not running (more threads than cores): give the core away.
            if spins > 20_000 { sched_yield() }
        }
    }

    private func work(as member: Int) {
        Subnormals.flushInThisThread()
        var seen = 0
        while true {
            seen = waitForRun(after: seen)
            if stopping.load(ordering: .acquiring) { break }
            job!(member)
            barrier()
        }
        exited.signal()
    }

    /// Spins briefly (training calls `run` every few hundred microseconds), then sleeps.
    private func waitForRun(after seen: Int) -> Int {
        for _ in 0..<100_000 {
            let now = generation.load(ordering: .acquiring)
            if now != seen { return now }
        }
        wake.lock()
        defer { wake.unlock() }
        while generation.load(ordering: .acquiring) == seen { wake.wait() }
        return generation.load(ordering: .acquiring)
    }

    /// The share of `width` units that `member` works on: consecutive blocks of whole 16-float
    /// (64-byte) groups, so no two threads write into the same cache line of a row. A member may get none.
    public func units(_ width: Int, member: Int) -> Range<Int> {
        guard size > 1 else { return 0..<width }
        let groups = (width + 15) / 16
        let perMember = (groups + size - 1) / size
        let start = min(member * perMember * 16, width)
        return start..<min(start + perMember * 16, width)
    }
}
