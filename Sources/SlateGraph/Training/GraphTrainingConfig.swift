import Foundation
import Slate

/// Settings of a graph-classification run; defaults are the documented reference setup
/// (a GIN-paper-style GCN baseline: 3 GCN layers of 64, sum readout, Adam lr 0.01 halved every
/// 50 epochs, batch 32, 10-fold stratified CV with the epoch chosen on a validation fold;
/// continuous node features standardised with each fold's training statistics).
public struct GraphTrainingConfig: Codable, Sendable {
    /// Convolutions (0 with `inputReadout`: the structure-agnostic model, `GraphClassifierConfig.layers`).
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
    /// Factor applied to the learning rate every `decayEvery` epochs (PyG's `lr_decay_factor`).
    public var decayFactor: Float = 0.5
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
    /// Standardise continuous node features with each fold's training statistics (`FeatureStandardizer`).
    public var standardizeFeatures = true
    /// Add the input features' readout to the graph readout (`GraphClassifierConfig.inputReadout`).
    public var inputReadout = false
    /// BatchNorm on the graph readout before the head (`GraphClassifierConfig.readoutNorm`).
    public var readoutNorm = false
    /// Append log(1 + degree) to every node's features (`GraphClassifierConfig.degreeFeature`).
    public var degreeFeature = false
    /// Epochs between checkpoints inside a fold (0: only at the end of each fold).
    public var checkpointEvery = 10
    /// Models trained per fold (`--ensemble`, K ≥ 1). Member m (from 0) trains on the fold's
    /// training graphs from its own initialisation, dropout and shuffling streams (member 0's are
    /// a single model's, so K = 1 is the plain run bit for bit), its epoch is chosen on the fold's
    /// validation graphs like a single model's, and the fold is scored by ``GraphEnsemble``: the
    /// mean of the members' class probabilities at their chosen epochs. Costs K× the training.
    public var ensemble = 1
    /// Weight averaging (`--weight-average β`, 0: off): an exponential moving average of the
    /// weights, θ̄ ← β θ̄ + (1 − β) θ after every step (`WeightAverage`), is what every epoch
    /// evaluates on validation and test, what validation chooses and what is saved; 0 trains and
    /// evaluates θ itself, bit for bit as before.
    public var weightAverage: Float = 0
    /// Ensembles: member m (from 0) of fold k validates on fold (k + 1 + m) mod K and trains on
    /// the other K − 2 folds, so the members' epochs are chosen on different graphs and each sees
    /// other training graphs (cross-validation bagging); the test fold stays unseen by every member.
    /// Member 0's split is the single model's. Needs `ensemble` ≤ `folds` − 1.
    public var rotateValidation = false
    /// Families whose ensembles join `conv`'s (`--ensemble-families`, each at most once and not
    /// `conv`'s own): every family trains `ensemble` members per fold after `conv`'s, member m of
    /// each with member m's random streams and (with `rotateValidation`) validation fold, so a
    /// family's members are its own `ensemble`-member run's bit for bit; the fold is scored by the
    /// mean probability of all `ensemble` · (1 + families) members. A family is this model with
    /// another convolution (`GraphClassifierConfig.family(_:)`), `mlp` (needs `inputReadout`) or `wl`.
    public var ensembleFamilies: [ModelFamily] = []
    /// The `wl` family's Weisfeiler–Lehman refinement rounds h (`GraphClassifierConfig.wlIterations`).
    public var wlIterations = WLSubtreeFeatures.defaultIterations
    public init() {}

    /// The model's own family: `mlp` with no layers, else `conv`'s.
    public var family: ModelFamily { ModelFamily(conv: conv, layers: layers) }

    /// Models trained per fold: `ensemble` for `conv` and for each of `ensembleFamilies`.
    public var membersPerFold: Int { ensemble * (1 + ensembleFamilies.count) }
}

extension AdjacencyNormalization: Codable {}

/// One epoch of one fold, as reported to the progress callback and written to metrics.csv.
public struct GraphEpochRecord: Sendable {
    /// The fold (from 1) and the epoch (from 1, counted within the ensemble member).
    public let fold: Int, epoch: Int
    /// The ensemble member (from 1; always 1 for a single model).
    public let member: Int
    /// The epoch counted over the fold's members, (member − 1) · epochs + epoch: the logs' step.
    public let step: Int
    public let learningRate: Float
    public let trainLoss: Double, trainAccuracy: Double
    public let validationLoss: Double, validationAccuracy: Double
    /// Test accuracy at this epoch — recorded for the curves, never used to choose anything.
    public let testAccuracy: Double
    public let seconds: Double

    public init(fold: Int, epoch: Int, member: Int = 1, step: Int? = nil, learningRate: Float, trainLoss: Double,
                trainAccuracy: Double, validationLoss: Double, validationAccuracy: Double, testAccuracy: Double, seconds: Double) {
        self.fold = fold; self.epoch = epoch; self.learningRate = learningRate
        self.member = member; self.step = step ?? epoch
        self.trainLoss = trainLoss; self.trainAccuracy = trainAccuracy
        self.validationLoss = validationLoss; self.validationAccuracy = validationAccuracy
        self.testAccuracy = testAccuracy; self.seconds = seconds
    }
}

/// What a graph-classification trainer reports while it runs.
public enum GraphTrainingEvent: Sendable {
    case epoch(GraphEpochRecord)
    /// A fold finished: its test accuracy at the epoch chosen on validation (an ensemble's: its
    /// members' mean probabilities at their chosen epochs; the epoch is then member 1's).
    case foldFinished(fold: Int, folds: Int, testAccuracy: Double, chosenEpoch: Int)
}

/// The outcome of K-fold cross-validation, returned by `GraphClassificationTrainer.train(_:resumingFrom:onEvent:)`.
public struct GraphTrainingSummary: AccuracySummary {
    /// Test accuracy of each fold at its validation-chosen epoch.
    public let perFold: [Double]
    /// Validation accuracy of each fold at that epoch (what chose it; with rotated validation
    /// folds the mean of the members' own), for comparing configurations without the test folds;
    /// empty when resumed from a checkpoint written before it was kept.
    public let perFoldValidation: [Double]
    /// The chosen epoch of each fold (1-based; an ensemble's: member 1's, the others' are in `members`).
    public let chosenEpochs: [Int]
    /// Ensembles: every fold's members (chosen epoch, validation and own test accuracy); empty for
    /// a single model.
    public let members: [[TrainingState.Member]]
    /// The epochs this process ran (a resumed run's earlier epochs are in its metrics files).
    public let records: [GraphEpochRecord]
    public let wallSeconds: Double
    /// Weights of the fold whose chosen epoch had the best validation accuracy (lower loss on ties).
    /// For an ensemble, folds compare by the ensemble's validation accuracy and loss, and the
    /// weights are all of that fold's members', named `member.<m>.*` (``GraphEnsemble/namedWeights(_:)``).
    public let bestModel: [(String, Tensor)]
    public let bestFold: Int
    public let modelConfig: GraphClassifierConfig
    /// Mixed families (`ensembleFamilies`): the configuration of each member of `bestModel`, in
    /// order; empty when every member is `modelConfig`.
    public let memberConfigs: [GraphClassifierConfig]
    public var accuracies: [Double] { perFold }
    public var epochSeconds: [Double] { records.map(\.seconds) }
    /// Mean of `perFoldValidation` (0 when it is empty).
    public var validationMean: Double { Statistics.mean(perFoldValidation) }
}

/// The former name of ``GraphTrainingSummary``.
@available(*, deprecated, renamed: "GraphTrainingSummary")
public typealias GraphTrainingResult = GraphTrainingSummary
