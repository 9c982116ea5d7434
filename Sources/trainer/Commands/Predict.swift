import ArgumentParser
import Dataset
import Foundation
import Model

/// `trainer predict`: classifies a person's own PNG digits, prepared the way MNIST digits were.
struct Predict: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Classify your own PNG digit images with a saved model.",
        discussion: """
        Each picture is made to look like an MNIST digit first: gray, inverted if the ink is dark \
        on light paper, cropped to the ink, scaled to fit 20x20 keeping its shape, and placed in \
        28x28 with its centre of mass at the centre. Any PNG works: gray, RGB, palette, with or \
        without alpha (transparent areas count as white paper), 1 to 16 bits, interlaced. \
        A folder stands for the PNG files in it. The exit code is 1 if any file could not be read.
        """
    )

    @Argument(help: "PNG files, or folders of them.")
    var paths: [String]

    @Option(name: .shortAndLong, help: "The model to use.")
    var model = Train.defaultModelPath

    @Option(help: "How many of the most likely classes to list.")
    var top = 3

    @Flag(help: "Print the image the model saw, as text.")
    var show = false

    @Option(help: ArgumentHelp("Save the image the model saw as a PNG (with several inputs: a folder to save them in).",
                               valueName: "OUT.png"))
    var savePreprocessed: String?

    @Flag(help: "Feed the picture as it is, only scaled to the model's input size (to compare with the preprocessing).")
    var noPreprocess = false

    @Option(help: "Warn when the most likely class has a lower probability than this.")
    var minConfidence = 0.5

    @OptionGroup var compute: ComputeOptions

    @Flag(help: "Print one JSON object per file instead of text.")
    var json = false

    func validate() throws {
        guard top >= 1 else { throw ValidationError("--top must be at least 1") }
        guard (0...1).contains(minConfidence) else { throw ValidationError("--min-confidence must be between 0 and 1") }
    }

    func run() throws {
        compute.apply()
        let checkpoint = try loadCheckpoint(model)
        let network = checkpoint.model
        guard let side = network.architecture.imageSide else {
            throw Failure("\(model): takes \(network.architecture.inputs) inputs, which is not a square image")
        }
        let classes = network.architecture.outputs
        let names = DatasetKind(rawValue: checkpoint.dataset).map(\.classNames).flatMap { $0.count == classes ? $0 : nil }
            ?? (0..<classes).map(String.init)
        let files = try inputFiles()
        var failures = 0
        for file in files {
            do {
                try predict(file, network: network, side: side, names: names, several: files.count > 1)
            } catch {
                failures += 1
                if json {
                    print(jsonLine(["file": file, "error": "\(error)"]))
                } else {
                    Terminal.error("trainer: \(error)")
                }
            }
        }
        fflush(nil)
        if failures > 0 {
            if !json { Terminal.error("trainer: \(failures) of \(files.count) files could not be classified") }
            throw ExitCode(1)
        }
    }

    /// The files named, with each folder replaced by its PNG files in name order.
    func inputFiles() throws -> [String] {
        try paths.flatMap { path -> [String] in
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), isFolder.boolValue else { return [path] }
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: path) else {
                throw Failure("\(path): cannot list the folder")
            }
            let pngs = names.filter { $0.lowercased().hasSuffix(".png") && !$0.hasPrefix(".") }.sorted()
            guard !pngs.isEmpty else { throw Failure("\(path): no .png files in the folder") }
            return pngs.map { (path as NSString).appendingPathComponent($0) }
        }
    }

    func predict(_ file: String, network: MLP<Float>, side: Int, names: [String], several: Bool) throws {
        let picture = try PNG.read(contentsOf: file)
        let input: InkImage
        var inverted = false
        if noPreprocess {
            input = DigitPreprocessing.unprocessed(picture, side: side)
        } else {
            let result = DigitPreprocessing.mnistStyle(picture, side: side)
            guard let image = result.image else {
                if json {
                    print(jsonLine(["file": file, "digit": NSNull(), "warning": "no digit found", "reason": result.problem ?? ""]))
                } else {
                    print("\(file): no digit found (\(result.problem ?? "no ink"))")
                }
                return
            }
            input = image
            inverted = result.inverted
        }
        if let savePreprocessed {
            let target = several
                ? (savePreprocessed as NSString).appendingPathComponent(((file as NSString).lastPathComponent as NSString).deletingPathExtension + ".png")
                : savePreprocessed
            try PNG.write(input.grayImage, to: target)
        }

        let probabilities = network.probabilities(input.pixels)[0]
        let ranked = probabilities.indices.sorted { probabilities[$0] > probabilities[$1] }.prefix(min(top, probabilities.count))
        let best = ranked.first!
        let confident = Double(probabilities[best]) >= minConfidence
        if json {
            var fields: [String: Any] = [
                "file": file, "digit": names[best], "probability": Double(probabilities[best]),
                "top": ranked.map { ["class": names[$0], "probability": Double(probabilities[$0])] as [String: Any] },
                "inverted": inverted, "preprocessed": !noPreprocess,
            ]
            if !confident { fields["warning"] = "not confident" }
            if show { fields["image"] = input.pixels.map(Double.init) }
            print(jsonLine(fields))
            return
        }
        let list = ranked.map { String(format: "%@ %.3f", names[$0], probabilities[$0]) }.joined(separator: ", ")
        print(String(format: "%@: %@ (probability %.3f); top %d: %@", file, names[best], probabilities[best], ranked.count, list))
        if !confident {
            print(String(format: "%@: warning: not confident (%.2f < %.2f); the picture may not be a digit, or may be drawn unlike MNIST digits",
                         file, probabilities[best], minConfidence))
        }
        if show {
            print("  the model saw (\(side)x\(side)\(inverted ? ", inverted from dark ink on light paper" : "")):")
            for line in asciiImage(input.pixels[...], rows: side, cols: side) { print("  |" + line + "|") }
        }
    }
}
