import ArgumentParser
import Foundation
import Slate
import SlateGraph

/// `slate gcn predict`: loads a model written by `slate gcn train` and prints one prediction per
/// graph (TU datasets) or per node (cora/karate), tab-separated with the true label.
struct GCNPredictCommand: ParsableCommand, Exemplified {
    static let configuration = CommandConfiguration(
        commandName: "predict",
        abstract: "Print per-graph (or per-node) predictions of a trained GCN checkpoint.",
        discussion: "The accuracy over all graphs (or the test nodes) goes to stderr."
    )

    static let examples = ["slate gcn predict --checkpoint models/mutag-gcn/model.safetensors --dataset MUTAG"]

    @Option(help: "A model.safetensors written by `slate gcn train` (in its --out directory).")
    var checkpoint: String

    @Option(help: "Dataset to predict: a TU name or cora / karate (must match the checkpoint's task and features).")
    var dataset: String

    func run() throws {
        guard FileManager.default.fileExists(atPath: checkpoint) else {
            throw CLIError("checkpoint \(checkpoint) not found; train one with `slate gcn train --dataset NAME --out DIR` and pass DIR/model.safetensors.", status: .noInput)
        }
        let loaded: (model: GCNCheckpoint.Model, metadata: [String: String])
        do {
            loaded = try GCNCheckpoint.load(from: URL(fileURLWithPath: checkpoint))
        } catch let error as GCNCheckpointError {
            throw CLIError(error.description, status: .dataError)
        } catch let error as StateDictError {
            throw CLIError("checkpoint \(checkpoint) does not fit its own model configuration (\(error.description)); it is damaged or from another version.", status: .dataError)
        }
        let trainedOn = loaded.metadata["dataset"] ?? "?"
        let nodeTask = NodeDataset.isNodeDataset(dataset)
        switch loaded.model {
        case .graph(let model):
            try predictGraphs([model.config], trainedOn: trainedOn, nodeTask: nodeTask) { model.predict($0) }
        case .graphEnsemble(let ensemble):
            try predictGraphs(ensemble.members.map(\.config), trainedOn: trainedOn, nodeTask: nodeTask) { ensemble.predict($0) }
        case let .node(model, config):
            guard nodeTask else {
                throw CLIError("\(checkpoint) is a node-classification model (trained on \(trainedOn)) but \(dataset) is a graph-classification (TU) dataset; predict it with a model from `slate gcn train --dataset \(dataset)`.", status: .usage)
            }
            let data = try NodeDataset.load(name: dataset)
            guard data.graph.featureCount == config.inputFeatures, data.classCount == config.classes else {
                throw CLIError("\(dataset) has \(data.graph.featureCount) features and \(data.classCount) classes, the checkpoint (trained on \(trainedOn)) expects \(config.inputFeatures) and \(config.classes); use a checkpoint trained on \(dataset).", status: .usage)
            }
            let split = try splitNames(data)
            let predicted = model.predict(data, normalizeFeatures: config.normalizeFeatures)
            print("node\tpredicted\tlabel\tsplit")
            for (i, p) in predicted.enumerated() {
                print("\(i)\t\(p)\t\(data.labels[i])\t\(split[i] ?? "-")")
            }
            report(data.testNodes.filter { predicted[$0] == data.labels[$0] }.count, data.testNodes.count, "test nodes")
        }
    }

    /// Prints a graph classifier's (or ensemble's, `predict`; `configs`: its members') prediction for
    /// every graph of `dataset`.
    private func predictGraphs(_ configs: [GraphClassifierConfig], trainedOn: String, nodeTask: Bool,
                               _ predict: ([Graph]) -> [Int]) throws {
        let config = configs[0]
        guard !nodeTask else {
            throw CLIError("\(checkpoint) is a graph-classification model (trained on \(trainedOn)) but \(dataset) is a node-classification dataset; predict \(dataset) with a model from `slate gcn train --dataset \(dataset)`.", status: .usage)
        }
        let data = try TUDataset.load(name: dataset)
        guard data.featureCount == config.inputFeatures, data.classCount == config.classes else {
            throw CLIError("\(dataset) has \(data.featureCount) node features and \(data.classCount) classes, the checkpoint (trained on \(trainedOn)) expects \(config.inputFeatures) and \(config.classes); use a checkpoint trained on \(dataset).", status: .usage)
        }
        do {
            for member in configs { try member.requireWLColourSource(data.graphs) }
        } catch let error as GraphDataError {
            throw CLIError("\(dataset): \(error.description)", status: .usage)
        }
        let predicted = predict(data.graphs)
        print("graph\tpredicted\tlabel")
        for (i, (p, y)) in zip(predicted, data.labels).enumerated() {
            print("\(i)\t\(data.rawLabels[p])\t\(data.rawLabels[y])")
        }
        report(zip(predicted, data.labels).filter { $0 == $1 }.count, predicted.count, "graphs")
    }

    /// The split of every node in one; a node listed in two splits is an error naming it.
    private func splitNames(_ data: NodeDataset) throws -> [Int: String] {
        var split: [Int: String] = [:]
        for (name, nodes) in [("train", data.trainNodes), ("val", data.validationNodes), ("test", data.testNodes)] {
            for node in nodes {
                if let other = split[node], other != name {
                    throw CLIError("node \(node) of \(data.name) is in both the \(other) and the \(name) split; fix the dataset's split files.", status: .dataError)
                }
                split[node] = name
            }
        }
        return split
    }

    private func report(_ correct: Int, _ total: Int, _ what: String) {
        FileHandle.standardError.write(Data(String(format: "accuracy %.4f (%d/%d %@)\n", Double(correct) / Double(max(total, 1)), correct, total, what).utf8))
    }
}
