#if canImport(Accelerate)
import Accelerate
#else
import CBLAS
#endif
import RealModule

/// The scalars a network can compute in: `Float` for training, `Double` for gradient checks.
/// This file is the only one that touches BLAS, so another backend is a change in one place.
public protocol NetworkScalar: Real, BinaryFloatingPoint, FastActivationMath, Sendable {
    /// C = alpha · op(A) · op(B) + beta · C on row-major matrices; op transposes through the flag, never by copying.
    static func gemm(transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
                     alpha: Self, a: UnsafePointer<Self>, lda: Int,
                     b: UnsafePointer<Self>, ldb: Int,
                     beta: Self, c: UnsafeMutablePointer<Self>, ldc: Int)
}

extension Float: NetworkScalar {
    @inline(__always)
    public static func gemm(transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
                            alpha: Float, a: UnsafePointer<Float>, lda: Int,
                            b: UnsafePointer<Float>, ldb: Int,
                            beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
        cblas_sgemm(CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
                    blasInt(m), blasInt(n), blasInt(k), alpha, a, blasInt(lda), b, blasInt(ldb), beta, c, blasInt(ldc))
    }
}

extension Double: NetworkScalar {
    @inline(__always)
    public static func gemm(transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
                            alpha: Double, a: UnsafePointer<Double>, lda: Int,
                            b: UnsafePointer<Double>, ldb: Int,
                            beta: Double, c: UnsafeMutablePointer<Double>, ldc: Int) {
        cblas_dgemm(CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
                    blasInt(m), blasInt(n), blasInt(k), alpha, a, blasInt(lda), b, blasInt(ldb), beta, c, blasInt(ldc))
    }
}

#if canImport(Accelerate)
@inline(__always) private func blasInt(_ x: Int) -> Int32 { Int32(x) }
#else
@inline(__always) private func blasInt(_ x: Int) -> blasint { blasint(x) }
#endif

/// The BLAS library in use and its threads.
public enum BLAS {
    /// Sets how many threads GEMM may use (OpenBLAS; Accelerate decides for itself).
    public static func setThreads(_ count: Int) {
        #if !canImport(Accelerate)
        openblas_set_num_threads(Int32(count))
        #endif
    }

    /// A short description such as "OpenBLAS 0.3.21 (Haswell kernel, 2 threads)".
    public static var description: String {
        #if canImport(Accelerate)
        return "Accelerate"
        #else
        let config = String(cString: openblas_get_config()).split(separator: " ").prefix(2).joined(separator: " ")
        let core = String(cString: openblas_get_corename())
        return "\(config) (\(core) kernel, \(openblas_get_num_threads()) threads)"
        #endif
    }
}
