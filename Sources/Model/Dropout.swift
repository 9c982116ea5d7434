/// Inverted dropout of hidden units during training (Srivastava et al. 2014): each hidden unit's
/// output is zeroed with probability `rate` for each example of a step, and the kept ones are scaled
/// by 1/(1 − rate), so evaluation uses the network as it is. It regularises a network that would
/// otherwise memorise its training images.
///
/// Which units drop is a pure function of (seed, epoch, batch, layer, example row, unit), computed
/// in blocks of 16 units, so the masks are the same whatever the thread split, and a resumed run
/// drops the same units as one that never stopped.
public struct Dropout: Sendable, Equatable {
    public let rate: Double
    /// Identifies the step: seed, epoch and batch mixed.
    let step: UInt64

    public init(rate: Double, seed: UInt64, epoch: Int, batch: Int) {
        precondition(rate >= 0 && rate < 1)
        self.rate = rate
        var key = seed &* 0x9e37_79b9_7f4a_7c15
        key = Self.mix(key ^ UInt64(truncatingIfNeeded: epoch))
        step = Self.mix(key ^ UInt64(truncatingIfNeeded: batch) << 32)
    }

    /// 1/(1 − rate) for a kept unit, 0 for a dropped one, for `units` of `row` of hidden layer `layer`
    /// (`width` units wide), written to `mask + row·width + unit`.
    func fillMask<T: NetworkScalar>(
        _ mask: UnsafeMutablePointer<T>, layer: Int, row: Int, width: Int, units: Range<Int>
    ) {
        let keep = T(1 / (1 - rate))
        // A unit is kept when its 16-bit draw is at or above rate · 65536.
        let threshold = UInt64((rate * 65536).rounded())
        let out = mask + row * width
        var unit = units.lowerBound
        while unit < units.upperBound {
            let block = unit / 16
            var state = Self.mix(step ^ UInt64(layer) << 56 ^ UInt64(row) << 24 ^ UInt64(block))
            var bits: UInt64 = 0
            for u in block * 16..<min(block * 16 + 16, units.upperBound) {
                if (u - block * 16) % 4 == 0 {
                    state &+= 0x9e37_79b9_7f4a_7c15
                    bits = Self.mix(state)
                }
                let draw = bits & 0xFFFF
                bits >>= 16
                if u >= unit { out[u] = draw >= threshold ? keep : 0 }
            }
            unit = min(block * 16 + 16, units.upperBound)
        }
    }

    /// SplitMix64's finaliser: a good 64-bit mix of the counter it is given.
    static func mix(_ x: UInt64) -> UInt64 {
        var z = x
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
}
