import CZlib
import Dataset
import Foundation
import Testing
import TestSupport

func write(_ bytes: [UInt8], _ folder: String, _ name: String) -> String {
    let path = folder + "/" + name
    FileManager.default.createFile(atPath: path, contents: Data(bytes))
    return path
}

/// gzip-compresses bytes with zlib (window bits 31 = gzip wrapper).
func gzip(_ input: [UInt8]) -> [UInt8] {
    var stream = z_stream()
    precondition(
        deflateInit2_(
            &stream, 6, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK
    )
    defer { deflateEnd(&stream) }
    var output = [UInt8](repeating: 0, count: Int(deflateBound(&stream, UInt(input.count))) + 64)
    var input = input
    let produced = input.withUnsafeMutableBufferPointer { inBuf in
        output.withUnsafeMutableBufferPointer { outBuf in
            stream.next_in = inBuf.baseAddress
            stream.avail_in = UInt32(inBuf.count)
            stream.next_out = outBuf.baseAddress
            stream.avail_out = UInt32(outBuf.count)
            precondition(deflate(&stream, Z_FINISH) == Z_STREAM_END)
            return outBuf.count - Int(stream.avail_out)
        }
    }
    return Array(output[..<produced])
}

/// A small valid image set and its labels: `count` images of 4×3 pixels.
func sampleFiles(count: Int = 5) -> (images: IDXFile, labels: IDXFile) {
    let pixels = (0..<(count * 12)).map { UInt8(truncatingIfNeeded: $0 * 37) }
    return (
        IDXFile(dims: [count, 4, 3], payload: pixels),
        IDXFile(dims: [count], payload: (0..<count).map { UInt8($0 % 10) })
    )
}
