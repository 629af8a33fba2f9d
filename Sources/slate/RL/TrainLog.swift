import Foundation
import Slate
import SlateRL

/// A training run's logs: one row per update in metrics.csv (the trainer's columns, every one
/// filled), one row per finished training episode in episodes.csv, the episode returns for
/// returns.svg, and the progress line (steps/s, rolling mean return, ETA).
///
/// Rows are buffered and appended at `flush()`, which the caller runs before every checkpoint, so
/// a checkpoint never covers rows that are not on disk. On resume, `init(resumingAt:)` drops the
/// rows after the checkpoint's step (and any line a kill cut short): each row appears once.
final class TrainingLog {
    private(set) var tracker: ReturnTracker
    private(set) var returns: [Double] = []
    private let progress: ProgressLine?
    private let metrics: CSVLog
    private let episodes: CSVLog
    private var latestStep = 0
    private let start = Date()
    private let startStep: Int
    /// Training seconds before this process (a resumed run's earlier sessions).
    let previousSeconds: Double
    private var lastFlush = Date()

    /// Starts metrics.csv and episodes.csv in `directory`, or, with `resumingAt` a checkpoint's
    /// step, keeps their rows up to that step and continues them.
    init(directory: URL, columns: [String], totalSteps: Int, target: Double?, progress: ProgressLine?,
         resumingAt step: Int?, previousSeconds: Double = 0, secondsToTarget: Double? = nil) throws {
        metrics = try CSVLog(url: directory.appendingPathComponent("metrics.csv"), columns: columns, keepingUpTo: step)
        episodes = try CSVLog(url: directory.appendingPathComponent("episodes.csv"), columns: MetricName.episodeColumns,
                              keepingUpTo: step)
        tracker = ReturnTracker(window: 100, target: target)
        for row in episodes.keptRows {
            guard row.count == 3, let s = Int(row[0]), let r = Double(row[1]) else { continue }
            tracker.add(r, globalStep: s, seconds: 0)
            returns.append(r)
        }
        if tracker.targetStep != nil { tracker.targetSeconds = secondsToTarget }
        self.progress = progress
        self.previousSeconds = previousSeconds
        startStep = step ?? 0
        latestStep = startStep
    }

    /// Training seconds so far, over every session of the run.
    var elapsed: Double { previousSeconds + Date().timeIntervalSince(start) }
    /// Seconds of this session.
    var sessionSeconds: Double { Date().timeIntervalSince(start) }

    func handle(_ event: TrainingEvent) {
        switch event {
        case .episode(let step, let record):
            tracker.add(record.episodicReturn, globalStep: step, seconds: elapsed)
            returns.append(record.episodicReturn)
            episodes.add(step: step, values: ["episodic_return": record.episodicReturn,
                                              "episodic_length": Double(record.length)])
            latestStep = max(latestStep, step)
        case .update(let step, let values):
            metrics.add(step: step, values: values)
            latestStep = max(latestStep, step)
        case .boundary:
            if Date().timeIntervalSince(lastFlush) > 5 { try? flush() }
            return
        }
        progress?.update(latestStep, statusMessage)
    }

    /// "11850 steps/s | mean return (100 ep) 432.1" for the progress line.
    private var statusMessage: String {
        let mean = tracker.mean.map { String(format: "%.1f", $0) } ?? "-"
        return String(format: "%.0f steps/s | mean return (100 ep) %@", Double(latestStep - startStep) / max(sessionSeconds, 1e-9), mean)
    }

    /// Appends the buffered rows to the files.
    func flush() throws {
        lastFlush = Date()
        try metrics.flush()
        try episodes.flush()
    }

    /// Flushes and ends the progress line.
    func finish() throws {
        progress?.finish("done: \(latestStep) steps | " + statusMessage)
        try flush()
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

/// One CSV file of step-indexed rows (`global_step` first), appended in batches.
final class CSVLog {
    let url: URL
    let columns: [String]
    /// The rows kept from an earlier session (resume), split into fields.
    private(set) var keptRows: [[String]] = []
    private var pending = ""

    /// A new file with the header, or, when `step` is given, the existing file cut to its complete
    /// rows with `global_step <= step` (rewritten atomically).
    init(url: URL, columns: [String], keepingUpTo step: Int?) throws {
        self.url = url
        self.columns = columns
        var text = columns.joined(separator: ",") + "\n"
        if let step, let data = FileManager.default.contents(atPath: url.path) {
            let old = String(decoding: data, as: UTF8.self)
            // Only lines ending in a newline are complete; the last one may have been cut by a kill.
            var lines = old.split(separator: "\n", omittingEmptySubsequences: false)
            lines.removeLast()
            if lines.first.map(String.init) == columns.joined(separator: ",") {
                for line in lines.dropFirst() {
                    let fields = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
                    guard fields.count == columns.count, let s = Int(fields[0]), s <= step else { continue }
                    keptRows.append(fields)
                    text += line + "\n"
                }
            }
        }
        try writeAtomically(text, to: url)
    }

    /// Buffers one row; `values` fills the columns by name.
    func add(step: Int, values: [String: Double]) {
        pending += columns.map { name -> String in
            if name == "global_step" { return "\(step)" }
            guard let v = values[name] else { return "nan" }
            if name == "update" { return "\(Int(v))" }
            return v.isFinite ? String(format: "%.6g", v) : "nan"
        }.joined(separator: ",") + "\n"
    }

    /// Appends the buffered rows.
    func flush() throws {
        guard !pending.isEmpty else { return }
        let handle = try FileHandle(forWritingTo: url)
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(pending.utf8))
        pending = ""
    }
}
