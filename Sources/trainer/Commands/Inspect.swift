import ArgumentParser
import Dataset
import Foundation
import Model
import Serve

/// `trainer inspect`: what each layer does with a digit, and which pixels decided it.
struct Inspect: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract:
            "Look inside a model as it reads your PNG digits: each layer's units, those off or saturated for it, and the pixels that decided.",
        discussion: """
            Pictures are prepared exactly as `trainer predict` prepares them. For each picture and model \
            it prints the reading, then per hidden layer the share of units that are off for this digit (f′ = 0) \
            (derivative exactly zero: a ReLU below zero) and saturated (derivative below \
            \(Int(Inspection.saturationThreshold * 100))% of the activation's steepest), and the units \
            that pushed hardest toward the answer (activation x gradient). The saliency map is the \
            gradient of log p(digit) with respect to each input pixel, by the trainer's own backward pass.
            Give --model twice or more to read the same digit with each model side by side.
            """
    )

    @Argument(help: "PNG files, or folders of them.")
    var paths: [String]

    @Option(
        name: .shortAndLong,
        help: ArgumentHelp(
            "The model to use; repeat it to compare models on the same digits. (default: model.safetensors)"))
    var model: [String] = []

    @Option(
        name: .shortAndLong,
        help: ArgumentHelp(
            "Write one self-contained HTML page with every picture and model.", valueName: "inspect.html"))
    var output: String?

    @Option(help: "How many of the strongest units to name per layer.")
    var topUnits = 5

    @Flag(
        help:
            "Print the saliency map as text: + where ink would raise the digit's probability, - where it would lower it."
    )
    var show = false

    @Option(help: "Warn when the most likely class has a lower probability than this.")
    var minConfidence = 0.5

    @OptionGroup var compute: ComputeOptions

    @Flag(help: "Print one JSON object per picture and model instead of text.")
    var json = false

    func validate() throws {
        guard topUnits >= 1 else { throw ValidationError("--top-units must be at least 1") }
        guard (0...1).contains(minConfidence) else { throw ValidationError("--min-confidence must be between 0 and 1") }
    }

    func run() throws {
        compute.apply()
        let modelPaths = model.isEmpty ? [Train.defaultModelPath] : model
        let models = try modelPaths.map { path -> (path: String, classifier: DigitClassifier, inspector: Inspector) in
            let checkpoint = try loadCheckpoint(path)
            do {
                let classifier = try DigitClassifier(checkpoint: checkpoint)
                return (path, classifier, Inspector(network: classifier.network))
            } catch {
                throw Failure("\(path): \(error)")
            }
        }
        if let output { try checkWritable(output) }
        let files = try pngFiles(paths)
        var records: [InspectionRecord] = []
        var failures = 0
        for file in files {
            let picture: GrayImage
            do {
                picture = try PNG.read(contentsOf: file)
            } catch {
                failures += 1
                if json {
                    print(jsonLine(["file": file, "error": "\(error)"]))
                } else {
                    Terminal.error("trainer: \(error)")
                }
                continue
            }
            for (path, classifier, inspector) in models {
                let record = InspectionRecord(
                    classifier.read(picture), inspector: inspector, minConfidence: minConfidence, topUnits: topUnits,
                    file: file, model: path)
                records.append(record)
                if json {
                    print(String(decoding: record.json, as: UTF8.self))
                } else {
                    describe(record, several: models.count > 1)
                }
            }
        }
        fflush(nil)
        if let output, !records.isEmpty {
            let networks = Dictionary(
                models.map { ($0.path, $0.classifier.network) }, uniquingKeysWith: { first, _ in first })
            try AtomicFile.write(Array(InspectPage.html(records, networks: networks).utf8), to: output)
            if !json { print("wrote \(output)") }
        }
        if failures > 0 {
            if !json { Terminal.error("trainer: \(failures) of \(files.count) files could not be read") }
            throw ExitCode(1)
        }
    }

    /// Refuses an output path whose folder is missing before any work is done.
    private func checkWritable(_ path: String) throws {
        let folder = (path as NSString).deletingLastPathComponent
        var isFolder: ObjCBool = false
        guard
            folder.isEmpty
                || (FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder) && isFolder.boolValue)
        else {
            throw Failure("\(path): the folder \(folder) does not exist")
        }
    }

    private func describe(_ record: InspectionRecord, several: Bool) {
        let name = (record.file ?? "") + (several ? " (\(record.model ?? ""))" : "")
        guard let inspection = record.inspection, let digit = record.reading.digit,
            let probability = record.reading.probability
        else {
            print("\(name): no digit found (\(record.reading.reason ?? "no ink"))")
            return
        }
        print(
            String(
                format: "%@: %@ (probability %.3f)%@", name, digit, probability,
                record.reading.warning.map { " — \($0)" } ?? ""))
        for (l, layer) in inspection.layers.enumerated() {
            let units = layer.topUnits(topUnits).map { String(format: "%d (%+.2g)", $0, layer.contributions[$0]) }
            print(
                String(
                    format: "  layer %d, %d %@: %.0f%% off and %.0f%% saturated for this digit; %@",
                    l + 1, layer.activations.count, layer.activation.spec, layer.offFraction * 100,
                    layer.saturatedFraction * 100,
                    units.isEmpty
                        ? "no unit pushed toward \(digit)" : "most for \(digit): units \(units.joined(separator: ", "))"
                ))
        }
        let strongest = inspection.saliency.map(abs).max() ?? 0
        print(String(format: "  saliency: the largest |∂ log p(%@)/∂ pixel| is %.3g", digit, strongest))
        if show, let side = record.reading.side {
            for row in 0..<side {
                let line = (0..<side).map { col -> Character in
                    let g = inspection.saliency[row * side + col]
                    let ink = inspection.input[row * side + col] > 0.5
                    guard strongest > 0, abs(g) >= 0.2 * strongest else { return ink ? "·" : " " }
                    return g > 0 ? "+" : "-"
                }
                print("  |" + String(line) + "|")
            }
        }
    }
}
