import Foundation
import SlateGPT

/// The files a training run leaves in its output directory: `metrics.csv` (one row per step and
/// per evaluation), `loss.svg` (train and val curves) and `summary.json`.
final class GPTRunLog {
    let directory: String
    private var csv: FileHandle
    private var trainCurve: [(Double, Double)] = []
    private var evalTrain: [(Double, Double)] = []
    private var evalVal: [(Double, Double)] = []

    init(directory: String, append: Bool) throws {
        self.directory = directory
        let path = directory + "/metrics.csv"
        if !append || !FileManager.default.fileExists(atPath: path) {
            try "iter,loss,lr,ms,tokens_per_sec,train_loss,val_loss\n".write(toFile: path, atomically: true, encoding: .utf8)
        }
        guard let handle = FileHandle(forWritingAtPath: path) else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path])
        }
        handle.seekToEndOfFile()
        csv = handle
    }

    func record(_ event: TrainEvent) {
        let row: String
        switch event {
        case let .step(iter, loss, lr, ms, tps):
            row = "\(iter),\(loss),\(lr),\(String(format: "%.3f", ms)),\(String(format: "%.0f", tps)),,\n"
            trainCurve.append((Double(iter), Double(loss)))
        case let .eval(iter, trainLoss, valLoss, _):
            row = "\(iter),,,,,\(trainLoss),\(valLoss)\n"
            evalTrain.append((Double(iter), Double(trainLoss)))
            evalVal.append((Double(iter), Double(valLoss)))
        }
        csv.write(Data(row.utf8))
    }

    func finish(summary: TrainSummary, peakRSS: Double) throws {
        csv.closeFile()
        var json: [String: Any] = [
            "val_loss": summary.valLoss, "train_loss": summary.trainLoss, "best_val_loss": summary.bestValLoss,
            "iters": summary.iters, "ms_per_iter": summary.msPerIter, "tokens_per_sec": summary.tokensPerSec,
            "wall_seconds": summary.wallSeconds, "peak_rss_mb": peakRSS,
        ]
        for (k, v) in json { if let f = v as? Float, !f.isFinite { json[k] = NSNull() } }
        let data = try JSONSerialization.data(withJSONObject: json, options: [.prettyPrinted, .sortedKeys])
        try data.write(to: URL(fileURLWithPath: directory + "/summary.json"), options: .atomic)
        let svg = gptLossPlotSVG(series: [("train (per step)", "#9ecae1", trainCurve),
                                       ("train (eval)", "#08519c", evalTrain),
                                       ("val (eval)", "#e6550d", evalVal)],
                              title: "GPT loss", xLabel: "iter", yLabel: "cross-entropy")
        try svg.write(toFile: directory + "/loss.svg", atomically: true, encoding: .utf8)
    }
}

/// A small self-contained SVG line chart.
func gptLossPlotSVG(series: [(name: String, color: String, points: [(Double, Double)])],
                 title: String, xLabel: String, yLabel: String) -> String {
    let (w, h, m) = (640.0, 400.0, 50.0)
    let all = series.flatMap { $0.points }.filter { $0.1.isFinite }
    let x0 = all.map { $0.0 }.min() ?? 0, x1 = max(all.map { $0.0 }.max() ?? 1, x0 + 1)
    let y0 = all.map { $0.1 }.min() ?? 0, y1 = max(all.map { $0.1 }.max() ?? 1, y0 + 1e-6)
    func px(_ x: Double) -> Double { m + (x - x0) / (x1 - x0) * (w - 2 * m) }
    func py(_ y: Double) -> Double { h - m - (y - y0) / (y1 - y0) * (h - 2 * m) }
    var s = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(w))\" height=\"\(Int(h))\" font-family=\"sans-serif\" font-size=\"12\">\n"
    s += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
    s += "<text x=\"\(w / 2)\" y=\"20\" text-anchor=\"middle\" font-size=\"14\">\(title)</text>\n"
    s += "<line x1=\"\(m)\" y1=\"\(h - m)\" x2=\"\(w - m)\" y2=\"\(h - m)\" stroke=\"black\"/>\n"
    s += "<line x1=\"\(m)\" y1=\"\(m)\" x2=\"\(m)\" y2=\"\(h - m)\" stroke=\"black\"/>\n"
    for i in 0...4 {
        let yv = y0 + (y1 - y0) * Double(i) / 4, xv = x0 + (x1 - x0) * Double(i) / 4
        s += "<text x=\"\(m - 5)\" y=\"\(py(yv) + 4)\" text-anchor=\"end\">\(String(format: "%.2f", yv))</text>\n"
        s += "<text x=\"\(px(xv))\" y=\"\(h - m + 16)\" text-anchor=\"middle\">\(Int(xv))</text>\n"
    }
    s += "<text x=\"\(w / 2)\" y=\"\(h - 10)\" text-anchor=\"middle\">\(xLabel)</text>\n"
    s += "<text x=\"14\" y=\"\(h / 2)\" transform=\"rotate(-90 14 \(h / 2))\" text-anchor=\"middle\">\(yLabel)</text>\n"
    for (i, one) in series.enumerated() where !one.points.isEmpty {
        let pts = one.points.filter { $0.1.isFinite }.map { String(format: "%.1f,%.1f", px($0.0), py($0.1)) }.joined(separator: " ")
        s += "<polyline fill=\"none\" stroke=\"\(one.color)\" stroke-width=\"1.5\" points=\"\(pts)\"/>\n"
        s += "<text x=\"\(w - m - 120)\" y=\"\(m + 16 * Double(i))\" fill=\"\(one.color)\">\(one.name)</text>\n"
    }
    return s + "</svg>\n"
}

/// Prints a live progress line with an ETA on a terminal; elsewhere only the permanent lines.
final class GPTProgress {
    let total: Int
    let start = Date()
    let isTerminal = isatty(STDOUT_FILENO) != 0
    private var lastDraw = Date.distantPast
    private var firstIter: Int?

    init(total: Int) { self.total = total }

    func update(iter: Int, text: String) {
        guard isTerminal else { return }
        if firstIter == nil { firstIter = iter }
        let now = Date()
        guard now.timeIntervalSince(lastDraw) > 0.1 || iter == total else { return }
        lastDraw = now
        let done = Double(iter - (firstIter ?? 0) + 1)
        let eta = now.timeIntervalSince(start) / max(done, 1) * Double(total - iter)
        print("\r\u{1B}[K\(text)  [\(iter)/\(total), ETA \(Int(eta))s]", terminator: "")
        fflush(nil)
    }

    func line(_ text: String) {
        if isTerminal { print("\r\u{1B}[K", terminator: "") }
        print(text)
        fflush(nil)
    }

    func finish() { if isTerminal { print("\r\u{1B}[K", terminator: "") } }
}
