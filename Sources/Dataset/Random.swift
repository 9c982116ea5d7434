/// A portable, seeded pseudo-random generator (SplitMix64 seeding xoshiro256**): the same seed
/// gives the same numbers on every platform and Swift version, unlike `SystemRandomNumberGenerator`.
///
/// Each use gets its own named stream (`init`, `shuffle`, `split`, …) so that, say, changing the
/// network's width does not change the data order.
public struct SeededRandom: RandomNumberGenerator, Sendable {
    private var state: (UInt64, UInt64, UInt64, UInt64)

    /// A generator for `stream` under `seed`, optionally further keyed by an index (an epoch, a layer).
    public init(seed: UInt64, stream: String, index: UInt64 = 0) {
        // FNV-1a of the stream name keeps streams apart without a registry of numbers.
        var key: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in stream.utf8 { key = (key ^ UInt64(byte)) &* 0x100_0000_01b3 }
        var mixer = seed ^ key ^ (index &* 0x9e37_79b9_7f4a_7c15)
        func splitMix() -> UInt64 {
            mixer &+= 0x9e37_79b9_7f4a_7c15
            var z = mixer
            z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
            z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
            return z ^ (z >> 31)
        }
        state = (splitMix(), splitMix(), splitMix(), splitMix())
    }

    public mutating func next() -> UInt64 {
        let result = rotl(state.1 &* 5, 7) &* 9
        let t = state.1 << 17
        state.2 ^= state.0
        state.3 ^= state.1
        state.1 ^= state.2
        state.0 ^= state.3
        state.2 ^= t
        state.3 = rotl(state.3, 45)
        return result
    }

    private func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    /// A uniform integer in `0..<bound` without modulo bias (Lemire's method), portable by construction.
    public mutating func nextInt(below bound: Int) -> Int {
        precondition(bound > 0)
        let b = UInt64(bound)
        var m = next().multipliedFullWidth(by: b)
        if m.low < b {
            let threshold = (0 &- b) % b
            while m.low < threshold { m = next().multipliedFullWidth(by: b) }
        }
        return Int(m.high)
    }

    /// A uniform Double in [0, 1) from the top 53 bits.
    public mutating func nextUnit() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// Shuffles in place (Fisher–Yates) using only `nextInt(below:)`, so the order is portable.
    public mutating func shuffle<C: MutableCollection & RandomAccessCollection>(_ items: inout C) where C.Index == Int {
        guard items.count > 1 else { return }
        for i in stride(from: items.count - 1, to: 0, by: -1) {
            let j = nextInt(below: i + 1)
            items.swapAt(items.startIndex + i, items.startIndex + j)
        }
    }
}
