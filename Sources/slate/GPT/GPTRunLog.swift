import Foundation
import Slate
import SlateGPT

/// The files a GPT training run keeps in its output directory besides its checkpoints:
/// `metrics.csv` (one row per step), `eval.csv` (one row per evaluation) and `loss.svg`.
/// A resumed run drops the rows at or after the step it resumes from, so each step appears once.
final class GPTRunLog {
    let directory: String
    private let steps: MetricsLogger
    private let evals: MetricsLogger
    private var trainCurve: (x: [Double], y: [Double]) = ([], [])
    private var evalCurve: (x: [Double], train: [Double], val: [Double]) = ([], [], [])

    init(directory: String, resumingAt iter: Int?) throws {
        self.directory = directory
        let url = URL(fileURLWithPath: directory)
        let keep = iter.map(Double.init)
        steps = try MetricsLogger(url: url.appendingPathComponent("metrics.csv"),
                                  columns: ["iter", "loss", "lr", "ms", "tokens_per_sec"],
                                  append: iter != nil, keepingRowsBefore: keep)
        evals = try MetricsLogger(url: url.appendingPathComponent("eval.csv"),
                                  columns: ["iter", "train_loss", "val_loss", "best_val_loss"],
                                  append: iter != nil, keepingRowsBefore: keep)
        if iter != nil { try reloadCurves() }
    }

    func record(_ event: TrainEvent, bestValLoss: Float) throws {
        switch event {
        case let .step(iter, loss, lr, ms, tps):
            try steps.log([Double(iter), Double(loss), Double(lr), ms, tps])
            trainCurve.x.append(Double(iter)); trainCurve.y.append(Double(loss))
        case let .eval(iter, trainLoss, valLoss, _):
            try evals.log([Double(iter), Double(trainLoss), Double(valLoss), Double(bestValLoss)])
            evalCurve.x.append(Double(iter)); evalCurve.train.append(Double(trainLoss)); evalCurve.val.append(Double(valLoss))
        }
    }

    /// Draws `loss.svg`: the per-step training loss and the evaluated train and val losses.
    func drawPlot() throws {
        var plot = LinePlot(title: "GPT loss", xLabel: "iter", yLabel: "cross-entropy")
        plot.add("train (per step)", x: trainCurve.x, y: trainCurve.y)
        plot.add("train (eval)", x: evalCurve.x, y: evalCurve.train)
        plot.add("val (eval)", x: evalCurve.x, y: evalCurve.val)
        try plot.write(to: URL(fileURLWithPath: directory).appendingPathComponent("loss.svg"))
    }

    /// The curves of the rows kept from before a resume.
    private func reloadCurves() throws {
        for row in try readRows("metrics.csv") where row.count >= 2 {
            trainCurve.x.append(row[0]); trainCurve.y.append(row[1])
        }
        for row in try readRows("eval.csv") where row.count >= 3 {
            evalCurve.x.append(row[0]); evalCurve.train.append(row[1]); evalCurve.val.append(row[2])
        }
    }

    private func readRows(_ name: String) throws -> [[Double]] {
        let text = try String(contentsOfFile: directory + "/" + name, encoding: .utf8)
        return text.split(separator: "\n").dropFirst().map { $0.split(separator: ",").compactMap { Double($0) } }
    }
}
