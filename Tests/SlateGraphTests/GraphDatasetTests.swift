import Slate
import SlateGraph
import XCTest

/// Your own graphs in memory, trained by the same cross-validating trainer as the TU files.
final class GraphDatasetTests: XCTestCase {
    /// Class 1: cycles; class 0: paths (one edge fewer). Node features are the one-hot degree
    /// (1 or 2), as TU datasets without node labels get: a path has two ends, a cycle none.
    static func shapes() throws -> GraphDataset {
        var graphs: [Graph] = []
        for n in 4...13 {
            let ring = (0..<n).map { ($0, ($0 + 1) % n) }
            for label in [0, 1] {
                let edges = label == 1 ? ring : Array(ring.dropLast())
                for _ in 0..<2 {
                    let features: [[Float]] = (0..<n).map { i in
                        label == 0 && (i == 0 || i == n - 1) ? [1, 0] : [0, 1]   // one-hot degree
                    }
                    graphs.append(try GraphDataset.graph(nodeFeatures: features, edges: edges, label: label))
                }
            }
        }
        return try GraphDataset(name: "rings-and-paths", graphs: graphs)
    }

    func testTrainerLearnsInMemoryGraphs() throws {
        let data = try Self.shapes()
        XCTAssertEqual(data.classCount, 2)
        XCTAssertEqual(data.graphs.count, 40)
        XCTAssertEqual(data.graphs[0].edgeCount, 2 * 3)             // path of 4 nodes, both directions
        var config = GraphTrainingConfig()
        config.folds = 4
        config.epochs = 60
        config.hidden = 16
        config.batchSize = 8
        config.dropout = 0
        config.seed = 1
        let result = try GraphClassificationTrainer(config: config).train(data)
        XCTAssertEqual(result.perFold.count, 4)
        let mean = result.perFold.reduce(0, +) / Double(result.perFold.count)
        XCTAssertGreaterThanOrEqual(mean, 0.9, "per fold: \(result.perFold)")
    }

    func testBadGraphsAreRefusedWithAMessage() {
        XCTAssertThrowsError(try GraphDataset.graph(nodeFeatures: [[1], [1]], edges: [(0, 2)], label: 0)) {
            XCTAssertTrue("\($0)".contains("outside 0..<2"), "\($0)")
        }
        XCTAssertThrowsError(try GraphDataset.graph(nodeFeatures: [[1], [1, 2]], edges: [], label: 0))
        XCTAssertThrowsError(try GraphDataset(graphs: []))
        let g = try! GraphDataset.graph(nodeFeatures: [[1]], edges: [], label: 0)
        XCTAssertThrowsError(try GraphDataset(graphs: [g, g]))      // one class only
    }
}
