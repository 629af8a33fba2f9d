import Foundation
import Slate
import SlateRL

/// A training run's logs through the engine's `RunLogger`: one row per update in metrics.csv and
/// one per finished training episode in episodes.csv (every cell filled), the same values in the
/// run's TensorBoard event file under CleanRL's tags (`losses/value_loss`, `charts/SPS`,
/// `charts/episodic_return`, ...), the episode returns for returns.svg, and the progress line
/// (steps/s, rolling mean return, ETA).
///
/// Rows are written as they are logged, before the checkpoint that covers them. On resume
/// (`resumingAt:` a checkpoint's step) the rows past that step are dropped, so each row appears once.
final class TrainingLog {
    private(set) var tracker: ReturnTracker
    private(set) var returns: [Double] = []
    /// The global step at which each of `returns` ended.
    private(set) var returnSteps: [Double] = []
    private let progress: ProgressLine?
    private let logger: RunLogger
    private var latestStep = 0
    private let start = Date()
    private let startStep: Int
    /// Training seconds before this process (a resumed run's earlier sessions).
    let previousSeconds: Double

    /// The episode-row tags (CleanRL's names).
    static let episodeTags = ["charts/episodic_return", "charts/episodic_length"]

    /// CleanRL's TensorBoard tag for a trainer metric: `losses/<name>` for losses and statistics,
    /// `charts/...` for the schedule and speed.
    static func tag(_ metric: String) -> String {
        ["learning_rate": "charts/learning_rate", "sps": "charts/SPS", "epsilon": "charts/epsilon",
         "update": "charts/update"][metric] ?? "losses/" + metric
    }

    /// Starts metrics.csv, episodes.csv and the event file in `directory` for a trainer logging
    /// `metrics` (its ``Trainer/metricColumns`` without `global_step`), or, with `resumingAt` a
    /// checkpoint's step, keeps their rows up to that step and continues them.
    init(directory: URL, metrics: [String], totalSteps: Int, target: Double?, progress: ProgressLine?,
         resumingAt step: Int?, previousSeconds: Double = 0, secondsToTarget: Double? = nil) throws {
        logger = try RunLogger(directory: directory,
                               files: [("metrics", metrics.map(TrainingLog.tag)), ("episodes", TrainingLog.episodeTags)],
                               stepColumn: "global_step", resumingAt: step.map { $0 + 1 })
        tracker = ReturnTracker(window: 100, target: target)
        if step != nil {
            let kept = (try? String(contentsOf: directory.appendingPathComponent("episodes.csv"), encoding: .utf8)) ?? ""
            for row in kept.split(separator: "\n").dropFirst() {
                let fields = row.split(separator: ",")
                guard fields.count == 3, let s = Int(fields[0]), let r = Double(fields[1]) else { continue }
                tracker.add(r, globalStep: s, seconds: 0)
                returns.append(r)
                returnSteps.append(Double(s))
            }
            if tracker.targetStep != nil { tracker.targetSeconds = secondsToTarget }
        }
        self.progress = progress
        self.previousSeconds = previousSeconds
        startStep = step ?? 0
        latestStep = startStep
    }

    /// Training seconds so far, over every session of the run.
    var elapsed: Double { previousSeconds + Date().timeIntervalSince(start) }
    /// Seconds of this session.
    var sessionSeconds: Double { Date().timeIntervalSince(start) }

    /// Puts the resolved configuration in TensorBoard's Text tab.
    func logConfig(_ toml: String) throws { try logger.logConfig(toml) }

    func handle(_ event: TrainingEvent) throws {
        switch event {
        case .episode(let step, let record):
            tracker.add(record.episodicReturn, globalStep: step, seconds: elapsed)
            returns.append(record.episodicReturn)
            returnSteps.append(Double(step))
            try logger.log("episodes", step: step, ["charts/episodic_return": record.episodicReturn,
                                                    "charts/episodic_length": Double(record.length)])
            latestStep = max(latestStep, step)
        case .update(let step, let values):
            var tagged: [String: Double] = [:]
            for (name, value) in values { tagged[TrainingLog.tag(name)] = value }
            try logger.log("metrics", step: step, tagged)
            latestStep = max(latestStep, step)
        case .boundary:
            return
        }
        progress?.update(latestStep, statusMessage)
    }

    /// "11850 steps/s | mean return (100 ep) 432.1" for the progress line.
    private var statusMessage: String {
        let mean = tracker.mean.map { String(format: "%.1f", $0) } ?? "-"
        return String(format: "%.0f steps/s | mean return (100 ep) %@", Double(latestStep - startStep) / max(sessionSeconds, 1e-9), mean)
    }

    /// Ends the progress line.
    func finish() {
        progress?.finish("done: \(latestStep) steps | " + statusMessage)
    }

    /// Episode returns and their rolling mean over 100 episodes against the global step each
    /// episode ended at, and the greedy evaluation (`evaluation`: its step and mean return) as a
    /// marked point.
    func writeReturnsPlot(to url: URL, title: String, evaluation: (step: Int, meanReturn: Double, episodes: Int)) throws {
        var rolling: [Double] = []
        var sum = 0.0
        for (i, r) in returns.enumerated() {
            sum += r
            if i >= 100 { sum -= returns[i - 100] }
            rolling.append(sum / Double(min(i + 1, 100)))
        }
        var plot = LinePlot(title: title, xLabel: "global step", yLabel: "episodic return")
        plot.add("episode return", x: returnSteps, y: returns)
        plot.add("mean of last 100", x: returnSteps, y: rolling)
        plot.add("greedy eval (mean of \(evaluation.episodes))", x: [Double(evaluation.step)], y: [evaluation.meanReturn],
                 marks: .points)
        try plot.write(to: url)
    }
}
