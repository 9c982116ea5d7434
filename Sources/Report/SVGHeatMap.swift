import Foundation

extension SVGChart {
    /// A grid of coloured cells, `rows × columns`, coloured by value on a log scale (for
    /// quantities spanning decades, such as gradient norms) from dark (small) to light (large),
    /// each cell labelled with its value; nil cells (a shallower network has no layer 8) are left
    /// blank. A colour bar gives the scale.
    public static func heatMap(
        title: String, rowLabels: [String], columnLabels: [String], values: [[Double?]],
        valueLabel: String, cellWidth: Double = 62, cellHeight: Double = 22
    ) -> String {
        let labelWidth = max(90, Double(rowLabels.map(\.count).max() ?? 0) * 6.6 + 12)
        let (left, top) = (labelWidth, 48.0)
        let width = left + Double(columnLabels.count) * cellWidth + 110
        let height = top + Double(rowLabels.count) * cellHeight + 40
        let frame = Frame(width: width, height: height, legend: [])
        let finite = values.flatMap { $0.compactMap { $0 } }.filter { $0.isFinite && $0 > 0 }
        guard let low = finite.min(), let high = finite.max(), !rowLabels.isEmpty, !columnLabels.isEmpty else {
            return frame.empty(title: title)
        }
        let (logLow, logHigh) = (log10(low), log10(high) > log10(low) ? log10(high) : log10(low) + 1)
        func unit(_ v: Double) -> Double { (log10(v) - logLow) / (logHigh - logLow) }

        var body = text(width / 2, 20, title, anchor: "middle", size: 14, weight: "bold")
        for (c, label) in columnLabels.enumerated() {
            body += text(left + (Double(c) + 0.5) * cellWidth, top - 8, label, anchor: "middle")
        }
        for (r, label) in rowLabels.enumerated() {
            let y = top + Double(r) * cellHeight
            body += text(left - 8, y + cellHeight / 2 + 4, label, anchor: "end")
            for c in columnLabels.indices {
                let x = left + Double(c) * cellWidth
                guard r < values.count, c < values[r].count, let value = values[r][c] else { continue }
                let fill = value.isFinite && value > 0 ? ramp(unit(value)) : "#000000"
                let ink = value.isFinite && value > 0 && unit(value) > 0.6 ? "#000000" : "#ffffff"
                body +=
                    "<rect x=\(quoted(x)) y=\(quoted(y)) width=\(quoted(cellWidth - 1)) height=\(quoted(cellHeight - 1)) fill=\"\(fill)\"><title>\(escape(label)), \(escape(columnLabels[c])): \(format(value))</title></rect>\n"
                body +=
                    "<text x=\(quoted(x + cellWidth / 2)) y=\(quoted(y + cellHeight / 2 + 4)) text-anchor=\"middle\" font-size=\"10\" fill=\"\(ink)\">\(escape(format(value)))</text>\n"
            }
        }
        // The colour bar: low at the bottom, high at the top.
        let (barX, barTop, barHeight) = (
            left + Double(columnLabels.count) * cellWidth + 24, top, max(60, Double(rowLabels.count) * cellHeight)
        )
        let steps = 24
        for i in 0..<steps {
            let y = barTop + barHeight * Double(steps - 1 - i) / Double(steps)
            body +=
                "<rect x=\(quoted(barX)) y=\(quoted(y)) width=\"14\" height=\(quoted(barHeight / Double(steps) + 0.5)) fill=\"\(ramp(Double(i) / Double(steps - 1)))\"/>\n"
        }
        body += text(barX + 20, barTop + 8, format(pow(10, logHigh)), anchor: "start")
        body += text(barX + 20, barTop + barHeight, format(pow(10, logLow)), anchor: "start")
        body +=
            "<text x=\(quoted(barX + 7)) y=\(quoted(barTop + barHeight + 22)) text-anchor=\"middle\" font-size=\"11\">\(escape(valueLabel))</text>\n"
        return frame.wrap(body)
    }

    /// Viridis at 0…1, interpolated between five of its stops: perceptually even, colour-blind safe.
    static func ramp(_ t: Double) -> String {
        let stops: [(Double, Double, Double)] = [
            (68, 1, 84), (59, 82, 139), (33, 145, 140), (94, 201, 98), (253, 231, 37)
        ]
        let x = min(max(t, 0), 1) * Double(stops.count - 1)
        let i = min(Int(x), stops.count - 2)
        let f = x - Double(i)
        let (a, b) = (stops[i], stops[i + 1])
        func mix(_ p: Double, _ q: Double) -> Int { Int((p + (q - p) * f).rounded()) }
        return String(format: "#%02x%02x%02x", mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
    }
}
