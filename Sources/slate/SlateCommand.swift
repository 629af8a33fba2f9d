import ArgumentParser
import Foundation
import Slate

/// The `slate` command: one entry point for every trainer, sampler and benchmark.
/// It parses arguments and shows progress; all math lives in the libraries.
@main
struct SlateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "slate",
        abstract: "Deep learning from a clean slate: GPT, graph networks and RL agents on a CPU.",
        version: Slate.version,
        subcommands: [InfoCommand.self, DemoCommand.self, GPTCommand.self, GCNCommand.self,
                      RLCommand.self, BenchCommand.self, SweepCommand.self, PlotCommand.self, RunsCommand.self]
    )

    /// Parses (after expanding `--config` run files), runs, and turns every error into
    /// `Error: <one sentence>` on stderr with a sysexits status. Usage errors show the usage of the
    /// subcommand that was run, not of `slate`.
    static func main() {
        let prepared: CommandLinePreparation.Prepared
        do {
            prepared = try CommandLinePreparation.prepare(Array(CommandLine.arguments.dropFirst()), root: self)
        } catch {
            fail(error)
        }
        if prepared.words.contains(where: { $0 == "--help" || $0 == "-h" }) {
            let command = CommandLinePreparation.commandPath(prepared.words, root: self).command
            print(helpMessage(for: command))
            if let examples = (command as? Exemplified.Type)?.examples, !examples.isEmpty {
                print("EXAMPLES:")
                for example in examples { print("  " + example) }
                print("")
            }
            Foundation.exit(0)
        }
        var command: ParsableCommand
        do {
            command = try parseAsRoot(prepared.words)
        } catch {
            if let entry = fileEntry(behind: error, in: prepared) {
                fail(CLIError("\(entry.location): \(entry.key) = \(entry.value.word) is not a valid value: \(message(for: error).firstLine.replacingOccurrences(of: "Error: ", with: ""))", status: .usage))
            }
            exit(withError: error)   // ArgumentParser prints the subcommand's usage
        }
        do {
            try command.run()
        } catch let error as ValidationError {
            let name = (["slate"] + prepared.words.prefix(CommandLinePreparation.commandPath(prepared.words, root: self).length))
                .joined(separator: " ")
            let usage = type(of: command).usageString().split(separator: " ").dropFirst().joined(separator: " ")
            FileHandle.standardError.write(Data("""
                Error: \(error.message)
                Usage: \(name) \(usage)
                  See '\(name) --help' for more information.

                """.utf8))
            Foundation.exit(ExitStatus.usage.rawValue)
        } catch let error where error is CleanExit || error is ExitCode || isArgumentParserError(error) {
            exit(withError: error)          // --help, --version and the like: ArgumentParser's own output
        } catch {
            fail(error)
        }
    }

    /// The run-file setting an ArgumentParser error is about, when it came from a file.
    private static func fileEntry(behind error: Error, in prepared: CommandLinePreparation.Prepared) -> RunFileEntry? {
        let text = message(for: error)
        return prepared.fromFile.values.first { text.contains("'--\($0.flagName)") || text.contains("--\($0.flagName) ") }
    }

    /// True for ArgumentParser's internal errors (a help request, a bad argument it found late).
    private static func isArgumentParserError(_ error: Error) -> Bool {
        String(reflecting: type(of: error)).hasPrefix("ArgumentParser.")
    }

    private static func fail(_ error: Error) -> Never {
        let (text, status) = report(for: error)
        FileHandle.standardError.write(Data("Error: \(text)\n".utf8))
        Foundation.exit(status.rawValue)
    }
}

/// A command whose `--help` ends with example command lines.
protocol Exemplified {
    /// Whole command lines, each runnable as written from the repository's root.
    static var examples: [String] { get }
}
