import Dataset

/// A value with one canonical spelling (`leaky-relu:0.1`, `step:3:0.1`), used on the command line,
/// in checkpoints and in reports, so files stay readable and stable. Conforming gives it Codable
/// (as that string) and a description, written once here.
public protocol SpecSpelled: Codable, CustomStringConvertible {
    var spec: String { get }
    init?(spec: String)
    /// What the value is, for the error that names an unknown spelling: "activation".
    static var kindName: String { get }
}

extension SpecSpelled {
    public init(from decoder: Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let value = Self(spec: text) else {
            throw DecodingError.dataCorrupted(
                .init(codingPath: decoder.codingPath, debugDescription: "unknown \(Self.kindName) '\(text)'"))
        }
        self = value
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(spec)
    }

    public var description: String { spec }
}

extension Activation: SpecSpelled {
    public static let kindName = "activation"
}

extension Schedule: SpecSpelled {
    public static let kindName = "schedule"
}

extension Augmentation: SpecSpelled {
    public static let kindName = "augmentation"
}

extension KeyedDecodingContainer {
    /// The value under `key`, or `fallback` when the file was written before the setting existed:
    /// what every setting of a saved configuration decodes through, so an old file still loads.
    func decode<T: Decodable>(_ key: Key, or fallback: T) throws -> T {
        try decodeIfPresent(T.self, forKey: key) ?? fallback
    }
}
