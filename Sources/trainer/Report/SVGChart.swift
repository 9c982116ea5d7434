import Foundation

/// Small self-contained SVG charts (no script, no fonts to fetch), drawn for the ablation report.
enum SVGChart {
    /// Colour-blind-safe colours (Okabe–Ito, then a few more), one per activation.
    static let colors = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442", "#882255", "#44AA99", "#999933"]

    struct Series {
        var name: String
        var color: String
        var points: [(x: Double, y: Double)]
        /// A shaded band (e.g. mean ± sd over seeds) behind the line.
        var band: [(x: Double, low: Double, high: Double)] = []
        var dashed = false
    }

    /// A line chart with a legend; `logY` for quantities spanning decades (gradient norms).
    static func lines(title: String, xLabel: String, yLabel: String, series: [Series],
                      logY: Bool = false, width: Double = 640, height: Double = 360, xTicks: [Double]? = nil) -> String {
        let frame = Frame(width: width, height: height, legend: series.count > 1 ? series.map { ($0.name, $0.color, $0.dashed) } : [])
        let xs = series.flatMap { $0.points.map(\.x) }
        let ys = series.flatMap { $0.points.map(\.y) + $0.band.flatMap { [$0.low, $0.high] } }.filter { $0.isFinite && (!logY || $0 > 0) }
        guard let xMin = xs.min(), let xMax = xs.max(), let yLow = ys.min(), let yHigh = ys.max() else {
            return frame.empty(title: title)
        }
        let xAxis = Axis(low: xMin, high: xMax == xMin ? xMin + 1 : xMax, log: false, ticks: xTicks)
        let yAxis = Axis(low: yLow, high: yHigh, log: logY)
        var body = frame.axes(title: title, xLabel: xLabel, yLabel: yLabel, x: xAxis, y: yAxis)
        for s in series where !s.band.isEmpty {
            let upper = s.band.map { frame.point(xAxis, yAxis, $0.x, $0.high) }
            let lower = s.band.reversed().map { frame.point(xAxis, yAxis, $0.x, $0.low) }
            body += "<polygon points=\"\((upper + lower).joined(separator: " "))\" fill=\"\(s.color)\" fill-opacity=\"0.15\" stroke=\"none\"/>\n"
        }
        for s in series where !s.points.isEmpty {
            let points = s.points.filter { $0.y.isFinite && (!logY || $0.y > 0) }.map { frame.point(xAxis, yAxis, $0.x, $0.y) }
            body += "<polyline points=\"\(points.joined(separator: " "))\" fill=\"none\" stroke=\"\(s.color)\" stroke-width=\"2\"\(s.dashed ? " stroke-dasharray=\"6 4\"" : "")/>\n"
            if s.points.count <= 30 {
                for p in points { body += "<circle cx=\"\(p.split(separator: ",")[0])\" cy=\"\(p.split(separator: ",")[1])\" r=\"2.5\" fill=\"\(s.color)\"/>\n" }
            }
        }
        return frame.wrap(body)
    }

    /// Bars grouped by category (e.g. hidden layer), one bar per series in each group.
    static func groupedBars(title: String, yLabel: String, groups: [String], series: [(name: String, color: String, values: [Double?])],
                            logY: Bool = false, width: Double = 640, height: Double = 360) -> String {
        let frame = Frame(width: width, height: height, legend: series.map { ($0.name, $0.color, false) })
        let values = series.flatMap { $0.values.compactMap { $0 } }.filter { $0.isFinite && (!logY || $0 > 0) }
        guard let high = values.max(), !groups.isEmpty else { return frame.empty(title: title) }
        let yAxis = Axis(low: logY ? values.min()! / 2 : 0, high: high > 0 ? high : 1, log: logY)
        let xAxis = Axis(low: 0, high: Double(groups.count), log: false, ticks: [])
        var body = frame.axes(title: title, xLabel: "", yLabel: yLabel, x: xAxis, y: yAxis)
        let groupWidth = frame.plotWidth / Double(groups.count)
        let barWidth = groupWidth * 0.8 / Double(max(series.count, 1))
        for (g, group) in groups.enumerated() {
            let left = frame.left + Double(g) * groupWidth
            body += text(left + groupWidth / 2, frame.bottom + 16, group, anchor: "middle")
            for (s, item) in series.enumerated() {
                guard let value = item.values.count > g ? item.values[g] : nil, value.isFinite, !logY || value > 0 else { continue }
                let top = frame.y(yAxis, value)
                let base = logY ? frame.bottom : frame.y(yAxis, 0)
                body += "<rect x=\(q(left + groupWidth * 0.1 + Double(s) * barWidth)) y=\(q(min(top, base))) width=\(q(barWidth * 0.9)) height=\(q(abs(base - top))) fill=\"\(item.color)\"><title>\(escape(item.name)) \(escape(group)): \(format(value))</title></rect>\n"
            }
        }
        return frame.wrap(body)
    }

    // MARK: - Drawing helpers

    /// Maps data to a linear or log axis and picks round tick values.
    struct Axis {
        let low: Double, high: Double, log: Bool
        let ticks: [Double]

        init(low: Double, high: Double, log: Bool, ticks: [Double]? = nil) {
            self.log = log
            if log {
                // Bounds and ticks on the 1-2-5 ladder, so a range within one decade still gets ticks.
                let (a, b) = (Int(Foundation.log10(low).rounded(.down)), Int(Foundation.log10(high).rounded(.up)))
                let ladder = (a - 1...b + 1).flatMap { k in [1.0, 2, 5].map { $0 * Foundation.pow(10, Double(k)) } }
                let l = ladder.last { $0 <= low * (1 + 1e-9) } ?? low
                let h = ladder.first { $0 >= high * (1 - 1e-9) } ?? high
                let top = h > l ? h : l * 10
                (self.low, self.high) = (l, top)
                let inside = ladder.filter { $0 >= l * (1 - 1e-9) && $0 <= top * (1 + 1e-9) }
                self.ticks = ticks ?? (inside.count > 8 ? inside.filter { Foundation.log10($0).rounded() == Foundation.log10($0) } : inside)
            } else if let ticks, let first = ticks.first, let last = ticks.last, first < last {
                // Explicit ticks: the axis spans exactly the data, not rounded outwards.
                (self.low, self.high, self.ticks) = (min(low, first), max(high, last), ticks)
            } else {
                let span = high > low ? high - low : max(abs(high), 1)
                let step = Axis.niceStep(span / 5)
                let (l, h) = ((low / step).rounded(.down) * step, (high / step).rounded(.up) * step)
                (self.low, self.high) = (l, h > l ? h : l + step)
                self.ticks = ticks ?? stride(from: self.low, through: self.high + step / 2, by: step).map { $0 }
            }
        }

        static func niceStep(_ raw: Double) -> Double {
            let magnitude = Foundation.pow(10, Foundation.log10(raw).rounded(.down))
            let fraction = raw / magnitude
            return magnitude * (fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10)
        }

        /// Position of `value` along the axis, 0…1.
        func unit(_ value: Double) -> Double {
            log ? (Foundation.log10(value) - Foundation.log10(low)) / (Foundation.log10(high) - Foundation.log10(low))
                : (value - low) / (high - low)
        }
    }

    struct Frame {
        let width: Double, height: Double
        let legend: [(String, String, Bool)]
        var left: Double { 64 }
        var right: Double { width - (legend.isEmpty ? 16 : min(130, width * 0.22)) }
        var top: Double { 34 }
        var bottom: Double { height - 42 }
        var plotWidth: Double { right - left }

        func x(_ axis: Axis, _ v: Double) -> Double { left + axis.unit(v) * (right - left) }
        func y(_ axis: Axis, _ v: Double) -> Double { bottom - axis.unit(v) * (bottom - top) }
        func point(_ xAxis: Axis, _ yAxis: Axis, _ vx: Double, _ vy: Double) -> String { "\(r(x(xAxis, vx))),\(r(y(yAxis, vy)))" }

        func axes(title: String, xLabel: String, yLabel: String, x xAxis: Axis, y yAxis: Axis) -> String {
            var s = text(width / 2, 20, title, anchor: "middle", size: 14, weight: "bold")
            s += "<rect x=\(q(left)) y=\(q(top)) width=\(q(right - left)) height=\(q(bottom - top)) fill=\"none\" stroke=\"#bbb\"/>\n"
            for t in yAxis.ticks {
                let py = y(yAxis, t)
                s += "<line x1=\(q(left)) y1=\(q(py)) x2=\(q(right)) y2=\(q(py)) stroke=\"#eee\"/>\n"
                s += text(left - 6, py + 4, format(t), anchor: "end")
            }
            for t in xAxis.ticks {
                let px = x(xAxis, t)
                s += "<line x1=\(q(px)) y1=\(q(top)) x2=\(q(px)) y2=\(q(bottom)) stroke=\"#eee\"/>\n"
                s += text(px, bottom + 16, format(t), anchor: "middle")
            }
            if !xLabel.isEmpty { s += text((left + right) / 2, height - 8, xLabel, anchor: "middle") }
            s += "<text x=\"14\" y=\(q((top + bottom) / 2)) text-anchor=\"middle\" transform=\"rotate(-90 14 \(r((top + bottom) / 2)))\" font-size=\"12\">\(escape(yLabel))</text>\n"
            for (i, item) in legend.enumerated() {
                let ly = top + 8 + Double(i) * 18
                s += "<line x1=\(q(right + 10)) y1=\(q(ly)) x2=\(q(right + 34)) y2=\(q(ly)) stroke=\"\(item.1)\" stroke-width=\"3\"\(item.2 ? " stroke-dasharray=\"6 4\"" : "")/>\n"
                s += text(right + 40, ly + 4, item.0, anchor: "start")
            }
            return s
        }

        func wrap(_ body: String) -> String {
            "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(r(width)) \(r(height))\" width=\"\(r(width))\" height=\"\(r(height))\" font-family=\"sans-serif\" font-size=\"11\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n\(body)</svg>\n"
        }

        func empty(title: String) -> String {
            wrap(text(width / 2, 20, title, anchor: "middle", size: 14, weight: "bold") + text(width / 2, height / 2, "no data", anchor: "middle"))
        }
    }

    static func text(_ x: Double, _ y: Double, _ content: String, anchor: String, size: Int = 11, weight: String = "normal") -> String {
        "<text x=\(q(x)) y=\(q(y)) text-anchor=\"\(anchor)\" font-size=\"\(size)\" font-weight=\"\(weight)\">\(escape(content))</text>\n"
    }

    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    static func r(_ v: Double) -> String { String(format: "%.1f", v) }
    static func q(_ v: Double) -> String { "\"\(r(v))\"" }

    /// Tick and value labels: short, without float noise.
    static func format(_ v: Double) -> String {
        if v == 0 { return "0" }
        let a = abs(v)
        if a >= 1e4 || a < 1e-3 { return String(format: "%.0e", v) }
        if a >= 100 { return String(format: "%.0f", v) }
        if a >= 1 { return String(format: "%g", (v * 100).rounded() / 100) }
        return String(format: "%g", Double(String(format: "%.3g", v))!)
    }
}
