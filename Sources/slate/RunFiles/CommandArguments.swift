import ArgumentParser
import Foundation

/// What a command accepts, read from ArgumentParser's own description of it (the JSON behind
/// `--experimental-dump-help`), so run files and `config.toml` follow the flags without a second list.
struct CommandArguments {
    /// One option or flag: its long name (`learning-rate`), help line and printed default.
    struct Argument: Decodable {
        var kind: String                 // "option", "flag" or "positional"
        var names: [Name]?
        var abstract: String?
        var defaultValue: String?
        struct Name: Decodable { var kind: String; var name: String }

        /// The long name without dashes, if the argument has one.
        var longName: String? { longNames.first }
        /// Every long name (`bias` and `no-bias` for an inverted flag).
        var longNames: [String] { (names ?? []).filter { $0.kind == "long" }.map(\.name) }
    }
    private struct Dump: Decodable { var command: Command }
    private struct Command: Decodable { var arguments: [Argument]? }

    /// The options and flags of the command, in declaration order (help and version excluded).
    var arguments: [Argument]

    init(_ command: ParsableCommand.Type) {
        let dump = try? JSONDecoder().decode(Dump.self, from: Data(command._dumpHelp().utf8))
        arguments = (dump?.command.arguments ?? []).filter {
            $0.kind != "positional" && !["help", "version", "experimental-dump-help"].contains($0.longName ?? "")
        }
    }

    /// The argument whose long name is `name`, or whose inversion (`no-<name>`) is.
    func argument(named name: String) -> Argument? {
        arguments.first { $0.longNames.contains(name) }
    }

    /// True when `--no-<name>` exists, i.e. the flag is written `--name` / `--no-name`.
    func hasInversion(_ name: String) -> Bool {
        arguments.contains { $0.kind == "flag" && $0.longNames.contains("no-" + name) }
    }
}

/// Rewrites the raw command line before ArgumentParser sees it:
/// - `--learning-rate -0.001` becomes `--learning-rate=-0.001`, so a negative number reaches
///   validation ("must be positive") instead of being taken for a flag ("Missing value");
/// - `--config FILE` inserts the file's settings as flags right after the subcommand, before the
///   user's own flags, so flags on the command line override the file.
enum CommandLinePreparation {
    /// The words to parse, and the run-file setting behind each flag that came from a file.
    struct Prepared {
        var words: [String]
        var fromFile: [String: RunFileEntry] = [:]
    }

    static func prepare(_ words: [String], root: ParsableCommand.Type) throws -> Prepared {
        let joined = joinNegativeNumbers(words)
        let path = commandPath(joined, root: root)
        let file: String
        if let configWord = joined.firstIndex(where: { $0 == "--config" || $0.hasPrefix("--config=") }) {
            if joined[configWord].hasPrefix("--config=") {
                file = String(joined[configWord].dropFirst("--config=".count))
            } else if configWord + 1 < joined.count {
                file = joined[configWord + 1]
            } else {
                return Prepared(words: joined)   // ArgumentParser reports the missing value
            }
        } else if let saved = resumedRunFile(joined) {
            file = saved                        // --resume continues with the run's own settings
        } else {
            return Prepared(words: joined)
        }
        let runFile = try RunFile(path: file)
        let name = (["slate"] + joined[..<path.length]).joined(separator: " ")
        let fileWords = try flagWords(from: runFile, for: path.command, named: name, userWords: Array(joined[path.length...]))
        var fromFile: [String: RunFileEntry] = [:]
        for entry in runFile.entries { fromFile[entry.flagName] = entry }
        return Prepared(words: Array(joined[..<path.length]) + fileWords + Array(joined[path.length...]), fromFile: fromFile)
    }

    /// `<out>/config.toml` when the words say `--resume` and name an `--out` that has one.
    private static func resumedRunFile(_ words: [String]) -> String? {
        guard words.contains("--resume") else { return nil }
        var out: String?
        for (i, word) in words.enumerated() {
            if word == "--out", i + 1 < words.count { out = words[i + 1] }
            if word.hasPrefix("--out=") { out = String(word.dropFirst("--out=".count)) }
        }
        guard let out, FileManager.default.fileExists(atPath: out + "/config.toml") else { return nil }
        return out + "/config.toml"
    }

    /// `--opt -1.5` -> `--opt=-1.5` for every long option followed by a negative number.
    static func joinNegativeNumbers(_ words: [String]) -> [String] {
        var out: [String] = []
        var i = 0
        while i < words.count {
            let word = words[i]
            if word.hasPrefix("--"), !word.contains("="), i + 1 < words.count, isNegativeNumber(words[i + 1]) {
                out.append(word + "=" + words[i + 1]); i += 2
            } else {
                out.append(word); i += 1
            }
        }
        return out
    }

    private static func isNegativeNumber(_ word: String) -> Bool {
        guard word.hasPrefix("-"), word.count > 1 else { return false }
        let rest = word.dropFirst().lowercased()
        if ["inf", "infinity", "nan"].contains(rest) { return true }   // reaches validation: "must be finite"
        return rest.first.map { $0.isNumber || $0 == "." } == true && Double(word) != nil
    }

    /// The subcommand the words name (`gpt train` -> GPTTrainCommand) and how many words name it.
    static func commandPath(_ words: [String], root: ParsableCommand.Type) -> (command: ParsableCommand.Type, length: Int) {
        var command = root
        var length = 0
        while length < words.count,
              let next = command.configuration.subcommands.first(where: { $0._commandName == words[length] }) {
            command = next
            length += 1
        }
        return (command, length)
    }

    /// The file's settings as flags for `command`; settings the user also gives are left out.
    static func flagWords(from file: RunFile, for command: ParsableCommand.Type, named name: String,
                      userWords: [String]) throws -> [String] {
        let known = CommandArguments(command)
        let userFlags = Set(userWords.compactMap { word -> String? in
            guard word.hasPrefix("--") else { return nil }
            let name = String(word.dropFirst(2).prefix { $0 != "=" })
            return name.hasPrefix("no-") ? String(name.dropFirst(3)) : name
        })
        var words: [String] = []
        for entry in file.entries {
            let flag = entry.flagName
            guard flag != "config" else {
                throw CLIError("\(entry.location): a run file cannot name another run file (config); remove that key.", status: .usage)
            }
            guard let argument = known.argument(named: flag) else {
                let keys = known.arguments.compactMap(\.longName).filter { !$0.hasPrefix("no-") }
                    .map { $0.replacingOccurrences(of: "-", with: "_") }
                throw CLIError("\(entry.location): unknown key '\(entry.key)' for `\(name)`; the keys are its flags in snake_case: \(keys.joined(separator: ", ")).", status: .usage)
            }
            if userFlags.contains(flag) { continue }
            if argument.kind == "flag" {
                guard case let .bool(on) = entry.value else {
                    throw CLIError("\(entry.location): '\(entry.key)' is a switch; write \(entry.key) = true or false.", status: .usage)
                }
                if on { words.append("--" + flag) } else if known.hasInversion(flag) { words.append("--no-" + flag) }
            } else {
                if case .bool = entry.value {
                    throw CLIError("\(entry.location): '\(entry.key)' takes a value, not true/false (see --help).", status: .usage)
                }
                words.append("--\(flag)=\(entry.value.word)")
            }
        }
        return words
    }
}
