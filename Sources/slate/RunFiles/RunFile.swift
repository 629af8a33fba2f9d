import Foundation
import TOMLKit

/// A run file: the settings of one trainer run, as TOML (`*.toml`) or JSON (`*.json`).
///
/// Keys are the trainer's flag names in snake_case (`learning_rate` for `--learning-rate`), so a
/// file and a command line say the same things. `slate gpt train --config FILE` reads one; every
/// run writes its resolved settings as `<out>/config.toml`, which replays the run.
/// Values become command-line words (see ``RunFileEntry/words(for:)``) that the command's own
/// argument parser then checks, so a file is held to exactly the rules of the flags.
struct RunFile {
    /// One `key = value` of the file, in file order.
    var entries: [RunFileEntry]

    /// The settings `entries`, as if read from a file.
    init(entries: [RunFileEntry]) { self.entries = entries }

    /// Reads `path`; the extension picks the format. Throws a usage error naming the file (and line)
    /// for an unreadable file, bad syntax, a value of no flag type, or a nested table unless
    /// `tables` (a sweep file's `[base]`, `[grid]`, `[random]` and `{ choice = [...] }`).
    init(path: String, tables: Bool = false) throws {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CLIError("cannot read the run file \(path); check the path (run files are TOML or JSON).", status: .noInput)
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw CLIError("\(path) is not UTF-8 text; a run file is TOML or JSON.", status: .usage)
        }
        switch (path as NSString).pathExtension.lowercased() {
        case "toml": entries = try RunFile.parseTOML(text, path: path, tables: tables)
        case "json": entries = try RunFile.parseJSON(text, path: path, tables: tables)
        default:
            throw CLIError("\(path): a run file must end in .toml or .json.", status: .usage)
        }
    }

    // MARK: TOML

    private static func parseTOML(_ text: String, path: String, tables: Bool) throws -> [RunFileEntry] {
        let table: TOMLTable
        do { table = try TOMLTable(string: text) } catch let error as TOMLParseError {
            throw CLIError("\(path):\(error.source.begin.line): \(error.description.firstLine); fix the TOML syntax.", status: .usage)
        } catch {
            throw CLIError("\(path) is not valid TOML; fix its syntax.", status: .usage)
        }
        return try entries(of: table, text: text, path: path, tables: tables, after: 0)
    }

    /// The entries of `table`, whose keys are looked for in `text` from line `after` on (a `[section]`).
    private static func entries(of table: TOMLTable, text: String, path: String, tables: Bool, after: Int) throws -> [RunFileEntry] {
        try table.keys.map { key in
            var line = lineNumber(of: key, in: text, after: after)
            if line == 0, tables { line = sectionLine(of: key, in: text) ?? 0 }
            return RunFileEntry(key: key, value: try value(of: table[key]!.tomlValue, key: key, text: text, path: path,
                                                           line: line, tables: tables),
                                path: path, line: line)
        }.sorted { $0.line < $1.line }
    }

    private static func value(of toml: TOMLValue, key: String, text: String, path: String, line: Int, tables: Bool) throws -> RunFileValue {
        switch toml.type {
        case .bool: return .bool(toml.bool!)
        case .int: return .int(toml.int!)
        case .double: return .double(toml.double!)
        case .string: return .string(toml.string!)
        case .array:
            return .list(try toml.array!.map { try value(of: $0.tomlValue, key: key, text: text, path: path, line: line, tables: tables) })
        case .table where tables:
            // `[key]` starts a section on its own line; an inline `{ ... }` sits on the key's line.
            let header = sectionLine(of: key, in: text)
            return .table(try entries(of: toml.table!, text: text, path: path, tables: tables, after: header ?? max(line - 1, 0))
                .map { header == nil ? RunFileEntry(key: $0.key, value: $0.value, path: path, line: line) : $0 })
        default:
            throw CLIError("\(path):\(line): '\(key)' is a \(toml.type); run-file values are numbers, booleans, strings or lists of them.", status: .usage)
        }
    }

    // MARK: JSON

    private static func parseJSON(_ text: String, path: String, tables: Bool) throws -> [RunFileEntry] {
        let object: [String: JSONValue]
        do { object = try JSONDecoder().decode([String: JSONValue].self, from: Data(text.utf8)) } catch {
            throw CLIError("\(path) is not a JSON object of settings ({\"key\": value, ...}); fix its syntax.", status: .usage)
        }
        return try JSONValue.entries(of: object, text: text, path: path, tables: tables, after: 0)
    }

    /// The 1-based line on which `key` is set (`key =`, `"key" =` or `"key":`) at or after line
    /// `after` + 1, or 0 when not found.
    static func lineNumber(of key: String, in text: String, after: Int = 0) -> Int {
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() where index >= after {
            let trimmed = line.drop { $0 == " " || $0 == "\t" || $0 == "{" || $0 == "," }
            for form in [key, "\"\(key)\""] where trimmed.hasPrefix(form) {
                let rest = trimmed.dropFirst(form.count).drop { $0 == " " || $0 == "\t" }
                if rest.first == "=" || rest.first == ":" { return index + 1 }
            }
        }
        return 0
    }

    /// The 1-based line of the TOML section header `[key]`, or nil.
    private static func sectionLine(of key: String, in text: String) -> Int? {
        text.split(separator: "\n", omittingEmptySubsequences: false).firstIndex {
            $0.trimmingCharacters(in: .whitespaces).hasPrefix("[\(key)]")
        }.map { $0 + 1 }
    }
}

/// A value in a run file (`table` only in sweep files).
enum RunFileValue: Equatable {
    case bool(Bool), int(Int), double(Double), string(String), list([RunFileValue]), table([RunFileEntry])

    /// The value as one command-line word (`[64, 64]` -> `64,64`).
    var word: String {
        switch self {
        case let .bool(b): return String(b)
        case let .int(i): return String(i)
        case let .double(d): return d.description
        case let .string(s): return s
        case let .list(items): return items.map(\.word).joined(separator: ",")
        case let .table(entries): return "{" + entries.map { "\($0.key) = \($0.value.word)" }.joined(separator: ", ") + "}"
        }
    }
}

/// One setting of a run file.
struct RunFileEntry: Equatable {
    var key: String
    var value: RunFileValue
    var path: String
    var line: Int

    /// Where the setting stands, for messages: `run.toml:3`.
    var location: String { line > 0 ? "\(path):\(line)" : path }

    /// The flag this key sets: `learning_rate` -> `learning-rate`.
    var flagName: String { key.replacingOccurrences(of: "_", with: "-") }
}

/// JSON values, decoded strictly (a JSON `1` is never a boolean).
private enum JSONValue: Decodable {
    case bool(Bool), number(Double), integer(Int), string(String), array([JSONValue]), object([String: JSONValue]), other

    init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else if let i = try? c.decode(Int.self) { self = .integer(i) }
        else if let d = try? c.decode(Double.self) { self = .number(d) }
        else if let s = try? c.decode(String.self) { self = .string(s) }
        else if let a = try? c.decode([JSONValue].self) { self = .array(a) }
        else if let o = try? c.decode([String: JSONValue].self) { self = .object(o) }
        else { self = .other }
    }

    /// The entries of `object`, whose keys are looked for in `text` from line `after` on.
    static func entries(of object: [String: JSONValue], text: String, path: String, tables: Bool, after: Int) throws -> [RunFileEntry] {
        try object.map { key, json in
            let line = RunFile.lineNumber(of: key, in: text, after: after)
            return RunFileEntry(key: key, value: try json.runFileValue(key: key, text: text, path: path, line: line, tables: tables),
                                path: path, line: line)
        }.sorted { $0.line < $1.line }
    }

    func runFileValue(key: String, text: String, path: String, line: Int, tables: Bool) throws -> RunFileValue {
        switch self {
        case let .bool(b): return .bool(b)
        case let .integer(i): return .int(i)
        case let .number(d): return .double(d)
        case let .string(s): return .string(s)
        case let .array(a): return .list(try a.map { try $0.runFileValue(key: key, text: text, path: path, line: line, tables: tables) })
        case let .object(o) where tables:
            return .table(try JSONValue.entries(of: o, text: text, path: path, tables: tables, after: max(line - 1, 0)))
        case .object, .other:
            throw CLIError("\(path):\(line): '\(key)' holds an object or null; run-file values are numbers, booleans, strings or lists of them.", status: .usage)
        }
    }
}

extension String {
    /// The text up to the first line break.
    var firstLine: String { String(prefix { $0 != "\n" && $0 != "\r" }) }
}
