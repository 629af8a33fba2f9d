import Foundation

/// A small SVG line chart — loss.svg, returns.svg, accuracy.svg — with no plotting library:
/// several named series, axes with "nice" ticks (1, 2, 5 × 10ᵏ), a title and a legend.
public struct LinePlot: Sendable {
    /// One named line.
    public struct Series: Sendable {
        public var name: String
        public var x: [Double]
        public var y: [Double]
    }

    public var title: String
    public var xLabel: String
    public var yLabel: String
    public private(set) var series: [Series] = []
    /// Plot `y` on a log₁₀ scale (non-positive values are skipped).
    public var logY = false
    /// Where the legend sits inside the plot area (top left suits curves that rise to the right,
    /// such as cumulative regret).
    public var legendCorner: LegendCorner = .topRight

    /// A corner of the plot area.
    public enum LegendCorner: Sendable { case topRight, topLeft }

    public init(title: String, xLabel: String = "step", yLabel: String = "", logY: Bool = false) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.logY = logY
    }

    /// Adds a series; `x` and `y` must have the same length.
    public mutating func add(_ name: String, x: [Double], y: [Double]) {
        precondition(x.count == y.count, "series '\(name)': \(x.count) x values for \(y.count) y values")
        series.append(Series(name: name, x: x, y: y))
    }

    /// Adds a series plotted against 1, 2, 3, ...
    public mutating func add(_ name: String, y: [Double]) {
        add(name, x: (0..<y.count).map { Double($0 + 1) }, y: y)
    }

    static let palette = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"]

    /// The chart as SVG text.
    public func svg(width: Int = 720, height: Int = 420) -> String {
        let (left, right, top, bottom) = (70.0, 20.0, 40.0, 50.0)
        let plotW = Double(width) - left - right, plotH = Double(height) - top - bottom
        let transformY: (Double) -> Double? = { y in
            guard y.isFinite else { return nil }
            if logY { return y > 0 ? Foundation.log10(y) : nil }
            return y
        }
        // Finite points of each series, y already transformed.
        let cleaned: [[(Double, Double)]] = series.map { s in
            zip(s.x, s.y).compactMap { x, y in x.isFinite ? transformY(y).map { (x, $0) } : nil }
        }
        let all = cleaned.flatMap { $0 }
        var (x0, x1) = (all.map(\.0).min() ?? 0, all.map(\.0).max() ?? 1)
        var (y0, y1) = (all.map(\.1).min() ?? 0, all.map(\.1).max() ?? 1)
        if x1 - x0 < 1e-12 { x0 -= 0.5; x1 += 0.5 }
        if y1 - y0 < 1e-12 { y0 -= 0.5; y1 += 0.5 }
        let xTicks = Self.niceTicks(x0, x1), yTicks = Self.niceTicks(y0, y1)
        (x0, x1) = (min(x0, xTicks.first!), max(x1, xTicks.last!))
        (y0, y1) = (min(y0, yTicks.first!), max(y1, yTicks.last!))
        func px(_ x: Double) -> Double { left + (x - x0) / (x1 - x0) * plotW }
        func py(_ y: Double) -> Double { top + (1 - (y - y0) / (y1 - y0)) * plotH }
        func f(_ v: Double) -> String { String(format: "%.1f", v) }

        var out = """
        <svg xmlns="http://www.w3.org/2000/svg" width="\(width)" height="\(height)" viewBox="0 0 \(width) \(height)" font-family="sans-serif" font-size="12">
        <rect width="100%" height="100%" fill="white"/>
        <text x="\(width / 2)" y="22" text-anchor="middle" font-size="15">\(Self.escape(title))</text>\n
        """
        for t in xTicks where t >= x0 - 1e-9 && t <= x1 + 1e-9 {
            out += "<line x1=\"\(f(px(t)))\" y1=\"\(f(top))\" x2=\"\(f(px(t)))\" y2=\"\(f(top + plotH))\" stroke=\"#e5e5e5\"/>"
            out += "<text x=\"\(f(px(t)))\" y=\"\(f(top + plotH + 16))\" text-anchor=\"middle\">\(Self.label(t))</text>\n"
        }
        for t in yTicks where t >= y0 - 1e-9 && t <= y1 + 1e-9 {
            let text = logY ? Self.label(Foundation.pow(10, t)) : Self.label(t)
            out += "<line x1=\"\(f(left))\" y1=\"\(f(py(t)))\" x2=\"\(f(left + plotW))\" y2=\"\(f(py(t)))\" stroke=\"#e5e5e5\"/>"
            out += "<text x=\"\(f(left - 6))\" y=\"\(f(py(t) + 4))\" text-anchor=\"end\">\(text)</text>\n"
        }
        out += "<rect x=\"\(f(left))\" y=\"\(f(top))\" width=\"\(f(plotW))\" height=\"\(f(plotH))\" fill=\"none\" stroke=\"#333\"/>\n"
        out += "<text x=\"\(f(left + plotW / 2))\" y=\"\(height - 10)\" text-anchor=\"middle\">\(Self.escape(xLabel))</text>\n"
        let yTitle = Self.escape(yLabel + (logY ? " (log scale)" : ""))
        out += "<text x=\"16\" y=\"\(f(top + plotH / 2))\" text-anchor=\"middle\" transform=\"rotate(-90 16 \(f(top + plotH / 2)))\">\(yTitle)</text>\n"

        for (i, points) in cleaned.enumerated() where !points.isEmpty {
            let color = Self.palette[i % Self.palette.count]
            let stride = max(1, points.count / 2000)   // keep files small for long runs
            var path = ""
            for (k, p) in points.enumerated() where k % stride == 0 || k == points.count - 1 {
                path += (path.isEmpty ? "M" : " L") + "\(f(px(p.0))),\(f(py(p.1)))"
            }
            out += "<path d=\"\(path)\" fill=\"none\" stroke=\"\(color)\" stroke-width=\"1.5\"/>\n"
            let ly = top + 14 + 16 * Double(i)
            let lx = legendCorner == .topRight ? left + plotW - 130 : left + 12   // the swatch's left end
            out += "<line x1=\"\(f(lx))\" y1=\"\(f(ly - 4))\" x2=\"\(f(lx + 20))\" y2=\"\(f(ly - 4))\" stroke=\"\(color)\" stroke-width=\"2\"/>"
            out += "<text x=\"\(f(lx + 26))\" y=\"\(f(ly))\">\(Self.escape(series[i].name))</text>\n"
        }
        return out + "</svg>\n"
    }

    /// Writes the SVG atomically.
    public func write(to url: URL, width: Int = 720, height: Int = 420) throws {
        try writeAtomically(svg(width: width, height: height), to: url)
    }

    /// About five round tick values covering [low, high]: steps of 1, 2 or 5 × 10ᵏ.
    static func niceTicks(_ low: Double, _ high: Double, target: Int = 5) -> [Double] {
        let raw = (high - low) / Double(target)
        let magnitude = Foundation.pow(10, Foundation.floor(Foundation.log10(raw)))
        let step = [1.0, 2, 5, 10].map { $0 * magnitude }.first { $0 >= raw } ?? 10 * magnitude
        let first = Foundation.floor(low / step) * step
        var ticks: [Double] = []
        var t = first
        while t <= high + step * 0.5 && ticks.count < 50 {
            ticks.append(abs(t) < step * 1e-9 ? 0 : t)
            t = first + Double(ticks.count) * step
        }
        return ticks
    }

    /// Short tick text: "0.25", "1.5k", "2e-05".
    static func label(_ v: Double) -> String {
        let a = abs(v)
        if a >= 1e4 && a < 1e6 { return String(format: "%gk", v / 1000) }
        return String(format: "%g", v)
    }

    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
