import Foundation
import XCTest
import Slate
@testable import SlateGraph

/// `GraphClassifierConfig.degreeFeature` (a log(1 + degree) column appended to the node features)
/// and `layers = 0` with the input readout (the structure-agnostic model): each against a naive
/// twin written out here, and a run with both resumed from a checkpoint ends where an
/// uninterrupted one does.
final class GraphInputOptionsTests: XCTestCase {
    private func mutag() throws -> TUDataset { try TUDataset.load(name: "MUTAG", root: TestData.require(".")) }

    /// The twin: a model without the option, one column wider, fed [x, log(1 + degree)] built from
    /// `Graph.degrees` here. Same seed and same shapes, so the same weights: the logits must agree
    /// exactly, in training mode (same dropout stream) and in evaluation mode.
    func testDegreeFeatureIsAnExplicitLogDegreeColumn() throws {
        let data = try mutag()
        let graphs = Array(data.graphs.prefix(12))
        let f = data.featureCount
        let withOption = GraphClassifier(GraphClassifierConfig(inputFeatures: f, classes: 2, layers: 2, hidden: 6,
                                                               inputReadout: true, degreeFeature: true), seed: 5)
        let twin = GraphClassifier(GraphClassifierConfig(inputFeatures: f + 1, classes: 2, layers: 2, hidden: 6,
                                                         inputReadout: true), seed: 5)
        let widened = graphs.map { g in
            let degrees = g.degrees
            var rows: [Float] = []
            for i in 0..<g.nodeCount {
                rows += g.features[(i * f)..<((i + 1) * f)]
                rows.append(Float(log(1 + Double(degrees[i]))))
            }
            return g.with(features: rows, featureCount: f + 1)
        }
        XCTAssertTrue(widened.contains { g in g.degrees.contains { $0 > 1 } }, "degrees must vary for the check to mean anything")
        XCTAssertTrue(Dictionary(withOption.namedState())["gcn.0.weight"]!.shape.contains(f + 1))
        for training in [true, false] {
            if training { withOption.train(); twin.train() } else { withOption.eval(); twin.eval() }
            var r1 = RandomGenerator(seed: 8), r2 = RandomGenerator(seed: 8)
            let got = withOption(GraphBatch(graphs), generator: &r1).toArray()
            let expected = twin(GraphBatch(widened), generator: &r2).toArray()
            XCTAssertEqual(got, expected, "training: \(training)")
        }
        // A saved configuration without the key (written before it existed) reads as off.
        var json = String(decoding: try JSONEncoder().encode(withOption.config), as: UTF8.self)
        XCTAssertEqual(try JSONDecoder().decode(GraphClassifierConfig.self, from: Data(json.utf8)).degreeFeature, true)
        json = json.replacingOccurrences(of: "\"degreeFeature\":true,", with: "").replacingOccurrences(of: ",\"degreeFeature\":true", with: "")
        XCTAssertFalse(json.contains("degreeFeature"))
        XCTAssertEqual(try JSONDecoder().decode(GraphClassifierConfig.self, from: Data(json.utf8)).degreeFeature, false)
    }

    /// No convolution: logits = W₂ relu(W₁ (W₀ BN(Σ_i x_i) + b₀) + b₁) + b₂ (evaluation mode), the
    /// same whatever the edges are.
    func testNoConvolutionIsTheInputReadoutThroughTheHead() throws {
        let data = try mutag()
        let config = GraphClassifierConfig(inputFeatures: data.featureCount, classes: 2, layers: 0, hidden: 7, inputReadout: true)
        let model = GraphClassifier(config, seed: 2)
        XCTAssertTrue(model.convolutions.isEmpty)
        var rng = RandomGenerator(seed: 0)
        _ = model(GraphBatch(Array(data.graphs.prefix(20))), generator: &rng)       // moves the running statistics
        model.eval()
        let graphs = Array(data.graphs.suffix(5))
        let batch = GraphBatch(graphs)
        let x = Tensor(batch.features, shape: [batch.nodeCount, batch.featureCount])
        let expected = model.head2(model.head1(model.inputHead!(GraphPooling.sum(x, graphStart: batch.graphStart))).relu()).toArray()
        XCTAssertEqual(model(batch, generator: &rng).toArray(), expected)
        // The same nodes joined in a path instead of their own edges: the same logits.
        let rewired = try graphs.map { g in
            try GraphDataset.graph(nodeFeatures: (0..<g.nodeCount).map { Array(g.features[($0 * g.featureCount)..<(($0 + 1) * g.featureCount)]) },
                                   edges: (1..<g.nodeCount).map { ($0 - 1, $0) }, label: g.label!)
        }
        XCTAssertEqual(model(GraphBatch(rewired), generator: &rng).toArray(), expected)
    }

    /// The summary keeps what chose each fold's epoch: the validation accuracy at that epoch, the
    /// best of the fold's epochs (a figure to compare configurations by without the test folds).
    func testSummaryKeepsEachFoldsValidationAccuracyAtItsChosenEpoch() throws {
        var config = GraphTrainingConfig()
        config.folds = 3; config.epochs = 5; config.hidden = 8; config.inputReadout = true; config.seed = 1
        let result = try GraphClassificationTrainer(config: config).train(try mutag())
        XCTAssertEqual(result.perFoldValidation.count, 3)
        for k in 0..<3 {
            let fold = result.records.filter { $0.fold == k + 1 }
            let chosen = try XCTUnwrap(fold.first { $0.epoch == result.chosenEpochs[k] })
            XCTAssertEqual(result.perFoldValidation[k], chosen.validationAccuracy)
            XCTAssertEqual(result.perFoldValidation[k], fold.map(\.validationAccuracy).max())
            XCTAssertEqual(result.perFold[k], chosen.testAccuracy)
        }
        XCTAssertEqual(result.validationMean, result.perFoldValidation.reduce(0, +) / 3, accuracy: 1e-12)
    }

    func testNoConvolutionWithoutTheInputReadoutIsRefused() throws {
        var config = GraphTrainingConfig()
        config.layers = 0; config.folds = 3; config.epochs = 1
        XCTAssertThrowsError(try GraphClassificationTrainer(config: config).train(try mutag())) { error in
            XCTAssertTrue("\(error)".contains("input readout"), "\(error)")
        }
    }

    /// The degree column and the convolution-free model hold no state of their own beyond the
    /// weights, so a run resumed from a checkpoint inside a fold equals one never stopped.
    func testResumingWithTheseOptionsEqualsAnUninterruptedRun() throws {
        let data = try mutag()
        for layers in [0, 2] {
            var config = GraphTrainingConfig()
            config.folds = 3; config.epochs = 4; config.hidden = 8; config.layers = layers; config.checkpointEvery = 2
            config.inputReadout = true; config.degreeFeature = true; config.seed = 4
            var trainer = GraphClassificationTrainer(config: config)
            var states: [(progress: TrainingState.Progress, bytes: Data)] = []
            trainer.checkpoint = { states.append(($0.progress, try $0.encode(metadata: [:]))) }
            let reference = try trainer.train(data)
            let inside = try XCTUnwrap(states.firstIndex { $0.progress.unit == 1 && $0.progress.epoch == 2 })
            let (saved, _) = try TrainingState.decode(SafeTensors.decode(states[inside].bytes), path: "test")
            var again = GraphClassificationTrainer(config: config)
            var last = Data()
            again.checkpoint = { last = try $0.encode(metadata: [:]) }
            let resumed = try again.train(data, resumingFrom: saved)
            XCTAssertEqual(resumed.perFold, reference.perFold, "layers \(layers)")
            XCTAssertEqual(resumed.chosenEpochs, reference.chosenEpochs, "layers \(layers)")
            XCTAssertEqual(resumed.perFoldValidation, reference.perFoldValidation, "layers \(layers)")
            XCTAssertEqual(resumed.records.map(\.validationLoss), reference.records.suffix(resumed.records.count).map(\.validationLoss))
            XCTAssertEqual(last, states.last!.bytes, "layers \(layers)")
        }
    }
}
