import Report
import Testing

@Suite struct StatisticsTests {
    @Test func meanAndSampleStandardDeviation() {
        #expect(Statistics.mean([1, 2, 3, 4]) == 2.5)
        #expect(Statistics.mean([]).isNaN && Statistics.meanOrNil([]) == nil)
        // Sample (n − 1) standard deviation of 2, 4, 4, 4, 5, 5, 7, 9 is √(32/7).
        #expect(abs(Statistics.standardDeviation([2, 4, 4, 4, 5, 5, 7, 9]) - (32.0 / 7).squareRoot()) < 1e-12)
        #expect(Statistics.standardDeviation([3]) == 0)
    }

    @Test func pairedTAgainstHandComputedValues() throws {
        // Differences 1…5: mean 3, sd √2.5, t = 3 / (√2.5 / √5) = 3√2.
        let t = try #require(Statistics.pairedT([1, 2, 3, 4, 5]))
        #expect(abs(t.t - 3 * 2.0.squareRoot()) < 1e-12 && t.degreesOfFreedom == 4)
        // 0.5, −0.2, 0.3: mean 0.2, sd √0.13, t = 0.2 / (√0.13 / √3).
        let small = try #require(Statistics.pairedT([0.5, -0.2, 0.3]))
        #expect(abs(small.t - 0.2 / (0.13.squareRoot() / 3.0.squareRoot())) < 1e-12 && small.degreesOfFreedom == 2)
        #expect(Statistics.pairedT([0.4]) == nil)
        #expect(Statistics.pairedT([0.2, 0.2, 0.2])?.t == .infinity)
        #expect(Statistics.pairedT([-0.1, -0.1])?.t == -.infinity)
        #expect(Statistics.pairedT([0, 0, 0])?.t == 0)
    }

    /// Two-sided 5% critical values of Student's t as published (e.g. NIST/SEMATECH e-Handbook,
    /// table 1.3.6.7.2, upper 0.025 point).
    @Test(arguments: [
        (1, 12.706), (2, 4.303), (3, 3.182), (4, 2.776), (5, 2.571), (9, 2.262), (10, 2.228),
        (15, 2.131), (20, 2.086), (21, 2.080), (25, 2.060), (29, 2.045), (30, 2.042),
        (40, 2.021), (60, 2.000), (100, 1.984)
    ])
    func criticalTMatchesThePublishedTable(_ df: Int, _ published: Double) {
        #expect(abs(Statistics.criticalT(degreesOfFreedom: df) - published) < 0.0005)
    }

    @Test func criticalTBetweenTabledValuesIsConservative() {
        // The true value at 45 df is 2.014: the table's 40-df value is at least that.
        #expect(Statistics.criticalT(degreesOfFreedom: 45) == 2.021)
        #expect(Statistics.criticalT(degreesOfFreedom: 1000) == 1.980)
        for df in 1..<200 {
            #expect(Statistics.criticalT(degreesOfFreedom: df) >= Statistics.criticalT(degreesOfFreedom: df + 1))
        }
    }
}
