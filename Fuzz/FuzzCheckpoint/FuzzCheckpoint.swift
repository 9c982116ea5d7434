import Model
import FuzzDriver

/// Any bytes as a model file: loaded or refused with a reason, and what loads can classify.
@main
enum Entry {
    static func main() { FuzzDriver.main(fuzzCheckpoint) }
}

func fuzzCheckpoint(_ bytes: [UInt8]) {
    guard let checkpoint = try? Checkpoint(bytes: bytes, path: "fuzz.safetensors") else { return }
    let inputs = checkpoint.model.architecture.inputs
    if inputs <= 4096 { _ = checkpoint.model.probabilities([Float](repeating: 0.5, count: inputs)) }
}
