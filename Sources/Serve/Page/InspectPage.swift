import Foundation
import Model
import Report

/// `inspect -o page.html`: one self-contained page (nothing fetched from anywhere) with every
/// picture and model inspected, drawn by the same code as `serve`'s Inside view (`inside.js`,
/// `inside.css`), models side by side per picture: `Web/inspect.template.html` with those files,
/// the records and the first-layer weights (so a unit's picture shows on hover) put in its place.
public enum InspectPage {
    public static func html(_ records: [InspectionRecord], networks: [String: MLP<Float>]) -> String {
        let recordsJSON = "[" + records.map { String(decoding: $0.json, as: UTF8.self) }.joined(separator: ",") + "]"
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var weights: [String: [String]] = [:]
        for (path, network) in networks {
            weights[path] = (0..<network.architecture.hidden[0]).map { unit in
                let picture = LiveFigures.picture(ofUnit: unit, in: network).weights
                return Data(picture.map { UInt8(bitPattern: $0) }).base64EncodedString()
            }
        }
        let weightsJSON = (try? encoder.encode(weights)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
        // "</" inside a script element would end it; JSON allows "<\/" for the same text.
        let embed = { (json: String) in json.replacingOccurrences(of: "</", with: "<\\/") }
        let text = { (name: String) in String(decoding: WebFiles.named(name) ?? [], as: UTF8.self) }
        return ReportFiles.fill(
            text("inspect.template.html"),
            with: [
                "inside.css": text("inside.css"), "inside.js": text("inside.js"), "inspect.js": text("inspect.js"),
                "saturation-percent": String(Int(Inspection.saturationThreshold * 100)),
                "records": embed(recordsJSON), "weights": embed(weightsJSON)
            ])
    }
}
