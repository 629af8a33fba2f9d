import Foundation
import Slate

/// Settings of a node-classification run; defaults are Kipf & Welling's Cora setup:
/// 2 GCN layers, 16 hidden, dropout 0.5, L2 5e-4 on the first layer, Adam lr 0.01, 200 epochs,
/// early stopping when the validation loss exceeds the mean of the previous 10, row-normalised features.
public struct NodeTrainingConfig: Codable, Sendable {
    public var hidden = 16
    public var dropout: Float = 0.5
    public var learningRate: Float = 0.01
    /// L2 coefficient on the first layer's parameters (the reference code decays only those).
    public var weightDecay: Float = 5e-4
    public var epochs = 200
    /// Early-stopping window (0: never stop early; also off when there is no validation set).
    public var patience = 10
    /// Model selection (GAT paper's recipe): report the epoch with the best validation accuracy
    /// (lower validation loss on ties) and stop once neither that accuracy nor the lowest validation
    /// loss has improved for `patience` epochs. Off: Kipf & Welling's rule, the model where training stopped.
    public var restoreBest = false
    /// Independent runs with seeds seed, seed+1, ...
    public var seeds = 1
    public var seed: UInt64 = 0
    public var normalizeFeatures = true
    /// Bias in the GCN layers (the reference code has none).
    public var bias = false
    public var normalization: AdjacencyNormalization = .symmetric
    /// The convolution (`--conv`). Weight decay covers the first layer for GCN (the reference code)
    /// and every layer for the others (PyG's examples).
    public var conv: ConvKind = .gcn
    /// GAT: heads of the hidden layer (concatenated; the output layer has one), PyG's GAT example.
    public var heads = 8
    /// Epochs between checkpoints inside a seed (0: only at the end of each seed).
    public var checkpointEvery = 10
    public init() {}

    /// The documented setup of `conv` for node classification: Kipf & Welling's (the defaults above)
    /// for GCN, SAGE and GIN; for GAT the GAT paper's Cora setup — 8 heads of 8 features (one output
    /// head), biases, dropout 0.6 on the inputs of both layers and on attention, Adam lr 0.005,
    /// L2 5e-4 on every layer, up to 1000 epochs with patience 100 on validation, the best epoch restored.
    public static func reference(_ conv: ConvKind) -> NodeTrainingConfig {
        var c = NodeTrainingConfig()
        c.conv = conv
        if conv == .gat {
            (c.hidden, c.heads, c.bias, c.dropout, c.learningRate) = (8, 8, true, 0.6, 0.005)
            (c.epochs, c.patience, c.restoreBest) = (1000, 100, true)
        }
        return c
    }
}

/// One epoch of one run.
public struct NodeEpochRecord: Sendable {
    public let run: Int, epoch: Int
    public let trainLoss: Double, trainAccuracy: Double
    public let validationLoss: Double, validationAccuracy: Double
    public let testAccuracy: Double
    public let seconds: Double

    public init(run: Int, epoch: Int, trainLoss: Double, trainAccuracy: Double, validationLoss: Double,
                validationAccuracy: Double, testAccuracy: Double, seconds: Double) {
        self.run = run; self.epoch = epoch; self.trainLoss = trainLoss; self.trainAccuracy = trainAccuracy
        self.validationLoss = validationLoss; self.validationAccuracy = validationAccuracy
        self.testAccuracy = testAccuracy; self.seconds = seconds
    }
}

/// What a node-classification trainer reports while it runs.
public enum NodeTrainingEvent: Sendable {
    case epoch(NodeEpochRecord)
    case runFinished(run: Int, runs: Int, testAccuracy: Double, epochs: Int)
}

/// The outcome over all seeds, returned by ``NodeClassificationTrainer/train(_:resumingFrom:onEvent:)``.
public struct NodeTrainingSummary: AccuracySummary {
    /// Test accuracy of every run: of the model where training stopped, or with `restoreBest` of
    /// its epoch chosen on validation.
    public let perRun: [Double]
    public let epochsRun: [Int]
    /// The epochs this process ran (a resumed run's earlier epochs are in its metrics files).
    public let records: [NodeEpochRecord]
    public let wallSeconds: Double
    /// Weights of the run with the best final validation accuracy (first run on ties).
    public let bestModel: [(String, Tensor)]
    public var accuracies: [Double] { perRun }
    public var epochSeconds: [Double] { records.map(\.seconds) }
}

/// Trains Kipf & Welling's two-layer GCN on one graph (Cora, Karate) over several seeds.
public struct NodeClassificationTrainer {
    public let config: NodeTrainingConfig
    /// Receives the run's state every `checkpointEvery` epochs and at the end of every seed
    /// (the caller saves it; a throw stops the run).
    public var checkpoint: (TrainingState) throws -> Void = { _ in }
    public init(config: NodeTrainingConfig) { self.config = config }

    /// Runs every seed; `checkpoint` receives a ``TrainingState`` every `checkpointEvery` epochs and
    /// at the end of each seed, and `resumingFrom` continues from one bit for bit.
    public func train(_ dataset: NodeDataset, resumingFrom resumed: TrainingState? = nil,
                      onEvent: (NodeTrainingEvent) -> Void = { _ in }) throws -> NodeTrainingSummary {
        guard config.epochs >= 1, config.seeds >= 1, config.hidden >= 1 else {
            throw GraphDataError.invalidArgument("epochs, seeds and hidden must all be at least 1")
        }
        let started = Date()
        let data = config.normalizeFeatures ? dataset.rowNormalizedFeatures() : dataset
        let g = data.graph
        let x = SparseMatrix(dense: g.features, rows: g.nodeCount, cols: g.featureCount)  // (N, F), sparse
        let a = g.adjacency(config.conv.adjacencyKind(normalization: config.normalization))  // (N, N), once
        var records: [NodeEpochRecord] = []
        var state = resumed ?? TrainingState()
        let trainTargets = Self.targets(data.labels, only: data.trainNodes)
        let validationTargets = Self.targets(data.labels, only: data.validationNodes)
        let selecting = config.restoreBest && !data.validationNodes.isEmpty   // else: the model where it stopped
        while state.progress.unit < config.seeds {
            let run = state.progress.unit
            let seed = SeedPurpose.nodeWeights.seed(from: config.seed, index: run)
            let model = NodeClassifier(inputFeatures: g.featureCount, hidden: config.hidden, classes: data.classCount,
                                       dropout: config.dropout, bias: config.bias, normalization: config.normalization,
                                       conv: config.conv, heads: config.heads, seed: seed)
            let secondDecay = config.conv == .gcn ? 0 : config.weightDecay
            let adam = Adam([ParameterGroup(parameters: model.first.parameters(), weightDecay: config.weightDecay),
                             ParameterGroup(parameters: model.second.parameters(), weightDecay: secondDecay)],
                            learningRate: config.learningRate)
            var rng = RandomGenerator(seed: config.seed, for: .nodeDropout, index: run)
            var validationLosses: [Double] = []
            var epoch = state.progress.epoch
            if epoch > 0 {   // continue from a checkpoint taken inside this seed
                try model.loadState(Dictionary(state.model))
                try adam.loadStateDict(Dictionary(state.optimizer))
                guard let saved = state.generator else {
                    throw GCNCheckpointError(description: "the checkpoint holds no generator state for seed \(run + 1); start again with --overwrite")
                }
                rng = saved
                validationLosses = state.progress.validationLosses
            }
            var stopped = false
            while epoch < config.epochs && !stopped {
                epoch += 1
                let t0 = Date()
                model.train()
                let logits = model(x, adjacency: a, generator: &rng)                      // (N, C)
                let loss = logits.crossEntropy(targets: trainTargets, ignoreIndex: -1)   // train nodes only
                let value = loss.item()
                try requireFinite(value, "training loss", at: "epoch \(epoch) of seed \(run + 1)")
                adam.zeroGrad()
                loss.backward()
                adam.step()
                let trainAccuracy = accuracy(logits, labels: data.labels, rows: data.trainNodes)
                let (vLoss, vAcc, tAcc) = evaluate(model, x, a, data, validationTargets, &rng)
                let record = NodeEpochRecord(run: run + 1, epoch: epoch, trainLoss: Double(value),
                                             trainAccuracy: trainAccuracy, validationLoss: vLoss,
                                             validationAccuracy: vAcc, testAccuracy: tAcc,
                                             seconds: Date().timeIntervalSince(t0))
                records.append(record)
                onEvent(.epoch(record))
                stopped = selecting ? selectBest(epoch, vLoss, vAcc, tAcc, model, &validationLosses, &state)
                    : kipfStop(vLoss, model, &validationLosses, hasValidation: !data.validationNodes.isEmpty)
                if !stopped && epoch < config.epochs && config.checkpointEvery > 0 && epoch % config.checkpointEvery == 0 {
                    state.progress.epoch = epoch
                    state.progress.generator = rng.state.map(String.init)
                    state.progress.validationLosses = validationLosses
                    state.model = model.namedState()
                    state.optimizer = adam.stateDict()
                    try checkpoint(state)
                }
            }
            if !selecting {
                // The seed's result is the model where training stopped.
                let (_, vAcc, tAcc) = evaluate(model, x, a, data, validationTargets, &rng)
                // Ties keep the earlier seed (an infinite loss never wins the tie-break).
                (state.progress.unitValidation, state.progress.unitValidationLoss) = (vAcc, .infinity)
                (state.progress.unitTest, state.progress.unitEpoch) = (tAcc, epoch)
                state.unitBest = model.namedState().map { ($0.0, $0.1.copy()) }
            }
            finishUnit(&state)
            try checkpoint(state)
            onEvent(.runFinished(run: run + 1, runs: config.seeds, testAccuracy: state.progress.accuracies[run], epochs: epoch))
        }
        return NodeTrainingSummary(perRun: state.progress.accuracies, epochsRun: state.progress.epochs, records: records,
                                  wallSeconds: Date().timeIntervalSince(started), bestModel: state.best)
    }

    /// The former name of ``train(_:resumingFrom:onEvent:)``.
    @available(*, deprecated, renamed: "train(_:resumingFrom:onEvent:)")
    public func run(_ dataset: NodeDataset, resumingFrom resumed: TrainingState? = nil,
                    progress: (NodeTrainingEvent) -> Void = { _ in }) throws -> NodeTrainingSummary {
        try train(dataset, resumingFrom: resumed, onEvent: progress)
    }

    /// Kipf & Welling's rule: stop once the validation loss exceeds the mean of the previous `patience`.
    /// Their loss includes the L2 term (λ/2)‖W⁰‖², so the monitored value does too (for other
    /// convolutions: every weight matrix of the first layer).
    private func kipfStop(_ vLoss: Double, _ model: NodeClassifier, _ losses: inout [Double], hasValidation: Bool) -> Bool {
        var l2 = 0.0
        for (name, w) in model.first.namedParameters() where name.hasSuffix("weight") {
            for i in 0..<w.count { l2 += Double(w.pointer[i] * w.pointer[i]) }
        }
        losses.append(vLoss + 0.5 * Double(config.weightDecay) * l2)   // one per epoch of this seed
        let w = config.patience
        guard w > 0, hasValidation, losses.count > w else { return false }
        let window = losses[(losses.count - 1 - w)..<(losses.count - 1)]
        return losses.last! > Statistics.mean(window)
    }

    /// `restoreBest`'s bookkeeping after an epoch: keeps the weights (in `state.unitBest`) and test
    /// accuracy of the best validation accuracy so far (lower loss on ties), records the loss, and
    /// says whether to stop: `patience` epochs since both the best accuracy and the lowest loss.
    private func selectBest(_ epoch: Int, _ vLoss: Double, _ vAcc: Double, _ tAcc: Double, _ model: NodeClassifier,
                            _ losses: inout [Double], _ state: inout TrainingState) -> Bool {
        var p = state.progress
        if vAcc > p.unitValidation || (vAcc == p.unitValidation && vLoss < p.unitValidationLoss) {
            (p.unitValidation, p.unitValidationLoss, p.unitTest, p.unitEpoch) = (vAcc, vLoss, tAcc, epoch)
            state.unitBest = model.namedState().map { ($0.0, $0.1.copy()) }
        }
        state.progress = p
        losses.append(vLoss)   // one per epoch of this seed, so the lowest one's index + 1 is its epoch
        let lowest = losses.indices.min { losses[$0] < losses[$1] }! + 1
        return config.patience > 0 && epoch - max(lowest, p.unitEpoch) >= config.patience
    }

    /// Labels of `nodes`, −1 (ignored by the loss) everywhere else.
    static func targets(_ labels: [Int], only nodes: [Int]) -> [Int] {
        var t = [Int](repeating: -1, count: labels.count)
        for i in nodes { t[i] = labels[i] }
        return t
    }

    /// (validation loss, validation accuracy, test accuracy) without dropout.
    private func evaluate(_ model: NodeClassifier, _ x: SparseMatrix, _ a: SparseMatrix, _ data: NodeDataset,
                          _ validationTargets: [Int], _ rng: inout RandomGenerator) -> (Double, Double, Double) {
        model.eval()
        return withNoGrad {
            let logits = model(x, adjacency: a, generator: &rng)
            let vLoss = data.validationNodes.isEmpty ? 0
                : Double(logits.crossEntropy(targets: validationTargets, ignoreIndex: -1).item())
            return (vLoss, accuracy(logits, labels: data.labels, rows: data.validationNodes),
                    accuracy(logits, labels: data.labels, rows: data.testNodes))
        }
    }
}

/// The former name of ``NodeTrainingSummary``.
@available(*, deprecated, renamed: "NodeTrainingSummary")
public typealias NodeTrainingResult = NodeTrainingSummary
