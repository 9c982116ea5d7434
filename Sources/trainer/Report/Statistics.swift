import Foundation

/// The few statistics a seed comparison needs.
enum Statistics {
    static func mean(_ x: [Double]) -> Double { x.isEmpty ? .nan : x.reduce(0, +) / Double(x.count) }
    static func meanOrNil(_ x: [Double]) -> Double? { x.isEmpty ? nil : mean(x) }

    /// Sample standard deviation (n − 1); 0 for fewer than two values.
    static func standardDeviation(_ x: [Double]) -> Double {
        guard x.count > 1 else { return 0 }
        let m = mean(x)
        return (x.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(x.count - 1)).squareRoot()
    }

    /// Student's t for the mean of paired differences, with its degrees of freedom; nil with
    /// fewer than two pairs. Infinite when every difference is the same non-zero number.
    static func pairedT(_ differences: [Double]) -> (t: Double, degreesOfFreedom: Int)? {
        guard differences.count > 1 else { return nil }
        let sd = standardDeviation(differences)
        let m = mean(differences)
        let t = sd == 0 ? (m == 0 ? 0 : m.sign == .minus ? -Double.infinity : .infinity) : m / (sd / Double(differences.count).squareRoot())
        return (t, differences.count - 1)
    }

    /// Two-sided 5% critical value of Student's t.
    static func criticalT(degreesOfFreedom df: Int) -> Double {
        let table: [Double] = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
                               2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086]
        if df >= 1 && df <= table.count { return table[df - 1] }
        return df <= 30 ? 2.06 : df <= 60 ? 2.01 : 1.98
    }
}
