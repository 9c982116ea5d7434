import Foundation
import Dataset
import FuzzDriver

/// Any bytes as a user's PNG: decoded or refused, and what decodes goes through the MNIST-style preprocessing of `trainer predict`.
/// Built by scripts/fuzz (with -DFUZZING and -sanitize=fuzzer,address) it is a libFuzzer target;
/// built normally it replays saved inputs: `FuzzPNG FILE...`.
@main
enum Entry {
    static func main() {
        #if FUZZING
        exit(FuzzDriver.run { fuzzPNG($0) })
        #else
        for path in CommandLine.arguments.dropFirst() {
            guard let data = FileManager.default.contents(atPath: path) else { fatalError("\(path): cannot be read") }
            fuzzPNG([UInt8](data))
            print("\(path): ok")
        }
        #endif
    }
}

func fuzzPNG(_ bytes: [UInt8]) {
    guard let image = try? PNG.decode(bytes, path: "fuzz.png") else { return }
    let result = DigitPreprocessing.mnistStyle(image)
    let plain = DigitPreprocessing.unprocessed(image)
    if let digit = result.image, digit.pixels.contains(where: { !($0 >= 0 && $0 <= 1) }) || plain.pixels.count != 28 * 28 {
        fatalError("preprocessing produced values outside [0, 1] or the wrong size")
    }
}
