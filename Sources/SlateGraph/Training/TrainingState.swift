import Foundation
import Slate

/// Where a training run stands, as one unit a checkpoint can hold: the fold (graph
/// classification) or seed (node classification) reached, the epoch within it, the results of the
/// finished folds or seeds, the best model so far, and — when a fold or seed is under way — its
/// weights, Adam state, RNG state and data order. A run continued from it computes exactly what an
/// uninterrupted run computes from that point on (same thread count).
///
/// Saved as one safetensors file (``encode(metadata:)``), so it is replaced atomically as a whole; tensors
/// are named `model.*`, `optimizer.*`, `unit_best.*` (best epoch of the fold or seed under way) and
/// `best.*` (best finished fold or seed), `average.*` (the weight average under way),
/// `member.<m>.*` (finished ensemble members of the fold under way); everything else is JSON in `__metadata__["progress"]`.
public struct TrainingState {
    /// Scalars of the state (JSON in the checkpoint's metadata).
    public struct Progress: Codable, Equatable, Sendable {
        /// The fold or seed under way, 0-based (== the count when the run is finished).
        public var unit = 0
        /// Epochs of `unit` completed.
        public var epoch = 0
        /// Test accuracy of every finished fold or seed.
        public var accuracies: [Double] = []
        /// The chosen (graph) or last (node) epoch of every finished fold or seed.
        public var epochs: [Int] = []
        /// Validation accuracy / loss and 0-based index of the best finished fold or seed.
        public var bestValidation = -1.0, bestValidationLoss = Double.infinity, bestUnit = -1
        /// Best epoch so far of the unit under way: validation accuracy, loss, test accuracy, epoch.
        public var unitValidation = -1.0, unitValidationLoss = Double.infinity, unitTest = 0.0, unitEpoch = 0
        /// The dropout generator's state words (decimal strings: JSON numbers lose 64-bit precision).
        public var generator: [String] = []
        /// Training order of the fold under way after its last shuffle (graph classification).
        public var order: [Int] = []
        /// Monitored validation losses of the seed under way (node classification's early stopping).
        public var validationLosses: [Double] = []
        /// Ensembles (graph classification, `ensemble` > 1): the finished members of the fold under
        /// way (nil for a single model, so its checkpoints are unchanged).
        public var members: [Member]?
        /// Ensembles: the members of every finished fold.
        public var finishedMembers: [[Member]]?
        /// Graph classification: the validation accuracy of every finished fold at its chosen epoch
        /// (an ensemble's as the fold was scored; nil in checkpoints written before it was kept).
        public var validations: [Double]?
        public init() {}
    }

    /// One ensemble member's result: its epoch chosen on validation and that epoch's figures.
    public struct Member: Codable, Equatable, Sendable {
        /// The chosen epoch (1-based, counted within the member).
        public var epoch: Int
        public var validation: Double, validationLoss: Double
        /// The member's own test accuracy at its chosen epoch (reported, never used to choose).
        public var test: Double
        public init(epoch: Int, validation: Double, validationLoss: Double, test: Double) {
            (self.epoch, self.validation, self.validationLoss, self.test) = (epoch, validation, validationLoss, test)
        }
    }

    public var progress = Progress()
    /// Weights and Adam state of the unit under way (empty between units).
    public var model: [(String, Tensor)] = [], optimizer: [(String, Tensor)] = []
    /// Weights at the best epoch of the unit under way, and of the best finished unit.
    public var unitBest: [(String, Tensor)] = [], best: [(String, Tensor)] = []
    /// Ensembles: the weights of each finished member of the fold under way, at its chosen epoch
    /// (saved as `member.<m>.*`, m from 0).
    public var members: [[(String, Tensor)]] = []
    /// The moving average of the weights of the unit under way (`weightAverage` > 0; empty otherwise).
    public var average: [(String, Tensor)] = []

    public init() {}

    /// Clears what belongs to the fold, seed or ensemble member under way — its best epoch's
    /// figures and weights, generators, order, weights, optimizer state and weight average — for
    /// the next one. The finished results, the run's best and the step counter stay.
    mutating func clearUnitUnderWay() {
        (progress.unitValidation, progress.unitValidationLoss, progress.unitTest, progress.unitEpoch) = (-1, .infinity, 0, 0)
        progress.generator = []; progress.order = []; progress.validationLosses = []
        model = []; optimizer = []; unitBest = []; average = []
    }

    /// Replica r's dropout generator when `progress` holds N replicas' (4 words each, in order).
    public func generator(replica dataParallel: DataParallel) -> RandomGenerator? {
        guard dataParallel.count > 1 else { return generator }
        let words = progress.generator.compactMap { UInt64($0) }
        guard words.count == progress.generator.count, words.count == 4 * dataParallel.count else { return nil }
        return RandomGenerator(state: Array(words[(4 * dataParallel.rank)..<(4 * dataParallel.rank + 4)]))
    }

    /// The dropout generator saved in `progress`, or nil when none is (or it is malformed).
    public var generator: RandomGenerator? {
        let words = progress.generator.compactMap { UInt64($0) }
        return words.count == progress.generator.count ? RandomGenerator(state: words) : nil
    }

    /// One safetensors file: the tensors under their prefixes, `progress` and `metadata` in `__metadata__`.
    public func encode(metadata: [String: String]) throws -> Data {
        var meta = metadata
        meta["progress"] = try Self.json(progress)
        let groups = [("model.", model), ("optimizer.", optimizer), ("unit_best.", unitBest), ("best.", best), ("average.", average)]
            + [("", GraphEnsemble.namedWeights(members))]
        return try SafeTensors.encode(groups.flatMap { prefix, tensors in tensors.map { (prefix + $0.0, $0.1) } },
                                      metadata: meta)
    }

    /// Reads a state written by ``encode(metadata:)``; the metadata is returned alongside.
    public static func decode(_ file: SafeTensorsFile, path: String) throws -> (state: TrainingState, metadata: [String: String]) {
        guard let text = file.metadata["progress"],
              let progress = try? decoder.decode(Progress.self, from: Data(text.utf8)) else {
            throw GCNCheckpointError(description: "\(path) is not a `slate gcn train` checkpoint (no readable progress record); start the run again with --overwrite")
        }
        var state = TrainingState()
        state.progress = progress
        var members: [(String, Tensor)] = []
        for name in file.names {
            let tensor = file.tensors[name]!
            if name.hasPrefix("member.") {
                members.append((name, tensor))
                continue
            }
            for (prefix, keyPath) in [("model.", \TrainingState.model), ("optimizer.", \.optimizer),
                                      ("unit_best.", \.unitBest), ("best.", \.best), ("average.", \.average)] where name.hasPrefix(prefix) {
                state[keyPath: keyPath].append((String(name.dropFirst(prefix.count)), tensor))
                break
            }
        }
        state.members = members.isEmpty ? [] : GraphEnsemble.memberWeights(members) ?? [[]]   // [[]]: refused below
        var tensors = state.model + state.optimizer
        tensors += state.unitBest + state.best
        tensors += state.average
        tensors += state.members.flatMap { $0 }
        try GCNCheckpoint.requireFinite(tensors, path: path)
        guard state.members.count == (progress.members?.count ?? 0), state.members.allSatisfy({ !$0.isEmpty }) else {
            throw GCNCheckpointError(description: "\(path): its ensemble members' weights do not match its progress record; the file is damaged, start the run again with --overwrite")
        }
        return (state, file.metadata)
    }

    private static var decoder: JSONDecoder {
        let d = JSONDecoder()
        d.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return d
    }

    private static func json<T: Encodable>(_ value: T) throws -> String {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        e.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return String(decoding: try e.encode(value), as: UTF8.self)
    }
}

extension Dictionary where Key == String, Value == Tensor {
    init(_ pairs: [(String, Tensor)]) { self.init(pairs, uniquingKeysWith: { a, _ in a }) }
}

/// Closes the fold or seed under way: its result joins the finished ones, its best epoch becomes
/// the run's best when its validation accuracy is higher (lower loss on ties), and the per-unit
/// part of the state is cleared for the next one.
func finishUnit(_ state: inout TrainingState) {
    var p = state.progress
    p.accuracies.append(p.unitTest)
    p.epochs.append(p.unitEpoch)
    if p.bestUnit < 0 || p.unitValidation > p.bestValidation
        || (p.unitValidation == p.bestValidation && p.unitValidationLoss < p.bestValidationLoss) {
        (p.bestValidation, p.bestValidationLoss, p.bestUnit) = (p.unitValidation, p.unitValidationLoss, p.unit)
        state.best = state.unitBest
    }
    p.unit += 1
    p.epoch = 0
    state.progress = p
    state.clearUnitUnderWay()
}
