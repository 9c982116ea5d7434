import Dataset
import Foundation
import Model
import Testing
import TestSupport

/// bf16 mixed precision: the rounding, the bf16 GEMM against fp32 references on the step's shapes,
/// and training that converges, repeats and resumes bit for bit. Gradient checks stay in fp32/Double.
@Suite(.serialized) struct MixedPrecisionTests {
    @Test func roundsToNearestWithTiesToEven() {
        #expect(BFloat16.bits(1) == 0x3F80)
        #expect(BFloat16.bits(-2) == 0xC000)
        #expect(BFloat16.bits(Float(bitPattern: 0x3F80_8000)) == 0x3F80, "a tie goes to the even neighbour (down)")
        #expect(BFloat16.bits(Float(bitPattern: 0x3F81_8000)) == 0x3F82, "a tie goes to the even neighbour (up)")
        #expect(BFloat16.bits(Float(bitPattern: 0x3F80_8001)) == 0x3F81, "past the tie rounds up")
        #expect(BFloat16.bits(Float(bitPattern: 0x3F80_7FFF)) == 0x3F80, "short of the tie rounds down")
        #expect(BFloat16.bits(.greatestFiniteMagnitude) == 0x7F80, "beyond bf16's largest finite value is infinity")
        #expect(BFloat16.value(BFloat16.bits(.infinity)) == .infinity)
        #expect(BFloat16.value(0x3F80) == 1)
        var random = SeededRandom(seed: 3, stream: "bf16", index: 0)
        for _ in 0..<10_000 {
            let x = Float((random.nextUnit() - 0.5) * 2000)
            let back = BFloat16.value(BFloat16.bits(x))
            #expect(abs(back - x) <= abs(x) / 256, "\(x) -> \(back): more than half a bf16 ulp (2^-8 relative)")
        }
    }

    /// The bf16 GEMM (oneDNN's matmul on this CPU) on GEMMTests' shapes: equal to an fp32-accumulated
    /// product of the rounded operands up to fp32 rounding, and to the exact product of the
    /// unrounded ones within bf16's error (each operand off by at most 2^-9 relative).
    @Test(.enabled(if: Precision.nativeBF16, "this CPU has no native bf16"), arguments: GEMMTests.cases)
    func bf16GEMMMatchesReferences(_ c: GEMMTests.Case) {
        let (aRows, aCols) = c.transposeA ? (c.k, c.m) : (c.m, c.k)
        let (bRows, bCols) = c.transposeB ? (c.n, c.k) : (c.k, c.n)
        let ldc = c.n + c.extraColumns
        var random = SeededRandom(seed: 5, stream: "bf16-gemm", index: UInt64(c.m * 1000 + c.n))
        let a = (0..<aRows * aCols).map { _ in Float(random.nextUnit() * 2 - 1) }
        let b = (0..<bRows * bCols).map { _ in Float(random.nextUnit() * 2 - 1) }
        let (a16, b16) = (a.map(BFloat16.bits), b.map(BFloat16.bits))
        let initial = (0..<c.m * ldc).map { Float(($0 * 29) % 13) / 6 - 1 }
        var result = initial.enumerated().map { i, v in c.beta == 0 && i % ldc < c.n ? Float.nan : v }
        a16.withUnsafeBufferPointer { ap in
            b16.withUnsafeBufferPointer { bp in
                result.withUnsafeMutableBufferPointer { cp in
                    BF16GEMM()(
                        transposeA: c.transposeA, transposeB: c.transposeB, m: c.m, n: c.n, k: c.k, alpha: c.alpha,
                        a: ap.baseAddress!, lda: aCols, b: bp.baseAddress!, ldb: bCols, beta: c.beta,
                        c: cp.baseAddress!, ldc: ldc)
                }
            }
        }
        var (worstRounded, worstExact) = (0.0, 0.0)
        for i in 0..<c.m {
            for j in 0..<ldc {
                let got = Double(result[i * ldc + j])
                guard j < c.n else {
                    #expect(got == Double(initial[i * ldc + j]), "\(c): column \(j) beyond n was written")
                    continue
                }
                var (rounded, exact, magnitude) = (0.0, 0.0, 0.0)
                for p in 0..<c.k {
                    let (ai, bi) = (
                        c.transposeA ? p * aCols + i : i * aCols + p, c.transposeB ? j * bCols + p : p * bCols + j
                    )
                    rounded += Double(BFloat16.value(a16[ai])) * Double(BFloat16.value(b16[bi]))
                    exact += Double(a[ai]) * Double(b[bi])
                    magnitude += abs(Double(a[ai]) * Double(b[bi]))
                }
                let keep = c.beta == 0 ? 0 : Double(c.beta) * Double(initial[i * ldc + j])
                let scale = abs(Double(c.alpha)) * magnitude + abs(keep)
                worstRounded = max(worstRounded, abs(got - (Double(c.alpha) * rounded + keep)) / max(1, scale))
                // Each product is off by at most (1 + 2^-9)² − 1 < 2^-8 of its size.
                worstExact = max(
                    worstExact,
                    abs(got - (Double(c.alpha) * exact + keep))
                        / max(1e-30, abs(Double(c.alpha)) * magnitude / 256 + 1e-6 * max(1, scale)))
            }
        }
        #expect(
            worstRounded < 1e-5,
            "\(c): against the rounded operands' fp32 product, worst relative error \(worstRounded)")
        #expect(worstExact <= 1, "\(c): against the exact product, \(worstExact)x bf16's error bound")
    }

    static func config(precision: Precision, epochs: Int = 1) -> TrainingConfig {
        var config = TrainingConfig()
        config.hidden = [256, 128]
        config.epochs = epochs
        config.validationCount = 1000
        config.precision = precision
        return config
    }

    /// Where the CPU has no native bf16, training refuses it as a problem rather than emulate it
    /// (the CLI then falls back to fp32 with a note: `bf16RunsNativelyOrSaysWhyNot`).
    @Test(.disabled(if: Precision.nativeBF16, "this CPU has native bf16")) func withoutNativeBF16ItIsAProblem() {
        var config = TrainingConfig()
        config.precision = .bf16
        let problem = config.problem(trainingExamples: 60_000)
        #expect(problem?.setting == "precision" && problem?.rule.contains(Precision.cpuInstructionSet) == true)
        #expect(Precision.available == [.fp32])
    }

    @Test(.enabled(if: Precision.nativeBF16, "this CPU has no native bf16")) func bf16TrainingReachesFP32Accuracy()
        throws
    {
        guard let data = sharedMNIST else { return }
        var accuracy: [Precision: Double] = [:]
        for precision in Precision.formats {
            let training = Training(config: Self.config(precision: precision), trainSet: data.train.subset(0..<20_000))
            var state = training.initialState()
            try training.run(&state, threads: 2)
            accuracy[precision] = Evaluation(model: state.model, data: data.test).accuracy
        }
        // One epoch on 20,000 images reaches ~95%; seeds alone move it by a few tenths.
        #expect(accuracy[.fp32]! > 0.93)
        #expect(
            abs(accuracy[.bf16]! - accuracy[.fp32]!) < 0.01, "bf16 \(accuracy[.bf16]!) against fp32 \(accuracy[.fp32]!)"
        )
    }

    /// The same seed, threads and precision give the same weights; bf16's differ from fp32's (the
    /// products really ran in bf16); an interrupted bf16 run resumed through a checkpoint's bytes,
    /// which record the precision, ends bit-identical to one that never stopped.
    @Test(.enabled(if: Precision.nativeBF16, "this CPU has no native bf16"), arguments: [1, 2])
    func bf16RunsRepeatAndResumeBitExactly(threads: Int) throws {
        guard let data = sharedMNIST else { return }
        var config = Self.config(precision: .bf16, epochs: 2)
        (config.hidden, config.batchSize, config.validationCount, config.dropout) = ([64, 32], 50, 200, 0.1)
        let training = Training(config: config, trainSet: data.train.subset(0..<1700))
        var straight = training.initialState(), again = training.initialState()
        try training.run(&straight, threads: threads)
        try training.run(&again, threads: threads)
        #expect(straight.model.parameters == again.model.parameters)

        var fp32 = config
        fp32.precision = .fp32
        var other = Training(config: fp32, trainSet: data.train.subset(0..<1700)).initialState()
        try Training(config: fp32, trainSet: data.train.subset(0..<1700)).run(&other, threads: threads)
        #expect(other.model.parameters != straight.model.parameters)

        var state = training.initialState()
        var asked = 0
        #expect(
            try training.run(
                &state, threads: threads,
                shouldStop: {
                    asked += 1; return asked == 23
                }) == .interrupted)
        let bytes = try Checkpoint(config: config, state: state, dataset: "mnist", datasetSHA256: [:]).encoded()
        let loaded = try Checkpoint(bytes: bytes, path: "resume.safetensors")
        #expect(loaded.config.precision == .bf16)
        state = loaded.state
        #expect(
            try Training(config: loaded.config, trainSet: data.train.subset(0..<1700)).run(&state, threads: threads)
                == .finished)
        #expect(state.model.parameters == straight.model.parameters)
        #expect(state.optimizer.velocity == straight.optimizer.velocity)
    }
}
