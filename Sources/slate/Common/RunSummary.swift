import Foundation
import Slate

/// `summary.json`, the same schema for every trainer: the common keys below, then the tool's own
/// headline metrics (`Metrics`, encoded into the same JSON object with snake_case keys).
///
/// Common keys: `tool` (`gpt`, `gcn`, `rl`, `demo`), `command` (`train`, `bandit`, `moons`),
/// `config` (the `config.toml` that replays the run), `out`, `wall_seconds`, `peak_rss_mb`,
/// `slate_version`. JSON never holds NaN or infinity: a non-finite metric is written as `null`
/// (declare such metrics optional and pass them through ``finite(_:)``).
/// A trainer's own `summary.json` metrics: the keys it writes come from its `CodingKeys`, and it
/// names those that are not numbers, so `slate sweep` knows which keys can rank runs without a
/// second list of them.
protocol SummaryMetrics: Encodable {
    associatedtype Key: CodingKey & CaseIterable
    /// The keys whose values are text or lists.
    static var nonNumericKeys: [Key] { get }
}

extension SummaryMetrics {
    /// The numeric keys, in the order of `Key`'s cases (the order a sweep lists them in its messages).
    static var numericKeys: [String] {
        let text = Set(textKeys)
        return Key.allCases.map(\.stringValue).filter { !text.contains($0) }
    }

    /// The text and list keys.
    static var textKeys: [String] { nonNumericKeys.map(\.stringValue) }
}

struct RunSummary<Metrics: Encodable>: Encodable {
    var tool: String
    var command: String
    var config: String
    var out: String
    var wallSeconds: Double
    var peakRSSMegabytes: Double
    var slateVersion: String = Slate.version
    var metrics: Metrics

    enum CodingKeys: String, CodingKey {
        case tool, command, config, out
        case wallSeconds = "wall_seconds", peakRSSMegabytes = "peak_rss_mb", slateVersion = "slate_version"
    }

    init(tool: String, command: String, out: String, wallSeconds: Double, metrics: Metrics) {
        self.tool = tool
        self.command = command
        self.out = out
        self.config = out + "/config.toml"
        self.wallSeconds = wallSeconds
        self.peakRSSMegabytes = currentPeakRSSMegabytes()
        self.metrics = metrics
    }

    func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(tool, forKey: .tool)
        try c.encode(command, forKey: .command)
        try c.encode(config, forKey: .config)
        try c.encode(out, forKey: .out)
        try c.encode(wallSeconds, forKey: .wallSeconds)
        try c.encode(peakRSSMegabytes, forKey: .peakRSSMegabytes)
        try c.encode(slateVersion, forKey: .slateVersion)
        try metrics.encode(to: encoder)
    }

    /// The summary as pretty, key-sorted JSON.
    func jsonData() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self)
    }

    /// Writes `<out>/summary.json` atomically and, with `json`, prints it on stdout.
    func write(printJSON json: Bool) throws {
        let data = try jsonData()
        try writeAtomically(data + Data("\n".utf8), to: URL(fileURLWithPath: out).appendingPathComponent("summary.json"))
        if json { print(String(decoding: data, as: UTF8.self)) }
    }
}

/// `value` when finite, nil otherwise (JSON has no NaN or infinity).
func finite<F: BinaryFloatingPoint>(_ value: F) -> Double? {
    value.isFinite ? Double(value) : nil
}

/// The process's peak resident memory so far, in MB.
private func currentPeakRSSMegabytes() -> Double { peakRSSMegabytes() }
