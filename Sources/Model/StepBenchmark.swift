import Dataset
import Foundation

/// How fast this machine runs a training step, and how much of that is GEMM: the figures behind
/// `trainer bench`. Every timing splits the work over a `WorkerTeam` exactly as training does, so
/// "GEMMs only" and "whole step" differ by the element-wise work, the loss and the barriers alone.
public struct StepBenchmark {
    public let architecture: Architecture
    public let batchSize: Int
    public let threads: Int
    /// The number format of the products (bf16 needs `Precision.nativeBF16`).
    public let precision: Precision

    public init(architecture: Architecture, batchSize: Int, threads: Int, precision: Precision = .fp32) {
        self.architecture = architecture
        self.batchSize = batchSize
        self.threads = threads
        self.precision = precision
    }

    /// Floating-point operations of one training step per example (`Architecture.trainingFLOPsPerExample`).
    public var flopsPerExample: Double { architecture.trainingFLOPsPerExample }

    /// Seconds per step of the step's GEMMs alone, the fastest of `rounds` runs of `steps` steps.
    public func gemmSeconds(steps: Int, rounds: Int = 5) -> Double {
        let model = MLP<Float>(architecture: architecture, seed: 1)
        let layers = model.layers
        let workspace = Workspace<Float>(architecture: architecture, capacity: batchSize)
        let team = WorkerTeam(size: threads)
        let inputs = Self.syntheticPixels(rows: batchSize, featureCount: architecture.inputs)
        var parameters = model.parameters
        let rows = batchSize
        // In bf16 the products read operands already rounded (the step rounds them as it writes
        // them), so the products alone are timed here, as in fp32; the rounding counts in the whole step.
        let bf16 = precision == .bf16 ? BF16Operands(layers: layers, capacity: batchSize, teamSize: threads) : nil
        return Self.fastest(rounds: rounds, steps: steps) {
            parameters.withUnsafeMutableBufferPointer { w in
                inputs.withUnsafeBufferPointer { x in
                    let weights = GradientDestination(buffer: w.baseAddress!, scale: -1e-6, keep: 1)
                    team.run { index in
                        let member = TeamMember(team: team, index: index)
                        var input = x.baseAddress!
                        for (l, layer) in layers.enumerated() {
                            layer.product(
                                l, input: input, rows: 0..<rows, parameters: w.baseAddress!, into: workspace.pre[l],
                                units: member.units(layer.outputs), bf16: bf16, member: index)
                            member.barrier()
                            input = UnsafePointer(workspace.pre[l])
                        }
                        for l in stride(from: layers.count - 1, through: 0, by: -1) {
                            if l > 0 {
                                layers[l].inputGradient(
                                    l, rows: rows, delta: workspace.pre[l], parameters: w.baseAddress!,
                                    into: workspace.delta[l - 1], columns: member.units(layers[l].inputs), bf16: bf16,
                                    member: index)
                                member.barrier()
                            }
                            layers[l].weightGradient(
                                l, input: l == 0 ? x.baseAddress! : UnsafePointer(workspace.pre[l - 1]), rows: rows,
                                delta: workspace.pre[l], weights: weights, units: member.units(layers[l].outputs),
                                bf16: bf16, member: index)
                        }
                    }
                }
            }
        }
    }

    /// Seconds per step of the whole training step (gather, forward, loss, backward, SGD with
    /// `momentum`) on synthetic data, the fastest of `rounds` runs of `steps` steps; with an
    /// `augmentation`, the images (square, when the input width is a square) are distorted on the way.
    public func stepSeconds(steps: Int, momentum: Double, augmentation: Augmentation = .none, rounds: Int = 5) -> Double
    {
        let examples = batchSize * 16
        let (rows, cols) = architecture.imageSide.map { ($0, $0) } ?? (1, architecture.inputs)
        let data = DigitDataset(
            pixels: Self.syntheticPixels(rows: examples, featureCount: architecture.inputs),
            labels: (0..<examples).map { UInt8($0 % architecture.outputs) }, rows: rows, cols: cols)
        var model = MLP<Float>(architecture: architecture, seed: 1)
        var optimizer = Optimizer(parameterCount: model.parameters.count, momentum: momentum)
        let step = TrainingStep(
            layers: model.layers, classes: architecture.outputs,
            workspace: Workspace<Float>(architecture: architecture, capacity: batchSize),
            team: WorkerTeam(size: threads),
            precision: precision)
        let gatherer = BatchGatherer(
            capacity: batchSize, featureCount: architecture.inputs, copies: threads,
            augmentation: augmentation, imageShape: (rows, cols))
        let order = Array((0..<examples).reversed())
        var (next, epoch) = (0, 0)
        let rule = Optimizer.Rule(optimizer, learningRate: 1e-4)
        return Self.fastest(rounds: rounds, steps: steps) {
            gatherer.select(data, order: order, range: next..<next + batchSize, seed: 1, epoch: epoch)
            next = (next + batchSize) % examples
            if next == 0 { epoch += 1 }
            model.parameters.withUnsafeMutableBufferPointer { w in
                optimizer.velocity.withUnsafeMutableBufferPointer { v in
                    _ = step(
                        gatherer,
                        update: Optimizer.StepUpdate(
                            rule: rule, fused: true, w: w.baseAddress!, v: v.baseAddress!,
                            g: step.workspace.gradients.baseAddress!))
                }
            }
        }
    }

    /// GFLOP/s of a `size`³ GEMM in `precision` split over `threads` threads by columns, the best of
    /// `rounds`: the practical peak of this machine and library that the step's figures are measured against.
    public static func peakGFLOPS(size: Int = 2048, threads: Int, precision: Precision = .fp32, rounds: Int = 3)
        -> Double
    {
        let a = syntheticPixels(rows: size, featureCount: size), b = syntheticPixels(rows: size, featureCount: size)
        let (a16, b16) = (a.map(BFloat16.bits), b.map(BFloat16.bits))
        var c = [Float](repeating: 0, count: size * size)
        let team = WorkerTeam(size: threads)
        let kernels = precision == .bf16 ? (0..<threads).map { _ in BF16GEMM() } : []
        let seconds = fastest(rounds: rounds, steps: 1) {
            c.withUnsafeMutableBufferPointer { c in
                team.run { member in
                    let columns = team.units(size, member: member)
                    guard !columns.isEmpty else { return }
                    if precision == .bf16 {
                        a16.withUnsafeBufferPointer { a in
                            b16.withUnsafeBufferPointer { b in
                                kernels[member](
                                    transposeA: false, transposeB: false, m: size, n: columns.count, k: size, alpha: 1,
                                    a: a.baseAddress!, lda: size, b: b.baseAddress! + columns.lowerBound, ldb: size,
                                    beta: 0, c: c.baseAddress! + columns.lowerBound, ldc: size)
                            }
                        }
                    } else {
                        a.withUnsafeBufferPointer { a in
                            b.withUnsafeBufferPointer { b in
                                Float.gemm(
                                    transposeA: false, transposeB: false, m: size, n: columns.count, k: size, alpha: 1,
                                    a: a.baseAddress!, lda: size, b: b.baseAddress! + columns.lowerBound, ldb: size,
                                    beta: 0, c: c.baseAddress! + columns.lowerBound, ldc: size)
                            }
                        }
                    }
                }
            }
        }
        return 2 * pow(Double(size), 3) / seconds / 1e9
    }

    /// MNIST-like values: mostly zeros, the rest in (0, 1].
    private static func syntheticPixels(rows: Int, featureCount: Int) -> [Float] {
        var random = SeededRandom(seed: 7, stream: "bench", index: 0)
        return (0..<rows * featureCount).map { _ in
            let u = random.nextUnit()
            return u < 0.8 ? 0 : Float((u - 0.8) * 5)
        }
    }

    /// The fastest of `rounds` timings of `steps` calls of `body`, per call, after one warm-up call.
    private static func fastest(rounds: Int, steps: Int, _ body: () -> Void) -> Double {
        body()
        var best = Double.infinity
        for _ in 0..<rounds {
            let start = DispatchTime.now().uptimeNanoseconds
            for _ in 0..<steps { body() }
            best = min(best, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 / Double(steps))
        }
        return best
    }
}
