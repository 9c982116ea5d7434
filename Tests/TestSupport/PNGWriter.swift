import CPNG
import CZlib

/// PNG files of every colour type, bit depth and interlacing, written with libpng's classic API
/// so that tests can feed the decoder exactly what they mean. (The classic API reports errors by
/// longjmp; tests only describe valid images, so none is expected.)
public struct TestPNG {
    public enum ColorType: Int32, CaseIterable, Sendable {
        case gray = 0, rgb = 2, palette = 3, grayAlpha = 4, rgba = 6
        public var channels: Int { [.gray: 1, .rgb: 3, .palette: 1, .grayAlpha: 2, .rgba: 4][self]! }
    }

    public var width: Int
    public var height: Int
    public var colorType: ColorType
    public var bitDepth: Int
    public var interlaced = false
    /// Row-major, `channels` samples per pixel, each at `bitDepth` (a palette index for palettes).
    public var samples: [Int]
    public var palette: [(UInt8, UInt8, UInt8)] = []
    /// Palette alpha (tRNS) for the first entries of a palette.
    public var paletteAlpha: [UInt8] = []
    /// The one gray level (tRNS) that means transparent, for gray images.
    public var transparentGray: Int?

    public init(width: Int, height: Int, colorType: ColorType, bitDepth: Int, samples: [Int]) {
        precondition(samples.count == width * height * colorType.channels)
        (self.width, self.height, self.colorType, self.bitDepth, self.samples) = (
            width, height, colorType, bitDepth, samples
        )
    }

    /// An 8-bit gray PNG of `pixels`.
    public static func gray(width: Int, height: Int, _ pixels: [UInt8]) -> [UInt8] {
        TestPNG(width: width, height: height, colorType: .gray, bitDepth: 8, samples: pixels.map(Int.init)).encoded()
    }

    /// One row in PNG's packed, big-endian byte form.
    func packedRow(_ y: Int) -> [UInt8] {
        let perRow = width * colorType.channels
        let values = samples[y * perRow..<(y + 1) * perRow]
        switch bitDepth {
        case 16: return values.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }
        case 8: return values.map(UInt8.init)
        default:
            var bytes = [UInt8](repeating: 0, count: (perRow * bitDepth + 7) / 8)
            for (i, v) in values.enumerated() {
                let bit = i * bitDepth
                bytes[bit / 8] |= UInt8(v << (8 - bitDepth - bit % 8))
            }
            return bytes
        }
    }

    public func encoded() -> [UInt8] {
        final class Sink { var bytes: [UInt8] = [] }
        let sink = Sink()
        var png = png_create_write_struct(PNG_LIBPNG_VER_STRING, nil, nil, nil)
        var info = png_create_info_struct(png)
        png_set_write_fn(
            png, Unmanaged.passUnretained(sink).toOpaque(),
            { png, data, count in
                let sink = Unmanaged<Sink>.fromOpaque(png_get_io_ptr(png)!).takeUnretainedValue()
                sink.bytes.append(contentsOf: UnsafeBufferPointer(start: data, count: count))
            }, { _ in })
        png_set_IHDR(
            png, info, png_uint_32(width), png_uint_32(height), Int32(bitDepth), colorType.rawValue,
            interlaced ? 1 : 0, 0, 0)
        if colorType == .palette {
            var entries = palette.map { png_color(red: $0.0, green: $0.1, blue: $0.2) }
            png_set_PLTE(png, info, &entries, Int32(entries.count))
            if !paletteAlpha.isEmpty {
                var alpha = paletteAlpha
                png_set_tRNS(png, info, &alpha, Int32(alpha.count), nil)
            }
        }
        if let transparentGray {
            var color = png_color_16(index: 0, red: 0, green: 0, blue: 0, gray: png_uint_16(transparentGray))
            png_set_tRNS(png, info, nil, 0, &color)
        }
        png_write_info(png, info)
        if interlaced { _ = png_set_interlace_handling(png) }
        var rows = (0..<height).map { y -> UnsafeMutablePointer<UInt8>? in
            let row = packedRow(y)
            let pointer = UnsafeMutablePointer<UInt8>.allocate(capacity: row.count)
            pointer.initialize(from: row, count: row.count)
            return pointer
        }
        png_write_image(png, &rows)
        png_write_end(png, nil)
        png_destroy_write_struct(&png, &info)
        rows.forEach { $0?.deallocate() }
        return sink.bytes
    }

    /// `bytes` with the chunk of type `type` replaced by `data` and its CRC recomputed: for making
    /// files whose header lies (absurd dimensions) but is otherwise well-formed.
    public static func replacingChunk(_ type: String, in bytes: [UInt8], with data: [UInt8]) -> [UInt8] {
        var offset = 8
        while offset + 8 <= bytes.count {
            let length = bytes[offset..<offset + 4].reduce(0) { $0 << 8 | Int($1) }
            let name = String(decoding: bytes[offset + 4..<offset + 8], as: UTF8.self)
            if name == type {
                var chunk = Array(type.utf8) + data
                let crc = UInt32(chunk.withUnsafeMutableBufferPointer { crc32(0, $0.baseAddress, uInt($0.count)) })
                chunk += (0..<4).map { UInt8(truncatingIfNeeded: crc >> (24 - 8 * $0)) }
                let lengthBytes = (0..<4).map { UInt8(truncatingIfNeeded: data.count >> (24 - 8 * $0)) }
                return Array(bytes[..<offset]) + lengthBytes + chunk + Array(bytes[(offset + 12 + length)...])
            }
            offset += 12 + length
        }
        preconditionFailure("no \(type) chunk")
    }

    /// An IHDR payload.
    public static func header(width: Int, height: Int, bitDepth: UInt8 = 8, colorType: UInt8 = 0) -> [UInt8] {
        func be(_ v: Int) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: v >> (24 - 8 * $0)) } }
        return be(width) + be(height) + [bitDepth, colorType, 0, 0, 0]
    }
}
