import ArgumentParser
import Dataset
import Foundation
import Model

/// `trainer bench`: how fast this machine runs a training step, against its own GEMM peak.
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure the training step: its GEMMs alone, the whole step, and the machine's sgemm peak.",
        discussion: """
            All three split the work over --threads exactly as training does, in this one process, so \
            their ratios hold even on a noisy machine. A whole epoch is 60,000 examples. \
            scripts/bench adds real training epochs and the numpy/PyTorch reference beside these figures.
            """
    )

    @Option(help: "Hidden-layer widths, comma-separated.", transform: LayerWidths.init(parsing:))
    var hidden = LayerWidths(TrainingConfig().hidden)

    @Option(
        help: "Hidden-layer activation, or one per hidden layer. (default: relu)",
        transform: ActivationList.init(parsing:))
    var activation = ActivationList([.relu])

    @Option(help: "Examples per mini-batch.")
    var batchSize = TrainingConfig().batchSize

    @Option(help: "SGD momentum of the whole step (0: plain SGD, whose update is folded entirely into the GEMMs).")
    var momentum = TrainingConfig().momentum

    @Option(
        help: "Also time the whole step with these distortions (as train --augment), beside the step without.",
        transform: Augmentation.init(parsing:))
    var augment = Augmentation.none

    @Option(help: "Steps per timing; each figure is the fastest of 5 timings.")
    var steps = 400

    @Option(help: "Measure only this precision (default: fp32, and bf16 where the CPU has it natively).")
    var precision: Precision?

    @Flag(help: "Leave out the estimates of the default run's and the recipes' times.")
    var noEstimates = false

    @OptionGroup var threading: ThreadOptions

    @OptionGroup var compute: ComputeOptions

    @Flag(help: "Print one JSON object instead of text.")
    var json = false

    func validate() throws {
        guard steps >= 1 else { throw ValidationError("--steps must be at least 1") }
    }

    func run() throws {
        warnIfUnoptimised()
        compute.apply()
        var config = TrainingConfig()
        (config.hidden, config.activations, config.batchSize, config.momentum) = (
            hidden.widths, activation.activations, batchSize, momentum
        )
        if let problem = config.problem(trainingExamples: 60_000) { throw Failure(problem.flagWording) }
        let precisions = self.precisions
        guard !precisions.isEmpty else {
            throw Failure(
                "--precision bf16: this CPU has no native bf16 arithmetic (its best instruction set is \(Precision.cpuInstructionSet)); use fp32"
            )
        }
        // MNIST's shape: 28×28 inputs, 10 classes.
        let architecture = config.architecture(inputs: 784, classes: 10)
        let threads = threading.threads
        let stepsPerEpoch = Double((60_000 + batchSize - 1) / batchSize)
        var measured: [(Precision, Figures)] = []
        for precision in precisions {
            let bench = StepBenchmark(
                architecture: architecture, batchSize: batchSize, threads: threads, precision: precision)
            let step = bench.stepSeconds(steps: steps, momentum: momentum)
            measured.append(
                (
                    precision,
                    Figures(
                        peak: StepBenchmark.peakGFLOPS(threads: threads, precision: precision),
                        gemm: bench.gemmSeconds(steps: steps), step: step,
                        augmented: augment.isNone
                            ? nil : bench.stepSeconds(steps: steps, momentum: momentum, augmentation: augment),
                        flops: bench.flopsPerExample * Double(batchSize))
                ))
        }
        let expected = noEstimates ? [] : expectedTimes(threads: threads)

        if json {
            // the first precision's at the top level, as before bf16
            var figures = measured[0].1.json(stepsPerEpoch: stepsPerEpoch)
            figures.merge([
                "cpu": cpuDescription, "gemm": GEMMLibrary.current.description, "threads": threads,
                "model": architecture.summary,
                "batch": batchSize, "momentum": momentum, "flops_per_example": measured[0].1.flops / Double(batchSize),
                "precision": measured[0].0.rawValue
            ]) { $1 }
            figures["precisions"] = Dictionary(
                uniqueKeysWithValues: measured.map { ($0.0.rawValue, $0.1.json(stepsPerEpoch: stepsPerEpoch)) })
            if !augment.isNone { figures["augmentation"] = augment.spec }
            if !expected.isEmpty {
                figures["expected_seconds"] = Dictionary(
                    uniqueKeysWithValues: expected.map {
                        (
                            $0.name,
                            [
                                "seconds": $0.seconds, "precision": $0.precision.rawValue, "why": $0.why,
                                "tflop": $0.teraFLOPs
                            ]
                        )
                    })
            }
            return print(jsonLine(figures))
        }
        print("cpu: \(cpuDescription)")
        print("gemm: \(GEMMLibrary.current.description), \(threads) thread\(threads == 1 ? "" : "s")")
        print(
            String(
                format: "%@, batch %d, momentum %g: %.3f MFLOP per example per step", architecture.summary, batchSize,
                momentum,
                measured[0].1.flops / Double(batchSize) / 1e6))
        for (precision, f) in measured {
            print(
                String(
                    format: "%@: peak %.0f GFLOP/s (a 2048x2048x2048 %@ split over the threads)", precision.rawValue,
                    f.peak,
                    precision == .bf16 ? "bf16 GEMM accumulating in fp32" : "sgemm"))
            for (name, seconds) in [("GEMMs only", f.gemm), ("whole step", f.step)] {
                let gflops = f.flops / seconds / 1e9
                print(
                    String(
                        format: "  %-11@ %7.1f µs/step  %.3f s/epoch  %5.0f GFLOP/s  %3.0f%% of peak",
                        name, seconds * 1e6, seconds * stepsPerEpoch, gflops, 100 * gflops / f.peak))
            }
            print(String(format: "  outside GEMM: %.0f%% of the step", 100 * max(0, 1 - f.gemm / f.step)))
            if let augmented = f.augmented {
                print(
                    String(
                        format:
                            "  with --augment %@: %7.1f µs/step  %.3f s/epoch; %.0f%% of the throughput without it (%.1f µs more per image, over %d thread%@)",
                        augment.spec, augmented * 1e6, augmented * stepsPerEpoch, 100 * f.step / augmented,
                        (augmented - f.step) / Double(batchSize) * 1e6, threads, threads == 1 ? "" : "s"))
            }
        }
        if measured.count == 2 {
            let (a, b) = (measured[0].1, measured[1].1)
            print(
                String(
                    format: "bf16 / fp32: GEMMs %.2fx, whole step %.2fx, peak %.2fx", a.gemm / b.gemm, a.step / b.step,
                    b.peak / a.peak))
        }
        if !expected.isEmpty {
            print(
                "what this machine will take (training steps, from short timings; loading and evaluation add a few seconds), and what each run costs (training and test products):"
            )
            let width = expected.map(\.name.count).max() ?? 0
            for e in expected {
                print(
                    "  " + e.name.padding(toLength: width, withPad: " ", startingAt: 0)
                        + String(format: " %6.0f s  %6.2f TFLOP  (%@)", e.seconds, e.teraFLOPs, e.why))
            }
        }
    }

    /// The precisions to measure: the one asked for, else fp32 and, where native, bf16.
    private var precisions: [Precision] {
        if let precision { return precision.isAvailable ? [precision] : [] }
        return Precision.available
    }

    /// One precision's timings.
    private struct Figures {
        let peak: Double, gemm: Double, step: Double, augmented: Double?, flops: Double

        func json(stepsPerEpoch: Double) -> [String: Any] {
            var figures: [String: Any] = [
                "peak_gflops": peak,
                "gemm_seconds_per_step": gemm, "gemm_seconds_per_epoch": gemm * stepsPerEpoch,
                "gemm_gflops": flops / gemm / 1e9,
                "step_seconds_per_step": step, "step_seconds_per_epoch": step * stepsPerEpoch,
                "step_gflops": flops / step / 1e9,
                "outside_gemm_fraction": max(0, 1 - gemm / step)
            ]
            if let augmented {
                figures["augmented_step_seconds_per_step"] = augmented
                figures["augmented_throughput_ratio"] = step / augmented
            }
            return figures
        }
    }

    /// The training time of `trainer`'s default run and of each recipe on this machine, from a
    /// short timing of each one's step (with its augmentation) in the precision it runs in here,
    /// and why that one (`auto` chooses as a run would: by timing its step in each format).
    private func expectedTimes(threads: Int) -> [(
        name: String, seconds: Double, precision: Precision, why: String, teraFLOPs: Double
    )] {
        var runs: [(String, [String])] = [("default run (train)", [])]
        runs += Recipe.allCases.map { ("--recipe \($0.rawValue)", $0.arguments) }
        return runs.compactMap { name, arguments in
            guard let train = try? Train.parse(arguments), let config = try? train.makeConfig() else { return nil }
            var (resolved, _) = config.withAvailablePrecision()
            var why = resolved.precision.rawValue
            if resolved.precision == .auto {
                let choice = PrecisionChoice.measure(resolved, inputs: 784, classes: 10, threads: threads)
                resolved.precision = choice.precision
                why = "auto: \(choice.description)"
            }
            let bench = StepBenchmark(
                architecture: resolved.architecture(inputs: 784), batchSize: resolved.batchSize, threads: threads,
                precision: resolved.precision)
            let step = bench.stepSeconds(
                steps: max(20, 6_000 / resolved.batchSize), momentum: resolved.momentum,
                augmentation: resolved.augmentation, rounds: 2)
            let trainingImages = 60_000 - resolved.validationCount
            let steps = Double((trainingImages + resolved.batchSize - 1) / resolved.batchSize * resolved.epochs)
            let cost = TrainingCost(resolved, images: 60_000, testImages: 10_000)
            return (name, step * steps, resolved.precision, why, cost.total / 1e12)
        }
    }

    /// "AMD EPYC (family 26, model 2)", or the architecture where /proc/cpuinfo says nothing.
    private var cpuDescription: String {
        guard let model = CPUInfo.field("model name") ?? CPUInfo.field("CPU part") else {
            #if arch(arm64)
                return "arm64"
            #else
                return "x86_64"
            #endif
        }
        guard let family = CPUInfo.field("cpu family"), let number = CPUInfo.field("model\t") ?? CPUInfo.field("model ")
        else { return model }
        return "\(model) (family \(family), model \(number))"
    }
}
