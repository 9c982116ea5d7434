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
            for r in 0..<rows {
                let z = pre + r * width, a = post + r * width
                for j in 0..<width {
                    let v = z[j] + b[j]
                    z[j] = v
                    a[j] = v > 0 ? v : 0
                }
            }
        case .prelu:
            let s = parameters + slope.lowerBound
            for r in 0..<rows {
                let z = pre + r * width, a = post + r * width
                for j in 0..<width {
                    let v = z[j] + b[j]
                    z[j] = v
                    a[j] = v > 0 ? v : s[j] * v
                }
            }
        default:
            let f = activation
            for r in 0..<rows {
                let z = pre + r * width, a = post + r * width
                for j in 0..<width {
                    let v = z[j] + b[j]
                    z[j] = v
                    a[j] = f.value(v)
                }
            }
        }
    }

    /// Turns `delta` from ∂L/∂post into ∂L/∂pre in place, adding PReLU's slope gradient to `gradients`.
    func activationBackward<T: NetworkScalar>(rows: Int, pre: UnsafePointer<T>, delta: UnsafeMutablePointer<T>,
                                              parameters: UnsafePointer<T>, gradients: UnsafeMutablePointer<T>) {
        let width = outputs
        let count = rows * width
        switch activation {
        case .identity:
            return
        case .relu:
            for i in 0..<count where !(pre[i] > 0) { delta[i] = 0 }
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
        default:
            let f = activation
            for i in 0..<count { delta[i] *= f.derivative(pre[i]) }
        }
    }

    /// From ∂L/∂pre (`delta`): ∂L/∂W and ∂L/∂b into `gradients`, and ∂L/∂input into `inputGradient` if asked.
    func parameterBackward<T: NetworkScalar>(input: UnsafePointer<T>, rows: Int, delta: UnsafePointer<T>,
                                             parameters: UnsafePointer<T>, gradients: UnsafeMutablePointer<T>,
                                             inputGradient: UnsafeMutablePointer<T>?) {
        T.gemm(transposeA: true, transposeB: false, m: outputs, n: inputs, k: rows,
               alpha: 1, a: delta, lda: outputs, b: input, ldb: inputs,
               beta: 0, c: gradients + weight.lowerBound, ldc: inputs)
        let db = gradients + bias.lowerBound
        for j in 0..<outputs { db[j] = 0 }
        for r in 0..<rows {
            let d = delta + r * outputs
            for j in 0..<outputs { db[j] += d[j] }
        }
        if let inputGradient {
            T.gemm(transposeA: false, transposeB: false, m: rows, n: inputs, k: outputs,
                   alpha: 1, a: delta, lda: outputs, b: parameters + weight.lowerBound, ldb: inputs,
                   beta: 0, c: inputGradient, ldc: inputs)
        }
    }
}
