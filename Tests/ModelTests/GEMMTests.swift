import Model
import Testing

/// Every GEMM library the trainer can call, against a plain triple loop in Double, on the shapes and
/// transposes a training step uses, including the column slices the worker team hands out.
@Suite struct GEMMTests {
    struct Case: CustomStringConvertible, Sendable {
        let transposeA: Bool, transposeB: Bool
        let m: Int, n: Int, k: Int
        /// Leading dimension of C beyond n: a slice of a wider matrix, as a team member writes.
        let extraColumns: Int
        let alpha: Float, beta: Float
        var description: String {
            "\(transposeA ? "T" : "N")\(transposeB ? "T" : "N") \(m)x\(n)x\(k) +\(extraColumns) α\(alpha) β\(beta)"
        }
    }

    /// The step of 784-256-128-10 at batch 64 (forward, input gradient, weight gradient with the
    /// fused update's beta), halves of it, and small odd shapes.
    static let cases: [Case] = [
        Case(transposeA: false, transposeB: true, m: 64, n: 256, k: 784, extraColumns: 0, alpha: 1, beta: 0),
        Case(transposeA: false, transposeB: true, m: 64, n: 128, k: 784, extraColumns: 128, alpha: 1, beta: 0),
        Case(transposeA: false, transposeB: true, m: 64, n: 10, k: 128, extraColumns: 0, alpha: 1, beta: 0),
        Case(transposeA: false, transposeB: false, m: 64, n: 64, k: 128, extraColumns: 64, alpha: 1, beta: 0),
        Case(transposeA: false, transposeB: false, m: 64, n: 128, k: 10, extraColumns: 0, alpha: 1, beta: 0),
        Case(transposeA: true, transposeB: false, m: 128, n: 784, k: 64, extraColumns: 0, alpha: -0.05, beta: 1),
        Case(transposeA: true, transposeB: false, m: 10, n: 128, k: 64, extraColumns: 0, alpha: 1, beta: 0.9),
        Case(transposeA: true, transposeB: true, m: 7, n: 5, k: 3, extraColumns: 2, alpha: 0.5, beta: 1),
        Case(transposeA: false, transposeB: false, m: 1, n: 1, k: 1, extraColumns: 0, alpha: 2, beta: 0),
        Case(transposeA: true, transposeB: true, m: 33, n: 17, k: 65, extraColumns: 3, alpha: 1, beta: 0)
    ]

    static var libraries: [GEMMLibrary] { GEMMLibrary.available }

    @Test(arguments: libraries, cases)
    func matchesThePlainLoop(_ library: GEMMLibrary, _ c: Case) {
        // op(A) is m×k, op(B) is k×n; stored row-major with the transposed shapes where asked.
        let (aRows, aCols) = c.transposeA ? (c.k, c.m) : (c.m, c.k)
        let (bRows, bCols) = c.transposeB ? (c.n, c.k) : (c.k, c.n)
        let ldc = c.n + c.extraColumns
        let a = (0..<aRows * aCols).map { Float(($0 * 37) % 19) / 9 - 1 }
        let b = (0..<bRows * bCols).map { Float(($0 * 53) % 23) / 11 - 1 }
        let initial = (0..<c.m * ldc).map { Float(($0 * 29) % 13) / 6 - 1 }
        // beta = 0 must ignore what C held, even NaN; the columns beyond n must stay untouched.
        var result = initial.enumerated().map { i, v in c.beta == 0 && i % ldc < c.n ? Float.nan : v }
        a.withUnsafeBufferPointer { ap in
            b.withUnsafeBufferPointer { bp in
                result.withUnsafeMutableBufferPointer { cp in
                    library.sgemm(
                        transposeA: c.transposeA, transposeB: c.transposeB, m: c.m, n: c.n, k: c.k, alpha: c.alpha,
                        a: ap.baseAddress!, lda: aCols, b: bp.baseAddress!, ldb: bCols, beta: c.beta,
                        c: cp.baseAddress!, ldc: ldc)
                }
            }
        }
        var worst = 0.0
        for i in 0..<c.m {
            for j in 0..<ldc {
                let got = Double(result[i * ldc + j])
                guard j < c.n else {
                    #expect(got == Double(initial[i * ldc + j]), "\(library) \(c): column \(j) beyond n was written")
                    continue
                }
                var sum = 0.0
                for p in 0..<c.k {
                    let x = Double(c.transposeA ? a[p * aCols + i] : a[i * aCols + p])
                    let y = Double(c.transposeB ? b[j * bCols + p] : b[p * bCols + j])
                    sum += x * y
                }
                let expected = Double(c.alpha) * sum + (c.beta == 0 ? 0 : Double(c.beta) * Double(initial[i * ldc + j]))
                worst = max(worst, abs(got - expected) / max(1, abs(expected)))
            }
        }
        // Float sums of up to 784 terms of size ~1: a few ulp of the running sum.
        #expect(worst < 1e-5, "\(library) \(c): worst relative error \(worst)")
    }

    @Test func describesItself() {
        for library in GEMMLibrary.available {
            #expect(!library.description.isEmpty)
        }
        #if os(Linux)
            #expect(GEMMLibrary.platformDefault == .oneDNN)
            #expect(GEMMLibrary.oneDNN.description.hasPrefix("oneDNN "))
            #expect(GEMMLibrary.openBLAS.description.contains("kernel"))
        #endif
    }
}
