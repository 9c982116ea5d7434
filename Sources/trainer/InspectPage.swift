import Foundation
import Model

/// `inspect -o page.html`: one self-contained page (nothing fetched from anywhere) with every
/// picture and model inspected, drawn by the same code as `serve`'s Inside view, models side by
/// side per picture. First-layer weights are embedded so a unit's picture shows on hover.
enum InspectPage {
    static func html(_ records: [InspectionRecord], networks: [String: MLP<Float>]) -> String {
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
        return """
            <!doctype html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <meta name="color-scheme" content="light dark">
            <title>digit-trainer · inside the model</title>
            <style>
            :root { --bg: #f4f5f7; --card: #fff; --text: #1d2330; --muted: #667085; --line: #e3e6ea; --accent: #2f6fed;
                    --accent-soft: #dbe6fd; --warn: #b7791f; --bad: #c0392b; }
            @media (prefers-color-scheme: dark) {
              :root { --bg: #111418; --card: #1a1f26; --text: #e6e8eb; --muted: #98a2b3; --line: #2c333d; --accent: #6b9bff;
                      --accent-soft: #23324f; --warn: #f0b44c; --bad: #ff7b6b; }
            }
            body { margin: 0; background: var(--bg); color: var(--text); font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
            main { max-width: 1200px; margin: 0 auto; padding: 16px; }
            h1 { font-size: 20px; margin: 8px 0 4px; }
            h2 { font-size: 15px; margin: 0 0 8px; overflow-wrap: anywhere; }
            .intro { color: var(--muted); margin: 0 0 16px; font-size: 14px; }
            .picture { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(100%, 520px), 1fr)); gap: 16px; margin-bottom: 24px; }
            .card { background: var(--card); border: 1px solid var(--line); border-radius: 12px; padding: 16px; min-width: 0; }
            .reading { font-size: 14px; margin: 0 0 12px; }
            .reading b { font-size: 22px; }
            .empty { color: var(--muted); }
            \(InsideView.css)
            </style>
            </head>
            <body>
            <main>
            <h1>Inside the model</h1>
            <p class="intro">Each picture as the model saw it, which pixels decided its answer, and what every hidden unit did with it.
            Dead units have a zero derivative for this digit, so no gradient passes through them; saturated ones a derivative below
            \(Int(Inspection.saturationThreshold * 100))% of the activation's steepest. Made by <code>trainer inspect</code>.</p>
            <div id="pictures"></div>
            </main>
            <script id="records" type="application/json">\(embed(recordsJSON))</script>
            <script id="weights" type="application/json">\(embed(weightsJSON))</script>
            <script>
            "use strict";
            \(InsideView.script)
            const records = JSON.parse(document.getElementById("records").textContent);
            const weights = JSON.parse(document.getElementById("weights").textContent);
            const decode = (text) => Int8Array.from(atob(text), (c) => (c.charCodeAt(0) << 24) >> 24);
            const byFile = new Map();
            for (const r of records) { if (!byFile.has(r.file)) byFile.set(r.file, []); byFile.get(r.file).push(r); }
            for (const [file, list] of byFile) {
              const row = document.createElement("section");
              row.className = "picture";
              for (const r of list) {
                const card = document.createElement("article"), head = document.createElement("h2"), reading = document.createElement("p");
                card.className = "card";
                head.textContent = file + (list.length > 1 ? " · " + r.model : "");
                reading.className = "reading";
                if (r.digit === null) reading.textContent = "No digit found (" + (r.reason || "no ink") + ")";
                else {
                  const b = document.createElement("b"); b.textContent = r.digit;
                  reading.append(b, " with probability " + (100 * r.probability).toFixed(1) + "%" + (r.warning ? " (" + r.warning + ")" : "") + " · " + r.model);
                }
                const inside = document.createElement("div");
                card.append(head, reading, inside);
                row.append(card);
                document.getElementById("pictures").append(row);
                const units = weights[r.model] || [];
                Inside.render(inside, r, { unitPicture: async (j) => units[j] ? decode(units[j]) : null });
              }
            }
            </script>
            </body>
            </html>
            """
    }
}
