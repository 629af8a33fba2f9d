import ArgumentParser
import Foundation
import Slate

/// Writes a parsed command's settings as `config.toml`: every flag as a typed `key = value` under
/// its help line, so `slate <tool> train --config <out>/config.toml --out NEW` replays the run.
///
/// The values are read from the parsed command itself (its `@Option`/`@Flag` properties, through
/// reflection) and the help lines from ArgumentParser's description of it, so nothing is listed
/// twice. Options left unset (whose default depends on other settings) are written as comments.
enum ResolvedConfig {
    /// Flags that say where and how to run, not what to compute; left out of the file.
    static let excluded: Set<String> = ["config", "out", "resume", "overwrite", "json", "quiet", "help", "version"]

    /// The TOML text for `command`, headed by the command line that produced it.
    static func toml(for command: ParsableCommand, name: String) -> String {
        let arguments = CommandArguments(type(of: command))
        var lines = ["# \(name) — resolved settings (Slate \(Slate.version)).",
                     "# Replay: \(name) --config config.toml --out NEW", ""]
        for (property, value) in flattenedValues(of: command) {
            let flag = kebab(property)
            guard let argument = arguments.argument(named: flag), !excluded.contains(flag), !flag.hasPrefix("no-") else { continue }
            if let help = argument.abstract, !help.isEmpty {
                lines.append("# " + help.replacingOccurrences(of: "\n", with: " "))
            }
            let key = flag.replacingOccurrences(of: "-", with: "_")
            if let literal = tomlLiteral(value) {
                lines.append("\(key) = \(literal)")
            } else {
                lines.append("# \(key) =   (unset: " + (argument.defaultValue.map { "default \($0)" } ?? "the default in the line above applies") + ")")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Writes `toml(for:name:)` to `<directory>/config.toml` atomically.
    @discardableResult
    static func write(_ command: ParsableCommand, name: String, to directory: String) throws -> String {
        let text = toml(for: command, name: name)
        try writeAtomically(Data(text.utf8),
                            to: URL(fileURLWithPath: directory).appendingPathComponent("config.toml"))
        return text
    }

    /// `(property name, value)` of every option and flag, option groups flattened, in declaration order.
    static func flattenedValues(of value: Any) -> [(String, Any)] {
        Mirror(reflecting: value).children.flatMap { child -> [(String, Any)] in
            guard let label = child.label?.drop(while: { $0 == "_" }), let wrapper = child.value as? ParsedArgument else { return [] }
            if wrapper.isGroup { return flattenedValues(of: wrapper.parsedValue) }
            return [(String(label), wrapper.parsedValue)]
        }
    }

    /// A TOML literal for a parsed value, or nil for an unset optional.
    static func tomlLiteral(_ value: Any) -> String? {
        if case Optional<Any>.none = value as Any? { return nil }
        let mirror = Mirror(reflecting: value)
        if mirror.displayStyle == .optional {
            guard let inner = mirror.children.first?.value else { return nil }
            return tomlLiteral(inner)
        }
        switch value {
        case let v as Bool: return String(v)
        case let v as Int: return String(v)
        case let v as UInt64: return String(v)
        case let v as Float: return tomlFloat(v.description)
        case let v as Double: return tomlFloat(v.description)
        case let v as String: return quoted(v)
        case let v as any RawRepresentable: return quoted("\(v.rawValue)")
        case let v as [Any]: return "[" + v.compactMap(tomlLiteral).joined(separator: ", ") + "]"
        default: return quoted("\(value)")
        }
    }

    /// Swift prints `1e-05` and `inf`; TOML wants a digit before an exponent and `inf` spelt so.
    private static func tomlFloat(_ text: String) -> String {
        if text == "nan" || text.hasSuffix("inf") { return text }
        return text.contains(".") || text.contains("e") ? text : text + ".0"
    }

    private static func quoted(_ s: String) -> String {
        var out = "\""
        for ch in s.unicodeScalars {
            switch ch {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            default:
                if ch.value < 0x20 || ch.value == 0x7F { out += String(format: "\\u%04X", ch.value) } else { out.unicodeScalars.append(ch) }
            }
        }
        return out + "\""
    }

    /// `learningRate` -> `learning-rate` (ArgumentParser's own rule for long names).
    static func kebab(_ name: String) -> String {
        name.reduce(into: "") { out, ch in
            if ch.isUppercase, !out.isEmpty { out += "-" }
            out += ch.lowercased()
        }
    }
}

/// ArgumentParser's property wrappers, read without knowing their value types.
private protocol ParsedArgument {
    var parsedValue: Any { get }
    var isGroup: Bool { get }
}
extension Option: ParsedArgument {
    var parsedValue: Any { wrappedValue }
    var isGroup: Bool { false }
}
extension Flag: ParsedArgument {
    var parsedValue: Any { wrappedValue }
    var isGroup: Bool { false }
}
extension OptionGroup: ParsedArgument {
    var parsedValue: Any { wrappedValue }
    var isGroup: Bool { true }
}
