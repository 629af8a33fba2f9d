import ArgumentParser
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
                      RLCommand.self, BenchCommand.self]
    )
}
