import ArgumentParser

struct RLCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rl",
        abstract: "Train and watch reinforcement-learning agents; run bandits."
    )
}
