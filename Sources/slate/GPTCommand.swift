import ArgumentParser

struct GPTCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gpt",
        abstract: "Train, sample and evaluate a char-level GPT.",
        subcommands: [GPTTrainCommand.self, GPTSampleCommand.self, GPTEvalCommand.self, GPTBenchCommand.self]
    )
}
