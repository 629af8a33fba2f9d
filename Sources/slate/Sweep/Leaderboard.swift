import Foundation
import Slate

/// The runs of a sweep ranked by its metric: `leaderboard.csv`, `leaderboard.md` and
/// `leaderboard.json` in the sweep's directory, rewritten after every run.
///
/// Runs with a value of the metric come first, best first (ties keep the sweep's order); then
/// runs that finished without one (a non-finite metric is `null` in summary.json); then failed
/// runs with their error. Columns: rank, run, the varied keys, the metric, the other headline
/// metrics, wall seconds, status and error. Values are summary.json's own numbers, unrounded in
/// the CSV and JSON.
struct Leaderboard {
    struct Row {
        var rank: Int?
        var run: PlannedRun
        var status: SweepRunStatus
        var metric: Double?
        var others: [String: Double]
        var out: String
    }

    let sweep: SweepFile
    let rows: [Row]

    /// Reads each finished run's summary.json from `directory`.
    init(sweep: SweepFile, results: [(run: PlannedRun, status: SweepRunStatus)], directory: String) {
        self.sweep = sweep
        let unranked = results.map { run, status -> Row in
            let out = directory + "/" + run.name
            let summary = status.state == .ok ? Self.numbers(in: out + "/summary.json") : [:]
            return Row(rank: nil, run: run, status: status, metric: summary[sweep.metric],
                       others: summary.filter { sweep.headline.contains($0.key) }, out: out)
        }
        let better: (Double, Double) -> Bool = sweep.goal == .minimize ? { $0 < $1 } : { $0 > $1 }
        func group(_ row: Row) -> Int { row.metric != nil ? 0 : row.status.state == .ok ? 1 : 2 }
        var ranked = unranked.sorted { a, b in
            if group(a) != group(b) { return group(a) < group(b) }
            if let x = a.metric, let y = b.metric, x != y { return better(x, y) }
            return a.run.index < b.run.index
        }
        for i in ranked.indices where ranked[i].metric != nil { ranked[i].rank = i + 1 }
        rows = ranked
    }

    /// The best run so far, if any has a value of the metric.
    var best: Row? { rows.first { $0.rank != nil } }

    /// Writes the three files atomically.
    func write(to directory: String) throws {
        let url = URL(fileURLWithPath: directory)
        try writeAtomically(csv, to: url.appendingPathComponent("leaderboard.csv"))
        try writeAtomically(markdown, to: url.appendingPathComponent("leaderboard.md"))
        try writeAtomically(try json() + Data("\n".utf8), to: url.appendingPathComponent("leaderboard.json"))
    }

    private var header: [String] {
        ["rank", "run"] + sweep.variedKeys + [sweep.metric] + sweep.headline + ["wall_seconds", "status", "error"]
    }

    /// One row's cells; `number` formats the figures.
    private func cells(_ row: Row, _ number: (Double) -> String) -> [String] {
        // Built in steps: Swift 6.0.3's type checker gives up on the same sum written as one expression.
        var cells: [String] = [row.rank.map(String.init) ?? "", row.run.name]
        cells += sweep.variedKeys.map { key in row.run.varied.first { $0.key == key }?.value.word ?? "" }
        cells.append(row.metric.map(number) ?? "")
        cells += sweep.headline.map { row.others[$0].map(number) ?? "" }
        cells += [String(format: "%.1f", row.status.wallSeconds), row.status.state.rawValue, row.status.error ?? ""]
        return cells
    }

    var csv: String {
        ([header] + rows.map { cells($0, Self.exact) })
            .map { $0.map(Self.csvField).joined(separator: ",") }.joined(separator: "\n") + "\n"
    }

    var markdown: String {
        let direction = sweep.goal == .minimize ? "lowest" : "highest"
        var lines = ["# Sweep: `slate \(sweep.trainer.name)`, ranked by \(sweep.metric) (\(direction) first)", "",
                     "| " + header.joined(separator: " | ") + " |",
                     "|" + header.map { _ in "---" }.joined(separator: "|") + "|"]
        for row in rows {
            lines.append("| " + cells(row) { String(format: "%.6g", $0) }
                .map { $0.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ") }
                .joined(separator: " | ") + " |")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    func json() throws -> Data {
        let runs: [[String: Any]] = rows.map { row in
            [
                "rank": row.rank as Any? ?? NSNull(),
                "run": row.run.name,
                "out": row.out,
                "status": row.status.state.rawValue,
                "error": row.status.error as Any? ?? NSNull(),
                "settings": Dictionary(row.run.varied.map { ($0.key, $0.value.jsonObject) }) { a, _ in a },
                sweep.metric: row.metric as Any? ?? NSNull(),
                "metrics": row.others,
                "wall_seconds": row.status.wallSeconds,
            ]
        }
        let document: [String: Any] = ["command": sweep.trainer.name, "metric": sweep.metric, "goal": sweep.goal.rawValue,
                                       "varied": sweep.variedKeys, "runs": runs]
        return try JSONSerialization.data(withJSONObject: document, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
    }

    /// The numbers of a summary.json (text, lists and nulls left out).
    static func numbers(in path: String) -> [String: Double] {
        guard let data = FileManager.default.contents(atPath: path),
              let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else { return [:] }
        return object.compactMapValues { ($0 as? NSNumber)?.doubleValue }   // summaries hold no booleans
    }

    /// Shortest text that reads back as the same Double; whole numbers without `.0`.
    static func exact(_ x: Double) -> String {
        x == x.rounded() && abs(x) < 1e15 ? String(Int(x)) : x.description
    }

    private static func csvField(_ text: String) -> String {
        text.contains(where: { ",\"\n\r".contains($0) }) ? "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : text
    }
}
