import ArgumentParser
import Dataset
import Foundation
import Model
import Serve

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

    @Option(
        help: ArgumentHelp(
            "Save the image the model saw as a PNG (with several inputs: a folder to save them in).",
            valueName: "OUT.png"))
    var savePreprocessed: String?

    @Flag(help: "Feed the picture as it is, only scaled to the model's input size (to compare with the preprocessing).")
    var noPreprocess = false

    @Option(help: "Warn when the most likely class has a lower probability than this.")
    var minConfidence = 0.5

    @OptionGroup var views: ViewOptions

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
        var classifier: DigitClassifier
        do { classifier = try DigitClassifier(checkpoint: checkpoint) } catch { throw Failure("\(model): \(error)") }
        classifier.views = views.views(for: checkpoint)
        let files = try pngFiles(paths)
        var failures = 0
        for file in files {
            do {
                try predict(file, with: classifier, several: files.count > 1)
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

    func predict(_ file: String, with classifier: DigitClassifier, several: Bool) throws {
        let reading = classifier.read(try PNG.read(contentsOf: file), preprocess: !noPreprocess)
        if let savePreprocessed, let seen = reading.image {
            let target =
                several
                ? (savePreprocessed as NSString).appendingPathComponent(
                    ((file as NSString).lastPathComponent as NSString).deletingPathExtension + ".png")
                : savePreprocessed
            try PNG.write(seen.grayImage, to: target)
        }
        if json {
            print(
                String(
                    decoding: PredictionRecord(reading, top: top, minConfidence: minConfidence, image: show, file: file)
                        .json, as: UTF8.self))
            return
        }
        guard let best = reading.best, let seen = reading.image else {
            print("\(file): no digit found (\(reading.problem ?? "no ink"))")
            return
        }
        let ranked = reading.ranked(top: top)
        let list = ranked.map { String(format: "%@ %.3f", $0.name, $0.probability) }.joined(separator: ", ")
        print(
            String(
                format: "%@: %@ (probability %.3f); top %d: %@", file, best.name, best.probability, ranked.count, list))
        if !reading.isConfident(minimum: minConfidence) {
            print(
                String(
                    format:
                        "%@: warning: not confident (%.2f < %.2f); the picture may not be a digit, or may be drawn unlike MNIST digits",
                    file, best.probability, minConfidence))
        }
        if show {
            let side = classifier.side
            print(
                "  the model saw (\(side)x\(side)\(reading.inverted ? ", inverted from dark ink on light paper" : "")):"
            )
            for line in asciiImage(seen.pixels[...], rows: side, cols: side) { print("  |" + line + "|") }
        }
    }
}

/// The files named, with each folder replaced by its PNG files in name order.
func pngFiles(_ paths: [String]) throws -> [String] {
    try paths.flatMap { path -> [String] in
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), isFolder.boolValue else {
            return [path]
        }
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: path) else {
            throw Failure("\(path): cannot list the folder")
        }
        let pngs = names.filter { $0.lowercased().hasSuffix(".png") && !$0.hasPrefix(".") }.sorted()
        guard !pngs.isEmpty else { throw Failure("\(path): no .png files in the folder") }
        return pngs.map { (path as NSString).appendingPathComponent($0) }
    }
}
