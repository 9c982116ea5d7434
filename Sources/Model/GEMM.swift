#if canImport(Accelerate)
    import Accelerate
#else
    import CBLAS
    import CDNNL
#endif
import RealModule

/// The scalars a network can compute in: `Float` for training, `Double` for gradient checks.
/// This file is the only one that touches a GEMM library, so another backend is a change in one place.
public protocol NetworkScalar: Real, BinaryFloatingPoint, FastActivationMath, Sendable {
    /// C = alpha · op(A) · op(B) + beta · C on row-major matrices; op transposes through the flag, never
    /// by copying. Runs on the calling thread only: `WorkerTeam` decides what runs in parallel.
    static func gemm(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
        alpha: Self, a: UnsafePointer<Self>, lda: Int,
        b: UnsafePointer<Self>, ldb: Int,
        beta: Self, c: UnsafeMutablePointer<Self>, ldc: Int)
}

/// The library that multiplies `Float` matrices.
///
/// oneDNN is the default on Linux because it generates its kernels at run time from the instruction
/// sets the CPU reports (SSE4.1 … AVX-512), so a CPU newer than the library still gets its widest
/// vectors; Debian's OpenBLAS 0.3.21 picks kernels from a table of CPU models and falls back to SSE3
/// on models it does not know. OpenBLAS stays available to compare against and for `Double`.
public enum GEMMLibrary: String, CaseIterable, Sendable {
    case oneDNN = "onednn"
    case openBLAS = "openblas"
    case accelerate

    /// The libraries this build can call.
    public static var available: [GEMMLibrary] {
        #if canImport(Accelerate)
            return [.accelerate]
        #else
            return [.oneDNN, .openBLAS]
        #endif
    }

    public static var platformDefault: GEMMLibrary { available[0] }

    /// The library every `Float` GEMM goes to. Set it once, before training starts.
    nonisolated(unsafe) public static var current: GEMMLibrary = platformDefault {
        didSet { precondition(available.contains(current), "\(current) is not available in this build") }
    }

    /// What runs the GEMMs, for the model line and reports: "oneDNN 2.6.3 (avx512_core_bf16)",
    /// "OpenBLAS 0.3.21 (Haswell kernel)", "Accelerate".
    public var description: String {
        #if canImport(Accelerate)
            return "Accelerate"
        #else
            switch self {
            case .oneDNN:
                let v = dnnl_version().pointee
                return
                    "oneDNN \(v.major).\(v.minor).\(v.patch) (\(String(cString: dnnl_cpu_isa2str(dnnl_get_effective_cpu_isa()))))"
            case .openBLAS:
                let config = String(cString: openblas_get_config()).split(separator: " ").prefix(2).joined(
                    separator: " ")
                return "\(config) (\(String(cString: openblas_get_corename())) kernel)"
            case .accelerate:
                return "Accelerate"
            }
        #endif
    }
}

extension Float: NetworkScalar {
    @inline(__always)
    public static func gemm(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
        alpha: Float, a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int,
        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        GEMMLibrary.current.sgemm(
            transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda,
            b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
    }
}

extension GEMMLibrary {
    /// C = alpha · op(A) · op(B) + beta · C on row-major `Float` matrices through this library, on
    /// the calling thread only. With beta = 0, C is only written (whatever it held, NaN included).
    @inline(__always)
    public func sgemm(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
        alpha: Float, a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int,
        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        #if canImport(Accelerate)
            cblas_sgemm(
                CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
                Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
        #else
            if self == .oneDNN {
                // oneDNN's OpenMP team size belongs to the calling thread; one thread, since we split the work ourselves.
                omp_set_num_threads(1)
                let status = dnnl_sgemm(
                    transposeA ? 84 : 78, transposeB ? 84 : 78, Int64(m), Int64(n), Int64(k),
                    alpha, a, Int64(lda), b, Int64(ldb), beta, c, Int64(ldc))  // 84 = "T", 78 = "N"
                precondition(status == dnnl_success, "dnnl_sgemm rejected its arguments (status \(status.rawValue))")
            } else {
                OpenBLAS.singleThreaded
                cblas_sgemm(
                    CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
                    blasint(m), blasint(n), blasint(k), alpha, a, blasint(lda), b, blasint(ldb), beta, c, blasint(ldc))
            }
        #endif
    }
}

extension Double: NetworkScalar {
    @inline(__always)
    public static func gemm(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
        alpha: Double, a: UnsafePointer<Double>, lda: Int,
        b: UnsafePointer<Double>, ldb: Int,
        beta: Double, c: UnsafeMutablePointer<Double>, ldc: Int
    ) {
        #if canImport(Accelerate)
            cblas_dgemm(
                CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
                Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
        #else
            OpenBLAS.singleThreaded
            cblas_dgemm(
                CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
                blasint(m), blasint(n), blasint(k), alpha, a, blasint(lda), b, blasint(ldb), beta, c, blasint(ldc))
        #endif
    }
}

#if !canImport(Accelerate)
    private enum OpenBLAS {
        /// OpenBLAS's thread count is process-wide: with several of our threads calling it at once, its own
        /// threads would only queue behind each other.
        static let singleThreaded: Void = openblas_set_num_threads(1)
    }
#endif
