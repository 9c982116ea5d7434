/// What a mixed-precision (bf16) training step multiplies: bf16 copies of each layer's input, each
/// layer's ∂L/∂pre-activations and the weights, rounded from their fp32 originals by the thread
/// that wrote those, right after writing them, so no one waits for a separate rounding pass. The
/// fp32 originals stay the truth: biases, activations' functions, the loss and every update read them.
///
/// The products land in fp32 buffers exactly where the fp32 step's would, so the rest of the step
/// does not know which precision ran.
final class BF16Operands {
    private let layers: [DenseLayout]
    /// Per layer, `capacity × layer.inputs`: the images for layer 0, the (dropped) activations of
    /// the layer below for the others.
    private let inputs: [UnsafeMutablePointer<UInt16>]
    /// Per layer, `capacity × layer.outputs`.
    private let deltas: [UnsafeMutablePointer<UInt16>]
    /// Laid out like `MLP.parameters`; only the weight ranges are used.
    private let weights: UnsafeMutablePointer<UInt16>
    /// One per member of the team that runs the step.
    private let kernels: [BF16GEMM]
    /// Whether `weights` holds the current weights; the step rounds them all when it does not.
    var weightsCurrent = false

    init(layers: [DenseLayout], capacity: Int, teamSize: Int) {
        self.layers = layers
        func make(_ n: Int) -> UnsafeMutablePointer<UInt16> {
            let raw = UnsafeMutableRawPointer.allocate(byteCount: n * MemoryLayout<UInt16>.stride, alignment: 64)
            return raw.initializeMemory(as: UInt16.self, repeating: 0, count: n)
        }
        inputs = layers.map { make($0.inputs * capacity) }
        deltas = layers.map { make($0.outputs * capacity) }
        weights = make(layers.last!.slope.upperBound)
        kernels = (0..<teamSize).map { _ in BF16GEMM() }
    }

    deinit {
        for b in inputs + deltas + [weights] { UnsafeMutableRawPointer(b).deallocate() }
    }

    /// Rounds the block `rows` × `columns` of layer `layer`'s input (`source`, laid out like it).
    func roundInput<T>(_ layer: Int, from source: UnsafePointer<T>, rows: Range<Int>, columns: Range<Int>) {
        BFloat16.round(
            Self.float(source), into: inputs[layer], rows: rows, columns: columns, stride: layers[layer].inputs)
    }

    /// Rounds the block `rows` × `columns` of layer `layer`'s ∂L/∂pre (`source`, laid out like it).
    func roundDelta<T>(_ layer: Int, from source: UnsafePointer<T>, rows: Range<Int>, columns: Range<Int>) {
        BFloat16.round(
            Self.float(source), into: deltas[layer], rows: rows, columns: columns, stride: layers[layer].outputs)
    }

    /// Rounds the weight rows of `units` of `layer` from the parameters `w`: after their update.
    func roundWeights<T>(_ layer: DenseLayout, units: Range<Int>, from w: UnsafePointer<T>) {
        BFloat16.round(
            Self.float(w) + layer.weight.lowerBound, into: weights + layer.weight.lowerBound,
            rows: units, columns: 0..<layer.inputs, stride: layer.inputs)
    }

    /// Rounds every weight from the parameters `w`, on the calling thread.
    func roundAllWeights<T>(from w: UnsafePointer<T>) {
        for layer in layers { roundWeights(layer, units: 0..<layer.outputs, from: w) }
        weightsCurrent = true
    }

    /// pre[rows, units] = input[rows] · W[units]ᵀ for layer `l`: its forward product.
    func product<T>(_ l: Int, rows: Range<Int>, units: Range<Int>, into pre: UnsafeMutablePointer<T>, member: Int) {
        let layer = layers[l]
        kernels[member](
            transposeA: false, transposeB: true, m: rows.count, n: units.count, k: layer.inputs,
            alpha: 1, a: inputs[l] + rows.lowerBound * layer.inputs, lda: layer.inputs,
            b: weights + layer.weight.lowerBound + units.lowerBound * layer.inputs, ldb: layer.inputs,
            beta: 0, c: Self.float(pre) + rows.lowerBound * layer.outputs + units.lowerBound, ldc: layer.outputs)
    }

    /// The columns `columns` of ∂L/∂post of the layer below `l`: delta[l] · W[:, columns].
    func inputGradient<T>(_ l: Int, rows: Int, columns: Range<Int>, into below: UnsafeMutablePointer<T>, member: Int) {
        let layer = layers[l]
        kernels[member](
            transposeA: false, transposeB: false, m: rows, n: columns.count, k: layer.outputs,
            alpha: 1, a: deltas[l], lda: layer.outputs, b: weights + layer.weight.lowerBound + columns.lowerBound,
            ldb: layer.inputs,
            beta: 0, c: Self.float(below) + columns.lowerBound, ldc: layer.inputs)
    }

    /// The rows `units` of ∂L/∂W = deltaᵀ · input for layer `l`, into `destination`.
    func weightGradient<T: NetworkScalar>(
        _ l: Int, rows: Int, units: Range<Int>, into destination: GradientDestination<T>, member: Int
    ) {
        let layer = layers[l]
        kernels[member](
            transposeA: true, transposeB: false, m: units.count, n: layer.inputs, k: rows,
            alpha: Float(destination.scale), a: deltas[l] + units.lowerBound, lda: layer.outputs,
            b: inputs[l], ldb: layer.inputs, beta: Float(destination.keep),
            c: Self.float(destination.buffer) + layer.weight.lowerBound + units.lowerBound * layer.inputs,
            ldc: layer.inputs)
    }

    /// The step is generic over its scalar for the fp32 path's sake; a bf16 step only ever runs on `Float`.
    @inline(__always)
    private static func float<T>(_ p: UnsafePointer<T>) -> UnsafePointer<Float> {
        precondition(T.self == Float.self, "bf16 operands are rounded from Float")
        return UnsafeRawPointer(p).assumingMemoryBound(to: Float.self)
    }

    @inline(__always)
    private static func float<T>(_ p: UnsafeMutablePointer<T>) -> UnsafeMutablePointer<Float> {
        precondition(T.self == Float.self, "bf16 products land in Float")
        return UnsafeMutableRawPointer(p).assumingMemoryBound(to: Float.self)
    }
}
