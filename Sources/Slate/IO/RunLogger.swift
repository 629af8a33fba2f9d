import Foundation

/// One call per logged row, fanned out to a CSV file in the run's directory and to its
/// TensorBoard event file under the same names: the column `train/loss` of `metrics.csv` is the
/// TensorBoard tag `train/loss`.
///
/// A run declares its files up front, each a CSV with its own columns, so every cell of every
/// row is filled: by default `metrics.csv` for the rows logged every step and `eval.csv` for the
/// evaluations. Each CSV row is `step,<tag>,<tag>,...` (`stepColumn` renames `step`; a group
/// column comes first when there is one); the event file gets the same values as scalars at
/// that step. Rows reach both files as they are logged (no buffering in the process), so a
/// killed run keeps everything it logged.
///
/// Tags used by the showcases:
///
/// | trainer | file        | tags |
/// |---------|-------------|------|
/// | GPT     | metrics.csv | `train/loss`, `train/lr`, `perf/tokens_per_sec` |
/// | GPT     | eval.csv    | `val/loss` |
/// | RL      | metrics.csv | `charts/learning_rate`, `charts/SPS`, `losses/value_loss`, `losses/policy_loss`, `losses/entropy`, `losses/approx_kl`, `losses/clipfrac`, `losses/explained_variance` |
/// | RL      | episodes.csv| `charts/episodic_return`, `charts/episodic_length` (CleanRL's names, at the global step an episode ends) |
/// | graphs  | metrics.csv | `train/loss`, `train/accuracy`, `train/lr`, `perf/ms_per_epoch`, grouped by `fold` or `seed`, step = epoch |
/// | graphs  | eval.csv    | `val/loss`, `val/accuracy`, `test/accuracy` (same groups and steps) |
///
/// **Groups.** With `groupColumn` (e.g. `"fold"`), each row names its group: the CSVs get a
/// first column `fold`, and each group's scalars go to their own event file in the
/// subdirectory `fold-<k>`, which TensorBoard shows as a run of its own, so the folds' curves
/// overlay in one chart per tag. Text (the config) goes to the run directory's own event file.
///
/// **Resuming.** `resumingAt: s` continues a killed run whose checkpoint is at step `s` (the
/// first step it will log again): each CSV keeps its header and its rows with step < `s`
/// (`MetricsLogger`'s `keepingRowsBefore:`), so rows the killed process logged past its
/// checkpoint are not repeated; and the new event file starts with the marker that makes
/// TensorBoard drop the old events from step `s` on (see `EventFileWriter`). The resumed files
/// then read as those of a run never interrupted. A grouped log resumes inside one group,
/// `resumingAt: s, inGroup: g`: the CSVs keep the rows of earlier groups and those of group `g`
/// before step `s`; group `g`'s new event file drops its old events from step `s` on, and a later
/// group's (whose rows were all dropped) from step 0 on.
///
/// ```swift
/// let log = try RunLogger(directory: out, stepTags: ["train/loss", "train/lr"], evalTags: ["val/loss"])
/// try log.logConfig(configTOML)
/// try log.logStep(10, ["train/loss": 2.31, "train/lr": 1e-3])
/// try log.logEval(10, ["val/loss": 2.40])
/// ```
public final class RunLogger {
    /// The run's directory.
    public let directory: URL
    /// The step column's name (`"step"`; GPT may keep nanoGPT's `"iter"`).
    public let stepColumn: String
    /// The group column's name (`"fold"`, `"seed"`), or `nil` for an ungrouped run.
    public let groupColumn: String?
    /// The CSV files by name (without `.csv`), with their tags in column order.
    public let files: [(name: String, tags: [String])]

    private var csv: [String: MetricsLogger] = [:]
    private let tensorBoard: Bool
    private let wallClock: () -> Double
    private var runEvents: EventFileWriter?
    private var groupEvents: [Int: EventFileWriter] = [:]
    private let resumePosition: (group: Int, step: Int)?

    /// Opens a run log writing `<name>.csv` for each of `files`, plus TensorBoard events unless
    /// `tensorBoard` is false. Without `resumingAt`, existing CSVs are replaced; a grouped log
    /// resumes at step `resumingAt` of group `inGroup`.
    ///
    /// - Throws: if a tag is empty, repeated (within or across files) or named like the step or
    ///   group column; if a grouped log resumes without its group (or an ungrouped one with one);
    ///   or if a file cannot be written or resumed.
    public init(directory: URL, files: [(name: String, tags: [String])], stepColumn: String = "step",
                groupColumn: String? = nil, tensorBoard: Bool = true, resumingAt step: Int? = nil,
                inGroup group: Int? = nil,
                wallClock: @escaping () -> Double = { Date().timeIntervalSince1970 }) throws {
        self.directory = directory
        self.stepColumn = stepColumn
        self.groupColumn = groupColumn
        self.files = files
        self.tensorBoard = tensorBoard
        self.wallClock = wallClock
        try Self.validate(files, stepColumn: stepColumn, groupColumn: groupColumn)
        if let groupColumn, step != nil, group == nil {
            throw FileWriteError(description: "resuming a log grouped by '\(groupColumn)' needs the \(groupColumn) to resume in; pass inGroup:")
        }
        if group != nil && (groupColumn == nil || step == nil) {
            throw FileWriteError(description: "inGroup: resumes a grouped log; pass it with resumingAt: and a log opened with groupColumn:")
        }
        resumePosition = step.flatMap { s in group.map { (group: $0, step: s) } }
        let position = step.map { s in (group.map { [Double($0)] } ?? []) + [Double(s)] }
        for (name, tags) in files {
            csv[name] = try MetricsLogger(url: directory.appendingPathComponent(name + ".csv"),
                                          columns: (groupColumn.map { [$0] } ?? []) + [stepColumn] + tags,
                                          append: step != nil, keepingRowsBefore: position)
        }
        if tensorBoard {
            // A grouped log's own file holds only the config text, which needs no resume marker.
            runEvents = try EventFileWriter(directory: directory, resumingAt: group == nil ? step : nil, wallClock: wallClock)
        }
    }

    /// Opens a run log with `metrics.csv` (`stepTags`) and, when `evalTags` is not empty,
    /// `eval.csv` (`evalTags`).
    public convenience init(directory: URL, stepTags: [String], evalTags: [String] = [], stepColumn: String = "step",
                            groupColumn: String? = nil, tensorBoard: Bool = true, resumingAt step: Int? = nil,
                            inGroup group: Int? = nil) throws {
        var files = [(name: "metrics", tags: stepTags)]
        if !evalTags.isEmpty { files.append((name: "eval", tags: evalTags)) }
        try self.init(directory: directory, files: files, stepColumn: stepColumn, groupColumn: groupColumn,
                      tensorBoard: tensorBoard, resumingAt: step, inGroup: group)
    }

    /// Logs one row of `file` at `step`: every tag of that file must have a value.
    public func log(_ file: String, step: Int, _ values: [String: Double], group: Int? = nil) throws {
        guard let logger = csv[file], let tags = files.first(where: { $0.name == file })?.tags else {
            throw FileWriteError(description: "the run log has no file '\(file)'; its files are \(files.map(\.name))")
        }
        guard (group != nil) == (groupColumn != nil) else {
            throw FileWriteError(description: groupColumn.map { "every row of this log needs its '\($0)'; pass group:" }
                                 ?? "this log has no group column; leave out group: or open it with groupColumn:")
        }
        if let missing = tags.first(where: { values[$0] == nil }) {
            throw FileWriteError(description: "the row for \(file).csv at step \(step) has no '\(missing)'; log every one of \(tags) (or put the value in a file of its own)")
        }
        var row = values
        row[stepColumn] = Double(step)
        if let groupColumn, let group { row[groupColumn] = Double(group) }
        try logger.log(row)    // throws on a name that is not a column
        if tensorBoard {
            try events(group: group).addScalars(tags.map { ($0, values[$0]!) }, step: step)
        }
    }

    /// Logs one row of `metrics.csv`.
    public func logStep(_ step: Int, _ values: [String: Double], group: Int? = nil) throws {
        try log("metrics", step: step, values, group: group)
    }

    /// Logs one row of `eval.csv`.
    public func logEval(_ step: Int, _ values: [String: Double], group: Int? = nil) throws {
        try log("eval", step: step, values, group: group)
    }

    /// Puts the resolved configuration (TOML text) in TensorBoard's Text tab under the tag
    /// `config`, as a code block. The run's `config.toml` itself is written elsewhere.
    public func logConfig(_ toml: String) throws {
        try runEvents?.addText("config", "```toml\n" + toml + (toml.hasSuffix("\n") ? "" : "\n") + "```")
    }

    /// The event file for `group` (created on its first row), or the run's own. In a resumed log,
    /// the group resumed in drops its old events from the resumed step on, a later one all of them.
    private func events(group: Int?) throws -> EventFileWriter {
        guard let group, let groupColumn else { return runEvents! }
        if let writer = groupEvents[group] { return writer }
        let purge = resumePosition.flatMap { r in group == r.group ? r.step : group > r.group ? 0 : nil }
        let writer = try EventFileWriter(directory: directory.appendingPathComponent("\(groupColumn)-\(group)"),
                                         resumingAt: purge, wallClock: wallClock)
        groupEvents[group] = writer
        return writer
    }

    private static func validate(_ files: [(name: String, tags: [String])], stepColumn: String, groupColumn: String?) throws {
        var seen: Set<String> = [stepColumn]
        if let groupColumn { seen.insert(groupColumn) }
        for (name, tags) in files {
            guard !name.isEmpty, !name.contains("/") else {
                throw FileWriteError(description: "'\(name)' is not a file name for a run log; use a plain name such as 'metrics'")
            }
            for tag in tags {
                guard !tag.isEmpty, !tag.contains(where: { ",\"\n".contains($0) }) else {
                    throw FileWriteError(description: "\(name).csv has a tag '\(tag)' that is empty or holds a comma, quote or newline; use names such as 'train/loss'")
                }
                guard seen.insert(tag).inserted else {
                    throw FileWriteError(description: "the tag '\(tag)' of \(name).csv is used twice (or names the step or group column); give each logged value its own tag")
                }
            }
        }
    }
}
