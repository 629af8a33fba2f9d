import Foundation
import Slate

/// Stratified K-fold cross-validation of a `GraphClassifier` on a TU dataset.
///
/// The run can be checkpointed and continued: `checkpoint` receives a ``TrainingState`` every
/// `checkpointEvery` epochs, at the end of every ensemble member (when `ensemble` > 1) and at
/// the end of every fold, and `train(_:resumingFrom:onEvent:)` continues
/// from one bit for bit (same weights, same accuracies as a run never stopped, at the same thread count).
///
/// Data-parallel over N replicas (`dataParallel`): every replica shuffles the fold the same way and
/// cuts the same global batches of N·B graphs that one process with batch N·B would; replica r
/// trains on whole graphs r·B ..< (r+1)·B of each (fewer, or none, in a short last batch), its
/// gradient weighted by its share of the batch before the average, so the step equals one
/// process's. Each replica draws its own dropout masks (seed + r), saved together in checkpoints;
/// evaluation runs whole on every replica.
public struct GraphClassificationTrainer {
    public let config: GraphTrainingConfig
    /// Receives the run's state every `checkpointEvery` epochs, after every ensemble member and at
    /// the end of every fold (the caller saves it; a throw stops the run). With several replicas it is called on every
    /// replica with the same state, which holds every replica's dropout generator.
    public var checkpoint: (TrainingState) throws -> Void = { _ in }
    /// How this trainer cooperates with its replicas (`.single`: one process).
    public var dataParallel = DataParallel.single
    public init(config: GraphTrainingConfig) { self.config = config }

    /// Cross-validates on `data`, from the start or from `resumed` (a state `checkpoint` received),
    /// reporting every epoch and fold through `onEvent`.
    public func train(_ data: TUDataset, resumingFrom resumed: TrainingState? = nil,
                      onEvent: (GraphTrainingEvent) -> Void = { _ in }) throws -> GraphTrainingSummary {
        guard config.epochs >= 1, config.batchSize >= 1, config.hidden >= 1, config.ensemble >= 1 else {
            throw GraphDataError.invalidArgument("epochs, batch size, hidden and ensemble must all be at least 1")
        }
        guard config.layers >= 1 || (config.layers == 0 && config.inputReadout) else {
            throw GraphDataError.invalidArgument("layers must be at least 1, or 0 with the input readout (the structure-agnostic model), not \(config.layers)")
        }
        guard Set(config.ensembleFamilies + [config.family]).count == config.ensembleFamilies.count + 1 else {
            throw GraphDataError.invalidArgument("each ensemble family must differ from the others and from the model's own (\(config.family.rawValue)), not \(config.ensembleFamilies.map(\.rawValue).joined(separator: ", "))")
        }
        guard !config.ensembleFamilies.contains(.wl) || config.wlIterations >= 0 else {
            throw GraphDataError.invalidArgument("the wl family needs 0 or more refinement rounds, not \(config.wlIterations)")
        }
        guard !config.ensembleFamilies.contains(.mlp) || config.inputReadout else {
            throw GraphDataError.invalidArgument("the mlp family reads the graph only through the input readout; turn the input readout on")
        }
        guard !config.rotateValidation || config.ensemble <= config.folds - 1 else {
            throw GraphDataError.invalidArgument("rotating the validation fold gives at most \(config.folds - 1) members with \(config.folds) folds, not \(config.ensemble); lower the ensemble or raise the folds")
        }
        let started = Date()
        let split = try StratifiedKFold(labels: data.labels, folds: config.folds, seed: SeedPurpose.foldSplit.seed(from: config.seed))
        let modelConfig = GraphClassifierConfig(inputFeatures: data.featureCount, classes: data.classCount,
                                                layers: config.layers, hidden: config.hidden, pool: config.pool,
                                                dropout: config.dropout, convolutionDropout: config.conv == .gin ? 0 : config.dropout,
                                                normalization: config.normalization, conv: config.conv,
                                                jumpingKnowledge: config.jumpingKnowledge, heads: config.heads,
                                                trainEps: config.trainEps, standardizeFeatures: config.standardizeFeatures,
                                                inputReadout: config.inputReadout, readoutNorm: config.readoutNorm,
                                                degreeFeature: config.degreeFeature, wlIterations: config.wlIterations,
                                                wlNodeLabels: data.graphs.allHaveNodeLabels)
        var state = resumed ?? TrainingState()
        var records: [GraphEpochRecord] = []
        while state.progress.unit < config.folds {
            let k = state.progress.unit
            records += try trainFold(k, split, data, modelConfig, &state, onEvent: onEvent)
            onEvent(.foldFinished(fold: k + 1, folds: config.folds, testAccuracy: state.progress.accuracies[k],
                                   chosenEpoch: state.progress.epochs[k]))
        }
        let validations = state.progress.validations ?? []
        return GraphTrainingSummary(perFold: state.progress.accuracies,
                                   perFoldValidation: validations.count == state.progress.accuracies.count ? validations : [],
                                   chosenEpochs: state.progress.epochs,
                                   members: state.progress.finishedMembers ?? [], records: records,
                                   wallSeconds: Date().timeIntervalSince(started), bestModel: state.best,
                                   bestFold: state.progress.bestUnit + 1, modelConfig: modelConfig,
                                   memberConfigs: config.ensembleFamilies.isEmpty ? [] : memberConfigs(modelConfig))
    }

    /// The configuration of each of a fold's members, in order: `ensemble` of `modelConfig`, then
    /// `ensemble` of each family's.
    private func memberConfigs(_ modelConfig: GraphClassifierConfig) -> [GraphClassifierConfig] {
        ([modelConfig] + config.ensembleFamilies.map { modelConfig.family($0) })
            .flatMap { Array(repeating: $0, count: config.ensemble) }
    }

    /// Fold k's shuffling generator for ensemble member m after `epochs` shuffles of `count` graphs:
    /// a Fisher–Yates shuffle draws count − 1 times, and SplitMix64 jumps ahead in O(1).
    private func shuffler(fold k: Int, member m: Int, after epochs: Int, count: Int) -> SplitMix64 {
        let draws = UInt64(epochs) &* UInt64(max(count - 1, 0))
        return SplitMix64(seed: memberSeed(.foldShuffle, fold: k, member: m)).advanced(by: draws)
    }

    /// Fold k's seed for `purpose`, moved to ensemble member m's stream (member 0: unchanged).
    private func memberSeed(_ purpose: SeedPurpose, fold k: Int, member m: Int) -> UInt64 {
        SeedPurpose.ensembleMember.seed(from: purpose.seed(from: config.seed, index: k), index: m)
    }

    /// Trains fold k from `state` (its start, or the member and epoch a checkpoint reached) to its
    /// end and records the fold's result in `state`; returns the epochs it ran.
    private func trainFold(_ k: Int, _ split: StratifiedKFold, _ data: TUDataset, _ modelConfig: GraphClassifierConfig,
                           _ state: inout TrainingState, onEvent: (GraphTrainingEvent) -> Void) throws -> [GraphEpochRecord] {
        let test = GraphBatch(split.splits[k].test.map { data.graphs[$0] })
        let foldValidation = GraphBatch(split.splits[k].validation.map { data.graphs[$0] })
        var records: [GraphEpochRecord] = []
        let configs = memberConfigs(modelConfig)
        for i in (state.progress.epoch / config.epochs)..<configs.count {
            let m = i % config.ensemble                                   // the member's place in its family
            let fold = config.rotateValidation ? split.split(test: k, validation: (k + 1 + m) % config.folds) : split.splits[k]
            let validation = config.rotateValidation ? GraphBatch(fold.validation.map { data.graphs[$0] }) : foldValidation
            records += try trainMember(i, stream: m, fold: k, fold, data, configs[i], validation, test, &state, onEvent: onEvent)
            guard configs.count > 1 else { break }
            finishMember(&state)
            try checkpoint(state)                                        // every member's weights, before scoring
        }
        if configs.count > 1 { try scoreEnsemble(configs, foldValidation, test, &state) }
        state.progress.validations = (state.progress.validations ?? []) + [state.progress.unitValidation]
        finishUnit(&state)
        try checkpoint(state)
        return records
    }

    /// Trains member i of fold k, drawing from member m's random streams, from `state` (its start, or
    /// the epoch a checkpoint reached) to its last epoch, keeping its validation-chosen epoch in
    /// `state`'s unit fields; returns its epochs.
    private func trainMember(_ i: Int, stream m: Int, fold k: Int, _ fold: StratifiedKFold.Split, _ data: TUDataset,
                             _ modelConfig: GraphClassifierConfig, _ validation: GraphBatch, _ test: GraphBatch,
                             _ state: inout TrainingState, onEvent: (GraphTrainingEvent) -> Void) throws -> [GraphEpochRecord] {
        let model = GraphClassifier(modelConfig, seed: memberSeed(.foldWeights, fold: k, member: m))
        model.standardizer?.fit(fold.train.map { data.graphs[$0] })          // training part only
        let adam = Adam([ParameterGroup(parameters: model.parameters(), weightDecay: config.weightDecay)],
                        learningRate: config.learningRate)
        // Each replica draws its own dropout masks: rank r's stream is seeded r·2⁴⁰ further on.
        var rng = RandomGenerator(seed: memberSeed(.foldDropout, fold: k, member: m) &+ UInt64(dataParallel.rank) << 40)
        var train = fold.train
        let offset = i * config.epochs                                     // the member's first step − 1
        let first = state.progress.epoch - offset + 1
        if first > 1 {   // continue from a checkpoint taken inside this member
            try model.loadState(Dictionary(state.model))
            try adam.loadStateDict(Dictionary(state.optimizer))
            guard let saved = state.generator(replica: dataParallel), Set(state.progress.order) == Set(fold.train),
                  state.progress.order.count == fold.train.count else {
                throw GCNCheckpointError(description: "the checkpoint's fold \(k + 1) does not match this dataset, --folds/--seed or the number of ranks; start again with --overwrite")
            }
            rng = saved
            train = state.progress.order
        }
        // The weights evaluated: their moving average (`weightAverage`), else the trained ones.
        let average = config.weightAverage > 0 ? try WeightAverage.start(modelConfig, from: model) : nil
        if first > 1, let average { try average.loadState(Dictionary(state.average)) }
        let evaluated = average ?? model
        var order = shuffler(fold: k, member: m, after: first - 1, count: train.count)
        var records: [GraphEpochRecord] = []
        for epoch in first...config.epochs {
            let t0 = Date()
            if config.decayEvery > 0 {
                adam.learningRate = config.learningRate * pow(config.decayFactor, Float((epoch - 1) / config.decayEvery))
            }
            order.shuffle(&train)
            var lossSum = 0.0, correct = 0
            let global = config.batchSize * dataParallel.count
            for start in stride(from: 0, to: train.count, by: global) {
                let step = try graphClassificationStep(model, adam, graphs: train[start..<min(start + global, train.count)].map { data.graphs[$0] },
                                                       batchSize: config.batchSize, dataParallel: dataParallel, generator: &rng,
                                                       at: "epoch \(epoch) of fold \(k + 1)")
                lossSum += step.lossSum
                correct += step.correct
                if let average { WeightAverage.update(average, toward: model, decay: config.weightAverage) }
            }
            if dataParallel.count > 1 {                                   // every replica's sums
                let sums = dataParallel.averageValues([lossSum, Double(correct)]).map { $0 * Double(dataParallel.count) }
                (lossSum, correct) = (sums[0], Int(sums[1].rounded()))
            }
            if let average { WeightAverage.copyBuffers(from: model, to: average) }
            let (vLoss, vAcc) = evaluate(evaluated, validation, &rng)
            let (_, tAcc) = evaluate(evaluated, test, &rng)
            let record = GraphEpochRecord(fold: k + 1, epoch: epoch, member: i + 1, step: offset + epoch,
                                          learningRate: adam.learningRate,
                                          trainLoss: lossSum / Double(train.count),
                                          trainAccuracy: Double(correct) / Double(train.count),
                                          validationLoss: vLoss, validationAccuracy: vAcc, testAccuracy: tAcc,
                                          seconds: Date().timeIntervalSince(t0))
            records.append(record)
            onEvent(.epoch(record))
            // Model selection on validation only: best accuracy, lower loss on ties.
            var p = state.progress
            if vAcc > p.unitValidation || (vAcc == p.unitValidation && vLoss < p.unitValidationLoss) {
                (p.unitValidation, p.unitValidationLoss, p.unitTest, p.unitEpoch) = (vAcc, vLoss, tAcc, epoch)
                state.unitBest = evaluated.namedState().map { ($0.0, $0.1.copy()) }
            }
            p.epoch = offset + epoch
            state.progress = p
            if epoch < config.epochs && config.checkpointEvery > 0 && epoch % config.checkpointEvery == 0 {
                state.progress.generator = dataParallel.gather(rng.state.map { Double(bitPattern: $0) })
                    .joined().map { String($0.bitPattern) }              // every replica's, in order
                state.progress.order = train
                state.model = model.namedState()
                state.optimizer = adam.stateDict()
                state.average = average?.namedState() ?? []
                try checkpoint(state)
            }
        }
        return records
    }

    /// Closes the ensemble member under way: its chosen epoch's figures and weights join the
    /// fold's finished members, and the per-member part of the state is cleared for the next one.
    private func finishMember(_ state: inout TrainingState) {
        var p = state.progress
        p.members = (p.members ?? []) + [TrainingState.Member(epoch: p.unitEpoch, validation: p.unitValidation,
                                                               validationLoss: p.unitValidationLoss, test: p.unitTest)]
        state.progress = p
        state.members.append(state.unitBest)
        state.clearUnitUnderWay()
    }

    /// Scores the fold's finished members as one ``GraphEnsemble``: its validation accuracy and
    /// loss (on `validation`, the fold's; with rotated validation folds the mean of the members'
    /// own) and its test accuracy become the fold's, member 1's chosen epoch the fold's epoch, and
    /// every member's weights the fold's model (`unitBest`, named `member.<m>.*`, m from 0).
    private func scoreEnsemble(_ configs: [GraphClassifierConfig], _ validation: GraphBatch, _ test: GraphBatch,
                               _ state: inout TrainingState) throws {
        let ensemble = try GraphEnsemble(configs, weights: state.members)
        var p = state.progress
        let results = p.members ?? []
        // Rotated validation folds: members trained on each other's validation graphs, so the
        // fold's validation figures are the mean of the members' own.
        let (vLoss, vAcc) = config.rotateValidation
            ? (Statistics.mean(results.map(\.validationLoss)), Statistics.mean(results.map(\.validation)))
            : ensemble.evaluate(validation)
        (p.unitValidation, p.unitValidationLoss, p.unitTest, p.unitEpoch) = (vAcc, vLoss, ensemble.evaluate(test).accuracy,
                                                                             results[0].epoch)
        p.finishedMembers = (p.finishedMembers ?? []) + [results]
        p.members = nil
        state.progress = p
        state.unitBest = GraphEnsemble.namedWeights(state.members)
        state.members = []
    }

    private func evaluate(_ model: GraphClassifier, _ batch: GraphBatch, _ rng: inout RandomGenerator) -> (Double, Double) {
        model.eval()
        return withNoGrad {
            let logits = model(batch, generator: &rng)
            return (Double(logits.crossEntropy(targets: batch.labels!).item()), accuracy(logits, labels: batch.labels!))
        }
    }
}

/// One optimizer step on a global batch of `graphs` (one process's batch of N·B): this replica
/// trains on graphs r·B ..< (r+1)·B (none when the batch is short), then its gradient of the
/// mean cross-entropy over its g_r graphs is scaled by N·g_r/G and averaged over the N replicas,
/// (1/N) Σ_r (N·g_r/G) ∇L_r = Σ_r (g_r/G) ∇L_r, the gradient of the mean over all G graphs.
/// Returns this replica's summed loss and correct predictions.
package func graphClassificationStep(_ model: GraphClassifier, _ optimizer: Optimizer, graphs: [Graph], batchSize: Int,
                                     dataParallel: DataParallel, generator: inout RandomGenerator,
                                     at position: String) throws -> (lossSum: Double, correct: Int) {
    let lo = min(dataParallel.rank * batchSize, graphs.count), hi = min(lo + batchSize, graphs.count)
    var result = (lossSum: 0.0, correct: 0)
    optimizer.zeroGrad()
    if lo < hi {
        let batch = GraphBatch(Array(graphs[lo..<hi]))
        model.train()
        let logits = model(batch, generator: &generator)                               // (g_r, C)
        let loss = logits.crossEntropy(targets: batch.labels!)
        let value = loss.item()
        try requireFinite(value, "training loss", at: position)
        loss.backward()
        result = (Double(value) * Double(batch.graphCount), zip(argmaxRows(logits), batch.labels!).filter { $0 == $1 }.count)
    }
    if dataParallel.count > 1 {
        let share = Float(dataParallel.count * (hi - lo)) / Float(graphs.count)       // N·g_r/G
        for p in model.parameters() {
            guard let g = p.grad else { continue }
            let pg = g.pointer
            for i in 0..<g.count { pg[i] *= share }
        }
        dataParallel.averageGradients(model.parameters())
    }
    optimizer.step()
    return result
}

extension GraphClassificationTrainer {
    /// The former name of `train(_:resumingFrom:onEvent:)`.
    @available(*, deprecated, renamed: "train(_:resumingFrom:onEvent:)")
    public func run(_ data: TUDataset, resumingFrom resumed: TrainingState? = nil,
                    progress: (GraphTrainingEvent) -> Void = { _ in }) throws -> GraphTrainingSummary {
        try train(data, resumingFrom: resumed, onEvent: progress)
    }
}
