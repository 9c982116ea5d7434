extension Double {
    /// As a person writes it, and exactly: `0.1`, `15` rather than `15.0`, `1e-05` (Swift's shortest
    /// round-trip digits, without a whole number's `.0`). For help texts, rules and written values.
    public var shortText: String {
        rounded() == self && abs(self) < 1e15 ? String(Int(self)) : "\(self)"
    }
}
