import Foundation

/// A minimal SVG line chart (no dependencies): one polyline per series over x = 1...n, y in [0, 1].
enum GCNLinePlot {
    static func render(title: String, xLabel: String, yLabel: String, series: [(String, [Double])]) -> String {
        let (w, h, left, right, top, bottom) = (720.0, 420.0, 60.0, 130.0, 40.0, 50.0)
        let n = max(series.map { $0.1.count }.max() ?? 1, 2)
        let colors = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd"]
        func x(_ i: Int) -> Double { left + Double(i) / Double(n - 1) * (w - left - right) }
        func y(_ v: Double) -> Double { top + (1 - min(max(v, 0), 1)) * (h - top - bottom) }
        var s = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(w))\" height=\"\(Int(h))\" font-family=\"sans-serif\" font-size=\"12\">\n"
        s += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
        s += "<text x=\"\(w / 2)\" y=\"22\" text-anchor=\"middle\" font-size=\"14\">\(escape(title))</text>\n"
        for k in 0...10 {
            let v = Double(k) / 10, yy = y(v)
            s += "<line x1=\"\(left)\" y1=\"\(yy)\" x2=\"\(w - right)\" y2=\"\(yy)\" stroke=\"#eee\"/>"
            s += "<text x=\"\(left - 6)\" y=\"\(yy + 4)\" text-anchor=\"end\">\(String(format: "%.1f", v))</text>\n"
        }
        for k in 0...4 {
            let i = (n - 1) * k / 4
            s += "<text x=\"\(x(i))\" y=\"\(h - bottom + 18)\" text-anchor=\"middle\">\(i + 1)</text>\n"
        }
        s += "<text x=\"\((left + w - right) / 2)\" y=\"\(h - 10)\" text-anchor=\"middle\">\(escape(xLabel))</text>\n"
        s += "<text x=\"16\" y=\"\(h / 2)\" transform=\"rotate(-90 16 \(h / 2))\" text-anchor=\"middle\">\(escape(yLabel))</text>\n"
        s += "<rect x=\"\(left)\" y=\"\(top)\" width=\"\(w - left - right)\" height=\"\(h - top - bottom)\" fill=\"none\" stroke=\"#888\"/>\n"
        for (k, (name, values)) in series.enumerated() where !values.isEmpty {
            let color = colors[k % colors.count]
            let points = values.enumerated().map { String(format: "%.1f,%.1f", x($0.offset), y($0.element)) }.joined(separator: " ")
            s += "<polyline fill=\"none\" stroke=\"\(color)\" stroke-width=\"1.5\" points=\"\(points)\"/>\n"
            let ly = top + 20 + Double(k) * 18
            s += "<line x1=\"\(w - right + 10)\" y1=\"\(ly - 4)\" x2=\"\(w - right + 30)\" y2=\"\(ly - 4)\" stroke=\"\(color)\" stroke-width=\"2\"/>"
            s += "<text x=\"\(w - right + 36)\" y=\"\(ly)\">\(escape(name))</text>\n"
        }
        return s + "</svg>\n"
    }

    private static func escape(_ t: String) -> String {
        t.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }
}
