import Foundation
import Slate

/// Settings of a graph-classification run; defaults are the documented reference setup
/// (a GIN-paper-style GCN baseline: 3 GCN layers of 64, sum readout, Adam lr 0.01 halved every
/// 50 epochs, batch 32, 10-fold stratified CV with the epoch chosen on a validation fold).
public struct GraphTrainingConfig: Codable, Sendable {
    public var layers = 3
    public var hidden = 64
    public var pool: PoolingKind = .sum
    /// Dropout on the inputs of convolutions 2..L (not for GIN, whose paper drops out only in the
    /// head) and before the last head layer.
    public var dropout: Float = 0.5
    public var epochs = 100
    public var learningRate: Float = 0.01
    /// Epochs between halvings of the learning rate (0: constant).
    public var decayEvery = 50
    public var weightDecay: Float = 0
    public var batchSize = 32
    public var folds = 10
    public var seed: UInt64 = 0
    public var normalization: AdjacencyNormalization = .symmetric
    /// The convolution (`--conv`): gcn, gin, sage or gat.
    public var conv: ConvKind = .gcn
    /// Sum the readouts of every layer (GIN's jumping-knowledge readout).
    public var jumpingKnowledge = false
    /// GAT heads per layer (concatenated).
    public var heads = 1
    /// GIN: learn ε.
    public var trainEps = false
    public init() {}
}

extension AdjacencyNormalization: Codable {}

/// One epoch of one fold, as reported to the progress callback and written to metrics.csv.
public struct GraphEpochRecord: Sendable {
    public let fold: Int, epoch: Int
    public let learningRate: Float
    public let trainLoss: Double, trainAccuracy: Double
    public let validationLoss: Double, validationAccuracy: Double
    /// Test accuracy at this epoch — recorded for the curves, never used to choose anything.
    public let testAccuracy: Double
    public let seconds: Double
}

/// What a graph-classification trainer reports while it runs.
public enum GraphTrainingEvent: Sendable {
    case epoch(GraphEpochRecord)
    /// A fold finished: its test accuracy at the epoch chosen on validation.
    case foldFinished(fold: Int, folds: Int, testAccuracy: Double, chosenEpoch: Int)
}

/// The outcome of K-fold cross-validation.
public struct GraphTrainingResult: AccuracySummary {
    /// Test accuracy of each fold at its validation-chosen epoch.
    public let perFold: [Double]
    /// The chosen epoch of each fold (1-based).
    public let chosenEpochs: [Int]
    public let records: [GraphEpochRecord]
    public let wallSeconds: Double
    /// Weights of the fold whose chosen epoch had the best validation accuracy (lower loss on ties).
    public let bestModel: [(String, Tensor)]
    public let bestFold: Int
    public let modelConfig: GraphClassifierConfig
    public var accuracies: [Double] { perFold }
    public var epochSeconds: [Double] { records.map(\.seconds) }
}

/// Stratified K-fold cross-validation of a `GraphClassifier` on a TU dataset.
public struct GraphClassificationTrainer {
    public let config: GraphTrainingConfig
    public init(config: GraphTrainingConfig) { self.config = config }

    public func run(_ data: TUDataset, progress: (GraphTrainingEvent) -> Void = { _ in }) throws -> GraphTrainingResult {
        guard config.epochs >= 1, config.batchSize >= 1, config.layers >= 1, config.hidden >= 1 else {
            throw GraphDataError.invalidArgument("epochs, batch size, layers and hidden must all be at least 1")
        }
        let started = Date()
        let split = try StratifiedKFold(labels: data.labels, folds: config.folds, seed: config.seed)
        let modelConfig = GraphClassifierConfig(inputFeatures: data.featureCount, classes: data.classCount,
                                                layers: config.layers, hidden: config.hidden, pool: config.pool,
                                                dropout: config.dropout, convolutionDropout: config.conv == .gin ? 0 : config.dropout,
                                                normalization: config.normalization, conv: config.conv,
                                                jumpingKnowledge: config.jumpingKnowledge, heads: config.heads,
                                                trainEps: config.trainEps)
        var perFold: [Double] = [], chosen: [Int] = [], records: [GraphEpochRecord] = []
        var best: (accuracy: Double, loss: Double, fold: Int, weights: [(String, Tensor)])?
        for (k, fold) in split.splits.enumerated() {
            let outcome = trainFold(k, fold, data, modelConfig, progress: progress)
            perFold.append(outcome.test); chosen.append(outcome.epoch); records += outcome.records
            if best == nil || outcome.validation > best!.accuracy
                || (outcome.validation == best!.accuracy && outcome.validationLoss < best!.loss) {
                best = (outcome.validation, outcome.validationLoss, k, outcome.weights)
            }
            progress(.foldFinished(fold: k + 1, folds: config.folds, testAccuracy: outcome.test, chosenEpoch: outcome.epoch))
        }
        return GraphTrainingResult(perFold: perFold, chosenEpochs: chosen, records: records,
                                   wallSeconds: Date().timeIntervalSince(started), bestModel: best!.weights,
                                   bestFold: best!.fold + 1, modelConfig: modelConfig)
    }

    private struct FoldOutcome {
        var test = 0.0, validation = -1.0, validationLoss = Double.infinity, epoch = 0
        var weights: [(String, Tensor)] = []
        var records: [GraphEpochRecord] = []
    }

    private func trainFold(_ k: Int, _ fold: StratifiedKFold.Split, _ data: TUDataset,
                           _ modelConfig: GraphClassifierConfig, progress: (GraphTrainingEvent) -> Void) -> FoldOutcome {
        let model = GraphClassifier(modelConfig, seed: config.seed &* 1_000_003 &+ UInt64(k))
        let adam = Adam([ParameterGroup(parameters: model.parameters(), weightDecay: config.weightDecay)],
                        learningRate: config.learningRate)
        var rng = RandomGenerator(seed: config.seed &+ 7919 &* UInt64(k + 1))
        var order = SplitMix64(seed: config.seed ^ UInt64(k + 1) &* 0x9E37)
        let validation = GraphBatch(fold.validation.map { data.graphs[$0] })
        let test = GraphBatch(fold.test.map { data.graphs[$0] })
        var train = fold.train
        var outcome = FoldOutcome()
        for epoch in 1...config.epochs {
            let t0 = Date()
            if config.decayEvery > 0 { adam.learningRate = config.learningRate * pow(0.5, Float((epoch - 1) / config.decayEvery)) }
            order.shuffle(&train)
            var lossSum = 0.0, correct = 0
            for start in stride(from: 0, to: train.count, by: config.batchSize) {
                let batch = GraphBatch(train[start..<min(start + config.batchSize, train.count)].map { data.graphs[$0] })
                model.train()
                let logits = model(batch, generator: &rng)                                  // (G, C)
                let loss = logits.crossEntropy(targets: batch.labels!)
                adam.zeroGrad()
                loss.backward()
                adam.step()
                lossSum += Double(loss.item()) * Double(batch.graphCount)
                correct += zip(argmaxRows(logits), batch.labels!).filter { $0 == $1 }.count
            }
            let (vLoss, vAcc) = evaluate(model, validation, &rng)
            let (_, tAcc) = evaluate(model, test, &rng)
            let record = GraphEpochRecord(fold: k + 1, epoch: epoch, learningRate: adam.learningRate,
                                          trainLoss: lossSum / Double(train.count),
                                          trainAccuracy: Double(correct) / Double(train.count),
                                          validationLoss: vLoss, validationAccuracy: vAcc, testAccuracy: tAcc,
                                          seconds: Date().timeIntervalSince(t0))
            outcome.records.append(record)
            progress(.epoch(record))
            // Model selection on validation only: best accuracy, lower loss on ties.
            if vAcc > outcome.validation || (vAcc == outcome.validation && vLoss < outcome.validationLoss) {
                outcome.validation = vAcc; outcome.validationLoss = vLoss
                outcome.test = tAcc; outcome.epoch = epoch
                outcome.weights = model.namedState().map { ($0.0, $0.1.copy()) }
            }
        }
        return outcome
    }

    private func evaluate(_ model: GraphClassifier, _ batch: GraphBatch, _ rng: inout RandomGenerator) -> (Double, Double) {
        model.eval()
        return withNoGrad {
            let logits = model(batch, generator: &rng)
            return (Double(logits.crossEntropy(targets: batch.labels!).item()), accuracy(logits, labels: batch.labels!))
        }
    }
}

/// Test accuracies over folds or seeds, with their statistics.
public protocol AccuracySummary {
    /// One test accuracy per fold (graph classification) or seed (node classification).
    var accuracies: [Double] { get }
    /// Wall time of every recorded epoch (training step plus evaluation), seconds.
    var epochSeconds: [Double] { get }
}

extension AccuracySummary {
    public var mean: Double { accuracies.reduce(0, +) / Double(max(accuracies.count, 1)) }
    /// Sample standard deviation (n − 1), as `torch.std`.
    public var std: Double { sampleStd(accuracies) }
    /// Mean wall time of one epoch, seconds.
    public var secondsPerEpoch: Double { epochSeconds.reduce(0, +) / Double(max(epochSeconds.count, 1)) }
}

/// Sample standard deviation (n − 1); 0 for fewer than two values.
func sampleStd(_ values: [Double]) -> Double {
    guard values.count > 1 else { return 0 }
    let mean = values.reduce(0, +) / Double(values.count)
    return (values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(values.count - 1)).squareRoot()
}
