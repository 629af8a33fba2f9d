import ArgumentParser
import Foundation
import Slate
import SlateGraph

/// One epoch of one fold (graphs) or seed (nodes), as the run's files hold it.
struct GCNEpochRow {
    /// The fold or seed, from 1, and the epoch within it (an ensemble's members counted one after
    /// another: member m's epoch e is (m − 1) · epochs + e).
    var unit: Int, epoch: Int
    var learningRate: Double, trainLoss: Double, trainAccuracy: Double, milliseconds: Double
    var validationLoss: Double, validationAccuracy: Double, testAccuracy: Double
}

extension GCNEpochRow {
    init(_ r: GraphEpochRecord) {
        (unit, epoch) = (r.fold, r.step)                          // an ensemble's members one after another
        (learningRate, trainLoss, trainAccuracy, milliseconds) = (Double(r.learningRate), r.trainLoss, r.trainAccuracy, 1000 * r.seconds)
        (validationLoss, validationAccuracy, testAccuracy) = (r.validationLoss, r.validationAccuracy, r.testAccuracy)
    }

    init(_ r: NodeEpochRecord, learningRate: Float) {
        (unit, epoch) = (r.run, r.epoch)
        (self.learningRate, trainLoss, trainAccuracy, milliseconds) = (Double(learningRate), r.trainLoss, r.trainAccuracy, 1000 * r.seconds)
        (validationLoss, validationAccuracy, testAccuracy) = (r.validationLoss, r.validationAccuracy, r.testAccuracy)
    }
}

/// The output directory of a `slate gcn train` run: prepared before any work (refusing to replace
/// a run, resuming one), `config.toml` at the start, one `metrics.csv` row (training) and one
/// `eval.csv` row (validation and test) per epoch as they happen, the same values in TensorBoard
/// event files, `checkpoint.safetensors` replaced atomically, and `accuracy.svg` + `summary.json`
/// at the end. The logs go through the engine's `RunLogger`, grouped by fold (graphs) or seed
/// (nodes) with the epoch as the step: each fold or seed is a TensorBoard run of its own
/// (`fold-1/`, `seed-1/`: the k-th seed is `--seed` + k − 1), so the folds' curves overlay on one
/// chart per tag over epochs 1…E, as in the CSVs' rows; the resolved config is the run's text.
///
/// On `--resume`, the checkpoint must come from the same dataset and settings (a changed flag is
/// refused by name), and rows logged after it are dropped, so each epoch appears once.
final class GCNRunLog {
    enum Task: String { case graph, node }

    static let checkpointName = "checkpoint.safetensors"
    static let checkpointFormat = "slate-gcn-train"

    /// Training row tags (metrics.csv) and evaluation row tags (eval.csv, validation ones only
    /// when the dataset has a validation split).
    static let stepTags = ["train/loss", "train/accuracy", "train/lr", "perf/ms_per_epoch"]
    static func evalTags(hasValidation: Bool) -> [String] {
        (hasValidation ? ["val/loss", "val/accuracy"] : []) + ["test/accuracy"]
    }

    let out: String
    let json: Bool, quiet: Bool
    /// The state to continue from (`--resume`), nil for a fresh run.
    private(set) var resumed: TrainingState?
    private(set) var rows: [GCNEpochRow] = []
    private let metadata: [String: String]
    private let task: Task, hasValidation: Bool
    private var log: RunLogger!
    private var writeError: Error?
    private let started = Date()
    /// False on ranks other than 0 of a distributed run: they read the checkpoint to resume, and
    /// write nothing.
    let writes: Bool

    init<Config: Encodable>(command: GCNTrainCommand, task: Task, dataset: String, trainingConfig: Config,
                            hasValidation: Bool, writes: Bool = true) throws {
        out = command.common.outputDirectory(tool: "gcn", name: dataset.lowercased())
        (json, quiet) = (command.common.json, command.common.quiet)
        (self.task, self.hasValidation) = (task, hasValidation)
        metadata = ["format": Self.checkpointFormat, "format_version": GCNCheckpoint.version, "task": task.rawValue,
                    "dataset": dataset, "training_config": try Self.json(trainingConfig), "threads": String(Threads.count)]
        self.writes = writes
        if writes { try RunDirectory.prepare(out, resume: command.common.resume, overwrite: command.common.overwrite, checkpoint: Self.checkpointName) }
        if command.common.resume { try loadCheckpoint() }
        guard writes else { return }
        let toml = try ResolvedConfig.write(command, name: "slate gcn train", to: out)
        try openLogs()
        try log.logConfig(toml)
    }

    func url(_ name: String) -> URL { URL(fileURLWithPath: out).appendingPathComponent(name) }

    // MARK: checkpoint

    /// Replaces `checkpoint.safetensors` with `state`, atomically (the trainer's checkpoint callback).
    func save(_ state: TrainingState) throws {
        guard writes else { return }
        if let writeError { throw writeError }
        try writeAtomically(state.encode(metadata: metadata), to: url(Self.checkpointName))
    }

    private func loadCheckpoint() throws {
        let path = url(Self.checkpointName).path
        let (state, saved): (TrainingState, [String: String])
        do {
            (state, saved) = try TrainingState.decode(SafeTensors.read(from: url(Self.checkpointName)), path: path)
        } catch let error as GCNCheckpointError {
            throw CLIError(error.description, status: .dataError)
        }
        guard saved["format"] == Self.checkpointFormat, saved["format_version"] == GCNCheckpoint.version else {
            throw CLIError("\(path) is not a `slate gcn train` checkpoint of this version; start again with --overwrite.", status: .dataError)
        }
        for key in ["task", "dataset"] where saved[key] != metadata[key] {
            throw CLIError("cannot resume: the run in \(out) trained \(key) \(saved[key] ?? "?"), this command asks for \(metadata[key]!); pass --dataset \(saved["dataset"] ?? "?") (or --config \(out)/config.toml).", status: .usage)
        }
        let before = Self.dictionary(saved["training_config"] ?? "{}"), now = Self.dictionary(metadata["training_config"]!)
        for key in now.keys.sorted() where key != "checkpointEvery" && "\(before[key] ?? "missing")" != "\(now[key]!)" {
            let flag = Self.flagNames[key] ?? key
            throw CLIError("cannot resume: \(flag) was \(before[key] ?? "missing") in the saved run and is \(now[key]!) now; resume with the run's own settings (--config \(out)/config.toml).", status: .usage)
        }
        if let threads = saved["threads"], threads != metadata["threads"], !quiet {
            FileHandle.standardError.write(Data("note: the run was started on \(threads) thread(s) and continues on \(Threads.count); results are bit-exact only at the same thread count (--threads \(threads)).\n".utf8))
        }
        resumed = state
    }

    /// Trainer property -> the flag that sets it, for messages.
    private static let flagNames = [
        "layers": "--layers", "hidden": "--hidden", "pool": "--pool", "dropout": "--dropout", "epochs": "--epochs",
        "learningRate": "--learning-rate", "decayEvery": "--lr-decay-step-size", "decayFactor": "--lr-decay-factor",
        "weightDecay": "--weight-decay", "batchSize": "--batch-size", "folds": "--folds", "seed": "--seed",
        "normalization": "--normalization", "patience": "--early-stopping", "restoreBest": "--restore-best", "seeds": "--seeds",
        "normalizeFeatures": "--normalize-features", "bias": "--bias", "conv": "--conv", "jumpingKnowledge": "--jumping-knowledge",
        "standardizeFeatures": "--standardize-features", "inputReadout": "--input-readout",
        "readoutNorm": "--readout-norm", "degreeFeature": "--degree-feature", "ensemble": "--ensemble",
        "weightAverage": "--weight-average",
        "rotateValidation": "--rotate-validation", "ensembleFamilies": "--ensemble-families",
        "wlIterations": "--wl-iterations"]

    // MARK: metrics.csv, eval.csv and events

    /// The group column: fold (graphs) or seed (nodes), numbered from 1.
    private var groupColumn: String { task == .graph ? "fold" : "seed" }

    /// Appends one epoch to both files (the trainer's progress callback cannot throw: a failed write
    /// is reported at the next checkpoint or at the end).
    func append(_ row: GCNEpochRow) {
        guard writes else { return }
        rows.append(row)
        var evaluation = ["test/accuracy": row.testAccuracy]
        if hasValidation { (evaluation["val/loss"], evaluation["val/accuracy"]) = (row.validationLoss, row.validationAccuracy) }
        do {
            try log.logStep(row.epoch, ["train/loss": row.trainLoss, "train/accuracy": row.trainAccuracy,
                                        "train/lr": row.learningRate, "perf/ms_per_epoch": row.milliseconds], group: row.unit)
            try log.logEval(row.epoch, evaluation, group: row.unit)
        } catch {
            writeError = writeError ?? error
        }
    }

    /// Fresh logs, or (resuming) the logs cut back to the checkpoint: rows after it are dropped,
    /// and the kept ones are read back for the plot and the timing.
    private func openLogs() throws {
        let position = resumed.map { (unit: $0.progress.unit + 1, epoch: $0.progress.epoch + 1) }
        log = try RunLogger(directory: URL(fileURLWithPath: out), stepTags: Self.stepTags,
                            evalTags: Self.evalTags(hasValidation: hasValidation), stepColumn: "epoch",
                            groupColumn: groupColumn, resumingAt: position?.epoch, inGroup: position?.unit)
        guard position != nil else { return }
        let m = try numbers(url("metrics.csv"), columns: 2 + Self.stepTags.count)
        let e = try numbers(url("eval.csv"), columns: 2 + Self.evalTags(hasValidation: hasValidation).count)
        guard m.map({ Array($0.prefix(2)) }) == e.map({ Array($0.prefix(2)) }) else {
            throw CLIError("cannot resume: \(out)/metrics.csv and eval.csv hold different epochs; start again with --overwrite.", status: .dataError)
        }
        // Columns: unit, epoch, then the tags in order.
        rows = zip(m, e).map { m, e in
            GCNEpochRow(unit: Int(m[0]), epoch: Int(m[1]), learningRate: m[4], trainLoss: m[2], trainAccuracy: m[3],
                        milliseconds: m[5], validationLoss: hasValidation ? e[2] : 0,
                        validationAccuracy: hasValidation ? e[3] : 0, testAccuracy: e[e.count - 1])
        }
    }

    /// The rows of a CSV log as numbers (a malformed row is an error naming the file and line).
    private func numbers(_ url: URL, columns: Int) throws -> [[Double]] {
        let lines = try String(contentsOf: url, encoding: .utf8).split(separator: "\n").dropFirst()
        return try lines.enumerated().map { index, line in
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).compactMap { Double($0) }
            guard fields.count == columns else {
                throw CLIError("cannot resume: \(url.path):\(index + 2) is not a row of this run's log; start again with --overwrite.", status: .dataError)
            }
            return fields
        }
    }

    // MARK: the end

    /// Mean wall time of the logged epochs, seconds.
    var secondsPerEpoch: Double { Statistics.mean(rows.map(\.milliseconds)) / 1000 }

    /// Writes `accuracy.svg` — one curve per fold or seed, named as its TensorBoard run: its
    /// validation accuracy per epoch (test accuracy when there is no validation split), with each
    /// one's last test accuracy as a dot — and `summary.json`, prints the summary with `--json`,
    /// and says where the outputs are.
    func finish(metrics summaryMetrics: GCNTrainMetrics, plotTitle: String) throws {
        if let writeError { throw writeError }
        var plot = LinePlot(title: plotTitle, xLabel: "epoch", yLabel: hasValidation ? "validation accuracy" : "test accuracy")
        var units: [Int] = []
        for r in rows where units.last != r.unit { units.append(r.unit) }
        var lastTest: (x: [Double], y: [Double]) = ([], [])
        for unit in units {
            let unitRows = rows.filter { $0.unit == unit }
            plot.add("\(groupColumn) \(unit)", x: unitRows.map { Double($0.epoch) },
                     y: unitRows.map { hasValidation ? $0.validationAccuracy : $0.testAccuracy })
            lastTest.x.append(Double(unitRows.last!.epoch))
            lastTest.y.append(unitRows.last!.testAccuracy)
        }
        if hasValidation { plot.add("test (last epoch)", x: lastTest.x, y: lastTest.y, marks: .points) }
        try plot.write(to: url("accuracy.svg"))
        try RunSummary(tool: "gcn", command: "train", out: out, wallSeconds: Date().timeIntervalSince(started),
                       metrics: summaryMetrics).write(printJSON: json)
        if !quiet {
            FileHandle.standardError.write(Data("outputs in \(out): config.toml metrics.csv eval.csv accuracy.svg summary.json model.safetensors \(Self.checkpointName), TensorBoard events in \(groupColumn)-*/\n".utf8))
        }
    }

    // MARK: JSON helpers

    private static func json<T: Encodable>(_ value: T) throws -> String {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        return String(decoding: try e.encode(value), as: UTF8.self)
    }

    private static func dictionary(_ text: String) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:]
    }
}
