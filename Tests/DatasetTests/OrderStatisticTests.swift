@testable import Dataset
import Testing

/// Quickselect stands in for sorting in the preprocessing's percentiles and medians, so it must
/// give exactly the sorted array's element, whatever the data: duplicates, runs, sorted input.
@Suite struct OrderStatisticTests {
    @Test func selectIsTheSortedElementForEveryIndex() {
        var random = SeededRandom(seed: 7, stream: "select-test")
        let shapes: [(Int) -> [Float]] = [
            { n in (0..<n).map { _ in Float(random.next() % 1000) / 999 } },  // values in general
            { n in (0..<n).map { _ in Float(random.next() % 4) / 3 } },  // few distinct values
            { n in (0..<n).map { Float($0) } },  // already sorted
            { n in (0..<n).map { Float(n - $0) } },  // reversed
            { n in [Float](repeating: 0.5, count: n) },  // all equal
            { n in (0..<n).map { $0 % 2 == 0 ? 1 : Float(random.next() % 100) / 99 } }  // paper with ink
        ]
        for shape in shapes {
            for n in [1, 2, 3, 5, 16, 17, 100, 1001] {
                let values = shape(n)
                let sorted = values.sorted()
                for k in Set([0, n / 10, n / 2, (n * 9) / 10, n - 1]) {
                    var copy = values
                    #expect(DigitPreprocessing.select(k, in: &copy) == sorted[k], "n \(n), k \(k)")
                    #expect(copy.sorted() == sorted, "select only reorders")
                }
            }
        }
    }

    @Test func medianIsTheMiddleOfTheSortedValues() {
        #expect(DigitPreprocessing.median([]) == 0)
        #expect(DigitPreprocessing.median([3, 1, 2]) == 2)
        #expect(DigitPreprocessing.median([4, 1, 3, 2]) == 3)
    }
}
