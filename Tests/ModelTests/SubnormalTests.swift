import Testing

@testable import Model

/// Every thread that computes flushes subnormals: a product that would be subnormal comes out 0,
/// measured inside the team on each member's own thread (not a flag read back from a constant).
@Suite struct SubnormalTests {
    /// 1e-20 × 1e-20 = 1e-40, a subnormal Float: 0 where the thread flushes.
    static func tinyProduct() -> Float { Subnormals.product(1e-20, 1e-20) }

    @Test func everyMemberOfATeamAndItsCallerFlush() {
        for size in [1, 2, 3] {
            let team = WorkerTeam(size: size)
            var products = [Float](repeating: -1, count: size)
            var flags = [Bool](repeating: false, count: size)
            products.withUnsafeMutableBufferPointer { out in
                flags.withUnsafeMutableBufferPointer { flagged in
                    team.run { member in
                        out[member] = Self.tinyProduct()
                        flagged[member] = Subnormals.flushedInThisThread
                    }
                }
            }
            #if arch(x86_64) || arch(arm64)
                #expect(products.allSatisfy { $0.bitPattern == 0 }, "team of \(size): \(products)")
                #expect(flags.allSatisfy { $0 }, "team of \(size): \(flags)")
            #else
                #expect(products.allSatisfy { $0 >= 0 })
            #endif
        }
    }

    /// The contrast that shows the check above can fail: the same product on a thread that keeps
    /// subnormals is one (1e-40), and becomes 0 once the thread flushes.
    @Test func theProductIsSubnormalWhereTheThreadKeepsThem() {
        Subnormals.keepInThisThread()
        let kept = Self.tinyProduct()
        let keptFlag = Subnormals.flushedInThisThread
        Subnormals.flushInThisThread()
        let flushed = Self.tinyProduct()
        #if arch(x86_64) || arch(arm64)
            #expect(!keptFlag)
            // Read by its bits: with DAZ set again, `kept > 0` would read the subnormal as 0.
            #expect(kept.isSubnormal, "\(kept)")
            #expect(flushed.bitPattern == 0 && Subnormals.flushedInThisThread, "\(flushed)")
        #endif
    }
}
