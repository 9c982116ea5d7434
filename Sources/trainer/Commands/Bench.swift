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

    @Option(help: "Hidden-layer widths, comma-separated. (default: 256,128)", transform: LayerWidths.init(parsing:))
    var hidden = LayerWidths([256, 128])

    @Option(help: "Hidden-layer activation, or one per hidden layer. (default: relu)", transform: ActivationList.init(parsing:))
    var activation = ActivationList([.relu])

    @Option(help: "Examples per mini-batch.")
    var batchSize = 64

    @Option(help: "SGD momentum of the whole step (0: plain SGD, whose update is folded entirely into the GEMMs).")
    var momentum = 0.9

    @Option(help: "Also time the whole step with these distortions (as train --augment), beside the step without.",
            transform: Augmentation.init(parsing:))
    var augment = Augmentation.none

    @Option(help: "Steps per timing; each figure is the fastest of 5 timings.")
    var steps = 400

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
        (config.hidden, config.activations, config.batchSize, config.momentum) = (hidden.widths, activation.activations, batchSize, momentum)
        if let problem = config.problem(trainingExamples: 60_000) { throw Failure(problem.flagWording) }
        // MNIST's shape: 28×28 inputs, 10 classes.
        let architecture = config.architecture(inputs: 784, classes: 10)
        let threads = threading.threads
        let bench = StepBenchmark(architecture: architecture, batchSize: batchSize, threads: threads)
        let peak = StepBenchmark.peakGFLOPS(threads: threads)
        let gemm = bench.gemmSeconds(steps: steps)
        let step = bench.stepSeconds(steps: steps, momentum: momentum)
        let augmented = augment.isNone ? nil : bench.stepSeconds(steps: steps, momentum: momentum, augmentation: augment)
        let stepsPerEpoch = Double((60_000 + batchSize - 1) / batchSize)
        let flops = bench.flopsPerExample * Double(batchSize)
        var figures: [String: Any] = [
            "cpu": cpuDescription, "gemm": GEMMLibrary.current.description, "threads": threads,
            "model": architecture.summary, "batch": batchSize, "momentum": momentum, "flops_per_example": bench.flopsPerExample,
            "peak_gflops": peak,
            "gemm_seconds_per_step": gemm, "gemm_seconds_per_epoch": gemm * stepsPerEpoch, "gemm_gflops": flops / gemm / 1e9,
            "step_seconds_per_step": step, "step_seconds_per_epoch": step * stepsPerEpoch, "step_gflops": flops / step / 1e9,
            "outside_gemm_fraction": max(0, 1 - gemm / step),
        ]
        if let augmented {
            figures["augmentation"] = augment.spec
            figures["augmented_step_seconds_per_step"] = augmented
            figures["augmented_throughput_ratio"] = step / augmented
        }
        if json { return print(jsonLine(figures)) }
        print("cpu: \(cpuDescription)")
        print("gemm: \(GEMMLibrary.current.description), \(threads) thread\(threads == 1 ? "" : "s")")
        print(String(format: "peak: %.0f GFLOP/s (2048x2048x2048 sgemm split over the threads)", peak))
        print(String(format: "%@, batch %d, momentum %g: %.3f MFLOP per example per step", architecture.summary, batchSize, momentum,
                     bench.flopsPerExample / 1e6))
        for (name, seconds) in [("GEMMs only", gemm), ("whole step", step)] {
            let gflops = flops / seconds / 1e9
            print(String(format: "  %-11@ %7.1f µs/step  %.3f s/epoch  %5.0f GFLOP/s  %3.0f%% of peak",
                         name, seconds * 1e6, seconds * stepsPerEpoch, gflops, 100 * gflops / peak))
        }
        print(String(format: "  outside GEMM: %.0f%% of the step", 100 * max(0, 1 - gemm / step)))
        if let augmented {
            print(String(format: "  with --augment %@: %7.1f µs/step  %.3f s/epoch; %.0f%% of the throughput without it (%.1f µs more per image, over %d thread%@)",
                         augment.spec, augmented * 1e6, augmented * stepsPerEpoch, 100 * step / augmented,
                         (augmented - step) / Double(batchSize) * 1e6, threads, threads == 1 ? "" : "s"))
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
        guard let family = CPUInfo.field("cpu family"), let number = CPUInfo.field("model\t") ?? CPUInfo.field("model ") else { return model }
        return "\(model) (family \(family), model \(number))"
    }
}
