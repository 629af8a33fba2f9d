import Foundation

/// The tool's one SVG line chart — loss.svg, returns.svg, regret.svg, accuracy.svg and
/// `slate plot` — drawn in one style with no plotting library:
///
/// - **Ticks** at round values on both axes: steps of 1, 2 or 5 × 10ᵏ ("nice numbers"), about
///   five per axis, and each axis spans whole ticks. Tick labels share one number of decimals
///   (`0.00 0.05 0.10`); large values read `250k`, `1.5M`.
/// - **A light grid** at every tick, under the data.
/// - **Series** in a fixed palette; a series of evaluations (`.lineAndPoints`, `.points`) marks
///   each evaluated point with a dot (up to `maxDots` points; denser evaluations read as a line).
///   Several series may share a colour and one legend entry (e.g. the seeds of one run).
/// - **A legend that covers no data**: the first corner of the plot area (top right, top left,
///   bottom right, bottom left) whose legend box no line or point crosses; when every corner
///   would cover data, the legend goes outside, right of the plot area.
///
/// ```swift
/// var plot = LinePlot(title: "GPT loss", xLabel: "step", yLabel: "cross-entropy")
/// plot.add("train", x: steps, y: losses)
/// plot.add("val", x: evalSteps, y: valLosses, marks: .lineAndPoints)
/// try plot.write(to: out.appendingPathComponent("loss.svg"))
/// ```
public struct LinePlot: Sendable {
    /// One named series.
    public struct Series: Sendable {
        /// The legend's text.
        public var name: String
        /// Points; non-finite ones (and non-positive `y` on a log scale) are skipped.
        public var x: [Double], y: [Double]
        /// Line, dots, or both.
        public var marks: Marks
        /// Index into the palette (by default the series' own index).
        public var color: Int
        /// Whether the legend lists it (series sharing a colour may list one name for all).
        public var inLegend: Bool
    }

    /// How a series is drawn: a line, a dot per point (evaluations), or both.
    public enum Marks: Sendable { case line, points, lineAndPoints }

    /// Text above the plot, and under the x axis and beside the y axis.
    public var title: String, xLabel: String, yLabel: String
    /// The series in drawing (and legend) order.
    public private(set) var series: [Series] = []
    /// Plot `y` on a log₁₀ scale (non-positive values are skipped).
    public var logY = false

    /// An empty plot; add series with `add`.
    public init(title: String, xLabel: String = "step", yLabel: String = "", logY: Bool = false) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.logY = logY
    }

    /// Adds a series; `x` and `y` must have the same length.
    /// `color` picks a palette entry (default: the series' index); `inLegend: false` leaves it
    /// out of the legend.
    public mutating func add(_ name: String, x: [Double], y: [Double], marks: Marks = .line, color: Int? = nil,
                             inLegend: Bool = true) {
        precondition(x.count == y.count, "series '\(name)': \(x.count) x values for \(y.count) y values")
        series.append(Series(name: name, x: x, y: y, marks: marks, color: color ?? series.count, inLegend: inLegend))
    }

    /// Adds a series plotted against 1, 2, 3, ...
    public mutating func add(_ name: String, y: [Double], marks: Marks = .line) {
        add(name, x: (0..<y.count).map { Double($0 + 1) }, y: y, marks: marks)
    }

    /// Matplotlib's ten colours (tab10, reordered so the first two contrast most), then near-black.
    static let palette = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf",
                          "#7f7f7f", "#bcbd22", "#222222"]
    /// Evaluations with more points than this are drawn as a line only.
    public static let maxDots = 60

    /// The chart as SVG text.
    public func svg(width: Int = 720, height: Int = 420) -> String {
        // Finite points of each series, y already on the plotted scale.
        let cleaned: [[Point]] = series.map { s in
            zip(s.x, s.y).compactMap { x, y in
                guard x.isFinite, y.isFinite, !logY || y > 0 else { return nil }
                return Point(x: x, y: logY ? Foundation.log10(y) : y)
            }
        }
        let all = cleaned.flatMap { $0 }
        let xAxis = Axis(all.map(\.x), log: false), yAxis = Axis(all.map(\.y), log: logY)
        let shown = cleaned.indices.filter { !cleaned[$0].isEmpty }, listed = shown.filter { series[$0].inLegend }
        let dotted = shown.filter {
            series[$0].marks == .points || (series[$0].marks == .lineAndPoints && cleaned[$0].count <= Self.maxDots)
        }
        let legendW = 46 + 7 * Double(listed.map { series[$0].name.count }.max() ?? 0), legendH = 8 + 16 * Double(listed.count)

        // Plot area; the legend takes the first free corner, else a column on the right.
        let left = 24 + 7 * Double(yAxis.labels.map(\.count).max() ?? 1) + 12
        var frame = Frame(left: left, top: 40, right: Double(width) - 20, bottom: Double(height) - 50, x: xAxis, y: yAxis)
        let paths = cleaned.map { $0.map(frame.pixel) }
        var legend = listed.isEmpty ? nil : frame.corners(width: legendW, height: legendH).first { box in
            !shown.contains { i in Self.covers(box, paths[i], marks: series[i].marks) }
        }
        if legend == nil && !listed.isEmpty {
            frame.right -= legendW + 10
            legend = Box(minX: frame.right + 10, minY: frame.top, maxX: frame.right + 10 + legendW, maxY: frame.top + legendH)
        }

        var out = """
        <svg xmlns="http://www.w3.org/2000/svg" width="\(width)" height="\(height)" viewBox="0 0 \(width) \(height)" font-family="sans-serif" font-size="12">
        <rect width="100%" height="100%" fill="white"/>
        <text x="\(width / 2)" y="22" text-anchor="middle" font-size="15">\(Self.escape(title))</text>\n
        """
        for (t, text) in zip(xAxis.ticks, xAxis.labels) {
            let x = coord(frame.px(t))
            out += "<line x1=\"\(x)\" y1=\"\(coord(frame.top))\" x2=\"\(x)\" y2=\"\(coord(frame.bottom))\" stroke=\"#e8e8e8\"/>"
            out += "<text x=\"\(x)\" y=\"\(coord(frame.bottom + 16))\" text-anchor=\"middle\">\(text)</text>\n"
        }
        for (t, text) in zip(yAxis.ticks, yAxis.labels) {
            let y = coord(frame.py(t))
            out += "<line x1=\"\(coord(frame.left))\" y1=\"\(y)\" x2=\"\(coord(frame.right))\" y2=\"\(y)\" stroke=\"#e8e8e8\"/>"
            out += "<text x=\"\(coord(frame.left - 6))\" y=\"\(coord(frame.py(t) + 4))\" text-anchor=\"end\">\(text)</text>\n"
        }
        out += "<rect x=\"\(coord(frame.left))\" y=\"\(coord(frame.top))\" width=\"\(coord(frame.right - frame.left))\" height=\"\(coord(frame.bottom - frame.top))\" fill=\"none\" stroke=\"#333\"/>\n"
        out += "<text x=\"\(coord((frame.left + frame.right) / 2))\" y=\"\(height - 10)\" text-anchor=\"middle\">\(Self.escape(xLabel))</text>\n"
        let yTitle = Self.escape(yLabel + (logY ? " (log scale)" : "")), mid = coord((frame.top + frame.bottom) / 2)
        out += "<text x=\"16\" y=\"\(mid)\" text-anchor=\"middle\" transform=\"rotate(-90 16 \(mid))\">\(yTitle)</text>\n"

        for i in shown {
            let color = Self.palette[series[i].color % Self.palette.count], points = cleaned[i].map(frame.pixel)
            if series[i].marks != .points {
                let stride = max(1, points.count / 2000)   // keep files small for long runs
                var path = ""
                for (k, p) in points.enumerated() where k % stride == 0 || k == points.count - 1 {
                    path += (path.isEmpty ? "M" : " L") + "\(coord(p.x)),\(coord(p.y))"
                }
                out += "<path d=\"\(path)\" fill=\"none\" stroke=\"\(color)\" stroke-width=\"1.5\"/>\n"
            }
            if dotted.contains(i) {
                for p in points { out += "<circle cx=\"\(coord(p.x))\" cy=\"\(coord(p.y))\" r=\"3\" fill=\"\(color)\" stroke=\"white\" stroke-width=\"0.8\"/>" }
                out += "\n"
            }
        }
        if let legend {
            out += "<rect x=\"\(coord(legend.minX))\" y=\"\(coord(legend.minY))\" width=\"\(coord(legend.maxX - legend.minX))\" height=\"\(coord(legend.maxY - legend.minY))\" fill=\"white\" fill-opacity=\"0.85\" stroke=\"#ccc\"/>\n"
            for (row, i) in listed.enumerated() {
                let color = Self.palette[series[i].color % Self.palette.count]
                let (lx, ly) = (legend.minX + 8, legend.minY + 16 + 16 * Double(row))
                if series[i].marks != .points {
                    out += "<line x1=\"\(coord(lx))\" y1=\"\(coord(ly - 4))\" x2=\"\(coord(lx + 24))\" y2=\"\(coord(ly - 4))\" stroke=\"\(color)\" stroke-width=\"2\"/>"
                }
                if dotted.contains(i) { out += "<circle cx=\"\(coord(lx + 12))\" cy=\"\(coord(ly - 4))\" r=\"3\" fill=\"\(color)\"/>" }
                out += "<text x=\"\(coord(lx + 30))\" y=\"\(coord(ly))\">\(Self.escape(series[i].name))</text>\n"
            }
        }
        return out + "</svg>\n"
    }

    /// Writes the SVG atomically.
    public func write(to url: URL, width: Int = 720, height: Int = 420) throws {
        try writeAtomically(svg(width: width, height: height), to: url)
    }

    // MARK: layout

    struct Point { var x: Double, y: Double }
    struct Box { var minX: Double, minY: Double, maxX: Double, maxY: Double }

    /// One axis: the data range widened to whole ticks, the ticks and their labels.
    struct Axis {
        var low: Double, high: Double, ticks: [Double], labels: [String]

        init(_ values: [Double], log: Bool) {
            var (lo, hi) = (values.min() ?? 0, values.max() ?? 1)
            if hi - lo < 1e-12 * max(1, abs(hi)) { lo -= 0.5; hi += 0.5 }
            if log {   // whole decades when the data span one or more, else round values between
                let decades = LinePlot.niceTicks(lo, hi).filter { $0 == $0.rounded() }
                ticks = decades.count >= 2 ? decades
                    : LinePlot.niceTicks(Foundation.pow(10, lo), Foundation.pow(10, hi)).filter { $0 > 0 }.map(Foundation.log10)
                labels = ticks.map { String(format: "%g", Foundation.pow(10, $0)) }
            } else {
                ticks = LinePlot.niceTicks(lo, hi)
                labels = LinePlot.labels(ticks)
            }
            (low, high) = (min(lo, ticks.first ?? lo), max(hi, ticks.last ?? hi))
        }
    }

    /// The plot area in pixels and the data → pixel mapping.
    struct Frame {
        var left: Double, top: Double, right: Double, bottom: Double
        let x: Axis, y: Axis

        func px(_ v: Double) -> Double { left + (v - x.low) / (x.high - x.low) * (right - left) }
        func py(_ v: Double) -> Double { bottom - (v - y.low) / (y.high - y.low) * (bottom - top) }
        func pixel(_ p: Point) -> Point { Point(x: px(p.x), y: py(p.y)) }

        /// A `width` × `height` box in each corner of the area, 8 px in: top right, top left,
        /// bottom right, bottom left.
        func corners(width: Double, height: Double) -> [Box] {
            let (l, r, t, b) = (left + 8, right - 8 - width, top + 8, bottom - 8 - height)
            return [(r, t), (l, t), (r, b), (l, b)].map { Box(minX: $0.0, minY: $0.1, maxX: $0.0 + width, maxY: $0.1 + height) }
        }
    }

    /// True when a series drawn through `points` (pixels) would show under `box`: a point inside
    /// it (with a dot's margin), or, for lines, a segment crossing it.
    static func covers(_ box: Box, _ points: [Point], marks: Marks) -> Bool {
        let grown = Box(minX: box.minX - 4, minY: box.minY - 4, maxX: box.maxX + 4, maxY: box.maxY + 4)
        if points.contains(where: { $0.x >= grown.minX && $0.x <= grown.maxX && $0.y >= grown.minY && $0.y <= grown.maxY }) {
            return true
        }
        guard marks != .points else { return false }
        return zip(points, points.dropFirst()).contains { segment($0, $1, crosses: box) }
    }

    /// Liang–Barsky clipping: does the segment a→b pass through `box`?
    static func segment(_ a: Point, _ b: Point, crosses box: Box) -> Bool {
        var (t0, t1) = (0.0, 1.0)
        let (dx, dy) = (b.x - a.x, b.y - a.y)
        for (p, q) in [(-dx, a.x - box.minX), (dx, box.maxX - a.x), (-dy, a.y - box.minY), (dy, box.maxY - a.y)] {
            if p == 0 {
                if q < 0 { return false }   // parallel to this edge and outside it
            } else if p < 0 {
                t0 = max(t0, q / p)
            } else {
                t1 = min(t1, q / p)
            }
            if t0 > t1 { return false }
        }
        return true
    }

    // MARK: ticks and text

    /// About five round tick values covering [low, high]: steps of 1, 2 or 5 × 10ᵏ.
    static func niceTicks(_ low: Double, _ high: Double, target: Int = 5) -> [Double] {
        let step = tickStep(low, high, target: target)
        let first = Foundation.floor(low / step + 1e-9) * step
        var ticks: [Double] = []
        var t = first
        while t < high + step * (1 - 1e-9) && ticks.count < 50 {
            ticks.append(abs(t) < step * 1e-9 ? 0 : t)
            if t >= high - step * 1e-9 { break }
            t = first + Double(ticks.count) * step
        }
        return ticks
    }

    /// The round step (1, 2 or 5 × 10ᵏ) nearest to `(high - low) / target`, so there are about
    /// `target` intervals (Heckbert's "nice numbers", Graphics Gems, 1990).
    static func tickStep(_ low: Double, _ high: Double, target: Int = 5) -> Double {
        let raw = max(high - low, 1e-300) / Double(target)
        let magnitude = Foundation.pow(10, Foundation.floor(Foundation.log10(raw)))
        let fraction = raw / magnitude   // in [1, 10)
        return magnitude * (fraction < 1.5 ? 1 : fraction < 3 ? 2 : fraction < 7 ? 5 : 10)
    }

    /// Labels for evenly spaced ticks, all with the decimals their step needs: "0.00 0.05 0.10",
    /// "0 250k 500k", "0 0.5M 1.0M".
    static func labels(_ ticks: [Double]) -> [String] {
        guard ticks.count >= 2 else { return ticks.map { String(format: "%g", $0) } }
        let step = ticks[1] - ticks[0], largest = ticks.map(abs).max()!
        let (scale, suffix) = largest >= 1e6 ? (1e6, "M") : largest >= 1e4 ? (1e3, "k") : (1.0, "")
        let decimals = max(0, Int(-Foundation.floor(Foundation.log10(step / scale) + 1e-9)))
        return ticks.map { $0 == 0 && scale > 1 ? "0" : String(format: "%.\(decimals)f", $0 / scale) + suffix }
    }

    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}

/// One decimal, for SVG coordinates.
private func coord(_ v: Double) -> String { String(format: "%.1f", v) }
