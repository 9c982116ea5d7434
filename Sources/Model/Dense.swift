/// Forward and backward passes of one dense layer on raw buffers: the GEMMs go to BLAS, bias and
/// activation are fused into one pass over the output.
extension DenseLayout {
    /// pre = input · Wᵀ + b, post = f(pre), for `rows` examples.
    func forward<T: NetworkScalar>(input: UnsafePointer<T>, rows: Int, parameters: UnsafePointer<T>,
                                   pre: UnsafeMutablePointer<T>, post: UnsafeMutablePointer<T>) {
        T.gemm(transposeA: false, transposeB: true, m: rows, n: outputs, k: inputs,
               alpha: 1, a: input, lda: inputs, b: parameters + weight.lowerBound, ldb: inputs,
               beta: 0, c: pre, ldc: outputs)
        let b = parameters + bias.lowerBound
        let width = outputs
        switch activation {
        case .relu:
            apply(rows: rows, pre: pre, post: post, bias: b) { $0 > 0 ? $0 : 0 }
        case .prelu:  // one learned slope per unit
            let s = parameters + slope.lowerBound
            for r in 0..<rows {
                let z = pre + r * width, a = post + r * width
                for j in 0..<width {
                    let v = z[j] + b[j]
                    z[j] = v
                    a[j] = v > 0 ? v : s[j] * v
                }
            }
        case .leakyRelu(let alpha):
            let alpha = T(alpha)
            apply(rows: rows, pre: pre, post: post, bias: b) { $0 > 0 ? $0 : alpha * $0 }
        case .tanh:
            apply(rows: rows, pre: pre, post: post, bias: b) { T.fastTanh($0) }
        case .sigmoid:
            apply(rows: rows, pre: pre, post: post, bias: b) { T.fastSigmoid($0) }
        case .swish(let beta):
            let beta = T(beta)
            apply(rows: rows, pre: pre, post: post, bias: b) { $0 * T.fastSigmoid(beta * $0) }
        default:
            let f = activation
            apply(rows: rows, pre: pre, post: post, bias: b) { f.value($0) }
        }
    }

    /// pre += bias, post = f(pre), row by row; inlined per activation so the loop vectorises.
    @inline(__always)
    private func apply<T: NetworkScalar>(rows: Int, pre: UnsafeMutablePointer<T>, post: UnsafeMutablePointer<T>,
                                         bias: UnsafePointer<T>, _ f: (T) -> T) {
        for r in 0..<rows {
            let z = pre + r * outputs, a = post + r * outputs
            for j in 0..<outputs {
                let v = z[j] + bias[j]
                z[j] = v
                a[j] = f(v)
            }
        }
    }

    /// Turns `delta` from ∂L/∂post into ∂L/∂pre in place (`post` is this layer's output from the forward pass), adding PReLU's slope gradient to `gradients`.
    func activationBackward<T: NetworkScalar>(rows: Int, pre: UnsafePointer<T>, post: UnsafePointer<T>, delta: UnsafeMutablePointer<T>,
                                              parameters: UnsafePointer<T>, gradients: UnsafeMutablePointer<T>) {
        let width = outputs
        let count = rows * width
        switch activation {
        case .identity:
            return
        case .relu:
            // A select, not a branch: the sign of a pre-activation is a coin flip the predictor loses.
            for i in 0..<count { delta[i] = pre[i] > 0 ? delta[i] : 0 }
        case .prelu:
            let s = parameters + slope.lowerBound
            let ds = gradients + slope.lowerBound
            for j in 0..<width { ds[j] = 0 }
            for r in 0..<rows {
                let z = pre + r * width, d = delta + r * width
                for j in 0..<width where !(z[j] > 0) {
                    ds[j] += d[j] * z[j]
                    d[j] *= s[j]
                }
            }
        case .leakyRelu(let alpha):
            let alpha = T(alpha)
            for i in 0..<count { delta[i] *= pre[i] > 0 ? 1 : alpha }
        // tanh and sigmoid have derivatives in terms of their outputs: no exponential needed.
        case .tanh:
            for i in 0..<count { delta[i] *= 1 - post[i] * post[i] }
        case .sigmoid:
            for i in 0..<count { delta[i] *= post[i] * (1 - post[i]) }
        case .swish(let beta):
            let beta = T(beta)
            for i in 0..<count {
                let s = T.fastSigmoid(beta * pre[i])
                delta[i] *= s + beta * pre[i] * s * (1 - s)
            }
        default:
            let f = activation
            for i in 0..<count { delta[i] *= f.derivative(pre[i]) }
        }
    }

    /// From ∂L/∂pre (`delta`): ∂L/∂input into `inputGradient` if asked, ∂L/∂b into `gradients`, and
    /// ∂L/∂W into `weights` (after the input gradient, so that `weights` may be the weights themselves).
    func parameterBackward<T: NetworkScalar>(input: UnsafePointer<T>, rows: Int, delta: UnsafePointer<T>,
                                             parameters: UnsafePointer<T>, gradients: UnsafeMutablePointer<T>,
                                             weights: GradientDestination<T>, inputGradient: UnsafeMutablePointer<T>?) {
        if let inputGradient {
            T.gemm(transposeA: false, transposeB: false, m: rows, n: inputs, k: outputs,
                   alpha: 1, a: delta, lda: outputs, b: parameters + weight.lowerBound, ldb: inputs,
                   beta: 0, c: inputGradient, ldc: inputs)
        }
        let db = gradients + bias.lowerBound
        for j in 0..<outputs { db[j] = 0 }
        for r in 0..<rows {
            let d = delta + r * outputs
            for j in 0..<outputs { db[j] += d[j] }
        }
        T.gemm(transposeA: true, transposeB: false, m: outputs, n: inputs, k: rows,
               alpha: weights.scale, a: delta, lda: outputs, b: input, ldb: inputs,
               beta: weights.keep, c: weights.buffer + weight.lowerBound, ldc: inputs)
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
