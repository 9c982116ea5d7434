import Dataset
import Model
import Testing
import TestSupport

@Suite struct WorkerTeamTests {
    @Test(arguments: 1...4)
    func unitsPartitionEveryWidthIntoWholeCacheLines(_ size: Int) {
        let team = WorkerTeam(size: size)
        for width in 1...300 {
            let shares = (0..<size).map { team.units(width, member: $0) }
            #expect(shares.flatMap { Array($0) } == Array(0..<width), "width \(width)")
            for share in shares where !share.isEmpty {
                #expect(share.lowerBound % 16 == 0, "width \(width): a share starts inside a 64-byte line")
            }
        }
    }

    @Test(arguments: [1, 2, 3])
    func everyMemberRunsOnceAndBarriersOrderThePhases(_ size: Int) {
        let team = WorkerTeam(size: size)
        let slots = UnsafeMutableBufferPointer<Int>.allocate(capacity: size)
        defer { slots.deallocate() }
        var mismatches = 0
        for round in 0..<2000 {
            var seen = [Int](repeating: 0, count: size)
            seen.withUnsafeMutableBufferPointer { seen in
                team.run { member in
                    slots[member] = round * 10 + member
                    team.barrier()
                    // After the barrier every member sees every other member's write of this round.
                    var sum = 0
                    for m in 0..<size { sum += slots[m] }
                    seen[member] = sum
                    team.barrier()
                }
            }
            let expected = (0..<size).reduce(0) { $0 + round * 10 + $1 }
            mismatches += seen.filter { $0 != expected }.count
        }
        #expect(mismatches == 0)
    }
}

/// Splitting each step over threads computes the same sums in slices: a run is repeatable bit for
/// bit at a given thread count, and agrees with the single-threaded run up to float rounding (the
/// GEMM kernels may round a slice of a layer differently from the whole layer).
@Suite(.serialized) struct ThreadCountTests {
    static let modes: [(String, @Sendable (inout TrainingConfig) -> Void)] = [
        ("fused momentum", { _ in }),
        ("plain SGD", { $0.momentum = 0 }),
        (
            "Nesterov, weight decay",
            {
                $0.nesterov = true; $0.weightDecay = 1e-3
            }
        ),
        (
            "PReLU, weight decay, odd widths",
            {
                $0.activations = [.prelu(initial: 0.25)]; $0.weightDecay = 1e-3; $0.hidden = [37, 20]
            }
        ),
        (
            "tanh, diagnostics",
            {
                $0.activations = [.tanh]; $0.diagnostics = true
            }
        ),
        ("step activation below swish", { $0.activations = [.step, .swish(beta: 1)] })
    ]

    @Test(arguments: modes.indices)
    func threadsDoNotChangeTheWeights(_ mode: Int) throws {
        guard let data = sharedMNIST else { return }
        var config = TrainingConfig()
        config.hidden = [100, 50]
        config.epochs = 2
        config.validationCount = 300
        config.seed = 5
        config.batchSize = 50  // the last batch of 1700 is short
        Self.modes[mode].1(&config)
        let training = Training(config: config, trainSet: data.train.subset(0..<2000))
        let name = Self.modes[mode].0
        var results: [TrainingState] = []
        for threads in [1, 2, 3, 2] {
            var state = training.initialState()
            try training.run(&state, threads: threads)
            results.append(state)
            #expect(state.history.last!.trainAccuracy > 0.5, "\(name): did not learn with \(threads) threads")
        }
        func bits(_ state: TrainingState) -> [UInt32] {
            (state.model.parameters + state.optimizer.velocity).map(\.bitPattern)
        }
        #expect(bits(results[3]) == bits(results[1]), "\(name): two runs with 2 threads differ")
        for other in results[1...2] {
            let largest = zip(other.model.parameters, results[0].model.parameters).map { abs($0 - $1) }.max()!
            #expect(largest < 1e-4, "\(name): threads moved a weight by \(largest)")
            #expect(abs(other.history.last!.trainLoss - results[0].history.last!.trainLoss) < 1e-4, "\(name)")
        }
    }
}
