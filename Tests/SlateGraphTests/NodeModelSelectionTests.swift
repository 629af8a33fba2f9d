import Foundation
import Slate
import SlateGraph
import XCTest

/// `NodeTrainingConfig.restoreBest` (the GAT paper's recipe): the reported test accuracy is the
/// one of the epoch with the best validation accuracy (lower loss on ties), and training stops
/// `patience` epochs after both the best accuracy and the lowest validation loss.
final class NodeModelSelectionTests: XCTestCase {
    /// Two communities of 30 nodes (ring + chords inside, a few edges across), noisy features.
    static func communities() throws -> NodeDataset {
        var rng = RandomGenerator(seed: 5)
        let n = 60
        let labels = (0..<n).map { $0 < 30 ? 0 : 1 }
        var edges: [(Int, Int)] = []
        for c in 0..<2 { for i in 0..<30 { edges.append((30 * c + i, 30 * c + (i + 1) % 30)); edges.append((30 * c + i, 30 * c + (i + 7) % 30)) } }
        for i in stride(from: 0, to: 30, by: 6) { edges.append((i, 30 + (i + 3) % 30)) }
        let x: [[Float]] = labels.map { y in (0..<4).map { k in Float(k == y ? 0.6 : 0) + rng.nextFloat() } }
        let g = try GraphDataset.graph(nodeFeatures: x, edges: edges, label: 0)
        let train = [0, 1, 2, 30, 31, 32], val = Array(3..<10) + Array(33..<40)
        return NodeDataset(name: "communities", graph: g, labels: labels, classCount: 2, trainNodes: train,
                           validationNodes: val, testNodes: Array(10..<30) + Array(40..<60))
    }

    func testRestoreBestReportsTheValidationChosenEpoch() throws {
        var config = NodeTrainingConfig.reference(.gat)
        (config.hidden, config.heads, config.epochs, config.patience, config.seeds) = (4, 2, 300, 15, 2)
        var records: [NodeEpochRecord] = []
        let result = try NodeClassificationTrainer(config: config).train(try Self.communities()) { event in
            if case .epoch(let r) = event { records.append(r) }
        }
        for run in 1...2 {
            let mine = records.filter { $0.run == run }
            let best = mine.max { ($0.validationAccuracy, -$0.validationLoss) < ($1.validationAccuracy, -$1.validationLoss) }!
            XCTAssertEqual(result.perRun[run - 1], best.testAccuracy, "seed \(run)")
            XCTAssertEqual(result.epochsRun[run - 1], best.epoch, "seed \(run)")
            let lowest = mine.min { $0.validationLoss < $1.validationLoss }!
            let last = mine.last!.epoch
            if last < config.epochs { XCTAssertEqual(last, max(best.epoch, lowest.epoch) + config.patience, "seed \(run)") }
        }
    }
}
