import Foundation
import XCTest
import Slate
@testable import SlateGraph

/// Graph and node classifiers built from every convolution: checkpoints rebuild the same model
/// (conv kind, GIN's running statistics), the jumping-knowledge readout is the sum of the
/// per-layer readouts, and short trainings learn.
final class ArchitectureTests: XCTestCase {
    func testGraphCheckpointRoundTripForEveryConv() throws {
        let data = try TUDataset.load(name: "MUTAG", root: TestData.require("."))
        for conv in ConvKind.allCases {
            let config = GraphClassifierConfig(inputFeatures: data.featureCount, classes: 2, layers: 2, hidden: 8,
                                               conv: conv, jumpingKnowledge: conv == .gin, heads: conv == .gat ? 2 : 1,
                                               trainEps: conv == .gin)
            let model = GraphClassifier(config, seed: 5)
            // One training-mode pass moves BatchNorm's running statistics away from 0 and 1.
            var rng = RandomGenerator(seed: 1)
            _ = model(GraphBatch(Array(data.graphs.prefix(40))), generator: &rng)
            let dir = try TestData.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: dir) }
            let url = dir.appendingPathComponent("m.safetensors")
            try GCNCheckpoint.saveGraphModel(model.namedState(), config: config, dataset: "MUTAG", to: url)
            guard case .graph(let again) = try GCNCheckpoint.load(from: url).model else { return XCTFail("expected a graph model") }
            XCTAssertEqual(again.config, config, "\(conv)")
            XCTAssertTrue(again.convolutions.allSatisfy { type(of: $0) == type(of: model.convolutions[0]) }, "\(conv)")
            let batch = GraphBatch(data.graphs)
            model.eval(); again.eval()
            XCTAssertEqual(withNoGrad { again(batch, generator: &rng).toArray() },
                           withNoGrad { model(batch, generator: &rng).toArray() }, "\(conv)")
        }
    }

    func testConfigsWithoutConvKeysLoadAsGCN() throws {
        let old = #"{"classes":2,"convolutionDropout":0.5,"dropout":0.5,"hidden":64,"inputFeatures":7,"layers":3,"normalization":"symmetric","pool":"sum"}"#
        let config = try JSONDecoder().decode(GraphClassifierConfig.self, from: Data(old.utf8))
        XCTAssertEqual(config.conv, .gcn)
        XCTAssertFalse(config.jumpingKnowledge)
        let node = #"{"bias":false,"classes":7,"dropout":0.5,"hidden":16,"inputFeatures":1433,"normalization":"symmetric","normalizeFeatures":true}"#
        XCTAssertEqual(try JSONDecoder().decode(GCNCheckpoint.NodeModelConfig.self, from: Data(node.utf8)).conv, .gcn)
    }

    func testJumpingKnowledgeSumsEveryLayersReadout() throws {
        let data = try TUDataset.load(name: "MUTAG", root: TestData.require("."))
        let config = GraphClassifierConfig(inputFeatures: data.featureCount, classes: 2, layers: 3, hidden: 6,
                                           pool: .mean, conv: .sage, jumpingKnowledge: true)
        let model = GraphClassifier(config, seed: 2)
        model.eval()
        let batch = GraphBatch(Array(data.graphs.prefix(5)))
        var rng = RandomGenerator(seed: 0)
        let a = batch.adjacency(.mean)
        var h = Tensor(batch.features, shape: [batch.nodeCount, batch.featureCount])
        var pooled = Tensor.zeros([5, 6])
        for conv in model.convolutions {
            h = conv.forward(h, adjacency: a, generator: &rng).relu()
            pooled = pooled + GraphPooling.mean(h, graphStart: batch.graphStart)
        }
        let expected = model.head2(model.head1(pooled).relu()).toArray()
        let got = model(batch, generator: &rng).toArray()
        for (u, v) in zip(got, expected) { XCTAssertEqual(u, v, accuracy: 1e-5) }
    }

    func testNodeClassifiersLearnKarateAndRoundTrip() throws {
        let karate = try NodeDataset.karate(root: TestData.require("."))
        for conv in ConvKind.allCases {
            var config = NodeTrainingConfig()
            config.seeds = 2; config.normalizeFeatures = false; config.conv = conv; config.epochs = 100
            if conv == .gat { config.hidden = 4; config.heads = 2 }
            let result = try NodeClassificationTrainer(config: config).train(karate)
            XCTAssertGreaterThan(result.mean, 0.7, "\(conv)")     // 2 labelled members, 32 tested
            let model = NodeClassifier(inputFeatures: karate.graph.featureCount, hidden: config.hidden, classes: 2,
                                       dropout: 0.5, conv: conv, heads: config.heads, seed: 0)
            try model.loadState(Dictionary(uniqueKeysWithValues: result.bestModel))
            XCTAssertGreaterThan(zip(model.predict(karate, normalizeFeatures: false), karate.labels)
                .filter { $0 == $1 }.count, 24, "\(conv)")
        }
    }
}
