import Foundation
import Dataset
import FuzzDriver

/// Any bytes as an IDX file, gzip-compressed or plain: parsed or refused, never crashed on; what parses survives a round trip.
/// Built by scripts/fuzz (with -DFUZZING and -sanitize=fuzzer,address) it is a libFuzzer target;
/// built normally it replays saved inputs: `FuzzIDX FILE...`.
@main
enum Entry {
    static func main() {
        #if FUZZING
        exit(FuzzDriver.run { fuzzIDX($0) })
        #else
        for path in CommandLine.arguments.dropFirst() {
            guard let data = FileManager.default.contents(atPath: path) else { fatalError("\(path): cannot be read") }
            fuzzIDX([UInt8](data))
            print("\(path): ok")
        }
        #endif
    }
}

func fuzzIDX(_ bytes: [UInt8]) {
    // A limit of a few MB keeps the fuzzer fast; the loader's 512 MiB takes the same path.
    guard let raw = try? Gzip.decompressIfNeeded(bytes, path: "fuzz.idx", limit: 4 << 20),
          let file = try? IDXFile(parsing: raw, path: "fuzz.idx") else { return }
    guard let again = try? IDXFile(parsing: file.encoded(), path: "fuzz.idx"), again == file else {
        fatalError("an IDX file that parses does not survive encoding and parsing again")
    }
}
