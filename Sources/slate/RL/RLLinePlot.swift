import Foundation

/// A minimal SVG line chart for the RL commands' curves (no math beyond scaling to pixels).
enum RLLinePlot {
    /// One named curve; `y[i]` is plotted at `x = i + 1`.
    struct Series {
        var name: String
        var y: [Double]
    }

    static let palette = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd"]

    /// An SVG document with every series, axes with min/max ticks, and a legend.
    static func svg(title: String, xLabel: String, yLabel: String, series: [Series],
                    width: Double = 720, height: Double = 420) -> String {
        let left = 70.0, right = 20.0, top = 40.0, bottom = 50.0
        let plotW = width - left - right, plotH = height - top - bottom
        let n = series.map(\.y.count).max() ?? 1
        let values = series.flatMap(\.y).filter(\.isFinite)
        var lo = min(values.min() ?? 0, 0), hi = values.max() ?? 1
        if hi <= lo { hi = lo + 1 }
        let dataLo = lo
        lo -= 0.02 * (hi - lo)
        func px(_ i: Int) -> Double { left + plotW * Double(i) / Double(max(n - 1, 1)) }
        func py(_ v: Double) -> Double { top + plotH * (1 - (v - lo) / (hi - lo)) }
        var out = """
        <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" font-family="sans-serif" font-size="12">
        <rect width="100%" height="100%" fill="white"/>
        <text x="\(width / 2)" y="22" text-anchor="middle" font-size="15">\(escape(title))</text>
        <line x1="\(left)" y1="\(top + plotH)" x2="\(left + plotW)" y2="\(top + plotH)" stroke="black"/>
        <line x1="\(left)" y1="\(top)" x2="\(left)" y2="\(top + plotH)" stroke="black"/>
        <text x="\(left + plotW / 2)" y="\(height - 12)" text-anchor="middle">\(escape(xLabel))</text>
        <text x="16" y="\(top + plotH / 2)" text-anchor="middle" transform="rotate(-90 16 \(top + plotH / 2))">\(escape(yLabel))</text>
        <text x="\(left)" y="\(top + plotH + 18)" text-anchor="middle">1</text>
        <text x="\(left + plotW)" y="\(top + plotH + 18)" text-anchor="middle">\(n)</text>
        <text x="\(left - 6)" y="\(py(hi) + 4)" text-anchor="end">\(label(hi))</text>
        <text x="\(left - 6)" y="\(py(dataLo) + 4)" text-anchor="end">\(label(dataLo))</text>

        """
        // At most ~1000 points per curve: a longer curve is sampled evenly.
        for (k, s) in series.enumerated() {
            let stride = max(1, s.y.count / 1000)
            var points: [String] = []
            var i = 0
            while i < s.y.count {
                if s.y[i].isFinite { points.append(String(format: "%.1f,%.1f", px(i), py(s.y[i]))) }
                i = (i + stride < s.y.count || i == s.y.count - 1) ? i + stride : s.y.count - 1
            }
            let color = palette[k % palette.count]
            out += "<polyline fill=\"none\" stroke=\"\(color)\" stroke-width=\"1.8\" points=\"\(points.joined(separator: " "))\"/>\n"
            out += "<text x=\"\(left + 10)\" y=\"\(top + 16 + 16 * Double(k))\" fill=\"\(color)\">\(escape(s.name))</text>\n"
        }
        return out + "</svg>\n"
    }

    /// Writes `text` to `url` atomically (temporary file, then rename).
    static func write(_ text: String, to url: URL) throws {
        try Data(text.utf8).write(to: url, options: .atomic)
    }

    private static func label(_ v: Double) -> String { String(format: abs(v) >= 100 ? "%.0f" : "%.2f", v) }

    private static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;")
    }
}
