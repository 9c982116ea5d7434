import Foundation
import Model
import FuzzDriver

/// Any bytes as a model file: loaded or refused with a reason, and what loads can classify.
/// Built by scripts/fuzz (with -DFUZZING and -sanitize=fuzzer,address) it is a libFuzzer target;
/// built normally it replays saved inputs: `FuzzCheckpoint FILE...`.
@main
enum Entry {
    static func main() {
        #if FUZZING
        exit(FuzzDriver.run { fuzzCheckpoint($0) })
        #else
        for path in CommandLine.arguments.dropFirst() {
            guard let data = FileManager.default.contents(atPath: path) else { fatalError("\(path): cannot be read") }
            fuzzCheckpoint([UInt8](data))
            print("\(path): ok")
        }
        #endif
    }
}

func fuzzCheckpoint(_ bytes: [UInt8]) {
    guard let checkpoint = try? Checkpoint(bytes: bytes, path: "fuzz.safetensors") else { return }
    let inputs = checkpoint.model.architecture.inputs
    if inputs <= 4096 { _ = checkpoint.model.probabilities([Float](repeating: 0.5, count: inputs)) }
}
