import Foundation

extension Double {
    /// As a person writes it, and exactly: `0.1`, `15` rather than `15.0`, `1e-05` (Swift's shortest
    /// round-trip digits, without a whole number's `.0`). For help texts, rules and written values.
    public var shortText: String {
        rounded() == self && abs(self) < 1e15 ? String(Int(self)) : "\(self)"
    }
}

extension Double {
    /// Rounded to `digits` significant digits (`9.99988` → `10`, `0.0123456` → `0.0123`), for a
    /// value a schedule made that a person should read, not the digits of its arithmetic.
    public func rounded(significantDigits digits: Int) -> Double {
        guard isFinite, self != 0 else { return self }
        let scale = Foundation.pow(10, Double(digits - 1) - Foundation.log10(Swift.abs(self)).rounded(.down))
        return (self * scale).rounded() / scale
    }
}
