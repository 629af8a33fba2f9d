import ArgumentParser
import Foundation
import Slate

/// The options every trainer shares, with the same names and meaning on every command:
/// `--config --out --resume --overwrite --threads --json --quiet`. Add them with
/// `@OptionGroup var common: RunOptions` (each trainer keeps its own `--seed`, whose default is its
/// reference project's).
struct RunOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Run file (TOML or JSON) whose keys are this command's flags in snake_case; flags given on the command line override it.", valueName: "file"))
    var config: String?

    @Option(help: ArgumentHelp("Output directory (default: runs/<tool>-<name>-<YYYYmmdd-HHMMSS>).", valueName: "dir"))
    var out: String?

    @Flag(help: "Continue the run saved in --out from its last checkpoint.")
    var resume = false

    @Flag(help: "Start again in an --out that already holds a run, replacing it.")
    var overwrite = false

    @OptionGroup var threading: ThreadsOption

    @Flag(help: "Print the final result as one JSON document on stdout.")
    var json = false

    @Flag(help: "Print nothing but errors (and the --json result).")
    var quiet = false

    func validate() throws {
        if resume && overwrite {
            throw ValidationError("--resume continues the run in --out and --overwrite replaces it; pass one of them.")
        }
        if resume && out == nil {
            throw ValidationError("--resume needs --out naming the run to continue.")
        }
    }

    /// Sets `Threads.count` when `--threads` was given.
    func applyThreads() { threading.apply() }

    /// `--out`, or `runs/<tool>-<name>-<YYYYmmdd-HHMMSS>` in local time.
    func outputDirectory(tool: String, name: String) -> String {
        out ?? Self.defaultOutputDirectory(tool: tool, name: name)
    }

    /// `runs/<tool>-<name>-<YYYYmmdd-HHMMSS>` in local time, `name` made safe for a path.
    static func defaultOutputDirectory(tool: String, name: String) -> String {
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyyMMdd-HHmmss"
        let safeName = String(name.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "." ? $0 : "-" })
        return "runs/\(tool)-\(safeName)-\(formatter.string(from: Date()))"
    }
}
