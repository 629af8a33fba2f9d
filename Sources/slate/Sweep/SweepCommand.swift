import ArgumentParser
import Foundation
import Slate
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `slate sweep FILE --out DIR`: trains every combination a sweep file lists, each as its own
/// `slate <tool> train` process in `DIR/<run>/`, and ranks them on a leaderboard.
struct SweepCommand: ParsableCommand, Exemplified {
    static let configuration = CommandConfiguration(
        commandName: "sweep",
        abstract: "Train many settings from one sweep file and rank the runs by a metric.",
        discussion: """
        The sweep file (TOML or JSON) names the trainer (command = "gpt train", "rl train" or \
        "gcn train"), the metric (a numeric key of its summary.json) and the goal ("minimize" or \
        "maximize"); [base] holds the settings every run shares (the trainer's config.toml keys) and \
        either [grid] lists values to combine, or [random] draws trials = N runs from ranges \
        ({ uniform = [lo, hi] }, { log_uniform = [lo, hi] }, { choice = [a, b] }) with the file's seed. \
        See docs/sweeps.md.
        Each run is `slate <tool> train --config DIR/<run>/run.toml --out DIR/<run>` with its full \
        outputs and its console output in output.log; a run that fails is recorded with its error \
        and the sweep goes on. DIR/leaderboard.csv, .md and .json rank the runs and are rewritten \
        after each one. A killed sweep continues with --resume: finished runs are skipped, an \
        interrupted run resumes from its checkpoint.
        """
    )

    static let examples = ["slate sweep configs/sweeps/gcn-pool-layers.toml --out runs/sweep-gcn",
                           "slate sweep configs/sweeps/ppo-ent-clip.toml --out runs/sweep-ppo --parallel 2",
                           "slate sweep configs/sweeps/gpt-lr-warmup.toml --dry-run",
                           "slate sweep --resume --out runs/sweep-gcn"]

    @Argument(help: ArgumentHelp("Sweep file (.toml or .json); with --resume, the copy kept in --out.", valueName: "file"))
    var file: String?

    @Option(help: ArgumentHelp("Sweep directory (default: runs/sweep-<file name>-<YYYYmmdd-HHMMSS>).", valueName: "dir"))
    var out: String?

    @Option(help: "Runs at a time; the cores are split between them (each run gets --threads cores/N).")
    var parallel = 1

    @Option(help: "Cores to split between the runs at a time (default: all of them); a run file's own threads key wins.")
    var threads: Int?

    @Flag(help: "List the runs and check their settings; run nothing.")
    var dryRun = false

    @Flag(help: "Continue the sweep in --out: finished runs are skipped, an interrupted one resumes from its checkpoint.")
    var resume = false

    @Flag(help: "Start again in an --out that already holds a sweep, replacing it.")
    var overwrite = false

    @Flag(help: "With --resume, run again the runs that failed before (default: they keep their error).")
    var retryFailed = false

    @Flag(help: "Print the leaderboard as one JSON document on stdout.")
    var json = false

    @Flag(help: "Print nothing but errors (and the --json result).")
    var quiet = false

    func validate() throws {
        guard (1...SweepChildren.capacity).contains(parallel) else {
            throw ValidationError("--parallel must be in 1...\(SweepChildren.capacity) (got \(parallel)).")
        }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1 (got \(threads)).") }
        if resume && overwrite { throw ValidationError("--resume continues the sweep in --out and --overwrite replaces it; pass one of them.") }
        if resume && out == nil { throw ValidationError("--resume needs --out naming the sweep to continue.") }
        if file == nil && !resume { throw ValidationError("name a sweep file, e.g. slate sweep configs/sweeps/gcn-pool-layers.toml --out runs/sweep.") }
        if retryFailed && !resume { throw ValidationError("--retry-failed goes with --resume (a new sweep runs everything).") }
    }

    func run() throws {
        let path = try file ?? savedSweepFile(in: out!)
        let sweep = try SweepFile(path: path)
        let runs = sweep.plan()
        try checkSettings(of: runs, sweep)
        let stem = ((path as NSString).lastPathComponent as NSString).deletingPathExtension
        let dir = out ?? RunOptions.defaultOutputDirectory(tool: "sweep", name: stem)
        let threadsPerRun = max(1, (threads ?? Threads.cores) / min(parallel, runs.count))
        let say: (String) -> Void = quiet || json ? { _ in } : { print($0); fflush(nil) }
        let how: String
        switch sweep.space {
        case let .grid(lists): how = "grid " + lists.map { "\($0.key) (\($0.values.count))" }.joined(separator: " × ")
        case let .random(trials, _): how = "\(trials) random trials of \(sweep.variedKeys.joined(separator: ", ")), seed \(sweep.seed)"
        }
        say("slate sweep: \(runs.count) runs of `slate \(sweep.trainer.name)` (\(how)), ranked by \(sweep.metric) (\(sweep.goal.rawValue))")
        say("  each: slate \(sweep.trainer.name) --config \(dir)/<run>/run.toml --out \(dir)/<run> --threads \(threadsPerRun); \(parallel) at a time")
        if dryRun {
            for run in runs { say("  \(run.name)") }
            if json { print(String(decoding: try JSONSerialization.data(withJSONObject: runs.map { run in
                ["run": run.name, "settings": Dictionary(run.settings.map { ($0.key, $0.value.jsonObject) }) { a, _ in a }]
            }, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]), as: UTF8.self)) }
            return
        }
        try prepare(dir, copying: path)
        let runner = SweepRunner(directory: dir, trainer: sweep.trainer, executable: Bundle.main.executableURL
                                 ?? URL(fileURLWithPath: CommandLine.arguments[0]),
                                 parallel: parallel, threadsPerRun: threadsPerRun, retryFailed: retryFailed)
        try runner.checkUnchanged(runs)
        try watch(runner, runs: runs, sweep: sweep, dir: dir, say: say)
    }

    /// Runs the sweep, showing "run k of n, best so far" and rewriting the leaderboard after each run.
    private func watch(_ runner: SweepRunner, runs: [PlannedRun], sweep: SweepFile, dir: String, say: @escaping (String) -> Void) throws {
        var results: [(run: PlannedRun, status: SweepRunStatus)] = []
        var skipped = 0
        var failed = 0
        let progress = ProgressLine(total: runs.count, label: "runs", plainInterval: .infinity,
                                    isTerminal: !quiet && !json && isatty(STDOUT_FILENO) == 1)
        var board = Leaderboard(sweep: sweep, results: [], directory: dir)
        func bestText(nameLength: Int = .max) -> String {
            board.best.map { best in
                let name = best.run.name.count > nameLength ? best.run.name.prefix(nameLength - 1) + "…" : Substring(best.run.name)
                return "best \(sweep.metric) \(String(format: "%.6g", best.metric!)) (\(name))"
            } ?? "no result yet"
        }
        runner.onStart = { _ in   // kept short: a line wider than the terminal cannot be rewritten in place
            progress.update(results.count, "run \(results.count + 1) of \(runs.count) | \(bestText(nameLength: 28))")
        }
        runner.onFinish = { run, status, wasSkipped in
            results.append((run, status))
            if status.state == .failed { failed += 1 }
            board = Leaderboard(sweep: sweep, results: results, directory: dir)
            if wasSkipped { skipped += 1; return }
            let row = board.rows.first { $0.run.index == run.index }
            let result = status.state == .failed ? "failed: \(status.error ?? "")"
                : "\(sweep.metric) \(row?.metric.map { String(format: "%.6g", $0) } ?? "missing (null in summary.json)")"
            if !quiet && !json { progress.note("[\(results.count)/\(runs.count)] \(run.name): \(result) (\(formatDuration(status.wallSeconds)))") }
            try? board.write(to: dir)
        }
        try runner.run(runs)
        try board.write(to: dir)
        progress.finish(quiet || json ? nil : "\(bestText()); leaderboard: \(dir)/leaderboard.md")
        if skipped > 0 { say("(\(skipped) of \(runs.count) runs were done before this resume)") }
        if !quiet && !json {
            for line in board.markdown.split(separator: "\n").dropFirst().prefix(22) { print(line) }
        }
        if json { print(String(decoding: try board.json(), as: UTF8.self)) }
        if failed == runs.count {
            throw CLIError("all \(runs.count) runs failed; the first: \(results.first?.status.error ?? "?") (see \(dir)/leaderboard.md).", status: .failure)
        }
        if failed > 0 { say("\(failed) of \(runs.count) runs failed; their errors are in \(dir)/leaderboard.md") }
    }

    /// Checks every run's settings as the trainer's own parser would, before anything runs.
    private func checkSettings(of runs: [PlannedRun], _ sweep: SweepFile) throws {
        let name = "slate " + sweep.trainer.name
        for run in runs {
            let words = try CommandLinePreparation.flagWords(from: RunFile(entries: run.settings), for: sweep.trainer.command,
                                                             named: name, userWords: [])
            do { _ = try sweep.trainer.command.parseAsRoot(words) } catch {
                let text = sweep.trainer.command.message(for: error).firstLine.replacingOccurrences(of: "Error: ", with: "")
                throw CLIError("\(sweep.path): run \(run.name) is not a valid `\(name)`: \(text.hasSuffix(".") ? String(text.dropLast()) : text); fix [base] or the ranges.", status: .usage)
            }
        }
    }

    /// `--resume` without a file: the copy the sweep keeps in its directory.
    private func savedSweepFile(in dir: String) throws -> String {
        for name in ["sweep.toml", "sweep.json"] where FileManager.default.fileExists(atPath: dir + "/" + name) {
            return dir + "/" + name
        }
        throw CLIError("nothing to resume: \(dir) holds no sweep.toml; run `slate sweep FILE --out \(dir)` to start the sweep.", status: .noInput)
    }

    /// Checks `dir` as trainers check their --out (a sweep is never replaced by accident) and keeps
    /// a copy of the sweep file in it.
    private func prepare(_ dir: String, copying path: String) throws {
        let fm = FileManager.default
        var isDirectory: ObjCBool = false
        if fm.fileExists(atPath: dir, isDirectory: &isDirectory), !isDirectory.boolValue {
            throw CLIError("--out \(dir) is a file, not a directory; choose another --out.", status: .cannotCreate)
        }
        let contents = ((try? fm.contentsOfDirectory(atPath: dir)) ?? []).filter { !$0.hasPrefix(".") }
        let holdsSweep = contents.contains("sweep.toml") || contents.contains("sweep.json")
        if resume {
            guard holdsSweep else { _ = try savedSweepFile(in: dir); return }
        } else if holdsSweep && overwrite {
            for name in contents { try fm.removeItem(atPath: dir + "/" + name) }
        } else if holdsSweep {
            throw CLIError("\(dir) already holds a sweep; pass --resume to continue it, --overwrite to start again, or choose another --out.", status: .cannotCreate)
        } else if !contents.isEmpty {
            throw CLIError("\(dir) is not empty and holds no sweep; choose another --out.", status: .cannotCreate)
        }
        do { try fm.createDirectory(atPath: dir, withIntermediateDirectories: true) } catch {
            throw CLIError("cannot create --out \(dir); choose another --out.", status: .cannotCreate)
        }
        let copy = dir + "/sweep." + ((path as NSString).pathExtension.lowercased() == "json" ? "json" : "toml")
        guard URL(fileURLWithPath: copy).standardizedFileURL != URL(fileURLWithPath: path).standardizedFileURL else { return }
        try writeAtomically(try Data(contentsOf: URL(fileURLWithPath: path)), to: URL(fileURLWithPath: copy))
    }
}
