import Foundation
import Slate
import SlateGraph
import XCTest

/// Benchmarks/pyg/run_pyg.py rebuilds Slate's folds in Python so PyG trains on the same graphs:
/// its test folds for MUTAG (seeds 0 and 1), recorded in Fixtures/pyg-script-folds.json with
/// `run_pyg.py --print-folds MUTAG --seed S`, must be exactly Slate's.
final class PyGScriptFoldTests: XCTestCase {
    func testTheScriptsFoldsAreSlates() throws {
        _ = try TestData.require("tu/MUTAG")
        let labels = try TUDataset.load(name: "MUTAG", root: TestData.root).labels
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/pyg-script-folds.json")
        let recorded = try JSONDecoder().decode([String: [String: [[Int]]]].self, from: Data(contentsOf: url))
        for (seed, folds) in recorded["MUTAG"]! {
            let split = try StratifiedKFold(labels: labels, folds: folds.count, seed: UInt64(seed)!)
            XCTAssertEqual(split.splits.map(\.test), folds, "seed \(seed)")
        }
    }
}
