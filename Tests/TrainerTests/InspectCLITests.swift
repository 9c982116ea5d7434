import Dataset
import Foundation
import Model
import Testing
import TestSupport
@testable import trainer

/// `trainer inspect` end to end through the built binary: JSON per picture and model with the
/// fields the page and scripts read, the numbers of an `Inspection` of the checkpoint, two models
/// side by side, the self-contained HTML page, and one-line failures.
@Suite(.serialized) struct InspectCLITests {
    @Test func inspectsPicturesWithSeveralModelsAsJSONTextAndAPage() throws {
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let relu = folder + "/relu.safetensors", sigmoid = folder + "/sigmoid.safetensors"
        for (path, options) in [(relu, ["--hidden", "32"]), (sigmoid, ["--activation", "sigmoid", "--hidden", "16,16"])]
        {
            let trained = try trainer(["--epochs", "1", "--validation", "1000", "--quiet", "-o", path] + options)
            #expect(trained.status == 0, "\(trained.err)")
        }
        let pictures = folder + "/pictures"
        try FileManager.default.createDirectory(atPath: pictures, withIntermediateDirectories: true)
        for i in 0..<3 {
            try Data(try ServedModel.drawing(i)).write(to: URL(fileURLWithPath: pictures + "/digit-\(i).png"))
        }
        try Data("not a picture".utf8).write(to: URL(fileURLWithPath: pictures + "/notes.png"))

        let json = try trainer(["inspect", "-m", relu, "-m", sigmoid, pictures, "--json"])
        #expect(json.status == 1, "one unreadable file makes the exit code 1")
        let lines = json.out.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
        #expect(lines.count == 3 * 2 + 1)
        let failed = lines.filter { $0["error"] != nil }
        #expect(failed.count == 1 && (failed[0]["file"] as? String)?.hasSuffix("notes.png") == true)
        let records = lines.filter { $0["error"] == nil }
        #expect(records.map { $0["model"] as? String } == [relu, sigmoid, relu, sigmoid, relu, sigmoid])
        let checkpoints = [relu: try Checkpoint(contentsOf: relu), sigmoid: try Checkpoint(contentsOf: sigmoid)]
        for record in records {
            let model = try #require(checkpoints[record["model"] as? String ?? ""]).model
            let image = try #require(record["image"] as? [Double])
            let layers = try #require(record["layers"] as? [[String: Any]])
            #expect(layers.map { $0["width"] as? Int } == model.architecture.hidden)
            #expect(
                (record["saliency"] as? [Double])?.count == 784
                    && (record["input_times_gradient"] as? [Double])?.count == 784)
            // The same numbers as an Inspection of the checkpoint on the image the model saw (four decimals in JSON).
            let inspection = Inspection(network: model, input: image.map(Float.init))
            let activations = try #require(layers[0]["activations"] as? [Double])
            for (a, b) in zip(activations, inspection.layers[0].activations) { #expect(abs(a - Double(b)) < 1e-2) }
            #expect(record["digit"] as? String == String(inspection.target))
            let states = try #require(layers[0]["states"] as? [Int])
            let off = Double(states.filter { $0 == 1 }.count) / Double(states.count)
            #expect(abs((layers[0]["off_fraction"] as? Double ?? -1) - off) < 1e-12)
            #expect((layers[0]["top_units"] as? [Any])?.count == 5)
        }

        let text = try trainer(["inspect", "-m", relu, pictures + "/digit-0.png", "--show", "--top-units", "2"])
        #expect(text.status == 0, "\(text.err)")
        #expect(text.out.contains("layer 1, 32 relu:") && text.out.contains("% off and"), "\(text.out)")
        #expect(
            text.out.split(separator: "\n").filter { $0.hasPrefix("  |") }.count == 28,
            "--show draws the 28x28 saliency")

        let page = folder + "/inside.html"
        let written = try trainer(["inspect", "-m", relu, "-m", sigmoid, pictures + "/digit-1.png", "-o", page])
        #expect(written.status == 0 && written.out.contains("wrote \(page)"), "\(written)")
        let html = try String(contentsOfFile: page, encoding: .utf8)
        #expect(html.contains("<script id=\"records\" type=\"application/json\">") && html.contains("Inside.render"))
        #expect(
            !html.contains("http://") && !html.contains("https://") && !html.contains("src="),
            "the page fetches nothing")
        let embedded = try #require(html.range(of: "<script id=\"records\" type=\"application/json\">"))
        let end = try #require(html.range(of: "</script>", range: embedded.upperBound..<html.endIndex))
        let parsed =
            try JSONSerialization.jsonObject(with: Data(html[embedded.upperBound..<end.lowerBound].utf8))
            as? [[String: Any]]
        #expect(parsed?.count == 2)
    }

    @Test func failuresAreOneLineAndLeaveNoFile() throws {
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let png = folder + "/digit.png"
        try Data(try ServedModel.drawing(0)).write(to: URL(fileURLWithPath: png))
        let missing = try trainer(["inspect", "-m", folder + "/none.safetensors", png])
        #expect(
            missing.status != 0 && missing.err.contains("none.safetensors")
                && missing.err.split(separator: "\n").count == 1, "\(missing)")
        let model = try #require(ServedModel.trained).file
        let nowhere = folder + "/no/such/folder/page.html"
        let unwritable = try trainer(["inspect", "-m", model, png, "-o", nowhere])
        #expect(
            unwritable.status != 0 && unwritable.err.contains(nowhere)
                && unwritable.err.split(separator: "\n").count == 1, "\(unwritable)")
        #expect(!FileManager.default.fileExists(atPath: nowhere))
        let badOption = try trainer(["inspect", "-m", model, png, "--top-units", "0"])
        #expect(badOption.status != 0 && badOption.err.contains("--top-units"))
    }
}
