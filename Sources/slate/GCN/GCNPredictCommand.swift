import ArgumentParser
import Foundation
import Slate
import SlateGraph

/// `slate gcn predict`: loads a checkpoint written by `slate gcn train --out` and prints one
/// prediction per graph (TU datasets) or per node (cora/karate), tab-separated with the true label.
struct GCNPredictCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "predict",
        abstract: "Print per-graph (or per-node) predictions of a trained GCN checkpoint."
    )

    @Option(help: "A model.safetensors written by `slate gcn train --out DIR`.")
    var checkpoint: String

    @Option(help: "Dataset to predict: a TU name or cora / karate (must match the checkpoint's features).")
    var dataset: String

    func run() throws {
        let loaded: (model: GCNCheckpoint.Model, metadata: [String: String])
        do {
            guard FileManager.default.fileExists(atPath: checkpoint) else {
                throw ValidationError("checkpoint \(checkpoint) not found; train one with `slate gcn train --dataset NAME --out DIR`")
            }
            loaded = try GCNCheckpoint.load(from: URL(fileURLWithPath: checkpoint))
            switch loaded.model {
            case .graph(let model):
                let data = try TUDataset.load(name: dataset)
                guard data.featureCount == model.config.inputFeatures, data.classCount == model.config.classes else {
                    throw ValidationError("\(dataset) has \(data.featureCount) node features and \(data.classCount) classes; the checkpoint (trained on \(loaded.metadata["dataset"] ?? "?")) expects \(model.config.inputFeatures) and \(model.config.classes)")
                }
                let predicted = model.predict(data.graphs)
                print("graph\tpredicted\tlabel")
                for (i, (p, y)) in zip(predicted, data.labels).enumerated() {
                    print("\(i)\t\(data.rawLabels[p])\t\(data.rawLabels[y])")
                }
                report(zip(predicted, data.labels).filter { $0 == $1 }.count, predicted.count, "graphs")
            case let .node(model, config):
                let data = try NodeDataset.load(name: dataset)
                guard data.graph.featureCount == config.inputFeatures, data.classCount == config.classes else {
                    throw ValidationError("\(dataset) has \(data.graph.featureCount) features and \(data.classCount) classes; the checkpoint expects \(config.inputFeatures) and \(config.classes)")
                }
                let predicted = model.predict(data, normalizeFeatures: config.normalizeFeatures)
                print("node\tpredicted\tlabel\tsplit")
                let split = Dictionary(uniqueKeysWithValues: data.trainNodes.map { ($0, "train") } + data.validationNodes.map { ($0, "val") })
                let testSet = Set(data.testNodes)
                for (i, p) in predicted.enumerated() {
                    print("\(i)\t\(p)\t\(data.labels[i])\t\(split[i] ?? (testSet.contains(i) ? "test" : "-"))")
                }
                report(data.testNodes.filter { predicted[$0] == data.labels[$0] }.count, data.testNodes.count, "test nodes")
            }
        } catch let error as GraphDataError {
            throw ValidationError(error.description)
        } catch let error as SafetensorsError {
            throw ValidationError("cannot read checkpoint \(checkpoint): \(error.description)")
        } catch let error as StateDictError {
            throw ValidationError("checkpoint \(checkpoint) does not fit its model: \(error.description)")
        }
    }

    private func report(_ correct: Int, _ total: Int, _ what: String) {
        FileHandle.standardError.write(Data(String(format: "accuracy %.4f (%d/%d %@)\n", Double(correct) / Double(max(total, 1)), correct, total, what).utf8))
    }
}
