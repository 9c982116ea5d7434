import Dataset
import FuzzDriver

/// Any bytes as an IDX file, gzip-compressed or plain: parsed or refused, never crashed on; what parses survives a round trip.
@main
enum Entry {
    static func main() { FuzzDriver.main(fuzzIDX) }
}

func fuzzIDX(_ bytes: [UInt8]) {
    // A limit of a few MB keeps the fuzzer fast; the loader's 512 MiB takes the same path.
    guard let raw = try? Gzip.decompressIfNeeded(bytes, path: "fuzz.idx", limit: 4 << 20),
        let file = try? IDXFile(parsing: raw, path: "fuzz.idx")
    else { return }
    guard let again = try? IDXFile(parsing: file.encoded(), path: "fuzz.idx"), again == file else {
        fatalError("an IDX file that parses does not survive encoding and parsing again")
    }
}
