import Dataset
import FuzzDriver

/// Any bytes as a user's PNG: decoded or refused, and what decodes goes through the MNIST-style preprocessing of `trainer predict`.
@main
enum Entry {
    static func main() { FuzzDriver.main(fuzzPNG) }
}

func fuzzPNG(_ bytes: [UInt8]) {
    if let image = try? PNG.decode(bytes, path: "fuzz.png") { preprocess(image) }
    // libpng is not instrumented and refuses almost every mutated file at its checksums, so the
    // preprocessing also gets the bytes directly: two for the size, the rest as gray pixels.
    guard bytes.count >= 3 else { return }
    let (width, height) = (1 + Int(bytes[0]) % 96, 1 + Int(bytes[1]) % 96)
    let pixels = (0..<width * height).map { bytes[2 + $0 % (bytes.count - 2)] }
    preprocess(GrayImage(width: width, height: height, pixels: pixels))
}

func preprocess(_ image: GrayImage) {
    let result = DigitPreprocessing.mnistStyle(image)
    let plain = DigitPreprocessing.unprocessed(image)
    if let digit = result.image,
        digit.pixels.contains(where: { !($0 >= 0 && $0 <= 1) }) || plain.pixels.count != 28 * 28
    {
        fatalError("preprocessing produced values outside [0, 1] or the wrong size")
    }
}
