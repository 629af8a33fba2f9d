import ArgumentParser

struct GCNCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gcn",
        abstract: "Train graph convolutional networks for graph and node classification."
    )
}
