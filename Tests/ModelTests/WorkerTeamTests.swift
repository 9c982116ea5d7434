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

/// Splitting each step over threads must not change a single number (with oneDNN, whose kernels
/// sum each output in the same order whatever the width of the slice).
@Suite(.serialized) struct ThreadCountTests {
    static let modes: [(String, @Sendable (inout TrainingConfig) -> Void)] = [
        ("fused momentum", { _ in }),
        ("plain SGD", { $0.momentum = 0 }),
        ("Nesterov, weight decay", { $0.nesterov = true; $0.weightDecay = 1e-3 }),
        ("PReLU, weight decay, odd widths", { $0.activations = [.prelu(initial: 0.25)]; $0.weightDecay = 1e-3; $0.hidden = [37, 20] }),
        ("tanh, diagnostics", { $0.activations = [.tanh]; $0.diagnostics = true }),
        ("step activation below swish", { $0.activations = [.step, .swish(beta: 1)] }),
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
        var results: [[Float]] = []
        for threads in [1, 2, 3] {
            var state = training.initialState()
            try training.run(&state, threads: threads)
            results.append(state.model.parameters + state.optimizer.velocity)
            #expect(state.history.last!.trainAccuracy > 0.5, "\(Self.modes[mode].0): did not learn with \(threads) threads")
        }
        #if os(Linux)
        #expect(results[1] == results[0], "\(Self.modes[mode].0): 2 threads differ from 1")
        #expect(results[2] == results[0], "\(Self.modes[mode].0): 3 threads differ from 1")
        #endif
    }
}
