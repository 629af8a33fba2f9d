import ArgumentParser
import Foundation

/// A sweep file: which trainer to run, the metric that ranks its runs, and the settings to try.
///
/// ```toml
/// command = "gcn train"          # "gpt train", "rl train" or "gcn train"
/// metric = "accuracy_mean"       # a numeric key of that trainer's summary.json
/// goal = "maximize"              # or "minimize"
/// seed = 0                       # seeds the [random] sampler (optional, default 0)
/// headline = ["accuracy_std"]    # other summary.json keys for the leaderboard (optional)
///
/// [base]                         # settings every run shares: the trainer's config.toml keys
/// dataset = "MUTAG"
///
/// [grid]                         # every combination (Cartesian product, first key slowest)
/// pool = ["sum", "mean", "max"]
/// layers = [2, 3]
/// ```
///
/// Instead of `[grid]`, a `[random]` table draws `trials = N` runs, each key from a range:
/// `{ uniform = [lo, hi] }`, `{ log_uniform = [lo, hi] }` (integers when both bounds are
/// integers) or `{ choice = [a, b, ...] }`. The file is read by ``RunFile`` (TOML or JSON).
struct SweepFile {
    enum Goal: String { case minimize, maximize }

    /// The settings to try: every combination of lists, or `trials` draws from ranges.
    enum Space {
        case grid([(key: String, values: [RunFileValue])])
        case random(trials: Int, ranges: [(key: String, range: SweepRange)])
    }

    var path: String
    var trainer: SweepTrainer
    var metric: String
    var goal: Goal
    var seed: UInt64
    /// summary.json keys shown next to the metric.
    var headline: [String]
    var base: [RunFileEntry]
    var space: Space
    /// The line of each varied key in the file, for messages about a run's settings.
    var variedLines: [String: Int] = [:]

    /// Keys the sweep sets for every run itself; a sweep file may not.
    static let reservedKeys: Set<String> = ["config", "out", "resume", "overwrite", "json", "quiet"]

    /// Reads and checks `path`; every problem is a usage error naming the file and line.
    init(path: String) throws {
        self.path = path
        let entries = try RunFile(path: path, tables: true).entries
        func entry(_ key: String) -> RunFileEntry? { entries.first { $0.key == key } }
        let allowed = ["command", "metric", "goal", "seed", "headline", "base", "grid", "random"]
        if let unknown = entries.first(where: { !allowed.contains($0.key) }) {
            throw Self.error(unknown, "unknown sweep key '\(unknown.key)'; a sweep file has \(allowed.joined(separator: ", ")) (trainer settings go in [base])")
        }

        guard let command = entry("command") else {
            throw CLIError("\(path): no command; write command = \"gpt train\", \"rl train\" or \"gcn train\".", status: .usage)
        }
        guard case let .string(words) = command.value, let trainer = SweepTrainer.named(words) else {
            throw Self.error(command, "command = \(command.value.word) is not a trainer; write \(SweepTrainer.all.map { "\"\($0.name)\"" }.joined(separator: ", "))")
        }
        self.trainer = trainer

        guard let metric = entry("metric") else {
            throw CLIError("\(path): no metric; name a key of \(trainer.name)'s summary.json, one of: \(trainer.metrics.joined(separator: ", ")).", status: .usage)
        }
        let metricKey = try Self.summaryKey(metric, metric.value, trainer)
        self.metric = metricKey

        guard let goal = entry("goal") else {
            throw CLIError("\(path): no goal; write goal = \"minimize\" or goal = \"maximize\".", status: .usage)
        }
        guard case let .string(goalWord) = goal.value, let parsedGoal = Goal(rawValue: goalWord) else {
            throw Self.error(goal, "goal = \(goal.value.word) must be \"minimize\" or \"maximize\"")
        }
        self.goal = parsedGoal

        seed = 0
        if let seedEntry = entry("seed") {
            guard case let .int(s) = seedEntry.value, s >= 0 else {
                throw Self.error(seedEntry, "seed (the sampler's) must be a whole number >= 0; a trainer's seed goes in [base], [grid] or [random]")
            }
            seed = UInt64(s)
        }

        if let headlineEntry = entry("headline") {
            guard case let .list(items) = headlineEntry.value else {
                throw Self.error(headlineEntry, "headline must be a list of summary.json keys, e.g. headline = [\"\(trainer.headline[0])\"]")
            }
            headline = try items.map { try Self.summaryKey(headlineEntry, $0, trainer) }
        } else {
            headline = trainer.headline
        }
        headline.removeAll { $0 == metricKey }

        base = try Self.table(entry("base"), path: path) ?? []
        for setting in base { try Self.checkSettable(setting, section: "base") }

        switch (try Self.table(entry("grid"), path: path), try Self.table(entry("random"), path: path)) {
        case (nil, nil):
            throw CLIError("\(path): nothing to sweep; add a [grid] table of lists or a [random] table with trials and ranges.", status: .usage)
        case (.some, .some):
            throw Self.error(entry("random")!, "a sweep has either [grid] or [random], not both; move one of them into another sweep")
        case let (grid?, nil):
            space = .grid(try Self.grid(grid, path: path))
            for entry in grid { variedLines[entry.key] = entry.line }
        case let (nil, random?):
            space = try Self.random(random, path: path)
            for entry in random { variedLines[entry.key] = entry.line }
        }
    }

    // MARK: Parts of the file

    private static func grid(_ entries: [RunFileEntry], path: String) throws -> [(key: String, values: [RunFileValue])] {
        guard !entries.isEmpty else {
            throw CLIError("\(path): [grid] is empty; give it lists of values, e.g. learning_rate = [0.001, 0.01].", status: .usage)
        }
        return try entries.map { entry in
            try checkSettable(entry, section: "grid")
            guard case let .list(values) = entry.value, !values.isEmpty else {
                throw error(entry, "[grid] \(entry.key) must be a non-empty list of values, e.g. \(entry.key) = [\(entry.value.word), ...]; fixed settings go in [base]")
            }
            if let twice = values.first(where: { value in values.filter { $0 == value }.count > 1 }) {
                throw error(entry, "[grid] \(entry.key) lists \(twice.word) twice; list each value once")
            }
            return (entry.key, values)
        }
    }

    private static func random(_ entries: [RunFileEntry], path: String) throws -> Space {
        guard let trialsEntry = entries.first(where: { $0.key == "trials" }) else {
            throw CLIError("\(path): [random] needs trials = N, the number of runs to draw.", status: .usage)
        }
        guard case let .int(trials) = trialsEntry.value, (1...100_000).contains(trials) else {
            throw error(trialsEntry, "trials = \(trialsEntry.value.word) must be a whole number in 1...100000")
        }
        let ranges = try entries.filter { $0.key != "trials" }.map { entry -> (key: String, range: SweepRange) in
            try checkSettable(entry, section: "random")
            do { return (entry.key, try SweepRange(entry.value)) } catch let problem as SweepRange.Problem {
                throw error(entry, "[random] \(entry.key): \(problem.text)")
            }
        }
        guard !ranges.isEmpty else {
            throw CLIError("\(path): [random] has no ranges; add one, e.g. learning_rate = { log_uniform = [1e-4, 1e-2] }.", status: .usage)
        }
        return .random(trials: trials, ranges: ranges)
    }

    /// The entries of a `[section]`, or nil when the file has none.
    private static func table(_ entry: RunFileEntry?, path: String) throws -> [RunFileEntry]? {
        guard let entry else { return nil }
        guard case let .table(entries) = entry.value else {
            throw error(entry, "\(entry.key) must be a table: write [\(entry.key)] on its own line and its settings below it")
        }
        return entries
    }

    private static func checkSettable(_ entry: RunFileEntry, section: String) throws {
        if reservedKeys.contains(entry.key) {
            throw error(entry, "[\(section)] cannot set \(entry.key); the sweep sets it for every run (pass --out DIR, --resume or --overwrite to `slate sweep`)")
        }
    }

    /// `value` as a numeric summary.json key of `trainer`.
    private static func summaryKey(_ entry: RunFileEntry, _ value: RunFileValue, _ trainer: SweepTrainer) throws -> String {
        guard case let .string(key) = value, trainer.metrics.contains(key) else {
            let what = trainer.textKeys.contains(value.word) ? "is not a number" : "is not a key"
            throw error(entry, "\(value.word) \(what) in \(trainer.name)'s summary.json; use one of: \(trainer.metrics.joined(separator: ", "))")
        }
        return key
    }

    private static func error(_ entry: RunFileEntry, _ text: String) -> CLIError {
        CLIError("\(entry.location): \(text).", status: .usage)
    }
}

/// A trainer a sweep can run: its command words and the keys of its summary.json.
struct SweepTrainer {
    /// `gcn train`.
    var name: String
    var command: ParsableCommand.Type
    /// Numeric keys of its summary.json (a metric names one of them).
    var metrics: [String]
    /// Its text and list keys (named only to say why they cannot be a metric).
    var textKeys: [String]
    /// The figures the leaderboard shows by default.
    var headline: [String]

    var words: [String] { name.split(separator: " ").map(String.init) }

    static func named(_ name: String) -> SweepTrainer? {
        all.first { $0.name == name.split(separator: " ").joined(separator: " ") }
    }

    /// The keys every summary.json has (see RunSummary).
    private static let common = ["wall_seconds", "peak_rss_mb"]
    private static let commonText = ["tool", "command", "config", "out", "slate_version"]

    /// A trainer whose summary.json carries `Metrics` beside RunSummary's common keys.
    init<Metrics: SummaryMetrics>(_ name: String, _ command: ParsableCommand.Type, _ metrics: Metrics.Type, headline: [String]) {
        (self.name, self.command, self.headline) = (name, command, headline)
        self.metrics = Metrics.numericKeys + Self.common
        textKeys = Self.commonText + Metrics.textKeys
    }

    /// The trainers a sweep can run.
    static let all = [
        SweepTrainer("gpt train", GPTTrainCommand.self, GPTTrainMetrics.self,
                     headline: ["val_loss", "best_val_loss", "train_loss", "tokens_per_sec"]),
        SweepTrainer("rl train", RLTrainCommand.self, RLTrainMetrics.self,
                     headline: ["eval_mean_return", "eval_std_return", "steps_to_target", "steps_per_sec"]),
        SweepTrainer("gcn train", GCNTrainCommand.self, GCNTrainMetrics.self,
                     headline: ["accuracy_mean", "accuracy_std", "seconds_per_epoch"]),
    ]
}
