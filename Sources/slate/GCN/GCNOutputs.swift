import ArgumentParser
import Foundation
import Slate
import SlateGraph

/// Files a `slate gcn train --out DIR` run leaves behind: metrics.csv (one row per epoch),
/// accuracy.svg (curves), summary.json, config.json and model.safetensors. All writes are atomic.
enum GCNOutputs {
    static func graphConfigDict(_ c: GraphTrainingConfig, dataset: String, threads: Int) -> [String: Any] {
        ["task": "graph", "dataset": dataset, "layers": c.layers, "hidden": c.hidden, "pool": c.pool.rawValue,
         "dropout": Double("\(c.dropout)") ?? 0, "epochs": c.epochs, "lr": Double("\(c.learningRate)") ?? 0, "lr_halve_every": c.decayEvery,
         "weight_decay": Double("\(c.weightDecay)") ?? 0, "batch_size": c.batchSize, "folds": c.folds, "seed": Int(c.seed),
         "normalization": c.normalization.rawValue, "threads": threads, "conv": c.conv.rawValue,
         "jumping_knowledge": c.jumpingKnowledge]
    }

    static func nodeConfigDict(_ c: NodeTrainingConfig, dataset: String, threads: Int) -> [String: Any] {
        ["task": "node", "dataset": dataset, "layers": 2, "hidden": c.hidden, "dropout": Double("\(c.dropout)") ?? 0,
         "epochs": c.epochs, "lr": Double("\(c.learningRate)") ?? 0, "weight_decay_first_layer": Double("\(c.weightDecay)") ?? 0,
         "early_stopping_window": c.patience, "seeds": c.seeds, "seed": Int(c.seed), "bias": c.bias,
         "row_normalized_features": c.normalizeFeatures, "normalization": c.normalization.rawValue, "threads": threads,
         "conv": c.conv.rawValue, "heads": c.heads]
    }

    static func graphSummary(_ r: GraphTrainingResult, config: GraphTrainingConfig, dataset: String, threads: Int) -> [String: Any] {
        ["dataset": dataset, "task": "graph", "pool": config.pool.rawValue,
         "accuracy_mean": r.mean, "accuracy_std": r.std, "per_fold": r.perFold, "epochs": r.chosenEpochs,
         "wall_seconds": r.wallSeconds, "seconds_per_epoch": r.secondsPerEpoch, "best_fold": r.bestFold,
         "config": graphConfigDict(config, dataset: dataset, threads: threads)]
    }

    static func nodeSummary(_ r: NodeTrainingResult, config: NodeTrainingConfig, dataset: String, threads: Int) -> [String: Any] {
        ["dataset": dataset, "task": "node", "accuracy_mean": r.mean, "accuracy_std": r.std,
         "per_fold": r.perRun, "per_seed": r.perRun, "epochs": r.epochsRun, "wall_seconds": r.wallSeconds,
         "seconds_per_epoch": r.secondsPerEpoch, "config": nodeConfigDict(config, dataset: dataset, threads: threads)]
    }

    static func writeGraphRun(_ r: GraphTrainingResult, summary: [String: Any], config: GraphTrainingConfig,
                              dataset: String, to dir: String) throws {
        let url = try makeDirectory(dir)
        var csv = "fold,epoch,lr,train_loss,train_acc,val_loss,val_acc,test_acc,ms_per_epoch\n"
        for e in r.records {
            csv += String(format: "%d,%d,%g,%.6f,%.6f,%.6f,%.6f,%.6f,%.3f\n", e.fold, e.epoch, Double(e.learningRate),
                          e.trainLoss, e.trainAccuracy, e.validationLoss, e.validationAccuracy, e.testAccuracy, 1000 * e.seconds)
        }
        try writeAtomically(csv, to: url.appendingPathComponent("metrics.csv"))
        // Per-epoch means over folds.
        let epochs = config.epochs
        func curve(_ key: (GraphEpochRecord) -> Double) -> [Double] {
            (1...epochs).map { ep in
                let rows = r.records.filter { $0.epoch == ep }
                return rows.map(key).reduce(0, +) / Double(max(rows.count, 1))
            }
        }
        let svg = GCNLinePlot.render(title: "\(dataset) (\(config.pool.rawValue) pooling): accuracy per epoch, mean over \(config.folds) folds",
                                     xLabel: "epoch", yLabel: "accuracy",
                                     series: [("train", curve(\.trainAccuracy)), ("validation", curve(\.validationAccuracy)),
                                              ("test", curve(\.testAccuracy))])
        try writeAtomically(svg, to: url.appendingPathComponent("accuracy.svg"))
        try writeJSON(summary, to: url.appendingPathComponent("summary.json"))
        try writeJSON(graphConfigDict(config, dataset: dataset, threads: 0), to: url.appendingPathComponent("config.json"))
        try GCNCheckpoint.saveGraphModel(r.bestModel, config: r.modelConfig, dataset: dataset,
                                         extra: ["fold": String(r.bestFold), "accuracy_mean": String(format: "%.4f", r.mean)],
                                         to: url.appendingPathComponent("model.safetensors"))
    }

    static func writeNodeRun(_ r: NodeTrainingResult, summary: [String: Any], config: NodeTrainingConfig,
                             dataset: NodeDataset, to dir: String) throws {
        let url = try makeDirectory(dir)
        var csv = "run,epoch,train_loss,train_acc,val_loss,val_acc,test_acc,ms_per_epoch\n"
        for e in r.records {
            csv += String(format: "%d,%d,%.6f,%.6f,%.6f,%.6f,%.6f,%.3f\n", e.run, e.epoch, e.trainLoss, e.trainAccuracy,
                          e.validationLoss, e.validationAccuracy, e.testAccuracy, 1000 * e.seconds)
        }
        try writeAtomically(csv, to: url.appendingPathComponent("metrics.csv"))
        let first = r.records.filter { $0.run == 1 }
        let svg = GCNLinePlot.render(title: "\(dataset.name): accuracy per epoch (run 1)", xLabel: "epoch", yLabel: "accuracy",
                                     series: [("train", first.map(\.trainAccuracy)), ("validation", first.map(\.validationAccuracy)),
                                              ("test", first.map(\.testAccuracy))])
        try writeAtomically(svg, to: url.appendingPathComponent("accuracy.svg"))
        try writeJSON(summary, to: url.appendingPathComponent("summary.json"))
        try writeJSON(nodeConfigDict(config, dataset: dataset.name, threads: 0), to: url.appendingPathComponent("config.json"))
        let model = GCNCheckpoint.NodeModelConfig(inputFeatures: dataset.graph.featureCount, hidden: config.hidden,
                                                  classes: dataset.classCount, dropout: config.dropout, bias: config.bias,
                                                  normalizeFeatures: config.normalizeFeatures,
                                                  normalization: config.normalization.rawValue,
                                                  conv: config.conv, heads: config.heads)
        try GCNCheckpoint.saveNodeModel(r.bestModel, config: model, dataset: dataset.name,
                                        extra: ["accuracy_mean": String(format: "%.4f", r.mean)],
                                        to: url.appendingPathComponent("model.safetensors"))
    }

    static func jsonString(_ object: [String: Any]) -> String {
        guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }

    private static func makeDirectory(_ path: String) throws -> URL {
        let url = URL(fileURLWithPath: path, isDirectory: true)
        do {
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        } catch {
            throw ValidationError("cannot create output directory \(path): \(error.localizedDescription)")
        }
        return url
    }
}
