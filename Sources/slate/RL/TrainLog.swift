import Foundation
import Slate
import SlateRL

/// Collects a training run's events: metrics rows for metrics.csv (rewritten atomically every
/// 30 s and at the end), the episode returns for returns.svg, the rolling return for the
/// progress line (steps, steps/s, mean return, ETA) and the "steps to solve" figure.
final class TrainingLog {
    let columns: [String]
    let totalSteps: Int
    private(set) var tracker: ReturnTracker
    private let progress: ProgressLine?
    private let csvURL: URL
    private var rows: [String] = []
    private var returns: [Double] = []
    private var latestStep = 0
    private var lastSPS: Double?
    private let start = Date()
    private var lastFlush = Date()

    init(columns: [String], totalSteps: Int, target: Double?, progress: ProgressLine?, csvURL: URL) {
        self.columns = columns
        self.totalSteps = totalSteps
        self.tracker = ReturnTracker(window: 100, target: target)
        self.progress = progress
        self.csvURL = csvURL
    }

    /// Seconds since the log was created (the start of training).
    var elapsed: Double { Date().timeIntervalSince(start) }

    func handle(_ event: TrainingEvent) {
        switch event {
        case .episode(let step, let record):
            tracker.add(record.episodicReturn, globalStep: step, seconds: elapsed)
            returns.append(record.episodicReturn)
            addRow(step: step, values: ["episodic_return": record.episodicReturn,
                                        "episodic_length": Double(record.length)])
        case .update(let step, let metrics):
            lastSPS = metrics["sps"] ?? lastSPS
            addRow(step: step, values: metrics)
        }
        progress?.update(latestStep, statusMessage)
        if Date().timeIntervalSince(lastFlush) > 30 { try? writeCSV() }
    }

    /// "11850 steps/s | mean return (100 ep) 432.1" for the progress line.
    private var statusMessage: String {
        let mean = tracker.mean.map { String(format: "%.1f", $0) } ?? "-"
        return String(format: "%.0f steps/s | mean return (100 ep) %@", Double(latestStep) / max(elapsed, 1e-9), mean)
    }

    private func addRow(step: Int, values: [String: Double]) {
        latestStep = max(latestStep, step)
        rows.append(columns.map { name in
            if name == "global_step" { return "\(step)" }
            guard let v = values[name] else { return "" }
            return v.isFinite ? String(format: "%.6g", v) : "nan"
        }.joined(separator: ","))
    }

    private func writeCSV() throws {
        lastFlush = Date()
        try writeAtomically(([columns.joined(separator: ",")] + rows).joined(separator: "\n") + "\n", to: csvURL)
    }

    /// Final metrics.csv and the end of the progress line.
    func finish() throws {
        progress?.finish("done: \(latestStep) steps | " + statusMessage)
        try writeCSV()
    }

    /// Episode returns and their rolling mean over 100 episodes, against episode number.
    func writeReturnsPlot(to url: URL, title: String) throws {
        var rolling: [Double] = []
        var sum = 0.0
        for (i, r) in returns.enumerated() {
            sum += r
            if i >= 100 { sum -= returns[i - 100] }
            rolling.append(sum / Double(min(i + 1, 100)))
        }
        var plot = LinePlot(title: title, xLabel: "training episode", yLabel: "episodic return")
        plot.add("episode return", y: returns)
        plot.add("mean of last 100", y: rolling)
        try plot.write(to: url)
    }
}
