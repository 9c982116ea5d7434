import Foundation

/// Small self-contained SVG charts (no script, no fonts to fetch), drawn for the ablation report.
public enum SVGChart {
    /// Colour-blind-safe colours (Okabe–Ito, then a few more), one per activation.
    public static let colors = [
        "#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442", "#882255", "#44AA99",
        "#999933"
    ]

    public struct Series {
        public var name: String
        public var color: String
        public var points: [(x: Double, y: Double)]
        /// A shaded band (e.g. mean ± sd over seeds) behind the line.
        public var band: [(x: Double, low: Double, high: Double)] = []
        public var dashed = false

        public init(
            name: String, color: String, points: [(x: Double, y: Double)],
            band: [(x: Double, low: Double, high: Double)] = [], dashed: Bool = false
        ) {
            (self.name, self.color, self.points, self.band, self.dashed) = (name, color, points, band, dashed)
        }
    }

    /// A line chart with a legend; `logY` for quantities spanning decades (gradient norms).
    public static func lines(
        title: String, xLabel: String, yLabel: String, series: [Series],
        logY: Bool = false, logX: Bool = false, width: Double = 640, height: Double = 360, xTicks: [Double]? = nil
    ) -> String {
        let frame = Frame(
            width: width, height: height,
            legend: series.count > 1
                ? series.map { LegendEntry(name: $0.name, color: $0.color, dashed: $0.dashed) } : [])
        let xs = series.flatMap { $0.points.map(\.x) }.filter { !logX || $0 > 0 }
        let ys = series.flatMap { $0.points.map(\.y) + $0.band.flatMap { [$0.low, $0.high] } }.filter {
            $0.isFinite && (!logY || $0 > 0)
        }
        guard let xMin = xs.min(), let xMax = xs.max(), let yLow = ys.min(), let yHigh = ys.max() else {
            return frame.empty(title: title)
        }
        let xAxis = Axis(low: xMin, high: xMax == xMin ? (logX ? xMin * 10 : xMin + 1) : xMax, log: logX, ticks: xTicks)
        let yAxis = Axis(low: yLow, high: yHigh, log: logY)
        var body = frame.axes(title: title, xLabel: xLabel, yLabel: yLabel, x: xAxis, y: yAxis)
        for s in series where !s.band.isEmpty {
            let upper = s.band.map { frame.point(xAxis, yAxis, $0.x, $0.high) }
            let lower = s.band.reversed().map { frame.point(xAxis, yAxis, $0.x, $0.low) }
            body +=
                "<polygon points=\"\((upper + lower).joined(separator: " "))\" fill=\"\(s.color)\" fill-opacity=\"0.15\" stroke=\"none\"/>\n"
        }
        for s in series where !s.points.isEmpty {
            let points = s.points.filter { $0.y.isFinite && (!logY || $0.y > 0) }.map {
                frame.point(xAxis, yAxis, $0.x, $0.y)
            }
            body +=
                "<polyline points=\"\(points.joined(separator: " "))\" fill=\"none\" stroke=\"\(s.color)\" stroke-width=\"2\"\(s.dashed ? " stroke-dasharray=\"6 4\"" : "")/>\n"
            if s.points.count <= 30 {
                for p in points {
                    body +=
                        "<circle cx=\"\(p.split(separator: ",")[0])\" cy=\"\(p.split(separator: ",")[1])\" r=\"2.5\" fill=\"\(s.color)\"/>\n"
                }
            }
        }
        return frame.wrap(body)
    }

    /// Bars grouped by category (e.g. hidden layer), one bar per series in each group.
    public static func groupedBars(
        title: String, yLabel: String, groups: [String], series: [(name: String, color: String, values: [Double?])],
        logY: Bool = false, width: Double = 640, height: Double = 360
    ) -> String {
        let frame = Frame(
            width: width, height: height,
            legend: series.map { LegendEntry(name: $0.name, color: $0.color, dashed: false) })
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
                guard let value = item.values.count > g ? item.values[g] : nil, value.isFinite, !logY || value > 0
                else { continue }
                let top = frame.y(yAxis, value)
                let base = logY ? frame.bottom : frame.y(yAxis, 0)
                body +=
                    "<rect x=\(quoted(left + groupWidth * 0.1 + Double(s) * barWidth)) y=\(quoted(min(top, base))) width=\(quoted(barWidth * 0.9)) height=\(quoted(abs(base - top))) fill=\"\(item.color)\"><title>\(escape(item.name)) \(escape(group)): \(format(value))</title></rect>\n"
            }
        }
        return frame.wrap(body)
    }

    // MARK: - Drawing helpers

    /// Maps data to a linear or log axis and picks round tick values.
    public struct Axis {
        public let low: Double, high: Double, log: Bool
        public let ticks: [Double]

        public init(low: Double, high: Double, log: Bool, ticks: [Double]? = nil) {
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
                self.ticks =
                    ticks
                    ?? (inside.count > 8
                        ? inside.filter { Foundation.log10($0).rounded() == Foundation.log10($0) } : inside)
            } else if let ticks, let first = ticks.first, let last = ticks.last, first < last {
                // Explicit ticks: the axis spans exactly the data, not rounded outwards.
                (self.low, self.high, self.ticks) = (min(low, first), max(high, last), ticks)
            } else {
                let span = high > low ? high - low : max(abs(high), 1)
                let step = Axis.niceStep(span / 5)
                let (l, h) = ((low / step).rounded(.down) * step, (high / step).rounded(.up) * step)
                (self.low, self.high) = (l, h > l ? h : l + step)
                // Each tick a whole number of steps, so that 0 is 0 and not the -6e-17 repeated addition leaves.
                let first = (self.low / step).rounded()
                self.ticks =
                    ticks ?? (0...Int(((self.high - self.low) / step).rounded())).map { (first + Double($0)) * step }
            }
        }

        public static func niceStep(_ raw: Double) -> Double {
            let magnitude = Foundation.pow(10, Foundation.log10(raw).rounded(.down))
            let fraction = raw / magnitude
            return magnitude * (fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10)
        }

        /// Position of `value` along the axis, 0…1.
        public func unit(_ value: Double) -> Double {
            log
                ? (Foundation.log10(value) - Foundation.log10(low)) / (Foundation.log10(high) - Foundation.log10(low))
                : (value - low) / (high - low)
        }
    }

    /// One line of a chart's legend: a name beside a stroke of its colour, dashed or solid.
    struct LegendEntry {
        let name: String
        let color: String
        let dashed: Bool
    }

    struct Frame {
        let width: Double, height: Double
        let legend: [LegendEntry]
        var left: Double { 64 }
        var right: Double { width - (legend.isEmpty ? 16 : min(130, width * 0.22)) }
        var top: Double { 34 }
        var bottom: Double { height - 42 }
        var plotWidth: Double { right - left }

        func x(_ axis: Axis, _ v: Double) -> Double { left + axis.unit(v) * (right - left) }
        func y(_ axis: Axis, _ v: Double) -> Double { bottom - axis.unit(v) * (bottom - top) }
        func point(_ xAxis: Axis, _ yAxis: Axis, _ vx: Double, _ vy: Double) -> String {
            "\(coordinate(x(xAxis, vx))),\(coordinate(y(yAxis, vy)))"
        }

        func axes(title: String, xLabel: String, yLabel: String, x xAxis: Axis, y yAxis: Axis) -> String {
            var s = text(width / 2, 20, title, anchor: "middle", size: 14, weight: "bold")
            s +=
                "<rect x=\(quoted(left)) y=\(quoted(top)) width=\(quoted(right - left)) height=\(quoted(bottom - top)) fill=\"none\" stroke=\"#bbb\"/>\n"
            for t in yAxis.ticks {
                let py = y(yAxis, t)
                s +=
                    "<line x1=\(quoted(left)) y1=\(quoted(py)) x2=\(quoted(right)) y2=\(quoted(py)) stroke=\"#eee\"/>\n"
                s += text(left - 6, py + 4, format(t), anchor: "end")
            }
            for t in xAxis.ticks {
                let px = x(xAxis, t)
                s +=
                    "<line x1=\(quoted(px)) y1=\(quoted(top)) x2=\(quoted(px)) y2=\(quoted(bottom)) stroke=\"#eee\"/>\n"
                s += text(px, bottom + 16, format(t), anchor: "middle")
            }
            if !xLabel.isEmpty { s += text((left + right) / 2, height - 8, xLabel, anchor: "middle") }
            s +=
                "<text x=\"14\" y=\(quoted((top + bottom) / 2)) text-anchor=\"middle\" transform=\"rotate(-90 14 \(coordinate((top + bottom) / 2)))\" font-size=\"12\">\(escape(yLabel))</text>\n"
            for (i, item) in legend.enumerated() {
                let ly = top + 8 + Double(i) * 18
                s +=
                    "<line x1=\(quoted(right + 10)) y1=\(quoted(ly)) x2=\(quoted(right + 34)) y2=\(quoted(ly)) stroke=\"\(item.color)\" stroke-width=\"3\"\(item.dashed ? " stroke-dasharray=\"6 4\"" : "")/>\n"
                s += text(right + 40, ly + 4, item.name, anchor: "start")
            }
            return s
        }

        func wrap(_ body: String) -> String {
            "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(coordinate(width)) \(coordinate(height))\" width=\"\(coordinate(width))\" height=\"\(coordinate(height))\" font-family=\"sans-serif\" font-size=\"11\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n\(body)</svg>\n"
        }

        func empty(title: String) -> String {
            wrap(
                text(width / 2, 20, title, anchor: "middle", size: 14, weight: "bold")
                    + text(width / 2, height / 2, "no data", anchor: "middle"))
        }
    }

    static func text(
        _ x: Double, _ y: Double, _ content: String, anchor: String, size: Int = 11, weight: String = "normal"
    ) -> String {
        "<text x=\(quoted(x)) y=\(quoted(y)) text-anchor=\"\(anchor)\" font-size=\"\(size)\" font-weight=\"\(weight)\">\(escape(content))</text>\n"
    }

    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    /// A coordinate as SVG writes it: one decimal is a tenth of a pixel.
    public static func coordinate(_ v: Double) -> String { String(format: "%.1f", v) }
    /// The same as an XML attribute value, quotes included.
    public static func quoted(_ v: Double) -> String { "\"\(coordinate(v))\"" }

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
