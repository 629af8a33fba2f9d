// Graph classification from code: your own graphs in memory, cross-validated with a GCN.
import Slate
import SlateGraph

// Class 1: rings; class 0: paths (a ring with one edge removed). Node features: one-hot degree.
var graphs: [Graph] = []
for n in 4...13 {
    let ring = (0..<n).map { ($0, ($0 + 1) % n) }
    for label in [0, 1] {
        let edges = label == 1 ? ring : Array(ring.dropLast())
        let features: [[Float]] = (0..<n).map { i in label == 0 && (i == 0 || i == n - 1) ? [1, 0] : [0, 1] }
        for _ in 0..<2 { graphs.append(try GraphDataset.graph(nodeFeatures: features, edges: edges, label: label)) }
    }
}
let data = try GraphDataset(name: "rings-and-paths", graphs: graphs)
print("\(data.graphs.count) graphs, \(data.classCount) classes")

var config = GraphTrainingConfig()    // 3 GCN layers, sum readout, Adam
config.folds = 4; config.epochs = 60; config.hidden = 16; config.batchSize = 8; config.dropout = 0
let summary = try GraphClassificationTrainer(config: config).train(data) { event in
    if case let .foldFinished(fold, folds, accuracy, epoch) = event {
        print("fold \(fold)/\(folds): test accuracy \(accuracy) (epoch \(epoch) chosen on validation)")
    }
}
print("mean test accuracy \(summary.mean)")
