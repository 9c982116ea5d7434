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

extension Image where Pixel == Float {
    /// `factor` times larger, bilinearly (smooth, like a pen stroke, not blocky); the pixel centres
    /// of the two sizes line up, and values past the edge repeat the edge.
    public func enlarged(by factor: Int) -> InkImage {
        precondition(factor >= 1)
        var result = InkImage(width: width * factor, height: height * factor)
        func at(_ x: Int, _ y: Int) -> Float { self[min(width - 1, max(0, x)), min(height - 1, max(0, y))] }
        for y in 0..<result.height {
            let v = (Double(y) + 0.5) / Double(factor) - 0.5
            let y0 = Int(v.rounded(.down)), fy = Float(v - Double(y0))
            for x in 0..<result.width {
                let u = (Double(x) + 0.5) / Double(factor) - 0.5
                let x0 = Int(u.rounded(.down)), fx = Float(u - Double(x0))
                let top = at(x0, y0) * (1 - fx) + at(x0 + 1, y0) * fx
                let bottom = at(x0, y0 + 1) * (1 - fx) + at(x0 + 1, y0 + 1) * fx
                result[x, y] = top * (1 - fy) + bottom * fy
            }
        }
        return result
    }
}
