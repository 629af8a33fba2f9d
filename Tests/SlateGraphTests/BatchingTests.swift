import XCTest
import Slate
@testable import SlateGraph

/// A batch of graphs must give every graph the same output as running it alone: the block-diagonal
/// adjacency keeps graphs apart and the readouts reduce within each graph.
final class BatchingTests: XCTestCase {
    func testBatchEqualsOneAtATimeForEveryPooling() throws {
        let data = try TUDataset.load(name: "MUTAG", root: TestData.require("."))
        let graphs = Array(data.graphs[0..<7])
        for pool in PoolingKind.allCases {
            let model = GraphClassifier(GraphClassifierConfig(inputFeatures: data.featureCount, classes: 2,
                                                              layers: 3, hidden: 16, pool: pool), seed: 1)
            var rng = RandomGenerator(seed: 0)
            model.eval()
            let batched = withNoGrad { model(GraphBatch(graphs), generator: &rng) }.toArray()  // (7, 2)
            for (i, g) in graphs.enumerated() {
                let alone = withNoGrad { model(GraphBatch([g]), generator: &rng) }.toArray()  // (1, 2)
                XCTAssertEqual(alone[0], batched[i * 2], accuracy: 1e-5, "\(pool) graph \(i)")
                XCTAssertEqual(alone[1], batched[i * 2 + 1], accuracy: 1e-5, "\(pool) graph \(i)")
            }
        }
    }

    func testClassifierGradientFlowsToEveryParameter() {
        let g = Graph(nodeCount: 3, featureCount: 2, features: [1, 0, 0, 1, 1, 1], edges: [(0, 1), (1, 0), (1, 2), (2, 1)], label: 1)
        for pool in PoolingKind.allCases {
            let model = GraphClassifier(GraphClassifierConfig(inputFeatures: 2, classes: 2, layers: 2, hidden: 4, pool: pool, dropout: 0), seed: 3)
            var rng = RandomGenerator(seed: 0)
            let batch = GraphBatch([g, g])
            model(batch, generator: &rng).crossEntropy(targets: [1, 1]).backward()
            let names = model.namedParameters().map { $0.0 }
            XCTAssertEqual(names.first, "gcn.0.weight")
            XCTAssertEqual(names.last, "head.1.bias")
            XCTAssertEqual(names.contains("pool.gate.weight"), pool == .attention)
            for (name, p) in model.namedParameters() { XCTAssertNotNil(p.grad, "\(pool): \(name) got no gradient") }
        }
    }
}
