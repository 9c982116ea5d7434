import CPNG
import Foundation

/// PNG files through libpng's simplified API, which reports failures as return codes (its classic
/// API longjmps, which Swift cannot survive) and converts every colour type, bit depth and
/// interlacing to gray for us.
public enum PNG {
    /// Larger sides are refused before any pixel memory is allocated: a few bytes of PNG can
    /// claim a gigapixel image.
    public static let maximumSide = 10_000
    /// Files larger than this are refused unread.
    public static let maximumFileSize = 256 << 20

    /// Decodes the PNG file at `path` to gray, compositing any transparency onto white (the
    /// paper a digit is drawn on). 16-bit samples are taken as sRGB, as image editors write them.
    public static func read(contentsOf path: String) throws -> GrayImage {
        do {
            return try decode(try readFileBytes(path, limit: maximumFileSize), path: path)
        } catch DatasetError.tooLarge {
            throw DatasetError.badImage(
                path: path, reason: "the file is larger than \(maximumFileSize >> 20) MiB, refused")
        }
    }

    /// Decodes a PNG held in memory; `path` names it in errors. Pictures with a side longer than
    /// `maximumSide` are refused before their pixels are allocated.
    public static func decode(_ bytes: [UInt8], path: String, maximumSide: Int = maximumSide) throws -> GrayImage {
        if bytes.isEmpty { throw DatasetError.emptyFile(path: path) }
        let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        guard bytes.count >= 8, Array(bytes.prefix(8)) == signature else {
            throw DatasetError.badImage(
                path: path,
                reason: bytes.count < 8 && signature.starts(with: bytes)
                    ? "truncated PNG signature" : "not a PNG file (wrong signature)")
        }
        var image = png_image()
        image.version = png_uint_32(PNG_IMAGE_VERSION)
        let began = bytes.withUnsafeBytes { png_image_begin_read_from_memory(&image, $0.baseAddress, $0.count) }
        guard began != 0 else { throw DatasetError.badImage(path: path, reason: message(&image)) }
        let (width, height) = (Int(image.width), Int(image.height))
        guard width <= maximumSide && height <= maximumSide else {
            png_image_free(&image)
            throw DatasetError.badImage(
                path: path, reason: "\(width)×\(height) pixels is larger than the \(maximumSide)-pixel limit per side")
        }
        image.flags |= png_uint_32(PNG_IMAGE_FLAG_16BIT_sRGB)
        // IHDR is the first chunk (libpng has checked): bit depth at byte 24, interlace method at 28.
        let pixels =
            bytes[24] == 16 && bytes[28] != 0
            ? try finishInterlaced16(&image, bytes: bytes, path: path)
            : try finish(&image, bytes: bytes, path: path)
        return GrayImage(width: width, height: height, pixels: pixels)
    }

    /// Gray output composited onto white by libpng itself.
    private static func finish(_ image: inout png_image, bytes: [UInt8], path: String) throws -> [UInt8] {
        image.format = png_uint_32(PNG_FORMAT_GRAY)
        var white = png_color(red: 255, green: 255, blue: 255)
        var pixels = [UInt8](repeating: 0, count: Int(image.width) * Int(image.height))
        let finished = bytes.withUnsafeBytes { _ in  // keeps `bytes` alive while libpng still reads it
            pixels.withUnsafeMutableBytes {
                png_image_finish_read(&image, &white, $0.baseAddress, png_int_32(image.width), nil)
            }
        }
        guard finished != 0 else { throw DatasetError.badImage(path: path, reason: message(&image)) }
        return pixels
    }

    /// libpng 1.6.39–1.6.47 decode interlaced 16-bit files to 8-bit output wrongly (libpng issue
    /// #853), so these are read as 16-bit linear gray with premultiplied alpha, composited onto
    /// white and re-encoded here with the 2.2 power law libpng linearised them with.
    private static func finishInterlaced16(_ image: inout png_image, bytes: [UInt8], path: String) throws -> [UInt8] {
        image.format = png_uint_32(PNG_FORMAT_LINEAR_Y_ALPHA)
        let count = Int(image.width) * Int(image.height)
        var linear = [UInt16](repeating: 0, count: 2 * count)
        let finished = bytes.withUnsafeBytes { _ in
            linear.withUnsafeMutableBytes {
                png_image_finish_read(&image, nil, $0.baseAddress, png_int_32(2 * image.width), nil)
            }
        }
        guard finished != 0 else { throw DatasetError.badImage(path: path, reason: message(&image)) }
        return (0..<count).map { i in
            let (gray, alpha) = (Double(linear[2 * i]) / 65535, Double(linear[2 * i + 1]) / 65535)
            let light = min(1, gray + (1 - alpha))
            return UInt8((pow(light, 1 / 2.2) * 255).rounded())
        }
    }

    /// Encodes `image` as an 8-bit gray PNG.
    public static func encode(_ image: GrayImage) throws -> [UInt8] {
        var png = png_image()
        png.version = png_uint_32(PNG_IMAGE_VERSION)
        png.width = png_uint_32(image.width)
        png.height = png_uint_32(image.height)
        png.format = png_uint_32(PNG_FORMAT_GRAY)
        var size = 0
        // First call measures, second writes.
        let measured = image.pixels.withUnsafeBytes {
            png_image_write_to_memory(&png, nil, &size, 0, $0.baseAddress, png_int_32(image.width), nil)
        }
        guard measured != 0 else { throw DatasetError.badImage(path: "(PNG encoder)", reason: message(&png)) }
        var bytes = [UInt8](repeating: 0, count: size)
        let written = image.pixels.withUnsafeBytes { pixels in
            bytes.withUnsafeMutableBytes {
                png_image_write_to_memory(
                    &png, $0.baseAddress, &size, 0, pixels.baseAddress, png_int_32(image.width), nil)
            }
        }
        guard written != 0 else { throw DatasetError.badImage(path: "(PNG encoder)", reason: message(&png)) }
        return Array(bytes.prefix(size))
    }

    /// Writes `image` to `path` atomically.
    public static func write(_ image: GrayImage, to path: String) throws {
        try AtomicFile.write(try encode(image), to: path)
    }

    /// libpng's reason for a failure, tidied into a phrase (it is at most 63 characters).
    private static func message(_ image: inout png_image) -> String {
        let text = withUnsafeBytes(of: &image.message) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
        png_image_free(&image)
        switch text {
        case "": return "libpng failed without a reason"
        case let t where t.contains("CRC") || t.contains("data check") || t.contains("invalid") && t.contains("IDAT"):
            return "damaged PNG (\(t))"
        case let t
        where t.contains("Not enough") || t.contains("end of") || t.contains("Read Error") || t.contains("truncated"):
            return "truncated PNG (\(t))"
        default: return "invalid PNG (\(text))"
        }
    }
}
