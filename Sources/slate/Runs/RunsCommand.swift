import ArgumentParser
import Foundation
import Slate

/// `slate runs ...`: look at finished runs. Subcommands live in Sources/slate/Runs/.
struct RunsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "runs",
        abstract: "Compare finished runs.",
        subcommands: [RunsCompareCommand.self]
    )
}

/// `slate runs compare RUN...`: the headline figures of several runs' summary.json side by side.
struct RunsCompareCommand: ParsableCommand, Exemplified {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Print the summary.json figures of several runs side by side.",
        discussion: """
        One row per key of the summaries (tool and command first, then the trainers' metrics, \
        then wall seconds and peak memory), one column per run; a blank cell is a key that run's \
        summary lacks, '-' a value it recorded as null (not finite). Nested values read \
        'regret.ucb'. With --json, prints [{"run", "path", "summary"}] instead.
        """
    )

    static let examples = ["slate runs compare runs/cartpole-ppo runs/cartpole-dqn",
                           "slate runs compare runs/sweep/*/ --json"]

    @Argument(help: ArgumentHelp("Run directories (each a trainer's --out).", valueName: "run"))
    var runs: [String] = []

    @Flag(help: "Print the summaries as one JSON array on stdout.")
    var json = false

    /// Keys that say where a run is rather than how it did.
    static let skipped: Set<String> = ["config", "out", "slate_version"]
    static let first = ["tool", "command"], last = ["wall_seconds", "peak_rss_mb"]

    func validate() throws {
        guard !runs.isEmpty else { throw ValidationError("name at least one run directory to compare") }
    }

    func run() throws {
        var records = try runs.map { try RunRecords(path: $0) }
        RunRecords.disambiguate(&records)
        let summaries = try records.map { try $0.summary() }
        if json {
            let array = zip(records, summaries).map { ["run": $0.name, "path": $0.path, "summary": $1] as [String: Any] }
            let data = try JSONSerialization.data(withJSONObject: array, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
            print(String(decoding: data, as: UTF8.self))
            return
        }
        let flat = summaries.map(Self.flatten)
        let keys = Set(flat.flatMap(\.keys)).subtracting(Self.skipped)
        let middle = keys.subtracting(Self.first + Self.last).sorted()
        let rows = (Self.first + middle + Self.last).filter(keys.contains).map { key in
            [key] + flat.map { $0[key] ?? "" }
        }
        print(Self.table(header: ["key"] + records.map(\.name), rows: rows), terminator: "")
    }

    /// `{"a": {"b": 1}, "c": [1, 2]}` -> `["a.b": "1", "c": "1,2"]`, numbers in short form, null as "-".
    static func flatten(_ object: [String: Any]) -> [String: String] {
        var out: [String: String] = [:]
        for (key, value) in object {
            switch value {
            case let nested as [String: Any]:
                for (k, v) in flatten(nested) { out[key + "." + k] = v }
            case let number as NSNumber:
                out[key] = MetricsText.number(number.doubleValue)
            case is NSNull:
                out[key] = "-"
            case let array as [Any]:   // per-fold figures: "0.85,0.9,..."
                out[key] = array.map { ($0 as? NSNumber).map { MetricsText.number($0.doubleValue) } ?? "\($0)" }
                    .joined(separator: ",")
            default:
                out[key] = "\(value)"
            }
        }
        return out
    }

    /// Left-aligned columns two spaces apart.
    static func table(header: [String], rows: [[String]]) -> String {
        let all = [header] + rows
        let widths = header.indices.map { c in all.map { $0[c].count }.max()! }
        return all.map { row in
            row.enumerated().map { c, cell in c == row.count - 1 ? cell : cell.padding(toLength: widths[c], withPad: " ", startingAt: 0) }
                .joined(separator: "  ").replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression)
        }.joined(separator: "\n") + "\n"
    }
}
