/// Forward and backward passes of one dense layer on raw buffers: the GEMMs go to BLAS, bias and
/// activation are fused into one pass over the output.
extension DenseLayout {
    /// pre = input · Wᵀ + b, post = f(pre), for `rows` examples and the output columns `units`.
    func forward<T: NetworkScalar>(
        input: UnsafePointer<T>, rows: Int, parameters: UnsafePointer<T>,
        pre: UnsafeMutablePointer<T>, post: UnsafeMutablePointer<T>, units: Range<Int>
    ) {
        guard !units.isEmpty else { return }
        product(input: input, rows: rows, parameters: parameters, into: pre, units: units)
        addBiasAndActivate(rows: rows, parameters: parameters, pre: pre, post: post, units: units)
    }

    /// pre = input · Wᵀ for the output columns `units`: the forward GEMM.
    func product<T: NetworkScalar>(
        input: UnsafePointer<T>, rows: Int, parameters: UnsafePointer<T>,
        into pre: UnsafeMutablePointer<T>, units: Range<Int>
    ) {
        T.gemm(
            transposeA: false, transposeB: true, m: rows, n: units.count, k: inputs,
            alpha: 1, a: input, lda: inputs, b: parameters + weight.lowerBound + units.lowerBound * inputs, ldb: inputs,
            beta: 0, c: pre + units.lowerBound, ldc: outputs)
    }

    /// pre += b, post = f(pre) over the columns `units`, in one pass.
    func addBiasAndActivate<T: NetworkScalar>(
        rows: Int, parameters: UnsafePointer<T>,
        pre: UnsafeMutablePointer<T>, post: UnsafeMutablePointer<T>, units: Range<Int>
    ) {
        let b = parameters + bias.lowerBound
        let width = outputs
        switch activation {
        case .relu:
            apply(rows: rows, units: units, pre: pre, post: post, bias: b) { $0 > 0 ? $0 : 0 }
        case .prelu:  // one learned slope per unit
            let s = parameters + slope.lowerBound
            for r in 0..<rows {
                let z = pre + r * width, a = post + r * width
                for j in units {
                    let v = z[j] + b[j]
                    z[j] = v
                    a[j] = v > 0 ? v : s[j] * v
                }
            }
        case .leakyRelu(let alpha):
            let alpha = T(alpha)
            apply(rows: rows, units: units, pre: pre, post: post, bias: b) { $0 > 0 ? $0 : alpha * $0 }
        case .tanh:
            apply(rows: rows, units: units, pre: pre, post: post, bias: b) { T.fastTanh($0) }
        case .sigmoid:
            apply(rows: rows, units: units, pre: pre, post: post, bias: b) { T.fastSigmoid($0) }
        case .swish(let beta):
            let beta = T(beta)
            apply(rows: rows, units: units, pre: pre, post: post, bias: b) { $0 * T.fastSigmoid(beta * $0) }
        default:
            let f = activation
            apply(rows: rows, units: units, pre: pre, post: post, bias: b) { f.value($0) }
        }
    }

    /// pre += bias, post = f(pre), row by row over `units`; inlined per activation so the loop vectorises.
    @inline(__always)
    private func apply<T: NetworkScalar>(
        rows: Int, units: Range<Int>, pre: UnsafeMutablePointer<T>, post: UnsafeMutablePointer<T>,
        bias: UnsafePointer<T>, _ f: (T) -> T
    ) {
        for r in 0..<rows {
            let z = pre + r * outputs, a = post + r * outputs
            for j in units {
                let v = z[j] + bias[j]
                z[j] = v
                a[j] = f(v)
            }
        }
    }

    /// Turns `delta` from ∂L/∂post into ∂L/∂pre in place over the columns `units` (`post` is this
    /// layer's output from the forward pass), writing PReLU's slope gradient for those units to `gradients`.
    func activationBackward<T: NetworkScalar>(
        rows: Int, pre: UnsafePointer<T>, post: UnsafePointer<T>, delta: UnsafeMutablePointer<T>,
        parameters: UnsafePointer<T>, gradients: UnsafeMutablePointer<T>, units: Range<Int>
    ) {
        switch activation {
        case .identity:
            return
        case .relu:
            // A multiply by a 0/1 mask, not a select: the compiler turns `z > 0 ? d : 0` into a branch
            // around a store (the sign of a pre-activation is a coin flip the predictor loses), but
            // vectorises this. Backward only runs on a finite loss, so d is finite and d·0 is 0.
            eachRow(rows, units, pre, post, delta) { z, _, d in d * (z > 0 ? 1 : 0) }
        case .prelu:
            let s = parameters + slope.lowerBound
            let ds = gradients + slope.lowerBound
            for j in units { ds[j] = 0 }
            for r in 0..<rows {
                let z = pre + r * outputs, d = delta + r * outputs
                for j in units where !(z[j] > 0) {
                    ds[j] += d[j] * z[j]
                    d[j] *= s[j]
                }
            }
        case .leakyRelu(let alpha):
            let alpha = T(alpha)
            eachRow(rows, units, pre, post, delta) { z, _, d in d * (z > 0 ? 1 : alpha) }
        // tanh and sigmoid have derivatives in terms of their outputs: no exponential needed.
        case .tanh:
            eachRow(rows, units, pre, post, delta) { _, a, d in d * (1 - a * a) }
        case .sigmoid:
            eachRow(rows, units, pre, post, delta) { _, a, d in d * (a * (1 - a)) }
        case .swish(let beta):
            let beta = T(beta)
            eachRow(rows, units, pre, post, delta) { z, _, d in
                let s = T.fastSigmoid(beta * z)
                return d * (s + beta * z * s * (1 - s))
            }
        default:
            let f = activation
            eachRow(rows, units, pre, post, delta) { z, _, d in d * f.derivative(z) }
        }
    }

    /// delta = g(pre, post, delta) over `rows` × `units`; inlined per activation so the loop vectorises.
    @inline(__always)
    private func eachRow<T: NetworkScalar>(
        _ rows: Int, _ units: Range<Int>, _ pre: UnsafePointer<T>, _ post: UnsafePointer<T>,
        _ delta: UnsafeMutablePointer<T>, _ g: (T, T, T) -> T
    ) {
        for r in 0..<rows {
            let z = pre + r * outputs, a = post + r * outputs, d = delta + r * outputs
            for j in units { d[j] = g(z[j], a[j], d[j]) }
        }
    }

    /// ∂L/∂input for the input columns `columns` (the units of the layer below), from ∂L/∂pre (`delta`).
    func inputGradient<T: NetworkScalar>(
        rows: Int, delta: UnsafePointer<T>, parameters: UnsafePointer<T>,
        into inputGradient: UnsafeMutablePointer<T>, columns: Range<Int>
    ) {
        guard !columns.isEmpty else { return }
        T.gemm(
            transposeA: false, transposeB: false, m: rows, n: columns.count, k: outputs,
            alpha: 1, a: delta, lda: outputs, b: parameters + weight.lowerBound + columns.lowerBound, ldb: inputs,
            beta: 0, c: inputGradient + columns.lowerBound, ldc: inputs)
    }

    /// ∂L/∂b for the units `units` into `gradients`: the column sums of ∂L/∂pre (`delta`).
    func biasGradients<T: NetworkScalar>(
        rows: Int, delta: UnsafePointer<T>, gradients: UnsafeMutablePointer<T>, units: Range<Int>
    ) {
        let db = gradients + bias.lowerBound
        for j in units { db[j] = 0 }
        for r in 0..<rows {
            let d = delta + r * outputs
            for j in units { db[j] += d[j] }
        }
    }

    /// The rows `units` of ∂L/∂W = deltaᵀ · input, into `weights`: the weight-gradient GEMM.
    func weightGradient<T: NetworkScalar>(
        input: UnsafePointer<T>, rows: Int, delta: UnsafePointer<T>,
        weights: GradientDestination<T>, units: Range<Int>
    ) {
        T.gemm(
            transposeA: true, transposeB: false, m: units.count, n: inputs, k: rows,
            alpha: weights.scale, a: delta + units.lowerBound, lda: outputs, b: input, ldb: inputs,
            beta: weights.keep, c: weights.buffer + weight.lowerBound + units.lowerBound * inputs, ldc: inputs)
    }
}

/// A layer's three GEMMs in the step's precision: fp32 on the operands given, or, with `bf16`, on its
/// bf16 copies of layer `l`'s operands; the products land in the same fp32 buffers either way. The
/// forward pass, the backward pass and the step benchmark all multiply through these.
extension DenseLayout {
    /// pre[rows, units] = input[rows] · Wᵀ[units]; `input` and `pre` hold the whole batch.
    func product<T: NetworkScalar>(
        _ l: Int, input: UnsafePointer<T>, rows: Range<Int>, parameters: UnsafePointer<T>,
        into pre: UnsafeMutablePointer<T>, units: Range<Int>, bf16: BF16Operands?, member: Int
    ) {
        guard !units.isEmpty else { return }
        if let bf16 {
            bf16.product(l, rows: rows, units: units, into: pre, member: member)
        } else {
            product(
                input: input + rows.lowerBound * inputs, rows: rows.count, parameters: parameters,
                into: pre + rows.lowerBound * outputs, units: units)
        }
    }

    /// The columns `columns` of ∂L/∂post of the layer below, from this layer's ∂L/∂pre (`delta`).
    func inputGradient<T: NetworkScalar>(
        _ l: Int, rows: Int, delta: UnsafePointer<T>, parameters: UnsafePointer<T>,
        into below: UnsafeMutablePointer<T>, columns: Range<Int>, bf16: BF16Operands?, member: Int
    ) {
        if let bf16 {
            bf16.inputGradient(l, rows: rows, columns: columns, into: below, member: member)
        } else {
            inputGradient(rows: rows, delta: delta, parameters: parameters, into: below, columns: columns)
        }
    }

    /// The rows `units` of ∂L/∂W into `weights`. Call it only once every read of these weight rows
    /// (the input gradient) is done, since `weights` may be the weights themselves.
    func weightGradient<T: NetworkScalar>(
        _ l: Int, input: UnsafePointer<T>, rows: Int, delta: UnsafePointer<T>, weights: GradientDestination<T>,
        units: Range<Int>, bf16: BF16Operands?, member: Int
    ) {
        guard !units.isEmpty else { return }
        if let bf16 {
            bf16.weightGradient(l, rows: rows, units: units, into: weights, member: member)
        } else {
            weightGradient(input: input, rows: rows, delta: delta, weights: weights, units: units)
        }
    }
}

/// Where the backward pass puts each layer's weight gradient: `buffer ← scale · ∂L/∂W + keep · buffer`
/// over the weight ranges of a buffer laid out like `MLP.parameters`. Plainly that is the gradient
/// buffer (scale 1, keep 0); the optimiser can instead fold the gradient into its velocity or the
/// weights inside the GEMM, saving passes over the largest arrays.
struct GradientDestination<T: NetworkScalar> {
    let buffer: UnsafeMutablePointer<T>
    let scale: T
    let keep: T
}
