import Foundation
import Slate

/// One range of a `[random]` table, written as an inline table with one key.
///
/// - `{ uniform = [lo, hi] }`: x ~ U(lo, hi).
/// - `{ log_uniform = [lo, hi] }`: log x ~ U(log lo, log hi), for 0 < lo < hi (learning rates,
///   coefficients that matter by their order of magnitude).
/// - `{ choice = [a, b, ...] }`: one of the values, each with probability 1/k.
///
/// With two integer bounds the draw is a whole number in lo...hi (both included), as Optuna's
/// `suggest_int`; otherwise a real number rounded to 4 significant digits, so that the run name,
/// its run file and the leaderboard all show the value the run used.
enum SweepRange {
    case uniform(Double, Double, integer: Bool)
    case logUniform(Double, Double, integer: Bool)
    case choice([RunFileValue])

    /// What is wrong with a range, for the sweep file's error message.
    struct Problem: Error { var text: String }

    init(_ value: RunFileValue) throws {
        let example = "write { uniform = [lo, hi] }, { log_uniform = [lo, hi] } or { choice = [a, b] }"
        guard case let .table(entries) = value, entries.count == 1, let entry = entries.first else {
            throw Problem(text: "\(value.word) is not a range; \(example)")
        }
        guard case let .list(items) = entry.value, !items.isEmpty else {
            throw Problem(text: "\(entry.key) needs a non-empty list; \(example)")
        }
        if entry.key == "choice" { self = .choice(items); return }
        guard entry.key == "uniform" || entry.key == "log_uniform" else {
            throw Problem(text: "unknown range '\(entry.key)'; \(example)")
        }
        let bounds = items.compactMap { item -> Double? in
            switch item {
            case let .int(i): return Double(i)
            case let .double(d): return d
            default: return nil
            }
        }
        guard bounds.count == 2, items.count == 2, bounds.allSatisfy(\.isFinite), bounds[0] < bounds[1] else {
            throw Problem(text: "\(entry.key) = \(value.word.dropFirst(entry.key.count + 4).dropLast()) must be two finite numbers [lo, hi] with lo < hi")
        }
        let integer = items.allSatisfy { if case .int = $0 { return true } else { return false } }
        if entry.key == "uniform" {
            self = .uniform(bounds[0], bounds[1], integer: integer)
        } else {
            guard bounds[0] > 0 else { throw Problem(text: "log_uniform needs 0 < lo (got lo = \(items[0].word))") }
            self = .logUniform(bounds[0], bounds[1], integer: integer)
        }
    }

    /// One draw.
    func sample(_ rng: inout RandomGenerator) -> RunFileValue {
        switch self {
        case let .choice(values):
            return values[rng.nextInt(values.count)]
        case let .uniform(lo, hi, integer):
            if integer { return .int(Int(lo) + rng.nextInt(Int(hi - lo) + 1)) }
            return .double(Self.rounded(lo + (hi - lo) * rng.nextDouble(), lo, hi))
        case let .logUniform(lo, hi, integer):
            let x = exp(log(lo) + (log(hi) - log(lo)) * rng.nextDouble())
            if integer { return .int(Int(min(max(x.rounded(), lo), hi))) }
            return .double(Self.rounded(x, lo, hi))
        }
    }

    /// `x` to 4 significant digits, kept inside [lo, hi].
    private static func rounded(_ x: Double, _ lo: Double, _ hi: Double) -> Double {
        min(max(Double(String(format: "%.4g", x)) ?? x, lo), hi)
    }
}

/// One run of a sweep: its name, the values it varies and every setting of its run file.
struct PlannedRun {
    /// 1-based position in the sweep.
    var index: Int
    /// `learning_rate=0.001,seed=1`: the varied keys (Hydra's override_dirname); random trials
    /// start with their number (`003-learning_rate=0.000412`).
    var name: String
    var varied: [(key: String, value: RunFileValue)]
    /// `[base]` with the varied values set on top, in file order.
    var settings: [RunFileEntry]

    /// The run file the child reads with `--config`: one `key = value` per setting.
    var runFileText: String {
        settings.map { "\($0.key) = \($0.value.tomlLiteral)" }.joined(separator: "\n") + "\n"
    }
}

extension SweepFile {
    /// The keys the runs vary, in file order.
    var variedKeys: [String] {
        switch space {
        case let .grid(lists): return lists.map(\.key)
        case let .random(_, ranges): return ranges.map(\.key)
        }
    }

    /// Every run, in order: the grid's combinations (first key slowest, like itertools.product),
    /// or `trials` draws from one generator seeded with `seed` (so the first k trials stay the
    /// same when `trials` grows).
    func plan() -> [PlannedRun] {
        var combinations: [[(key: String, value: RunFileValue)]] = []
        switch space {
        case let .grid(lists):
            combinations = [[]]
            for (key, values) in lists {
                combinations = combinations.flatMap { prefix in values.map { prefix + [(key, $0)] } }
            }
        case let .random(trials, ranges):
            var rng = RandomGenerator(seed: seed)
            for _ in 0..<trials {
                combinations.append(ranges.map { ($0.key, $0.range.sample(&rng)) })
            }
        }
        let width = max(3, String(combinations.count).count)   // stable while trials grow up to 999
        return combinations.enumerated().map { offset, varied in
            let number = String(repeating: "0", count: max(0, width - String(offset + 1).count)) + String(offset + 1)
            let label = varied.map { "\($0.key)=\(Self.nameWord($0.value))" }.joined(separator: ",")
            var settings = base.filter { entry in !varied.contains { $0.key == entry.key } }
            for (key, value) in varied {
                settings.append(RunFileEntry(key: key, value: value, path: path, line: variedLines[key] ?? 0))
            }
            // A grid run is named by its values alone, so it keeps its directory when values are
            // added to the grid; random trials (which may repeat a value) are numbered.
            var name = number + "-" + label
            if case .grid = space, label.count <= 120 { name = label }
            return PlannedRun(index: offset + 1, name: String(name.prefix(120)), varied: varied, settings: settings)
        }
    }

    /// A value as it reads in a directory name: `64x64` for a list, unsafe characters as `_`.
    private static func nameWord(_ value: RunFileValue) -> String {
        let text: String
        if case let .list(items) = value { text = items.map(\.word).joined(separator: "x") } else { text = value.word }
        return String(text.map { $0.isLetter || $0.isNumber || "._+-".contains($0) ? $0 : "_" })
    }
}

extension RunFileValue {
    /// The value as a TOML literal (`0.001`, `"sum"`, `[64, 64]`).
    var tomlLiteral: String {
        switch self {
        case let .bool(b): return ResolvedConfig.tomlLiteral(b)!
        case let .int(i): return ResolvedConfig.tomlLiteral(i)!
        case let .double(d): return ResolvedConfig.tomlLiteral(d)!
        case let .string(s): return ResolvedConfig.tomlLiteral(s)!
        case let .list(items): return "[" + items.map(\.tomlLiteral).joined(separator: ", ") + "]"
        case let .table(entries): return "{ " + entries.map { "\($0.key) = \($0.value.tomlLiteral)" }.joined(separator: ", ") + " }"
        }
    }

    /// The value for JSON: a number, boolean, string or array of them.
    var jsonObject: Any {
        switch self {
        case let .bool(b): return b
        case let .int(i): return i
        case let .double(d): return d.isFinite ? d : d.description as Any
        case let .string(s): return s
        case let .list(items): return items.map(\.jsonObject)
        case let .table(entries): return Dictionary(entries.map { ($0.key, $0.value.jsonObject) }) { a, _ in a }
        }
    }
}
