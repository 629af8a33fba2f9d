import ArgumentParser

/// `slate gcn ...`: graph convolutional networks. Subcommands live in Sources/slate/GCN/.
struct GCNCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gcn",
        abstract: "Train graph convolutional networks for graph and node classification.",
        subcommands: [GCNTrainCommand.self, GCNPredictCommand.self, GCNBanditCommand.self]
    )
}
