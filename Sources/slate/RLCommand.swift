import ArgumentParser

/// `slate rl ...`: environments, agents and bandits. Each subcommand lives in Sources/slate/RL/;
/// to add one, append its type to `subcommands`.
struct RLCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rl",
        abstract: "Train and watch reinforcement-learning agents; run bandits.",
        subcommands: [RLTrainCommand.self, RLPlayCommand.self, RLBanditCommand.self, RLSpeedCommand.self]
    )
}
