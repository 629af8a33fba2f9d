import ArgumentParser
import Foundation
import Slate
import SlateDistributed
import SlateGraph

/// `slate gcn train`: graph classification with K-fold CV on a TU dataset, or node classification
/// on cora/karate. The task follows the dataset. Defaults are the documented reference setups;
/// flag names follow PyTorch Geometric's examples (`benchmark/kernel`, `benchmark/citation`).
struct GCNTrainCommand: ParsableCommand, Exemplified {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a GCN: TU datasets -> graph classification (stratified K-fold CV), cora/karate -> node classification.",
        discussion: """
        Graph classification (MUTAG, PROTEINS, any TU dataset under $SLATE_DATA/tu/NAME): GCN layers, \
        a readout (--pool) and a 2-layer MLP head; for each of --folds stratified folds, the next fold is \
        the validation set that chooses the epoch and the rest is trained on; the test fold chooses nothing. \
        Defaults: 3 layers of 64, sum pooling, dropout 0.5, Adam learning rate 0.01 halved every 50 epochs, \
        100 epochs, batch 32. Continuous node features (columns not all 0/1, e.g. PROTEINS' attribute) are \
        standardised with the mean and std of each fold's training graphs (--no-standardize-features keeps them raw); \
        --input-readout, --readout-norm and --jumping-knowledge change the readout (configs/ holds each dataset's choice), \
        --degree-feature adds a log(1 + degree) node column, --layers 0 with --input-readout reads no edge; \
        --ensemble K trains K models per fold, each epoch chosen on validation, and tests the mean of their probabilities \
        (--ensemble-families gcn,mlp,wl adds K models of each other architecture; wl counts Weisfeiler-Lehman subtrees).
        Node classification: Kipf & Welling's setup (2 layers, 16 hidden, no bias, dropout 0.5, L2 5e-4 on the \
        first layer, learning rate 0.01, 200 epochs, early stopping when the validation loss exceeds the mean \
        of the last 10, row-normalised features), mean ± std over --seeds runs. Karate: one labelled member \
        per club (nodes 0 and 33), tested on the other 32, fixed epochs (no validation set).
        Outputs in --out: config.toml (replays the run), metrics.csv (one row per epoch), eval.csv \
        (validation and test accuracy per epoch), TensorBoard events (a run per fold or seed: fold-1/, \
        seed-1/, ...), accuracy.svg, summary.json, model.safetensors (best fold or seed) and \
        checkpoint.safetensors (for --resume).
        Data: $SLATE_DATA (default ./data); `make data` downloads it.
        """
    )

    static let examples = ["slate gcn train --dataset MUTAG --folds 10 --epochs 100 --out runs/mutag",
                           "slate gcn train --dataset cora --seeds 10 --learning-rate 0.01",
                           "slate gcn train --resume --config runs/mutag/config.toml --out runs/mutag",
                           "mpirun -np 2 --bind-to none slate gcn train --dataset MUTAG --distributed --batch-size 16 --out runs/mutag-2x16"]

    @Option(help: "Dataset: a TU name (MUTAG, PROTEINS, ...) or cora / karate (or --data FILE).")
    var dataset: String?

    @Option(help: "Your own graphs instead of --dataset: a JSON-lines file, one graph per line {\"edges\": [[0,1],...], \"x\": [[...],...], \"y\": class}, or one line with a class per node in y and \"train\"/\"val\"/\"test\" node lists (docs/graphs-jsonl.md).")
    var data: String?

    @Option(help: "Convolution: gcn, gin, sage or gat (gin reads out every layer; gat has 8 heads for nodes).")
    var conv: ConvKind = .gcn

    @Option(help: "Graph readout: sum, mean, max or attention (graph classification).")
    var pool: PoolingKind = .sum

    @Option(help: "GCN layers (graph classification; node classification uses 2); 0 with --input-readout reads no edge (structure-agnostic).")
    var layers = 3

    @Option(help: "Hidden width (default: 64 for graphs, 16 for nodes, 8 per head for GAT on nodes).")
    var hidden: Int?

    @Option(help: "Training epochs (default: 100 for graphs, 200 for nodes, 1000 for GAT on nodes).")
    var epochs: Int?

    @Option(name: [.customLong("learning-rate"), .customLong("lr")], help: "Adam learning rate (default: 0.01; 0.005 for GAT on nodes).")
    var learningRate: Float?

    @Option(help: "Epochs between learning-rate decays (graph classification; 0: constant).")
    var lrDecayStepSize = 50

    @Option(help: "Factor the learning rate is multiplied by at each decay (graph classification).")
    var lrDecayFactor: Float = 0.5

    @Option(help: "L2 weight decay (default: 0 for graphs; 5e-4 on the first layer for nodes).")
    var weightDecay: Float?

    @Option(help: "Dropout probability (default: 0.5; 0.6 for GAT on nodes, also on attention).")
    var dropout: Float?

    @Option(help: "Graphs per mini-batch (graph classification).")
    var batchSize = 32

    @Option(help: "Cross-validation folds (graph classification, at least 3).")
    var folds = 10

    @Option(help: "Independent runs for node classification (mean ± std over seeds seed, seed+1, ...).")
    var seeds = 10

    @Option(help: "Node classification: early-stopping window in epochs (0: never; default 10, 100 for GAT); see --restore-best.")
    var earlyStopping: Int?

    @Flag(inversion: .prefixedNo, help: "Node classification: test the epoch with the best validation accuracy and stop after --early-stopping epochs without a better validation accuracy or loss (default for GAT); else stop when the validation loss exceeds the mean of the last --early-stopping (Kipf & Welling).")
    var restoreBest: Bool?

    @Flag(inversion: .prefixedNo, help: "Biases in the layers of node classification (default: none, as Kipf & Welling; GAT has them).")
    var bias: Bool?

    @Flag(inversion: .prefixedNo, help: "Row-normalise node features (node classification).")
    var normalizeFeatures = true

    @Flag(inversion: .prefixedNo, help: "Graph classification: read out every layer and sum the poolings (jumping knowledge; default: on for gin, off otherwise).")
    var jumpingKnowledge: Bool?

    @Flag(inversion: .prefixedNo, help: "Graph classification: also read out the pooled input features through BatchNorm and a linear layer (layer 0 of GIN's readout, a structure-agnostic view).")
    var inputReadout = false

    @Flag(inversion: .prefixedNo, help: "Graph classification: BatchNorm on the graph readout before the MLP head.")
    var readoutNorm = false

    @Flag(inversion: .prefixedNo, help: "Graph classification: append log(1 + degree) to every node's features (after standardisation).")
    var degreeFeature = false

    @Flag(inversion: .prefixedNo, help: "Graph classification: standardise continuous node features (columns not all 0/1) with the mean and std of each fold's training graphs.")
    var standardizeFeatures = true

    @Option(help: "Graph classification: models trained per fold (each from its own initialisation, dropout and shuffling, its epoch chosen on validation), predicting with the mean of their class probabilities; costs K times the training.")
    var ensemble = 1

    @Flag(inversion: .prefixedNo, help: "Graph classification with --ensemble: member m of fold k validates on fold k+1+m and trains on the other non-test folds (cross-validation bagging; at most --folds − 1 members).")
    var rotateValidation = false

    @Option(help: "Graph classification: more model families in the ensemble, comma-separated from gcn, gin, sage, gat, mlp (no convolution; needs --input-readout) and wl (an MLP on Weisfeiler-Lehman subtree counts), or none: each trains --ensemble members per fold like --conv's, and the fold tests the mean probability of all of them.")
    var ensembleFamilies: ModelFamilyList?

    @Option(help: "Graph classification with the wl family: Weisfeiler-Lehman refinement rounds (subtree depth) it counts.")
    var wlIterations = WLSubtreeFeatures.defaultIterations

    @Option(help: "Graph classification: evaluate, choose and save an exponential moving average of the weights with this decay per step (0: off), e.g. 0.99.")
    var weightAverage: Float = 0

    @Option(help: "Adjacency normalisation: symmetric (D^-1/2 (A+I) D^-1/2) or row (D^-1 (A+I)).")
    var normalization: AdjacencyNormalization = .symmetric

    @Option(help: "Epochs between checkpoints inside a fold or seed (0: only at the end of each); always at the end.")
    var checkpointEvery = 50

    @Option(help: "Random seed (splits, initialisation, dropout, shuffling).")
    var seed: UInt64 = 0

    @Flag(help: "Graph classification under mpirun: N ranks at --batch-size B train the model one process would at N×B, each on whole graphs; rank 0 alone prints and writes (without mpirun: a plain run).")
    var distributed = false

    @OptionGroup var common: RunOptions

    func validate() throws {
        guard (dataset == nil) != (data == nil) else {
            throw ValidationError("pass either --dataset NAME or --data FILE (exactly one).")
        }
        if distributed, let dataset, NodeDataset.isNodeDataset(dataset) {
            throw ValidationError("--distributed trains graph classification only, and \(dataset) is a node-classification dataset; drop --distributed.")
        }
        if let learningRate { try GCNLimits.positiveFinite(learningRate, "--learning-rate") }
        try GCNLimits.finite(lrDecayFactor, "--lr-decay-factor", in: 0...1, excludingLower: true)
        if let dropout { try GCNLimits.finite(dropout, "--dropout", in: 0...1, excludingUpper: true) }
        if let weightDecay { try GCNLimits.finite(weightDecay, "--weight-decay", in: 0...Float.greatestFiniteMagnitude) }
        try GCNLimits.count(layers, "--layers", 0...GCNLimits.maxLayers)
        if layers == 0 && !inputReadout {
            throw ValidationError("--layers 0 leaves no convolution, so the model would read nothing: add --input-readout (the structure-agnostic model) or use --layers 1 or more.")
        }
        if let hidden { try GCNLimits.count(hidden, "--hidden", 1...Int.max) }
        if let epochs { try GCNLimits.count(epochs, "--epochs", 1...GCNLimits.maxEpochs) }
        try GCNLimits.count(batchSize, "--batch-size", 1...Int.max)
        try GCNLimits.count(folds, "--folds", 3...GCNLimits.maxUnits)
        try GCNLimits.count(seeds, "--seeds", 1...GCNLimits.maxUnits)
        try GCNLimits.count(ensemble, "--ensemble", 1...GCNLimits.maxUnits)
        try GCNLimits.finite(weightAverage, "--weight-average", in: 0...1, excludingUpper: true)
        try GCNLimits.count(wlIterations, "--wl-iterations", 0...GCNLimits.maxLayers)
        if let families = ensembleFamilies?.families {
            let own = ModelFamily(conv: conv, layers: layers)
            if let repeated = (families + [own]).duplicate {
                throw ValidationError("--ensemble-families lists \(repeated.rawValue) twice or as --conv's own family (\(own.rawValue)); give every family once, besides --conv's.")
            }
            if families.contains(.mlp) && !inputReadout {
                throw ValidationError("the mlp family reads a graph only through the input readout; add --input-readout or drop mlp from --ensemble-families.")
            }
            try GCNLimits.count(ensemble * (families.count + 1), "--ensemble × families", 1...GCNLimits.maxUnits)
        }
        if rotateValidation && ensemble > folds - 1 {
            throw ValidationError("--rotate-validation gives each member its own validation fold: at most \(folds - 1) members with --folds \(folds), not --ensemble \(ensemble).")
        }
        if let earlyStopping { try GCNLimits.count(earlyStopping, "--early-stopping", 0...GCNLimits.maxEpochs) }
        try GCNLimits.count(lrDecayStepSize, "--lr-decay-step-size", 0...GCNLimits.maxEpochs)
        try GCNLimits.count(checkpointEvery, "--checkpoint-every", 0...GCNLimits.maxEpochs)
        // A lower bound from the flags alone (every graph at least one node); the dataset's real
        // sizes are checked again once it is loaded.
        try GCNLimits.requireMemory(GCNLimits.graphBytes(features: 1, classes: 2, layers: layers, hidden: hidden ?? 64,
                                                         batchNodes: Double(batchSize)),
                                    for: "--hidden \(hidden ?? 64), --layers \(layers), --batch-size \(batchSize)")
    }

    func run() throws {
        let comm = try DistributedRun.start(distributed, common)
        try DistributedRun.run(comm) {
            do {
                if let data {
                    guard FileManager.default.fileExists(atPath: data) else {
                        throw CLIError("--data \(data): no such file; check the path (a JSON-lines file, one graph per line).", status: .noInput)
                    }
                    switch try JSONLinesGraphs.load(URL(fileURLWithPath: data)) {
                    case .graphs(let graphs): try trainGraphs(TUDataset(graphs), comm)
                    case .nodes(let nodes):
                        guard !distributed else {
                            throw CLIError("--distributed trains graph classification only, and \(data) holds one graph of labelled nodes; drop --distributed.", status: .usage)
                        }
                        try trainNodes(nodes)
                    }
                } else if let dataset, NodeDataset.isNodeDataset(dataset) {
                    try trainNodes(NodeDataset.load(name: dataset))
                } else {
                    try trainGraphs(TUDataset.load(name: dataset!), comm)
                }
            } catch let error as GCNCheckpointError {
                throw CLIError(error.description, status: .dataError)
            }
        }
    }

    private var progress: GCNProgressPrinter { GCNProgressPrinter(quiet: common.quiet) }

    private func trainGraphs(_ data: TUDataset, _ comm: Communicator? = nil) throws {
        let writer = (comm?.rank ?? 0) == 0
        var config = GraphTrainingConfig()
        config.layers = layers; config.hidden = hidden ?? 64; config.pool = pool; config.dropout = dropout ?? 0.5
        config.epochs = epochs ?? 100; config.learningRate = learningRate ?? 0.01; config.weightDecay = weightDecay ?? 0
        config.decayEvery = lrDecayStepSize; config.decayFactor = lrDecayFactor
        config.batchSize = batchSize; config.folds = folds; config.seed = seed; config.normalization = normalization
        config.checkpointEvery = checkpointEvery
        config.conv = conv; config.jumpingKnowledge = jumpingKnowledge ?? (conv == .gin)
        config.inputReadout = inputReadout; config.standardizeFeatures = standardizeFeatures; config.readoutNorm = readoutNorm
        config.degreeFeature = degreeFeature
        config.ensemble = ensemble; config.weightAverage = weightAverage; config.rotateValidation = rotateValidation
        config.ensembleFamilies = ensembleFamilies?.families ?? []
        config.wlIterations = wlIterations
        guard folds <= data.graphs.count else {
            throw ValidationError("--folds \(folds) is more than the \(data.graphs.count) graphs of \(data.name); use at most \(data.graphs.count).")
        }
        let largest = data.graphs.map(\.nodeCount).sorted(by: >).prefix(min(batchSize, data.graphs.count)).reduce(0, +)
        try GCNLimits.requireMemory(GCNLimits.graphBytes(features: data.featureCount, classes: data.classCount, layers: layers,
                                                         hidden: config.hidden, batchNodes: Double(max(largest, data.nodeCount / max(folds, 1)))),
                                    for: "\(data.name) with --hidden \(config.hidden), --layers \(layers)")
        let log = try GCNRunLog(command: self, task: .graph, dataset: data.name, trainingConfig: config,
                                hasValidation: true, writes: writer)
        let progress = writer ? self.progress : GCNProgressPrinter(quiet: true)
        var trainer = GraphClassificationTrainer(config: config)
        if let comm {
            let enc = JSONEncoder()
            enc.outputFormatting = [.sortedKeys]
            let resumedAt = log.resumed.map { "\($0.progress.unit)/\($0.progress.epoch)" } ?? "start"
            try Distributed.checkSameConfiguration(
                "\(String(decoding: try enc.encode(config), as: UTF8.self)) data=\(data.name)/\(data.graphs.count)/\(data.nodeCount)/\(data.labels) resume=\(resumedAt)", comm)
            trainer.dataParallel = DataParallel(comm, averager: GradientAverager(comm))
        }
        progress.line("gcn train \(data.name): \(data.graphs.count) graphs, \(data.nodeCount) nodes, \(data.featureCount) features, \(data.classCount) classes; threads \(Threads.count)")
        if let comm { progress.line("distributed: \(comm.size) ranks (\(comm.localSize) on this machine) × batch_size \(batchSize) = global batch \(comm.size * batchSize) graphs") }
        progress.line("outputs: \(log.out)" + (log.resumed.map { " (resuming at fold \($0.progress.unit + 1), epoch \($0.progress.epoch))" } ?? ""))
        let perFold = config.epochs * config.membersPerFold
        let total = config.folds * perFold
        var done = (log.resumed?.progress.unit ?? 0) * perFold + (log.resumed?.progress.epoch ?? 0)
        let started = Date()
        trainer.checkpoint = log.save
        let result = try trainer.train(data, resumingFrom: log.resumed) { event in
            switch event {
            case .epoch(let r):
                done += 1
                log.append(GCNEpochRow(r))
                let member = config.membersPerFold > 1 ? "member \(r.member)/\(config.membersPerFold) " : ""
                progress.status(done: done, total: total, started: started,
                                String(format: "fold %d/%d %@epoch %3d/%d  loss %.4f  train %.3f  val %.3f",
                                       r.fold, config.folds, member, r.epoch, config.epochs, r.trainLoss, r.trainAccuracy, r.validationAccuracy))
            case let .foldFinished(fold, folds, test, epoch):
                progress.line(String(format: "fold %2d/%d: test accuracy %.4f (epoch %d chosen on validation)", fold, folds, test, epoch))
            }
        }
        if let comm { try Replicas.verify(result.bestModel.map(\.1), comm, when: "after training (best fold's weights)") }
        guard writer else { return }
        progress.line(String(format: "%@ %@ pooling, %d-fold CV: test accuracy %.2f ± %.2f %% (validation %.2f %%)",
                             data.name, config.pool.rawValue, config.folds, 100 * result.mean, 100 * result.std,
                             100 * result.validationMean))
        var metrics = GCNTrainMetrics(dataset: data.name, task: "graph", conv: conv.rawValue, accuracyMean: result.mean, accuracyStd: result.std,
                                      perFold: result.perFold, perSeed: nil, epochs: result.chosenEpochs,
                                      bestFold: result.bestFold, secondsPerEpoch: log.secondsPerEpoch, threads: Threads.count,
                                      ensemble: config.membersPerFold)
        metrics.record(members: result.members)
        if !result.perFoldValidation.isEmpty {
            (metrics.validationMean, metrics.perFoldValidation) = (result.validationMean, result.perFoldValidation)
        }
        try GCNCheckpoint.saveGraphModel(result.bestModel, config: result.modelConfig, memberConfigs: result.memberConfigs, dataset: data.name,
                                         extra: ["fold": String(result.bestFold), "accuracy_mean": String(format: "%.4f", result.mean)],
                                         to: log.url("model.safetensors"))
        try log.finish(metrics: metrics, plotTitle: "\(data.name) (\(config.pool.rawValue) pooling): accuracy per epoch, \(config.folds) folds")
    }

    private func trainNodes(_ data: NodeDataset) throws {
        for (flag, isSet) in [("--ensemble", ensemble != 1), ("--weight-average", weightAverage != 0),
                              ("--rotate-validation", rotateValidation), ("--ensemble-families", !(ensembleFamilies?.families.isEmpty ?? true)),
                              ("--wl-iterations", wlIterations != WLSubtreeFeatures.defaultIterations)] where isSet {
            throw CLIError("\(flag) trains graph classification only, and \(data.name) is a node-classification dataset; drop \(flag).", status: .usage)
        }
        var config = NodeTrainingConfig.reference(conv)
        config.hidden = hidden ?? config.hidden; config.dropout = dropout ?? config.dropout
        config.learningRate = learningRate ?? config.learningRate; config.weightDecay = weightDecay ?? config.weightDecay
        config.epochs = epochs ?? config.epochs; config.patience = earlyStopping ?? config.patience
        config.restoreBest = restoreBest ?? config.restoreBest; config.bias = bias ?? config.bias
        config.seeds = seeds; config.seed = seed; config.normalizeFeatures = normalizeFeatures
        config.normalization = normalization; config.checkpointEvery = checkpointEvery
        try GCNLimits.requireMemory(GCNLimits.nodeBytes(nodes: data.graph.nodeCount, features: data.graph.featureCount,
                                                        classes: data.classCount, hidden: config.hidden),
                                    for: "\(data.name) with --hidden \(config.hidden)")
        guard !data.trainNodes.isEmpty, !data.testNodes.isEmpty else {
            throw CLIError("\(data.name) has \(data.trainNodes.count) training and \(data.testNodes.count) test nodes; its split needs both (check the dataset's split file).", status: .dataError)
        }
        let hasValidation = !data.validationNodes.isEmpty
        let log = try GCNRunLog(command: self, task: .node, dataset: data.name, trainingConfig: config,
                                hasValidation: hasValidation)
        let progress = self.progress
        progress.line("gcn train \(data.name): \(data.graph.nodeCount) nodes, \(data.undirectedEdgeCount) edges, \(data.graph.featureCount) features, \(data.classCount) classes, split \(data.trainNodes.count)/\(data.validationNodes.count)/\(data.testNodes.count); threads \(Threads.count)")
        progress.line("outputs: \(log.out)" + (log.resumed.map { " (resuming at seed \($0.progress.unit + 1), epoch \($0.progress.epoch))" } ?? ""))
        let started = Date()
        var done = (log.resumed?.progress.epochs.reduce(0, +) ?? 0) + (log.resumed?.progress.epoch ?? 0)
        var trainer = NodeClassificationTrainer(config: config)
        trainer.checkpoint = log.save
        let result = try trainer.train(data, resumingFrom: log.resumed) { event in
            switch event {
            case .epoch(let r):
                done += 1
                log.append(GCNEpochRow(r, learningRate: config.learningRate))
                progress.status(done: done, total: config.seeds * config.epochs, started: started,
                                String(format: "seed %d/%d epoch %3d  loss %.4f  train %.3f  val %.3f",
                                       r.run, config.seeds, r.epoch, r.trainLoss, r.trainAccuracy, r.validationAccuracy))
            case let .runFinished(run, runs, test, epochs):
                progress.line(String(format: "seed %2d/%d: test accuracy %.4f after %d epochs", run, runs, test, epochs))
            }
        }
        progress.line(String(format: "%@: test accuracy %.2f ± %.2f %% over %d seeds",
                             data.name, 100 * result.mean, 100 * result.std, config.seeds))
        let metrics = GCNTrainMetrics(dataset: data.name, task: "node", conv: conv.rawValue, accuracyMean: result.mean, accuracyStd: result.std,
                                      perFold: nil, perSeed: result.perRun, epochs: result.epochsRun, bestFold: nil,
                                      secondsPerEpoch: log.secondsPerEpoch, threads: Threads.count)
        let model = GCNCheckpoint.NodeModelConfig(inputFeatures: data.graph.featureCount, hidden: config.hidden,
                                                  classes: data.classCount, dropout: config.dropout, bias: config.bias,
                                                  normalizeFeatures: config.normalizeFeatures,
                                                  normalization: config.normalization.rawValue,
                                                  conv: config.conv, heads: config.heads)
        try GCNCheckpoint.saveNodeModel(result.bestModel, config: model, dataset: data.name,
                                        extra: ["accuracy_mean": String(format: "%.4f", result.mean)],
                                        to: log.url("model.safetensors"))
        try log.finish(metrics: metrics, plotTitle: "\(data.name): accuracy per epoch, \(config.seeds) seeds")
    }
}

extension PoolingKind: ExpressibleByArgument {}
extension ConvKind: ExpressibleByArgument {}

/// `--ensemble-families gcn,mlp`: model families, comma-separated (a run file's list arrives so);
/// `none` for no more families (to override a run file's list).
struct ModelFamilyList: ExpressibleByArgument, RawRepresentable {
    let families: [ModelFamily]
    var rawValue: String { families.isEmpty ? "none" : families.map(\.rawValue).joined(separator: ",") }
    init?(rawValue: String) {
        if rawValue.trimmingCharacters(in: .whitespaces).lowercased() == "none" { families = []; return }
        let parts = rawValue.split(separator: ",", omittingEmptySubsequences: false)
            .map { ModelFamily(rawValue: $0.trimmingCharacters(in: .whitespaces).lowercased()) }
        guard !parts.isEmpty, parts.allSatisfy({ $0 != nil }) else { return nil }
        families = parts.map { $0! }
    }
    init?(argument: String) { self.init(rawValue: argument) }
    static var allValueStrings: [String] { ModelFamily.allCases.map(\.rawValue) + ["none"] }
}

extension Array where Element: Hashable {
    /// The first element that appears earlier too, or nil.
    var duplicate: Element? {
        var seen = Set<Element>()
        return first { !seen.insert($0).inserted }
    }
}
extension AdjacencyNormalization: ExpressibleByArgument {}

/// `summary.json`'s gcn metrics (with RunSummary's common keys).
struct GCNTrainMetrics: Codable, SummaryMetrics {
    static let nonNumericKeys: [CodingKeys] = [.dataset, .task, .conv, .perFold, .perSeed, .epochs, .memberAccuracies, .memberEpochs,
                                               .perFoldValidation]

    var dataset: String
    var task: String
    /// The convolution (gcn, gin, sage, gat).
    var conv: String
    var accuracyMean: Double
    var accuracyStd: Double
    var perFold: [Double]?
    var perSeed: [Double]?
    /// Graph classification: the validation accuracy of each fold at its chosen epoch, and its
    /// mean — the figure to compare configurations by (the test folds choose nothing).
    var validationMean: Double?
    var perFoldValidation: [Double]?
    /// Chosen epoch of each fold (graphs) or last epoch of each seed (nodes).
    var epochs: [Int]
    var bestFold: Int?
    var secondsPerEpoch: Double
    var threads: Int
    /// Models per fold, over every family (graph classification; nil for nodes).
    var ensemble: Int?
    /// Ensembles: the members' own test accuracy averaged over folds and members (what one model
    /// scores), beside `accuracy_mean` (the ensembles').
    var memberAccuracyMean: Double?
    /// Ensembles: every fold's members' own test accuracies and chosen epochs.
    var memberAccuracies: [[Double]]?
    var memberEpochs: [[Int]]?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case dataset, task, conv
        case accuracyMean = "accuracy_mean", accuracyStd = "accuracy_std", perFold = "per_fold", perSeed = "per_seed"
        case validationMean = "validation_mean", perFoldValidation = "per_fold_validation"
        case epochs, bestFold = "best_fold", secondsPerEpoch = "seconds_per_epoch", threads
        case ensemble, memberAccuracyMean = "member_accuracy_mean", memberAccuracies = "member_accuracies"
        case memberEpochs = "member_epochs"
    }

    /// Fills the member keys from an ensemble's per-fold members (left nil for a single model).
    mutating func record(members: [[TrainingState.Member]]) {
        guard !members.isEmpty else { return }
        memberAccuracies = members.map { $0.map(\.test) }
        memberEpochs = members.map { $0.map(\.epoch) }
        memberAccuracyMean = Statistics.mean(memberAccuracies!.flatMap { $0 })
    }
}

/// Progress on stderr: a rewritten status line with an ETA on a terminal, plain lines otherwise.
final class GCNProgressPrinter {
    let quiet: Bool
    let terminal = isatty(STDERR_FILENO) != 0
    private var lastDraw = Date.distantPast

    init(quiet: Bool) { self.quiet = quiet }

    func line(_ text: String) {
        guard !quiet else { return }
        if terminal { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }

    func status(done: Int, total: Int, started: Date, _ text: String) {
        guard !quiet, terminal, Date().timeIntervalSince(lastDraw) > 0.1 || done == total else { return }
        lastDraw = Date()
        FileHandle.standardError.write(Data(String(format: "\r\u{1B}[K%@  ETA %@", text,
                                                   formatDuration(Date().timeIntervalSince(started) / Double(max(done, 1)) * Double(max(total - done, 0)))).utf8))
    }
}
