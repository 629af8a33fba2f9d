import XCTest
import Slate
@testable import SlateGraph

/// Short trainings: the protocol (validation chooses, test never does), learning, checkpoints.
final class TrainerTests: XCTestCase {
    func testGraphCrossValidationChoosesOnValidationOnly() throws {
        let data = try TUDataset.load(name: "MUTAG", root: TestData.require("."))
        var config = GraphTrainingConfig()
        config.folds = 3; config.epochs = 15; config.hidden = 32
        var finished = 0
        let result = try GraphClassificationTrainer(config: config).train(data) { event in
            if case .foldFinished = event { finished += 1 }
        }
        XCTAssertEqual(finished, 3)
        XCTAssertEqual(result.perFold.count, 3)
        XCTAssertEqual(result.records.count, 45)
        for fold in 1...3 {
            let rows = result.records.filter { $0.fold == fold }
            // The chosen epoch is the best validation accuracy (lowest validation loss among ties) ...
            let best = rows.max { a, b in
                a.validationAccuracy < b.validationAccuracy
                    || (a.validationAccuracy == b.validationAccuracy && a.validationLoss > b.validationLoss)
            }!
            XCTAssertEqual(result.chosenEpochs[fold - 1], best.epoch)
            // ... and the reported test accuracy is the test accuracy of that epoch.
            XCTAssertEqual(result.perFold[fold - 1], best.testAccuracy)
            XCTAssertLessThan(rows.last!.trainLoss, rows.first!.trainLoss)
        }
        XCTAssertGreaterThan(result.mean, 0.6)
        // Sample standard deviation (n − 1), written out: √(Σ(x − x̄)² / (n − 1)).
        let n = Double(result.perFold.count), mean = result.perFold.reduce(0, +) / n
        XCTAssertEqual(result.std, (result.perFold.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / (n - 1)).squareRoot(), accuracy: 1e-12)
    }

    func testCheckpointRoundTripGivesSamePredictions() throws {
        let data = try TUDataset.load(name: "MUTAG", root: TestData.require("."))
        for pool in PoolingKind.allCases {
            let config = GraphClassifierConfig(inputFeatures: data.featureCount, classes: 2, layers: 2, hidden: 8, pool: pool)
            let model = GraphClassifier(config, seed: 5)
            let dir = try TestData.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: dir) }
            let url = dir.appendingPathComponent("m.safetensors")
            try GCNCheckpoint.saveGraphModel(model.namedParameters(), config: config, dataset: "MUTAG", to: url)
            let (loaded, meta) = try GCNCheckpoint.load(from: url)
            XCTAssertEqual(meta["task"], "graph")
            guard case .graph(let again) = loaded else { return XCTFail("expected a graph model") }
            XCTAssertEqual(again.config, config)
            XCTAssertEqual(again.predict(data.graphs), model.predict(data.graphs))
        }
    }

    func testKarateSemiSupervisedAndCoraOneSeed() throws {
        var config = NodeTrainingConfig()
        config.seeds = 2; config.normalizeFeatures = false
        let karate = try NodeClassificationTrainer(config: config).train(NodeDataset.karate(root: TestData.require(".")))
        XCTAssertEqual(karate.epochsRun, [200, 200])              // no validation set: no early stopping
        XCTAssertGreaterThan(karate.mean, 0.8)

        var cora = NodeTrainingConfig()
        cora.seeds = 1
        let result = try NodeClassificationTrainer(config: cora).train(NodeDataset.cora(root: TestData.require(".")))
        XCTAssertGreaterThan(result.perRun[0], 0.78)             // Kipf & Welling: 81.5 (mean over runs)
        XCTAssertLessThanOrEqual(result.epochsRun[0], 200)
        XCTAssertEqual(result.records.count, result.epochsRun[0])
    }
}
