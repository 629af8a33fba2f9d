import Foundation
import XCTest
import Slate
@testable import SlateGraph

/// Standardised node features (statistics of the training graphs only), the input readout and
/// the readout BatchNorm of `GraphClassifier`.
final class FeatureStandardizerTests: XCTestCase {
    /// Graph i: `nodes` nodes with features [1, 0, v] (a one-hot pair and a continuous value).
    private func graph(_ values: [Float], label: Int) throws -> Graph {
        try GraphDataset.graph(nodeFeatures: values.map { [1, 0, $0] },
                               edges: (1..<values.count).map { ($0 - 1, $0) }, label: label)
    }

    func testFitStandardisesContinuousColumnsOnlyWithTheGivenGraphs() throws {
        let a = try graph([2, 4], label: 0), b = try graph([6, 8, 10], label: 1), c = try graph([1000, -1000], label: 0)
        let s = FeatureStandardizer(features: 3)
        s.fit([a, b])                                              // c is not seen
        // Column 2 over the 5 nodes of a and b: μ = 6, σ² = (16 + 4 + 0 + 4 + 16) / 5 = 8.
        XCTAssertEqual(s.mean.toArray(), [0, 0, 6])
        XCTAssertEqual(s.std.toArray()[2], Float(8).squareRoot(), accuracy: 1e-6)
        XCTAssertEqual(Array(s.std.toArray()[0..<2]), [1, 1])      // one-hot columns untouched
        let out = s(c.features)
        XCTAssertEqual(out[0], 1); XCTAssertEqual(out[1], 0)
        XCTAssertEqual(out[2], (1000 - 6) / Float(8).squareRoot(), accuracy: 1e-3)
        // A constant continuous column keeps σ = 1 instead of dividing by zero.
        let constant = FeatureStandardizer(features: 3)
        constant.fit([try graph([5, 5], label: 0)])
        XCTAssertEqual(constant.mean.toArray(), [0, 0, 5]); XCTAssertEqual(constant.std.toArray(), [1, 1, 1])
    }

    /// Every fold's model is standardised with the statistics of that fold's training graphs: not
    /// the whole dataset's, not training + validation. The continuous value grows with the graph
    /// index squared, so each subset of graphs has its own mean.
    func testTrainerUsesEachFoldsTrainingGraphsOnly() throws {
        let graphs = try (0..<30).map { i in try graph([Float(i * i), Float(i * i) + 1], label: i % 2) }
        let data = try GraphDataset(name: "squares", graphs: graphs)
        var config = GraphTrainingConfig()
        config.folds = 3; config.epochs = 1; config.hidden = 4; config.layers = 1; config.seed = 3
        XCTAssertTrue(config.standardizeFeatures, "standardisation is the default")
        let result = try GraphClassificationTrainer(config: config).train(data)
        let split = try StratifiedKFold(labels: graphs.map { $0.label! }, folds: 3, seed: SeedPurpose.foldSplit.seed(from: 3))
        let fold = split.splits[result.bestFold - 1]
        func columnMean(_ indices: [Int]) -> Float {
            let values = indices.flatMap { graphs[$0].features.enumerated().filter { $0.offset % 3 == 2 }.map(\.element) }
            return values.reduce(0, +) / Float(values.count)
        }
        let saved = Dictionary(result.bestModel)["standardize.mean"]!.toArray()[2]
        XCTAssertEqual(saved, columnMean(fold.train), accuracy: 1e-2)
        XCTAssertNotEqual(saved, columnMean(Array(0..<30)), accuracy: 1)
        XCTAssertNotEqual(saved, columnMean(fold.train + fold.validation), accuracy: 1)
    }

    func testInputReadoutAndReadoutNormJoinTheReadout() throws {
        let data = try TUDataset.load(name: "MUTAG", root: TestData.require("."))
        let config = GraphClassifierConfig(inputFeatures: data.featureCount, classes: 2, layers: 2, hidden: 5,
                                           pool: .sum, conv: .gin, jumpingKnowledge: true,
                                           standardizeFeatures: true, inputReadout: true, readoutNorm: true)
        let model = GraphClassifier(config, seed: 4)
        var rng = RandomGenerator(seed: 0)
        _ = model(GraphBatch(Array(data.graphs.prefix(30))), generator: &rng)   // moves the running statistics
        model.eval()
        let batch = GraphBatch(Array(data.graphs.suffix(6)))
        // Written out: r = W₀ BN(Σ_i x_i) + b₀ + Σ_l Σ_i h_i^l, then BN(r) → head.
        let x = Tensor(batch.features, shape: [batch.nodeCount, batch.featureCount])   // one-hot: standardising is the identity
        var r = model.inputHead!(GraphPooling.sum(x, graphStart: batch.graphStart))
        var h = x
        for conv in model.convolutions {
            h = conv.forward(h, adjacency: batch.adjacency(.sum), generator: &rng).relu()
            r = r + GraphPooling.sum(h, graphStart: batch.graphStart)
        }
        let expected = model.head2(model.head1(model.readoutNorm!(r)).relu()).toArray()
        let got = model(batch, generator: &rng).toArray()
        for (u, v) in zip(got, expected) { XCTAssertEqual(u, v, accuracy: 1e-4) }
        // The new state is saved under its checkpoint names.
        let names = Set(model.namedState().map(\.0))
        XCTAssertTrue(names.isSuperset(of: ["input_head.0.running_mean", "input_head.1.weight", "readout_norm.weight",
                                            "standardize.mean", "standardize.std"]))
    }
}
