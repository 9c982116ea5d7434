/// What `--precision auto` chose for a run, and the step times it chose by.
///
/// Why measure: bf16 products are about twice as fast as fp32 on Zen 4 and Zen 5, but slower on
/// Intel's Sapphire and Emerald Rapids without AMX (measured 0.61x there: `vdpbf16ps` issues on one
/// port where fp32 FMAs issue on two), and no table of CPU models stays true. The run's own step is
/// timed at its start in each format, on its own threads: the same shapes, the same library.
public struct PrecisionChoice: Sendable, Equatable {
    /// fp32 or bf16.
    public let precision: Precision
    /// Seconds per training step in each format; nil where it was not timed (no native bf16).
    public let fp32Seconds: Double?
    public let bf16Seconds: Double?

    public init(precision: Precision, fp32Seconds: Double?, bf16Seconds: Double?) {
        (self.precision, self.fp32Seconds, self.bf16Seconds) = (precision, fp32Seconds, bf16Seconds)
    }

    /// bf16 only where its step is faster by 5% or more: within that margin the timings cannot tell
    /// the two apart, and fp32's exact products win the tie.
    public static func choose(fp32Seconds: Double, bf16Seconds: Double) -> Precision {
        bf16Seconds < 0.95 * fp32Seconds ? .bf16 : .fp32
    }

    /// Times `config`'s training step (its network and batch, products only, no augmentation) in
    /// each format on `threads` threads and chooses; fp32 without timing where the CPU has no native
    /// bf16. Three rounds of eight steps each way, alternated, the fastest counted: about a tenth of
    /// a second, once per run.
    public static func measure(
        _ config: TrainingConfig, inputs: Int, classes: Int, threads: Int, steps: Int = 8
    ) -> PrecisionChoice {
        guard Precision.nativeBF16 else { return PrecisionChoice(precision: .fp32, fp32Seconds: nil, bf16Seconds: nil) }
        let architecture = config.architecture(inputs: inputs, classes: classes)
        func seconds(_ precision: Precision) -> Double {
            StepBenchmark(
                architecture: architecture, batchSize: config.batchSize, threads: threads, precision: precision
            )
            .stepSeconds(steps: steps, momentum: config.momentum, rounds: 1)
        }
        // Alternated, the fastest round of each counted: a change in the machine's load (another
        // program, a noisy neighbour on a VM) then touches both formats alike.
        var (fp32, bf16) = (Double.infinity, Double.infinity)
        for _ in 0..<3 {
            fp32 = min(fp32, seconds(.fp32))
            bf16 = min(bf16, seconds(.bf16))
        }
        return PrecisionChoice(
            precision: choose(fp32Seconds: fp32, bf16Seconds: bf16), fp32Seconds: fp32, bf16Seconds: bf16)
    }

    /// In words, for the run's one line: "bf16 (a step took 1.93 ms in bf16, 3.41 ms in fp32)".
    public var description: String {
        guard let fp32Seconds, let bf16Seconds else {
            return
                "\(precision.rawValue) (this CPU has no native bf16 arithmetic; its best instruction set is \(Precision.cpuInstructionSet))"
        }
        let ms = { (s: Double) in String((s * 1e5).rounded() / 100) + " ms" }
        return "\(precision.rawValue) (a step took \(ms(bf16Seconds)) in bf16, \(ms(fp32Seconds)) in fp32)"
    }
}
