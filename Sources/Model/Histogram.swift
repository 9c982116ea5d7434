/// How a set of numbers is spread: equal-width buckets from the smallest finite value to the
/// largest, with the count, sum and sum of squares, which is what TensorBoard's histograms and
/// distributions are drawn from (`HistogramProto`).
public struct Histogram: Sendable, Equatable {
    public var min: Double
    public var max: Double
    /// Finite values counted.
    public var count: Int
    public var sum: Double
    public var sumOfSquares: Double
    /// Each bucket's right edge; the first starts at `min`.
    public var bucketLimits: [Double]
    public var bucketCounts: [Double]
    /// NaN and infinite values, left out of everything above.
    public var nonFinite: Int

    /// TensorBoard draws 30 buckets whatever it is given; more would only make the files larger.
    public static let defaultBuckets = 30

    /// The histogram of `values` in `buckets` equal buckets (one when every value is the same).
    public init(_ values: UnsafeBufferPointer<Float>, buckets: Int = Histogram.defaultBuckets) {
        precondition(buckets > 0)
        var (low, high, sum, squares, count) = (Float.infinity, -Float.infinity, 0.0, 0.0, 0)
        for v in values where v.isFinite {
            low = Swift.min(low, v)
            high = Swift.max(high, v)
            sum += Double(v)
            squares += Double(v) * Double(v)
            count += 1
        }
        (self.count, self.sum, sumOfSquares, nonFinite) = (count, sum, squares, values.count - count)
        guard count > 0 else {
            (min, max, bucketLimits, bucketCounts) = (0, 0, [], [])
            return
        }
        (min, max) = (Double(low), Double(high))
        let n = high > low ? buckets : 1
        let width = (Double(high) - Double(low)) / Double(n)
        var counts = [Double](repeating: 0, count: n)
        for v in values where v.isFinite {
            counts[width > 0 ? Swift.min(n - 1, Int((Double(v) - Double(low)) / width)) : 0] += 1
        }
        bucketCounts = counts
        bucketLimits = (1...n).map { $0 == n ? Double(high) : Double(low) + width * Double($0) }
    }

    public init(_ values: [Float], buckets: Int = Histogram.defaultBuckets) {
        self = values.withUnsafeBufferPointer { Histogram($0, buckets: buckets) }
    }
}
