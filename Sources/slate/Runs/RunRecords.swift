import Foundation
import Slate

/// A run's output directory as `slate plot` and `slate runs compare` read it: its CSV logs
/// (`metrics.csv`, `eval.csv`, `episodes.csv`, ...) and its `summary.json`.
///
/// In a log, the first of `step`, `iter`, `global_step`, `round`, `epoch` found is the x axis;
/// `fold` and `seed` columns split the rows into one curve per value; `episode` numbers rows of
/// an evaluation; every other column is a metric.
struct RunRecords {
    /// The directory as given on the command line.
    let path: String
    /// The name in legends and table headings (the directory's last component, unless two runs share it).
    var name: String
    let logs: [Log]

    /// One CSV file: its columns and rows (an empty or unreadable cell is nil).
    struct Log {
        let file: String
        let columns: [String]
        let rows: [[Double?]]
        var stepColumn: Int? { columns.firstIndex { RunRecords.stepColumns.contains($0) } }
        var groupColumn: Int? { columns.firstIndex { RunRecords.groupColumns.contains($0) } }
        var metrics: [String] { columns.filter { !RunRecords.nonMetrics.contains($0) } }
    }

    /// One curve of a metric: its label suffix (`seed 2`, or empty) and group column, points, and whether it
    /// comes from evaluations (drawn with marked points).
    struct Curve {
        let group: String, groupName: String
        let x: [Double], y: [Double]
        let isEvaluation: Bool
        let stepName: String
    }

    static let stepColumns = ["step", "iter", "global_step", "round", "epoch"]
    static let groupColumns = ["fold", "seed"]
    static let nonMetrics = Set(stepColumns + groupColumns + ["episode"])
    /// The logs read first, in this order; others follow by name.
    static let preferredFiles = ["metrics.csv", "eval.csv", "episodes.csv"]

    /// Reads the CSV logs in `path` (those with a step column); throws when it is not a directory.
    init(path: String) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw CLIError("no run directory at \(path); pass directories that `slate ... train --out DIR` wrote.", status: .noInput)
        }
        self.path = path
        name = URL(fileURLWithPath: path).standardized.lastPathComponent
        let files = try FileManager.default.contentsOfDirectory(atPath: path).filter { $0.hasSuffix(".csv") }
            .sorted { (Self.preferredFiles.firstIndex(of: $0) ?? 99, $0) < (Self.preferredFiles.firstIndex(of: $1) ?? 99, $1) }
        logs = try files.map { try Self.readLog(URL(fileURLWithPath: path).appendingPathComponent($0)) }
            .filter { $0.stepColumn != nil }
    }

    /// Every metric the run logs, in file and column order.
    var metrics: [String] {
        var seen = Set<String>()
        return logs.flatMap(\.metrics).filter { seen.insert($0).inserted }
    }

    /// The curves of `metric` from the first log that has it (one per fold or seed), or nil.
    func curves(_ metric: String) -> [Curve]? {
        guard let log = logs.first(where: { $0.metrics.contains(metric) }), let stepIndex = log.stepColumn,
              let column = log.columns.firstIndex(of: metric) else { return nil }
        var order: [Double?] = []
        var points: [Double?: (x: [Double], y: [Double])] = [:]
        for row in log.rows {
            guard let x = row[stepIndex], let y = row[column] else { continue }
            let group = log.groupColumn.flatMap { row[$0] }
            if points[group] == nil { order.append(group) }
            points[group, default: ([], [])].x.append(x)
            points[group, default: ([], [])].y.append(y)
        }
        let groupName = log.groupColumn.map { log.columns[$0] } ?? ""
        return order.map { group in
            Curve(group: group.map { "\(groupName) \(MetricsText.number($0))" } ?? "", groupName: groupName, x: points[group]!.x, y: points[group]!.y,
                  isEvaluation: log.file == "eval.csv", stepName: log.columns[stepIndex])
        }
    }

    /// `summary.json` as a JSON object; throws when it is missing (the run has not finished).
    func summary() throws -> [String: Any] {
        let url = URL(fileURLWithPath: path).appendingPathComponent("summary.json")
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw CLIError("\(path) has no summary.json: the run has not finished, or it is not a run directory.", status: .noInput)
        }
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw CLIError("\(url.path) is not a JSON object; rerun the training or restore the file.", status: .dataError)
        }
        return object
    }

    /// Gives runs whose directories share a last component their paths as names instead.
    static func disambiguate(_ runs: inout [RunRecords]) {
        let counts = Dictionary(runs.map { ($0.name, 1) }, uniquingKeysWith: +)
        for i in runs.indices where counts[runs[i].name]! > 1 { runs[i].name = runs[i].path }
    }

    private static func readLog(_ url: URL) throws -> Log {
        let text = try String(contentsOf: url, encoding: .utf8)
        let lines = text.split(separator: "\n")
        let columns = lines.first.map { $0.split(separator: ",", omittingEmptySubsequences: false).map(unquote) } ?? []
        let rows = lines.dropFirst().map { line in
            line.split(separator: ",", omittingEmptySubsequences: false).map { Double($0.trimmingCharacters(in: .whitespaces)) }
        }.filter { $0.count == columns.count }   // a torn last line of a running log is skipped
        return Log(file: url.lastPathComponent, columns: columns, rows: rows)
    }

    private static func unquote(_ field: Substring) -> String {
        field.hasPrefix("\"") && field.hasSuffix("\"") && field.count >= 2
            ? String(field.dropFirst().dropLast()).replacingOccurrences(of: "\"\"", with: "\"") : String(field)
    }
}

/// Short text for numbers in tables and legends: integers as integers, others with 4
/// significant digits.
enum MetricsText {
    static func number(_ v: Double) -> String {
        if v == v.rounded() && abs(v) < 1e15 { return String(Int64(v)) }
        return String(format: "%.4g", v)
    }
}
