import XCTest
import Slate
@testable import SlateGraph

/// Finite-difference checks (Slate's `gradCheck`: central differences, h = 1e-2, on a random
/// projection of the output; pass when |analytic − numeric| ≤ 1e-3 + 1e-2·|numeric|) and
/// naive twins for every graph op.
final class GradientTests: XCTestCase {
    /// Three graphs of 4, 1 and 5 nodes (one isolated node, one asymmetric star made symmetric).
    let graphs: [Graph] = [
        Graph(nodeCount: 4, featureCount: 3, features: (0..<12).map { Float($0 % 5) - 2 },
              edges: [(0, 1), (1, 0), (1, 2), (2, 1), (2, 3), (3, 2), (0, 3), (3, 0)], label: 0),
        Graph(nodeCount: 1, featureCount: 3, features: [1, -1, 0.5], edges: [], label: 1),
        Graph(nodeCount: 5, featureCount: 3, features: (0..<15).map { Float($0 % 7) * 0.3 - 1 },
              edges: [(0, 1), (1, 0), (0, 2), (2, 0), (0, 3), (3, 0), (3, 4), (4, 3)], label: 1),
    ]

    func random(_ shape: [Int], seed: UInt64) -> Tensor {
        var rng = RandomGenerator(seed: seed)
        let t = Tensor.uniform(shape, low: -1, high: 1, generator: &rng)
        t.requiresGrad = true
        return t
    }

    func assertPasses(_ r: GradCheckResult, _ what: String, line: UInt = #line) {
        XCTAssertTrue(r.passed, "\(what): \(r)", line: line)
    }

    func testSpMMForwardMatchesDenseTwin() {
        // A bigger random graph so the forward really splits over threads.
        var rng = RandomGenerator(seed: 3)
        let n = 600
        var edges: [(Int, Int)] = []
        for _ in 0..<3000 { let a = rng.nextInt(n), b = rng.nextInt(n); if a != b { edges += [(a, b), (b, a)] } }
        let g = Graph(nodeCount: n, featureCount: 1, features: [Float](repeating: 0, count: n), edges: edges)
        let x = Tensor.uniform([n, 8], low: -1, high: 1, generator: &rng)
        let saved = Threads.count
        Threads.count = 2
        defer { Threads.count = saved }
        for norm in AdjacencyNormalization.allCases {
            let a = g.normalizedAdjacency(norm)
            let fast = spmm(a, x).toArray()
            let slow = naiveSpMM(a, x.toArray(), featureCount: 8)
            for (u, v) in zip(fast, slow) { XCTAssertEqual(u, v, accuracy: 1e-5) }
        }
    }

    func testSpMMGradientBothNormalizations() {
        let batch = GraphBatch(graphs)
        for norm in AdjacencyNormalization.allCases {
            let a = batch.normalizedAdjacency(norm)
            XCTAssertEqual(a.isSymmetric, norm == .symmetric)
            let x = random([batch.nodeCount, 4], seed: 1)
            assertPasses(gradCheck([x]) { spmm(a, $0[0]) }, "spmm \(norm)")
        }
    }

    func testGCNLayerGradient() {
        let batch = GraphBatch(graphs)
        var rng = RandomGenerator(seed: 5)
        for (fin, fout) in [(3, 2), (3, 6)] {                  // both product orders
            let layer = GCNLayer(fin, fout, generator: &rng)
            let h = random([batch.nodeCount, fin], seed: 9)
            for norm in AdjacencyNormalization.allCases {
                let a = batch.normalizedAdjacency(norm)
                assertPasses(gradCheck([h, layer.weight, layer.bias!]) { _ in layer(h, adjacency: a) }, "gcn \(fin)->\(fout) \(norm)")
                // Against the dense formula Â H W + b.
                let dense = Tensor(a.dense(), shape: [a.rows, a.cols])
                let expected = dense.matmul(h).matmul(layer.weight) + layer.bias!
                for (u, v) in zip(layer(h, adjacency: a).toArray(), expected.toArray()) { XCTAssertEqual(u, v, accuracy: 1e-5) }
            }
        }
    }

    func testSumMeanPoolingGradientsAndValues() {
        let start: [Int32] = [0, 4, 4, 5, 10]                  // includes an empty graph
        let x = random([10, 3], seed: 2)
        assertPasses(gradCheck([x]) { GraphPooling.sum($0[0], graphStart: start) }, "sum")
        assertPasses(gradCheck([x]) { GraphPooling.mean($0[0], graphStart: start) }, "mean")
        let m = GraphPooling.mean(x, graphStart: start).toArray()
        let v = x.toArray()
        for j in 0..<3 {
            XCTAssertEqual(m[j], (0..<4).map { v[$0 * 3 + j] }.reduce(0, +) / 4, accuracy: 1e-6)
            XCTAssertEqual(m[3 + j], 0)                        // empty graph reads out 0
            XCTAssertEqual(m[6 + j], v[12 + j], accuracy: 1e-7)
        }
    }

    func testMaxPoolingGradientAndTies() {
        let start: [Int32] = [0, 3, 7]
        // Distinct values at least 0.1 apart so the h = 1e-2 probes never swap the arg-max.
        var values = (0..<14).map { Float($0) * 0.13 }
        var rng = SplitMix64(seed: 4)
        rng.shuffle(&values)
        let x = Tensor(values, shape: [7, 2], requiresGrad: true)
        assertPasses(gradCheck([x]) { GraphPooling.max($0[0], graphStart: start) }, "max")
        // Ties: graph 0 has its maximum 5 at nodes 0 and 2 (feature 0); the gradient goes to node 0.
        let tied = Tensor([5, 1, 2, 1, 5, 1, 3, 3, 3, 3], shape: [5, 2], requiresGrad: true)
        let out = GraphPooling.max(tied, graphStart: [0, 3, 5])
        XCTAssertEqual(out.toArray(), [5, 1, 3, 3])
        out.sumAll().backward()
        XCTAssertEqual(tied.grad!.toArray(), [1, 1, 0, 0, 0, 0, 1, 1, 0, 0])
    }

    func testSegmentSoftmaxGradientAndNormalisation() {
        let start: [Int32] = [0, 3, 4, 8]
        let s = random([8, 1], seed: 11)
        assertPasses(gradCheck([s]) { GraphPooling.segmentSoftmax($0[0], graphStart: start) }, "segment softmax")
        let a = GraphPooling.segmentSoftmax(s, graphStart: start).toArray()
        XCTAssertEqual(a[0..<3].reduce(0, +), 1, accuracy: 1e-6)
        XCTAssertEqual(a[3], 1, accuracy: 1e-7)                // a one-node graph puts all weight on it
        XCTAssertEqual(a[4..<8].reduce(0, +), 1, accuracy: 1e-6)
        // Large scores must not overflow (max is subtracted).
        let big = GraphPooling.segmentSoftmax(Tensor([1000, 1000], shape: [2, 1]), graphStart: [0, 2]).toArray()
        XCTAssertEqual(big, [0.5, 0.5])
    }

    func testWeightedSumAndAttentionReadoutGradients() {
        let start: [Int32] = [0, 2, 6]
        let w = random([6, 1], seed: 12), x = random([6, 3], seed: 13)
        assertPasses(gradCheck([w, x]) { GraphPooling.weightedSum($0[0], $0[1], graphStart: start) }, "weighted sum")
        var rng = RandomGenerator(seed: 14)
        let readout = Readout(.attention, width: 3, generator: &rng)
        // Push the transform's bias away from the relu kink for the finite differences.
        for i in 0..<3 { readout.transform!.bias!.pointer[i] = 2 }
        XCTAssertEqual(readout.namedParameters().map { $0.0 }, ["gate.weight", "gate.bias", "nn.weight", "nn.bias"])
        let params = [x] + readout.parameters()
        assertPasses(gradCheck(params) { _ in readout(x, graphStart: start) }, "attention readout")
    }

    func testSparseInputGCNLayerAndSparseDropout() {
        // X W as an SpMM with a sparse constant X: the gradient reaches W through Xᵀ·dOut.
        var rng = RandomGenerator(seed: 31)
        let batch = GraphBatch(graphs)
        let dense = (0..<(batch.nodeCount * 6)).map { i -> Float in i % 4 == 0 ? Float(i % 7) / 7 : 0 }
        let x = SparseMatrix(dense: dense, rows: batch.nodeCount, cols: 6)
        XCTAssertEqual(x.dense(), dense)
        XCTAssertFalse(x.isSymmetric)
        let layer = GCNLayer(6, 3, generator: &rng)
        let a = batch.normalizedAdjacency()
        assertPasses(gradCheck([layer.weight, layer.bias!]) { _ in layer(sparseInput: x, adjacency: a) }, "sparse-input gcn")
        let expected = layer(Tensor(dense, shape: [batch.nodeCount, 6]), adjacency: a).toArray()
        for (u, v) in zip(layer(sparseInput: x, adjacency: a).toArray(), expected) { XCTAssertEqual(u, v, accuracy: 1e-5) }
        // Sparse dropout keeps the structure, zeroes about p of the values and scales the rest.
        let big = SparseMatrix(dense: [Float](repeating: 1, count: 4000), rows: 40, cols: 100)
        let dropped = big.droppingOut(p: 0.5, generator: &rng)
        XCTAssertEqual(dropped.columns, big.columns)
        XCTAssertTrue(dropped.values.allSatisfy { $0 == 0 || $0 == 2 })
        XCTAssertEqual(Double(dropped.values.filter { $0 == 2 }.count) / 4000, 0.5, accuracy: 0.04)
    }
}
