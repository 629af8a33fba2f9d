import Foundation
import Slate
import SlateGraph
import XCTest

/// Benchmarks/pyg/run_pyg.py rebuilds Slate's folds and feature standardisation in Python so PyG
/// trains on the same graphs with the same inputs. Its outputs are recorded once (the tests need
/// no PyTorch): Fixtures/pyg-script-folds.json with `run_pyg.py --print-folds MUTAG --seed S`,
/// Fixtures/pyg-script-standardization.json with `run_pyg.py --print-standardization NAME --seed 0`.
final class PyGScriptFoldTests: XCTestCase {
    private func fixture(_ name: String) -> URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/\(name)")
    }

    /// The script's test folds for MUTAG (seeds 0 and 1) must be exactly Slate's.
    func testTheScriptsFoldsAreSlates() throws {
        _ = try TestData.require("tu/MUTAG")
        let labels = try TUDataset.load(name: "MUTAG", root: TestData.root).labels
        let recorded = try JSONDecoder().decode([String: [String: [[Int]]]].self, from: Data(contentsOf: fixture("pyg-script-folds.json")))
        for (seed, folds) in recorded["MUTAG"]! {
            let split = try StratifiedKFold(labels: labels, folds: folds.count, seed: UInt64(seed)!)
            XCTAssertEqual(split.splits.map(\.test), folds, "seed \(seed)")
        }
    }

    /// Each fold's feature mean and std in the script must be `FeatureStandardizer.fit` on that
    /// fold's training graphs: PROTEINS' attribute column standardised with the same statistics
    /// (those of all graphs, or of training + validation, differ from them by 0.05–10 %, far
    /// beyond the 1e-5 tolerance), its one-hot label columns and every MUTAG column left as they
    /// are (μ = 0, σ = 1 exactly).
    func testTheScriptsStandardizationIsSlates() throws {
        struct Statistics: Decodable { let mean: [Float], std: [Float] }
        let recorded = try JSONDecoder().decode([String: [String: [Statistics]]].self,
                                                from: Data(contentsOf: fixture("pyg-script-standardization.json")))
        for name in ["PROTEINS", "MUTAG"] {
            _ = try TestData.require("tu/\(name)")
            let data = try TUDataset.load(name: name, root: TestData.root)
            for (seed, folds) in recorded[name]! {
                let split = try StratifiedKFold(labels: data.labels, folds: folds.count, seed: UInt64(seed)!)
                for (k, expected) in folds.enumerated() {
                    let slate = FeatureStandardizer(features: data.featureCount)
                    slate.fit(split.splits[k].train.map { data.graphs[$0] })
                    let (mean, std) = (slate.mean.toArray(), slate.std.toArray())
                    XCTAssertEqual(mean.count, expected.mean.count, "\(name) fold \(k)")
                    for c in 0..<min(mean.count, expected.mean.count) {
                        let what = "\(name) seed \(seed) fold \(k) column \(c)"
                        XCTAssertEqual(mean[c], expected.mean[c], accuracy: 1e-5 * max(1, abs(expected.mean[c])), what)
                        XCTAssertEqual(std[c], expected.std[c], accuracy: 1e-5 * expected.std[c], what)
                        if expected.mean[c] == 0 && expected.std[c] == 1 { XCTAssertEqual([mean[c], std[c]], [0, 1], what) }
                    }
                }
            }
        }
    }
}
