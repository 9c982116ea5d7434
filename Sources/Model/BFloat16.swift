/// bfloat16: the top 16 bits of an fp32 (same exponent range, 8 bits of mantissa), held as its bits.
/// Rounding to it and back is all the arithmetic Swift does on it; the products are oneDNN's.
public enum BFloat16 {
    /// fp32 → bf16, to nearest with ties to even, as the CPUs' own conversion (VCVTNEPS2BF16) does.
    /// A NaN may come out as an infinity: either is caught by the step's check of the loss.
    @inline(__always)
    public static func bits(_ x: Float) -> UInt16 {
        let u = x.bitPattern
        return UInt16(truncatingIfNeeded: (u &+ 0x7FFF &+ ((u >> 16) & 1)) >> 16)
    }

    /// The fp32 a bf16 stands for (exact).
    @inline(__always)
    public static func value(_ bits: UInt16) -> Float { Float(bitPattern: UInt32(bits) << 16) }

    /// Rounds the block `rows` × `columns` of a row-major fp32 matrix `stride` wide into the same
    /// place of a bf16 matrix of the same layout.
    static func round(
        _ source: UnsafePointer<Float>, into destination: UnsafeMutablePointer<UInt16>,
        rows: Range<Int>, columns: Range<Int>, stride: Int
    ) {
        guard !columns.isEmpty else { return }
        for r in rows {
            let from = source + r * stride, to = destination + r * stride
            for j in columns { to[j] = bits(from[j]) }
        }
    }
}
