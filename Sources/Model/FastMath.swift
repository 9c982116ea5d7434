import RealModule

/// tanh and the logistic function as the training loops call them, once per unit per example.
/// For `Float` they avoid library calls so that the loops over a layer vectorise; for `Double`
/// (gradient checks) they are the library's exact functions.
public protocol FastActivationMath {
    static func fastExp(_ x: Self) -> Self
    static func fastTanh(_ x: Self) -> Self
    static func fastSigmoid(_ x: Self) -> Self
}

extension Float: FastActivationMath {
    /// eˣ by Cephes' expf polynomial after an exact range reduction: within 2 ulp of expf on
    /// [−87, 88], saturating beyond (so it never overflows); NaN stays NaN.
    @inlinable @inline(__always)
    public static func fastExp(_ x: Float) -> Float {
        let x: Float = x < -87 ? -87 : (x > 88 ? 88 : x)
        // Adding 1.5·2²³ rounds x·log₂e to an integer n held in the low mantissa bits.
        let shifted = x * 1.442_695_04 + 12_582_912
        let n = shifted - 12_582_912
        let r = x - n * 0.693_359_375 + n * 2.121_944_40e-4  // x − n·ln 2, ln 2 split in two parts
        let p =
            (((((1.987_569_150_0e-4 * r + 1.398_199_950_7e-3) * r + 8.333_451_907_3e-3) * r
                + 4.166_579_589_4e-2) * r + 1.666_666_545_9e-1) * r + 5.000_000_120_1e-1) * r * r + r + 1
        let twoToN = Float(bitPattern: (shifted.bitPattern &- 0x4B40_0000 &+ 127) &<< 23)
        return p * twoToN
    }

    /// Cephes' tanhf: an odd polynomial below |x| = 0.625, 1 − 2/(e²ˣ + 1) above.
    @inlinable @inline(__always)
    public static func fastTanh(_ x: Float) -> Float {
        let a = x < 0 ? -x : x
        let z = x * x
        let small =
            ((((-5.704_988_727_45e-3 * z + 2.063_908_879_54e-2) * z - 5.373_971_555_31e-2) * z
                + 1.333_144_220_36e-1) * z - 3.333_328_194_22e-1) * z * x + x
        let large = 1 - 2 / (fastExp(2 * a) + 1)
        return a < 0.625 ? small : (x < 0 ? -large : large)
    }

    @inlinable @inline(__always)
    public static func fastSigmoid(_ x: Float) -> Float {
        1 / (1 + fastExp(-x))
    }
}

extension Double: FastActivationMath {
    @inlinable public static func fastExp(_ x: Double) -> Double { exp(x) }
    @inlinable public static func fastTanh(_ x: Double) -> Double { tanh(x) }
    @inlinable public static func fastSigmoid(_ x: Double) -> Double { Activation.sigmoid(x) }
}
