import XCTest
@testable import SlateGraph

/// Batching and adjacency normalisation against dense references.
final class GraphBatchTests: XCTestCase {
    /// Path 0-1-2 plus an isolated node 3.
    let path = Graph(nodeCount: 4, featureCount: 1, features: [1, 2, 3, 4], edges: [(0, 1), (1, 0), (1, 2), (2, 1)], label: 0)
    let pair = Graph(nodeCount: 2, featureCount: 1, features: [5, 6], edges: [(1, 0), (0, 1)], label: 1)

    func testSymmetricNormalizationMatchesDenseFormula() {
        let a = path.normalizedAdjacency(.symmetric)
        XCTAssertTrue(a.isSymmetric)
        // Degrees of A + I: 2, 3, 2, 1.
        let d: [Float] = [2, 3, 2, 1]
        var expected = [Float](repeating: 0, count: 16)
        for (i, j) in [(0, 0), (1, 1), (2, 2), (3, 3), (0, 1), (1, 0), (1, 2), (2, 1)] {
            expected[i * 4 + j] = 1 / (d[i] * d[j]).squareRoot()
        }
        for (x, y) in zip(a.dense(), expected) { XCTAssertEqual(x, y, accuracy: 1e-6) }
    }

    func testRowNormalizationAndTranspose() {
        let a = path.normalizedAdjacency(.row)
        XCTAssertFalse(a.isSymmetric)
        let dense = a.dense()
        for r in 0..<4 { XCTAssertEqual(dense[r * 4..<r * 4 + 4].reduce(0, +), 1, accuracy: 1e-6) }
        XCTAssertEqual(dense[0 * 4 + 1], 0.5, accuracy: 1e-7)
        XCTAssertEqual(dense[1 * 4 + 0], 1.0 / 3, accuracy: 1e-7)
        let t = a.transposed.dense()
        for i in 0..<4 { for j in 0..<4 { XCTAssertEqual(t[i * 4 + j], dense[j * 4 + i]) } }
        XCTAssertTrue(a.transposed === a.transposed)   // computed once
    }

    func testExistingSelfLoopIsNotDoubled() {
        let g = Graph(nodeCount: 2, featureCount: 1, features: [0, 0], edges: [(0, 0), (0, 1), (1, 0)])
        let a = g.normalizedAdjacency(.row).dense()
        XCTAssertEqual(a, [0.5, 0.5, 0.5, 0.5])
    }

    func testBatchIsBlockDiagonal() {
        let batch = GraphBatch([path, pair, path])
        XCTAssertEqual(batch.graphCount, 3)
        XCTAssertEqual(batch.nodeCount, 10)
        XCTAssertEqual(batch.batch, [0, 0, 0, 0, 1, 1, 2, 2, 2, 2])
        XCTAssertEqual(batch.graphStart, [0, 4, 6, 10])
        XCTAssertEqual(batch.features, [1, 2, 3, 4, 5, 6, 1, 2, 3, 4])
        XCTAssertEqual(batch.labels, [0, 1, 0])
        let big = batch.normalizedAdjacency(.symmetric).dense()
        XCTAssertTrue(batch.normalizedAdjacency(.symmetric) === batch.normalizedAdjacency(.symmetric)) // cached
        let blocks = [(0, path.normalizedAdjacency().dense(), 4), (4, pair.normalizedAdjacency().dense(), 2),
                      (6, path.normalizedAdjacency().dense(), 4)]
        var expected = [Float](repeating: 0, count: 100)
        for (o, m, n) in blocks { for i in 0..<n { for j in 0..<n { expected[(o + i) * 10 + o + j] = m[i * n + j] } } }
        XCTAssertEqual(big, expected)
    }

    func testStratifiedKFold() throws {
        let labels = (0..<188).map { $0 < 125 ? 1 : 0 }
        let kf = try StratifiedKFold(labels: labels, folds: 10, seed: 42)
        XCTAssertEqual(kf.splits.count, 10)
        var tested = [Int]()
        for s in kf.splits {
            // Disjoint and complete.
            XCTAssertEqual(Set(s.train).count + Set(s.validation).count + Set(s.test).count, 188)
            XCTAssertEqual(Set(s.train + s.validation + s.test).count, 188)
            XCTAssertTrue(Set(s.test).isDisjoint(with: s.validation))
            tested += s.test
            // Stratified: 125/188 positives; each test fold of 18-19 samples has 12 or 13.
            let pos = s.test.filter { labels[$0] == 1 }.count
            XCTAssertTrue((12...13).contains(pos), "fold has \(pos) positives")
            XCTAssertTrue((18...19).contains(s.test.count))
        }
        XCTAssertEqual(tested.sorted(), Array(0..<188))            // every sample tested exactly once
        XCTAssertEqual(try StratifiedKFold(labels: labels, folds: 10, seed: 42).splits, kf.splits)
        XCTAssertNotEqual(try StratifiedKFold(labels: labels, folds: 10, seed: 7).splits, kf.splits)
        XCTAssertThrowsError(try StratifiedKFold(labels: labels, folds: 2, seed: 0))
    }
}
