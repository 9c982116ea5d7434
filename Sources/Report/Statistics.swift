import Foundation

/// The few statistics a seed comparison needs.
public enum Statistics {
    public static func mean(_ x: [Double]) -> Double { x.isEmpty ? .nan : x.reduce(0, +) / Double(x.count) }
    public static func meanOrNil(_ x: [Double]) -> Double? { x.isEmpty ? nil : mean(x) }

    /// The middle value (the mean of the two middle ones for an even count); nan for none.
    public static func median(_ x: [Double]) -> Double {
        guard !x.isEmpty else { return .nan }
        let sorted = x.sorted(), middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }

    /// Sample standard deviation (n − 1); 0 for fewer than two values.
    public static func standardDeviation(_ x: [Double]) -> Double {
        guard x.count > 1 else { return 0 }
        let m = mean(x)
        return (x.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(x.count - 1)).squareRoot()
    }

    /// Student's t for the mean of paired differences, with its degrees of freedom; nil with
    /// fewer than two pairs. Infinite when every difference is the same non-zero number.
    public static func pairedT(_ differences: [Double]) -> (t: Double, degreesOfFreedom: Int)? {
        guard differences.count > 1 else { return nil }
        let m = mean(differences)
        // Equal differences leave only the rounding of their mean as spread: that is no spread.
        let sd = differences.allSatisfy { $0 == differences[0] } ? 0 : standardDeviation(differences)
        let t =
            sd == 0
            ? (m == 0 ? 0 : m.sign == .minus ? -Double.infinity : .infinity)
            : m / (sd / Double(differences.count).squareRoot())
        return (t, differences.count - 1)
    }

    /// Two-sided 5% critical value of Student's t, from the published table (to three decimals);
    /// between tabled degrees of freedom, the value of the next smaller one, which is conservative.
    public static func criticalT(degreesOfFreedom df: Int) -> Double {
        precondition(df >= 1, "Student's t needs at least one degree of freedom")
        let table: [Double] = [
            12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
            2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
            2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042
        ]
        if df <= table.count { return table[df - 1] }
        let beyond: [(df: Int, t: Double)] = [
            (40, 2.021), (50, 2.009), (60, 2.000), (80, 1.990), (100, 1.984), (120, 1.980)
        ]
        return beyond.last { $0.df <= df }?.t ?? table[table.count - 1]
    }
}
