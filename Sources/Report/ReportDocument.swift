import Foundation

/// A report as a list of blocks, rendered both to Markdown and to self-contained HTML, so the
/// two always say the same thing.
public struct ReportDocument {
    public enum Block {
        case heading(String, level: Int)
        case paragraph(String)
        case bullets([String])
        case table(header: [String], rows: [[String]])
        /// An SVG chart: Markdown links the file, HTML inlines the drawing.
        case chart(file: String, svg: String, caption: String)
        /// Charts side by side in HTML (small multiples).
        case chartRow([(file: String, svg: String, caption: String)])
    }

    public var title: String
    public var blocks: [Block] = []

    public init(title: String) { self.title = title }

    public mutating func add(_ block: Block) { blocks.append(block) }

    public var markdown: String {
        var out = "# \(title)\n"
        for block in blocks {
            out += "\n"
            switch block {
            case .heading(let text, let level): out += String(repeating: "#", count: level) + " " + text + "\n"
            case .paragraph(let text): out += text + "\n"
            case .bullets(let items): out += items.map { "- " + $0 }.joined(separator: "\n") + "\n"
            case .table(let header, let rows):
                let cells = { (row: [String]) in
                    "| " + row.map { $0.replacingOccurrences(of: "|", with: "\\|") }.joined(separator: " | ") + " |"
                }
                out += cells(header) + "\n" + "|" + header.map { _ in "---|" }.joined() + "\n"
                out += rows.map(cells).joined(separator: "\n") + "\n"
            case .chart(let file, _, let caption): out += "![\(caption)](\(file))\n"
            case .chartRow(let charts):
                out += charts.map { "![\($0.caption)](\($0.file))" }.joined(separator: " ") + "\n"
            }
        }
        return out
    }

    public var html: String {
        var out = ""
        for block in blocks {
            switch block {
            case .heading(let text, let level): out += "<h\(level)>\(inline(text))</h\(level)>\n"
            case .paragraph(let text): out += "<p>\(inline(text))</p>\n"
            case .bullets(let items): out += "<ul>\n" + items.map { "<li>\(inline($0))</li>\n" }.joined() + "</ul>\n"
            case .table(let header, let rows):
                out += "<table>\n<tr>" + header.map { "<th>\(inline($0))</th>" }.joined() + "</tr>\n"
                out +=
                    rows.map { "<tr>" + $0.map { "<td>\(inline($0))</td>" }.joined() + "</tr>\n" }.joined()
                    + "</table>\n"
            case .chart(_, let svg, let caption):
                out += "<figure>\(svg)<figcaption>\(escape(caption))</figcaption></figure>\n"
            case .chartRow(let charts):
                // each is titled
                out += "<div class=\"row\">" + charts.map { "<figure>\($0.svg)</figure>" }.joined() + "</div>\n"
            }
        }
        return ReportFiles.fill(
            ReportFiles.texts["report.template.html"]!,
            with: ["title": escape(title), "css": ReportFiles.texts["report.css"]!, "body": out])
    }

    private func escape(_ s: String) -> String { SVGChart.escape(s) }

    /// Markdown's `code` and **bold** inside a line, as HTML.
    private func inline(_ s: String) -> String {
        var text = escape(s)
        for (mark, tag) in [("**", "strong"), ("`", "code")] {
            let parts = text.components(separatedBy: mark)
            guard parts.count >= 3, parts.count % 2 == 1 else { continue }  // only balanced marks
            text = parts.enumerated().map { i, part in i % 2 == 1 ? "<\(tag)>\(part)</\(tag)>" : part }.joined()
        }
        return text
    }
}
