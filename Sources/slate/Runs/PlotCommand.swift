import ArgumentParser
import Foundation
import Slate

/// `slate plot RUN...`: one metric of several runs overlaid in one SVG, in the tool's plot style.
struct PlotCommand: ParsableCommand, Exemplified {
    static let configuration = CommandConfiguration(
        commandName: "plot",
        abstract: "Overlay one metric of several runs in an SVG line plot (legend by run name, step on x).",
        discussion: """
        Reads each run directory's CSV logs (metrics.csv, eval.csv, episodes.csv, ...). A metric \
        is a column name such as train/loss, val/loss, charts/episodic_return or val/accuracy; \
        evaluations are drawn with marked points, and runs logged per fold or seed get one curve \
        each (in the run's colour when several runs are plotted). Without --metric: the first of val/loss, charts/episodic_return, val/accuracy, \
        train/loss that every run logs.
        """
    )

    static let examples = ["slate plot runs/gpt-a runs/gpt-b --metric val/loss --out val-loss.svg",
                           "slate plot runs/sweep/*/ --metric charts/episodic_return"]

    @Argument(help: ArgumentHelp("Run directories (each a trainer's --out).", valueName: "run"))
    var runs: [String] = []

    @Option(help: "The metric (a CSV column) to plot.")
    var metric: String?

    @Option(help: ArgumentHelp("The SVG file to write.", valueName: "file.svg"))
    var out = "plot.svg"

    @Option(help: "The plot's title (default: the metric's name).")
    var title: String?

    @Flag(help: "Print nothing but errors.")
    var quiet = false

    static let defaultMetrics = ["val/loss", "charts/episodic_return", "val/accuracy", "train/loss"]

    func validate() throws {
        guard !runs.isEmpty else { throw ValidationError("name at least one run directory to plot") }
        guard !out.isEmpty, !out.hasSuffix("/") else { throw ValidationError("--out needs a file name such as plot.svg, got '\(out)'") }
    }

    func run() throws {
        var records = try runs.map { try RunRecords(path: $0) }
        if let empty = records.first(where: { $0.logs.isEmpty }) {
            throw CLIError("\(empty.path) holds no metrics.csv or other CSV log with a step column; is it a run's --out directory?", status: .noInput)
        }
        RunRecords.disambiguate(&records)
        let metric = try chooseMetric(records)
        var plot = LinePlot(title: title ?? metric, xLabel: "step", yLabel: metric)
        let curves = try records.map { run in
            guard let curves = run.curves(metric) else {
                throw CLIError("\(run.path) does not log '\(metric)'; its metrics: \(run.metrics.joined(separator: ", ")).", status: .usage)
            }
            return curves
        }
        // Several runs with several folds or seeds each: one colour and one legend entry per run.
        let byRun = records.count > 1 && curves.contains { $0.count > 1 }
        for (index, (run, runCurves)) in zip(records, curves).enumerated() {
            for (k, curve) in runCurves.enumerated() {
                plot.xLabel = curve.stepName.replacingOccurrences(of: "_", with: " ")
                let name = curve.group.isEmpty ? run.name
                    : byRun ? "\(run.name) (\(runCurves.count) \(curve.groupName)s)" : "\(run.name) (\(curve.group))"
                plot.add(name, x: curve.x, y: curve.y, marks: curve.isEvaluation ? .lineAndPoints : .line,
                         color: byRun ? index : nil, inLegend: !byRun || k == 0)
            }
        }
        try plot.write(to: URL(fileURLWithPath: out))
        if !quiet { print("wrote \(out): \(metric) of \(records.count) run\(records.count == 1 ? "" : "s")") }
    }

    /// `--metric`, checked against the runs; or the first default every run logs.
    private func chooseMetric(_ records: [RunRecords]) throws -> String {
        if let metric {
            guard records.contains(where: { $0.metrics.contains(metric) }) else {
                let available = Set(records.flatMap(\.metrics)).sorted().joined(separator: ", ")
                throw CLIError("no run logs the metric '\(metric)'; metrics available: \(available).", status: .usage)
            }
            return metric
        }
        let candidates = Self.defaultMetrics + records[0].metrics
        guard let chosen = candidates.first(where: { m in records.allSatisfy { $0.metrics.contains(m) } }) else {
            throw CLIError("these runs share no metric; pick one with --metric (the first run logs \(records[0].metrics.joined(separator: ", "))).", status: .usage)
        }
        return chosen
    }
}
