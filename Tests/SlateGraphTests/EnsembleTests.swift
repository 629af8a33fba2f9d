import Foundation
import XCTest
import Slate
@testable import SlateGraph

/// `GraphTrainingConfig.ensemble`: member 1 is the single model bit for bit, the fold is scored by
/// the mean of the members' probabilities (recomputed here from their saved weights), the saved
/// model is the whole ensemble, and a run resumed mid-ensemble ends where an uninterrupted one does.
final class EnsembleTests: XCTestCase {
    /// A short MUTAG run: 3 folds, 6 epochs per member, a checkpoint every 2 epochs.
    private func config(ensemble: Int, weightAverage: Float = 0, rotate: Bool = false) -> GraphTrainingConfig {
        var config = GraphTrainingConfig()
        config.rotateValidation = rotate
        config.folds = 3; config.epochs = 6; config.hidden = 16; config.checkpointEvery = 2
        config.inputReadout = true; config.seed = 3; config.ensemble = ensemble; config.weightAverage = weightAverage
        return config
    }

    private func mutag() throws -> TUDataset { try TUDataset.load(name: "MUTAG", root: TestData.require(".")) }

    /// Every figure of a record but its wall time.
    private func figures(_ r: GraphEpochRecord) -> [Double] {
        [Double(r.fold), Double(r.epoch), Double(r.learningRate), r.trainLoss, r.trainAccuracy,
         r.validationLoss, r.validationAccuracy, r.testAccuracy]
    }

    func testFirstMemberIsTheSingleModelBitForBit() throws {
        let data = try mutag()
        let single = try GraphClassificationTrainer(config: config(ensemble: 1)).train(data)
        let pair = try GraphClassificationTrainer(config: config(ensemble: 2)).train(data)
        XCTAssertTrue(single.members.isEmpty)
        XCTAssertEqual(pair.records.count, 2 * single.records.count)
        XCTAssertEqual(pair.records.filter { $0.member == 1 }.map(figures), single.records.map(figures))
        XCTAssertEqual(pair.records.map(\.step), (0..<3).flatMap { _ in Array(1...12) })
        XCTAssertEqual(pair.members.map { $0[0].test }, single.perFold)
        XCTAssertEqual(pair.members.map { $0[0].epoch }, single.chosenEpochs)
        // Member 2 trains from other streams: its epochs differ from member 1's.
        XCTAssertNotEqual(pair.records.filter { $0.member == 2 }.map(figures), single.records.map(figures))
    }

    func testFoldScoreIsTheMeanOfTheMembersProbabilities() throws {
        let data = try mutag()
        var trainer = GraphClassificationTrainer(config: config(ensemble: 3))
        var scored: [TrainingState] = []          // per fold: the state after its last member, before scoring
        trainer.checkpoint = { state in
            if state.progress.members?.count == 3 && state.model.isEmpty { scored.append(state) }
        }
        let result = try trainer.train(data)
        XCTAssertEqual(scored.count, 3)
        let split = try StratifiedKFold(labels: data.labels, folds: 3, seed: SeedPurpose.foldSplit.seed(from: 3))
        let modelConfig = result.modelConfig
        for (k, state) in scored.enumerated() {
            let test = GraphBatch(split.splits[k].test.map { data.graphs[$0] })
            let twin = try naiveScore(Array(repeating: modelConfig, count: 3), state.members, test)
            let ensemble = GraphEnsemble(twin.models)
            XCTAssertEqual(Array(UnsafeBufferPointer(start: ensemble.probabilities(test).pointer, count: twin.mean.count)), twin.mean)
            XCTAssertEqual(result.perFold[k], twin.accuracy, "fold \(k + 1)")
            XCTAssertEqual(result.members[k], state.progress.members!)
            // The members' own scores are those of single models; the ensemble is scored as one.
            let members = state.progress.members!
            XCTAssertTrue(members.allSatisfy { (1...6).contains($0.epoch) })
        }
        // The fold's epoch is member 1's; the saved model is the best fold's whole ensemble, and it
        // loads back as one that predicts as its members do.
        XCTAssertEqual(result.chosenEpochs, result.members.map { $0[0].epoch })
        let best = result.bestFold - 1
        let dir = try TestData.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("model.safetensors")
        try GCNCheckpoint.saveGraphModel(result.bestModel, config: modelConfig, dataset: "MUTAG", to: url)
        guard case .graphEnsemble(let loaded) = try GCNCheckpoint.load(from: url).model else {
            return XCTFail("expected an ensemble")
        }
        XCTAssertEqual(loaded.members.count, 3)
        XCTAssertEqual(loaded.predict(data.graphs), try GraphEnsemble(modelConfig, weights: scored[best].members).predict(data.graphs))
    }

    /// The naive twin of a fold's ensemble score: every member rebuilt from its configuration and
    /// weights, its softmax on `test` taken on its own, summed in member order and divided by the
    /// count; the accuracy of that mean (class 1 only when strictly more likely, as arg-max's ties).
    private func naiveScore(_ configs: [GraphClassifierConfig], _ weights: [[(String, Tensor)]],
                            _ test: GraphBatch) throws -> (models: [GraphClassifier], mean: [Float], accuracy: Double) {
        let models = try zip(configs, weights).map { config, weights in
            let model = GraphClassifier(config, seed: 99)
            try model.loadState(Dictionary(weights, uniquingKeysWith: { a, _ in a }))
            return model
        }
        var rng = RandomGenerator(seed: 1)
        var mean = [Float](repeating: 0, count: test.graphCount * 2)
        for model in models {
            model.eval()
            let p = withNoGrad { model(test, generator: &rng).softmax(axis: -1) }
            for i in 0..<mean.count { mean[i] += p.pointer[i] }
        }
        mean = mean.map { $0 / Float(models.count) }
        let predicted = (0..<test.graphCount).map { mean[2 * $0 + 1] > mean[2 * $0] ? 1 : 0 }
        let correct = zip(predicted, test.labels!).filter { $0 == $1 }.count
        return (models, mean, Double(correct) / Double(test.graphCount))
    }

    func testResumingMidEnsembleEqualsAnUninterruptedRun() throws {
        try resumeMidEnsemble(weightAverage: 0)
    }

    /// The moving average of the weights is part of the state: resumed runs continue it exactly.
    func testResumingMidEnsembleWithWeightAveragingEqualsAnUninterruptedRun() throws {
        try resumeMidEnsemble(weightAverage: 0.9, rotate: true)
    }

    private func resumeMidEnsemble(weightAverage: Float, rotate: Bool = false, families: [ModelFamily] = []) throws {
        let data = try mutag()
        var settings = config(ensemble: 2, weightAverage: weightAverage, rotate: rotate)
        settings.ensembleFamilies = families
        var trainer = GraphClassificationTrainer(config: settings)
        // Saved as the CLI saves them, at once (the live state shares the model's tensors).
        var states: [(progress: TrainingState.Progress, bytes: Data)] = []
        trainer.checkpoint = { states.append(($0.progress, try $0.encode(metadata: [:]))) }
        let reference = try trainer.train(data)
        // Fold 2 inside its last member (its epoch 4 of 6), and fold 2 between its first two members.
        let members = settings.membersPerFold
        let inside = try XCTUnwrap(states.firstIndex { $0.progress.unit == 1 && $0.progress.epoch == 6 * (members - 1) + 4 })
        let between = try XCTUnwrap(states.firstIndex { $0.progress.unit == 1 && $0.progress.epoch == 6 })
        XCTAssertEqual(states[between].progress.members?.count, 1)
        for index in [inside, between] {
            let (saved, _) = try TrainingState.decode(SafeTensors.decode(states[index].bytes), path: "test")
            var again = GraphClassificationTrainer(config: settings)
            var last = Data()
            again.checkpoint = { last = try $0.encode(metadata: [:]) }
            let resumed = try again.train(data, resumingFrom: saved)
            XCTAssertEqual(resumed.perFold, reference.perFold)
            XCTAssertEqual(resumed.chosenEpochs, reference.chosenEpochs)
            XCTAssertEqual(resumed.members, reference.members)
            XCTAssertEqual(resumed.records.map(figures), reference.records.suffix(resumed.records.count).map(figures))
            XCTAssertEqual(last, states.last!.bytes)
        }
    }

    /// θ̄ ← β θ̄ + (1 − β) θ, written out element by element, for every parameter; buffers copied.
    func testWeightAverageUpdateIsTheMovingAverage() throws {
        let config = GraphClassifierConfig(inputFeatures: 3, classes: 2, layers: 2, hidden: 4, inputReadout: true)
        let average = GraphClassifier(config, seed: 1), model = GraphClassifier(config, seed: 2)
        let before = average.namedParameters().map { Array(UnsafeBufferPointer(start: $0.1.copy().pointer, count: $0.1.count)) }
        WeightAverage.update(average, toward: model, decay: 0.75)
        for ((name, a), (old, (_, p))) in zip(average.namedParameters(), zip(before, model.namedParameters())) {
            let expected = (0..<a.count).map { 0.75 * old[$0] + (1 - 0.75) * p.pointer[$0] }
            XCTAssertEqual(Array(UnsafeBufferPointer(start: a.pointer, count: a.count)), expected, name)
        }
        model.namedBuffers()[0].1.pointer[0] = 42
        WeightAverage.copyBuffers(from: model, to: average)
        XCTAssertEqual(average.namedBuffers()[0].1.pointer[0], 42)
    }

    /// A vanishing decay makes the average the trained weights: the run is the plain one bit for
    /// bit (the average, not the model, is what is evaluated and chosen); a real decay changes it.
    func testWeightAverageIsWhatIsEvaluated() throws {
        let data = try mutag()
        let plain = try GraphClassificationTrainer(config: config(ensemble: 1)).train(data)
        let vanishing = try GraphClassificationTrainer(config: config(ensemble: 1, weightAverage: 1e-30)).train(data)
        XCTAssertEqual(vanishing.records.map(figures), plain.records.map(figures))
        let averaged = try GraphClassificationTrainer(config: config(ensemble: 1, weightAverage: 0.9)).train(data)
        XCTAssertEqual(averaged.records.map(\.trainLoss), plain.records.map(\.trainLoss))     // training is untouched
        XCTAssertNotEqual(averaged.records.map(\.validationLoss), plain.records.map(\.validationLoss))
    }

    /// Rotated validation: member m of fold k validates on fold k + 1 + m and trains on the rest but
    /// the test fold. Member 1 is unchanged; member 2's validation graphs are fold k + 2's, whose
    /// size its accuracies are multiples of; the test fold is in no member's training or validation.
    func testRotatedValidationGivesEachMemberItsOwnFold() throws {
        let data = try mutag()
        let shared = try GraphClassificationTrainer(config: config(ensemble: 2)).train(data)
        let rotated = try GraphClassificationTrainer(config: config(ensemble: 2, rotate: true)).train(data)
        XCTAssertEqual(rotated.records.filter { $0.member == 1 }.map(figures), shared.records.filter { $0.member == 1 }.map(figures))
        let split = try StratifiedKFold(labels: data.labels, folds: 3, seed: SeedPurpose.foldSplit.seed(from: 3))
        for k in 0..<3 {
            let own = split.split(test: k, validation: (k + 2) % 3)
            XCTAssertEqual(Set(own.train + own.validation + own.test).count, data.graphs.count)
            XCTAssertTrue(Set(own.train + own.validation).isDisjoint(with: own.test))
            XCTAssertEqual(own.test, split.splits[k].test)
            XCTAssertEqual(own.validation, split.folds[(k + 2) % 3])
            let n = Double(own.validation.count)
            for r in rotated.records where r.fold == k + 1 && r.member == 2 {
                XCTAssertEqual((r.validationAccuracy * n).rounded(), r.validationAccuracy * n, accuracy: 1e-9)
            }
        }
        XCTAssertNotEqual(rotated.records.filter { $0.member == 2 }.map(figures), shared.records.filter { $0.member == 2 }.map(figures))
        var tooMany = config(ensemble: 3, rotate: true)
        tooMany.folds = 3
        XCTAssertThrowsError(try GraphClassificationTrainer(config: tooMany).train(data))
    }

    /// Mixed families: each family's members are its own rotated ensemble's bit for bit (same
    /// streams, same validation folds, trained one family after another), every fold is scored by
    /// the mean probability of all of them (the naive twin below), and the saved model keeps each
    /// member's configuration, so it loads back as the same mixed ensemble.
    func testMixedFamiliesAreEachFamilysOwnEnsembleScoredTogether() throws {
        let data = try mutag()
        var mixed = config(ensemble: 2, rotate: true)
        mixed.ensembleFamilies = [.sage, .mlp]
        XCTAssertEqual(mixed.membersPerFold, 6)
        let (result, scored) = try trainKeepingScoredStates(mixed, data)
        var sage = config(ensemble: 2, rotate: true), mlp = config(ensemble: 2, rotate: true)
        sage.conv = .sage
        mlp.layers = 0
        let own = try [config(ensemble: 2, rotate: true), sage, mlp].map { try GraphClassificationTrainer(config: $0).train(data) }
        for k in 0..<3 {
            XCTAssertEqual(result.members[k], own.flatMap { $0.members[k] }, "fold \(k + 1)")
        }
        XCTAssertEqual(result.records.map(figures), (0..<3).flatMap { k in own.flatMap { $0.records.filter { $0.fold == k + 1 }.map(figures) } })
        XCTAssertEqual(result.records.map(\.member), (0..<3).flatMap { _ in (1...6).flatMap { Array(repeating: $0, count: 6) } })
        // The members' configurations: gcn's two, then sage's, then the structure-agnostic model's.
        let configs = result.memberConfigs
        XCTAssertEqual(configs.map(\.conv), [.gcn, .gcn, .sage, .sage, .gcn, .gcn])
        XCTAssertEqual(configs.map(\.layers), [3, 3, 3, 3, 0, 0])
        XCTAssertEqual(configs[0], result.modelConfig)
        try checkMixedScoresAndSavedModel(result, scored, data)
        // A family given twice, or the model's own, is refused; so is mlp without the input readout.
        for families in [[ModelFamily.sage, .sage], [.gcn]] {
            var bad = mixed
            bad.ensembleFamilies = families
            XCTAssertThrowsError(try GraphClassificationTrainer(config: bad).train(data))
        }
        var blind = mixed
        blind.inputReadout = false
        XCTAssertThrowsError(try GraphClassificationTrainer(config: blind).train(data))
    }

    /// A run of `config` (seed 3, 3 folds) and, per fold, its state after the last member, before scoring.
    private func trainKeepingScoredStates(_ config: GraphTrainingConfig, _ data: TUDataset) throws -> (GraphTrainingSummary, [TrainingState]) {
        var trainer = GraphClassificationTrainer(config: config)
        var scored: [TrainingState] = []
        trainer.checkpoint = { state in
            if state.progress.members?.count == config.membersPerFold && state.model.isEmpty { scored.append(state) }
        }
        return (try trainer.train(data), scored)
    }

    /// Each fold's score equals the naive twin's on its members, and the saved mixed ensemble loads
    /// back with every member's configuration and predicts as the best fold's members do.
    private func checkMixedScoresAndSavedModel(_ result: GraphTrainingSummary, _ scored: [TrainingState], _ data: TUDataset) throws {
        let configs = result.memberConfigs
        let split = try StratifiedKFold(labels: data.labels, folds: 3, seed: SeedPurpose.foldSplit.seed(from: 3))
        XCTAssertEqual(scored.count, 3)
        for (k, state) in scored.enumerated() {
            let test = GraphBatch(split.splits[k].test.map { data.graphs[$0] })
            XCTAssertEqual(result.perFold[k], try naiveScore(configs, state.members, test).accuracy, "fold \(k + 1)")
        }
        let dir = try TestData.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("model.safetensors")
        try GCNCheckpoint.saveGraphModel(result.bestModel, config: result.modelConfig, memberConfigs: configs, dataset: "MUTAG", to: url)
        guard case .graphEnsemble(let loaded) = try GCNCheckpoint.load(from: url).model else {
            return XCTFail("expected an ensemble")
        }
        XCTAssertEqual(loaded.members.map(\.config), configs)
        let best = scored[result.bestFold - 1].members
        XCTAssertEqual(loaded.predict(data.graphs), try GraphEnsemble(configs, weights: best).predict(data.graphs))
    }

    /// A run of mixed families stopped inside a later family's member resumes bit for bit.
    func testResumingMidMixedFamiliesEqualsAnUninterruptedRun() throws {
        try resumeMidEnsemble(weightAverage: 0, rotate: true, families: [.gin])
    }

    /// The wl family: members with the WL readout and no convolution, scored with --conv's as the
    /// naive twin scores them, saved and loaded back as the same predictor; a run stopped inside a wl
    /// member resumes bit for bit.
    func testWLFamilyJoinsTheEnsembleAndResumes() throws {
        let data = try mutag()
        var mixed = config(ensemble: 2, rotate: true)
        mixed.ensembleFamilies = [.wl]
        mixed.wlIterations = 2
        let (result, scored) = try trainKeepingScoredStates(mixed, data)
        let configs = result.memberConfigs
        XCTAssertEqual(configs.map(\.wlReadout), [false, false, true, true])
        XCTAssertEqual(configs.map(\.layers), [3, 3, 0, 0])
        XCTAssertEqual(configs.map(\.inputReadout), [true, true, false, false])
        XCTAssertEqual(configs[2].wlIterations, 2)
        XCTAssertTrue(configs[2].wlNodeLabels)                     // MUTAG has node labels
        try checkMixedScoresAndSavedModel(result, scored, data)
        try resumeMidEnsemble(weightAverage: 0, rotate: true, families: [.wl])
    }

    func testBadEnsembleSizeIsRefused() throws {
        XCTAssertThrowsError(try GraphClassificationTrainer(config: config(ensemble: 0)).train(mutag()))
    }
}
