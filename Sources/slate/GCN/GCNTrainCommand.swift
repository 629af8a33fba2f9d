import ArgumentParser
import Foundation
import Slate
import SlateGraph

/// `slate gcn train`: graph classification with K-fold CV on a TU dataset, or node classification
/// on cora/karate. The task follows the dataset. Defaults are the documented reference setups.
struct GCNTrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a GCN: TU datasets -> graph classification (stratified K-fold CV), cora/karate -> node classification.",
        discussion: """
        Graph classification (MUTAG, PROTEINS, any TU dataset under $SLATE_DATA/tu/NAME): GCN layers, \
        a readout (--pool) and a 2-layer MLP head; for each of --folds stratified folds, the next fold is \
        the validation set that chooses the epoch and the rest is trained on; the test fold chooses nothing. \
        Defaults: 3 layers of 64, sum pooling, dropout 0.5, Adam lr 0.01 halved every 50 epochs, 100 epochs, batch 32.
        Node classification: Kipf & Welling's setup (2 layers, 16 hidden, no bias, dropout 0.5, L2 5e-4 on the \
        first layer, lr 0.01, 200 epochs, early stopping when the validation loss exceeds the mean of the last 10, \
        row-normalised features), mean ± std over --seeds runs. Karate: one labelled member per club \
        (nodes 0 and 33), tested on the other 32, fixed epochs (no validation set).
        Data: $SLATE_DATA (default ./data); `make data` downloads it.
        """
    )

    @Option(help: "Dataset: a TU name (MUTAG, PROTEINS, ...) or cora / karate.")
    var dataset: String

    @Option(help: "Convolution: gcn, gin, sage or gat (gin reads out every layer; gat has 8 heads for nodes).")
    var conv: ConvKind = .gcn

    @Option(help: "Graph readout: sum, mean, max or attention (graph classification).")
    var pool: PoolingKind = .sum

    @Option(help: "GCN layers (graph classification; node classification uses 2).")
    var layers = 3

    @Option(help: "Hidden width (default 64 for graphs, 16 for nodes).")
    var hidden: Int?

    @Option(help: "Training epochs (default 100 for graphs, 200 for nodes).")
    var epochs: Int?

    @Option(help: "Adam learning rate.")
    var lr: Float = 0.01

    @Option(help: "L2 weight decay (default 0 for graphs; 5e-4 on the first layer for nodes).")
    var weightDecay: Float?

    @Option(help: "Dropout probability.")
    var dropout: Float = 0.5

    @Option(help: "Graphs per mini-batch (graph classification).")
    var batchSize = 32

    @Option(help: "Cross-validation folds (graph classification, ≥ 3).")
    var folds = 10

    @Option(help: "Independent runs for node classification (mean ± std over seeds).")
    var seeds = 10

    @Option(help: "Random seed (splits, initialisation, dropout, shuffling).")
    var seed: UInt64 = 0

    @Option(help: "Threads for kernels and BLAS (these models are small: 1 is usually fastest).")
    var threads = 1

    @Option(help: "Output directory for metrics.csv, accuracy.svg, summary.json, config.json, model.safetensors.")
    var out: String?

    @Flag(help: "Print the summary as JSON on stdout.")
    var json = false

    func validate() throws {
        guard threads >= 1 else { throw ValidationError("--threads must be at least 1") }
        guard (0..<1).contains(dropout) else { throw ValidationError("--dropout must be in [0, 1)") }
        guard lr > 0 else { throw ValidationError("--lr must be positive") }
        guard layers >= 1, (hidden ?? 1) >= 1, (epochs ?? 1) >= 1, batchSize >= 1, seeds >= 1 else {
            throw ValidationError("--layers, --hidden, --epochs, --batch-size and --seeds must be at least 1")
        }
        guard folds >= 3 else { throw ValidationError("--folds must be at least 3 (train, validation and test folds)") }
        guard (weightDecay ?? 0) >= 0 else { throw ValidationError("--weight-decay must be ≥ 0") }
    }

    func run() throws {
        Threads.count = threads
        let progress = GCNProgressPrinter(quiet: json)
        do {
            if NodeDataset.isNodeDataset(dataset) { try trainNodes(progress) } else { try trainGraphs(progress) }
        } catch let error as GraphDataError {
            throw ValidationError(error.description)
        }
    }

    private func trainGraphs(_ progress: GCNProgressPrinter) throws {
        let data = try TUDataset.load(name: dataset)
        var config = GraphTrainingConfig()
        config.layers = layers; config.hidden = hidden ?? 64; config.pool = pool; config.dropout = dropout
        config.epochs = epochs ?? 100; config.learningRate = lr; config.weightDecay = weightDecay ?? 0
        config.batchSize = batchSize; config.folds = folds; config.seed = seed
        config.conv = conv; config.jumpingKnowledge = conv == .gin
        progress.line("gcn train \(data.name): \(data.graphs.count) graphs, \(data.nodeCount) nodes, \(data.featureCount) features, \(data.classCount) classes")
        progress.line("config: " + GCNOutputs.jsonString(GCNOutputs.graphConfigDict(config, dataset: data.name, threads: threads)))
        let total = config.folds * config.epochs
        var done = 0
        let started = Date()
        let result = try GraphClassificationTrainer(config: config).run(data) { event in
            switch event {
            case .epoch(let r):
                done += 1
                progress.status(done: done, total: total, started: started,
                                String(format: "fold %d/%d epoch %3d/%d  loss %.4f  train %.3f  val %.3f",
                                       r.fold, config.folds, r.epoch, config.epochs, r.trainLoss, r.trainAccuracy, r.validationAccuracy))
            case let .foldFinished(fold, folds, test, epoch):
                progress.line(String(format: "fold %2d/%d: test accuracy %.4f (epoch %d chosen on validation)", fold, folds, test, epoch))
            }
        }
        let summary = GCNOutputs.graphSummary(result, config: config, dataset: data.name, threads: threads)
        progress.line(String(format: "%@ %@ pooling, %d-fold CV: test accuracy %.2f ± %.2f %%  (wall %.2f s, %.2f ms/epoch)",
                             data.name, config.pool.rawValue, config.folds, 100 * result.mean, 100 * result.std,
                             result.wallSeconds, 1000 * result.secondsPerEpoch))
        if let out { try GCNOutputs.writeGraphRun(result, summary: summary, config: config, dataset: data.name, to: out) }
        if json { print(GCNOutputs.jsonString(summary)) }
    }

    private func trainNodes(_ progress: GCNProgressPrinter) throws {
        let data = try NodeDataset.load(name: dataset)
        var config = NodeTrainingConfig()
        config.hidden = hidden ?? 16; config.dropout = dropout; config.learningRate = lr
        config.weightDecay = weightDecay ?? 5e-4; config.epochs = epochs ?? 200; config.seeds = seeds; config.seed = seed
        config.conv = conv
        if data.name == "karate" { config.normalizeFeatures = false }   // one-hot ids: already one 1 per row
        progress.line("gcn train \(data.name): \(data.graph.nodeCount) nodes, \(data.undirectedEdgeCount) edges, \(data.graph.featureCount) features, \(data.classCount) classes, split \(data.trainNodes.count)/\(data.validationNodes.count)/\(data.testNodes.count)")
        progress.line("config: " + GCNOutputs.jsonString(GCNOutputs.nodeConfigDict(config, dataset: data.name, threads: threads)))
        let started = Date()
        var done = 0
        let result = try NodeClassificationTrainer(config: config).run(data) { event in
            switch event {
            case .epoch(let r):
                done += 1
                progress.status(done: done, total: config.seeds * config.epochs, started: started,
                                String(format: "run %d/%d epoch %3d  loss %.4f  train %.3f  val %.3f",
                                       r.run, config.seeds, r.epoch, r.trainLoss, r.trainAccuracy, r.validationAccuracy))
            case let .runFinished(run, runs, test, epochs):
                progress.line(String(format: "run %2d/%d: test accuracy %.4f after %d epochs", run, runs, test, epochs))
            }
        }
        let summary = GCNOutputs.nodeSummary(result, config: config, dataset: data.name, threads: threads)
        progress.line(String(format: "%@: test accuracy %.2f ± %.2f %% over %d seeds  (wall %.2f s, %.2f ms/epoch)",
                             data.name, 100 * result.mean, 100 * result.std, config.seeds, result.wallSeconds,
                             1000 * result.secondsPerEpoch))
        if let out { try GCNOutputs.writeNodeRun(result, summary: summary, config: config, dataset: data, to: out) }
        if json { print(GCNOutputs.jsonString(summary)) }
    }
}

extension PoolingKind: ExpressibleByArgument {}
extension ConvKind: ExpressibleByArgument {}

/// Progress on stderr: a rewritten status line with an ETA on a terminal, plain lines otherwise.
final class GCNProgressPrinter {
    let quiet: Bool
    let terminal = isatty(STDERR_FILENO) != 0
    private var lastDraw = Date.distantPast

    init(quiet: Bool) { self.quiet = quiet }

    func line(_ text: String) {
        if terminal { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }

    func status(done: Int, total: Int, started: Date, _ text: String) {
        guard terminal, Date().timeIntervalSince(lastDraw) > 0.1 || done == total else { return }
        lastDraw = Date()
        let elapsed = Date().timeIntervalSince(started)
        let eta = done > 0 ? elapsed / Double(done) * Double(max(total - done, 0)) : 0
        FileHandle.standardError.write(Data(String(format: "\r\u{1B}[K%@  ETA %.0fs", text, eta).utf8))
    }
}
