/// A picture as a row-major grid of pixels.
public struct Image<Pixel: Sendable & Equatable>: Sendable, Equatable {
    public let width: Int
    public let height: Int
    public var pixels: [Pixel]

    public init(width: Int, height: Int, pixels: [Pixel]) {
        precondition(pixels.count == width * height, "pixel count does not match the size")
        (self.width, self.height, self.pixels) = (width, height, pixels)
    }

    public subscript(x: Int, y: Int) -> Pixel {
        get { pixels[y * width + x] }
        set { pixels[y * width + x] = newValue }
    }
}

/// 8-bit gray, 0 black … 255 white: what PNG files decode to.
public typealias GrayImage = Image<UInt8>

/// Ink intensities in [0, 1], 0 background … 1 full ink: what MNIST stores and the model reads.
public typealias InkImage = Image<Float>

extension Image where Pixel == Float {
    /// All background.
    public init(width: Int, height: Int) {
        self.init(width: width, height: height, pixels: [Float](repeating: 0, count: width * height))
    }

    /// As an 8-bit gray picture, white ink on black like MNIST.
    public var grayImage: GrayImage {
        GrayImage(width: width, height: height, pixels: pixels.map { UInt8(($0 * 255).rounded().clamped(0, 255)) })
    }
}

extension Image where Pixel == UInt8 {
    /// The gray levels scaled to [0, 1], 0 black … 1 white (not yet ink: no inversion).
    public var levels: InkImage {
        InkImage(width: width, height: height, pixels: pixels.map { Float($0) / 255 })
    }
}
