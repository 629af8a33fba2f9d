import Foundation
import Slate
import SlateGPT

/// The files a GPT training run keeps in its output directory besides its checkpoints:
/// `metrics.csv` (one row per step), `eval.csv` (one row per evaluation), TensorBoard events
/// with the same values under the same tags, and `loss.svg`.
/// A resumed run drops the rows at or after the step it resumes from, so each step appears once.
final class GPTRunLog {
    let directory: String
    private let log: RunLogger
    private var trainCurve: (x: [Double], y: [Double]) = ([], [])
    private var evalCurve: (x: [Double], train: [Double], val: [Double]) = ([], [], [])

    /// Step rows: the loss of the step's batch, its learning rate and speed. Evaluation rows: the
    /// estimates over `eval_iters` batches of each split (nanoGPT's `estimate_loss`).
    static let stepTags = ["train/loss", "train/lr", "perf/ms_per_iter", "perf/tokens_per_sec"]
    static let evalTags = ["val/loss", "eval/train_loss"]

    init(directory: String, resumingAt iter: Int?, configTOML: String) throws {
        self.directory = directory
        log = try RunLogger(directory: URL(fileURLWithPath: directory), stepTags: Self.stepTags, evalTags: Self.evalTags,
                            stepColumn: "iter", resumingAt: iter)
        try log.logConfig(configTOML)
        if iter != nil { try reloadCurves() }
    }

    func record(_ event: GPTTrainingEvent) throws {
        switch event {
        case let .step(iter, loss, lr, ms, tps):
            try log.logStep(iter, ["train/loss": Double(loss), "train/lr": Double(lr), "perf/ms_per_iter": ms,
                                   "perf/tokens_per_sec": tps])
            trainCurve.x.append(Double(iter)); trainCurve.y.append(Double(loss))
        case let .eval(iter, trainLoss, valLoss, _):
            try log.logEval(iter, ["val/loss": Double(valLoss), "eval/train_loss": Double(trainLoss)])
            evalCurve.x.append(Double(iter)); evalCurve.train.append(Double(trainLoss)); evalCurve.val.append(Double(valLoss))
        }
    }

    /// Draws `loss.svg`: the per-step training loss and the evaluated train and val losses.
    func drawPlot() throws {
        var plot = LinePlot(title: "GPT loss", xLabel: "iter", yLabel: "cross-entropy")
        plot.add("train (per step)", x: trainCurve.x, y: trainCurve.y)
        plot.add("train (eval)", x: evalCurve.x, y: evalCurve.train, marks: .lineAndPoints)
        plot.add("val (eval)", x: evalCurve.x, y: evalCurve.val, marks: .lineAndPoints)
        try plot.write(to: URL(fileURLWithPath: directory).appendingPathComponent("loss.svg"))
    }

    /// The curves of the rows kept from before a resume.
    private func reloadCurves() throws {
        for row in try readRows("metrics.csv") where row.count >= 2 {
            trainCurve.x.append(row[0]); trainCurve.y.append(row[1])
        }
        for row in try readRows("eval.csv") where row.count >= 3 {
            evalCurve.x.append(row[0]); evalCurve.val.append(row[1]); evalCurve.train.append(row[2])
        }
    }

    private func readRows(_ name: String) throws -> [[Double]] {
        let text = try String(contentsOfFile: directory + "/" + name, encoding: .utf8)
        return text.split(separator: "\n").dropFirst().map { $0.split(separator: ",").compactMap { Double($0) } }
    }
}
