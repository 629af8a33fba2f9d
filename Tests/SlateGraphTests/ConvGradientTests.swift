import Foundation
import XCTest
import Slate
@testable import SlateGraph

/// Finite-difference checks of GINConv, SAGEConv, GATConv and the fused attention ops, and the
/// naive dense twin of the attention. Slate's `gradCheck` runs the ops in Float with Double sums:
/// central differences with h = 1e-2, pass when |analytic − numeric| ≤ 1e-3 + 1e-2·|numeric|
/// (the worst ratio, ≤ 1 to pass, is printed).
final class ConvGradientTests: XCTestCase {
    /// Two graphs in one batch: a 5-cycle with a chord and a self loop, and a 3-node path plus an isolated node.
    let batch = GraphBatch([
        Graph(nodeCount: 5, featureCount: 4, features: (0..<20).map { Float(($0 * 7) % 11) * 0.2 - 1 },
              edges: [(0, 1), (1, 0), (1, 2), (2, 1), (2, 3), (3, 2), (3, 4), (4, 3), (4, 0), (0, 4), (0, 2), (2, 0), (3, 3)]),
        Graph(nodeCount: 4, featureCount: 4, features: (0..<16).map { Float(($0 * 5) % 9) * 0.25 - 1 },
              edges: [(0, 1), (1, 0), (1, 2), (2, 1)]),
    ])

    func x() -> Tensor { Tensor(batch.features, shape: [batch.nodeCount, 4], requiresGrad: true) }

    func check(_ inputs: [Tensor], _ what: String, step: Float = 1e-2, line: UInt = #line, _ f: @escaping () -> Tensor) {
        let r = gradCheck(inputs, step: step) { _ in f() }
        XCTAssertTrue(r.passed, "\(what): \(r)", line: line)
        print("gradcheck \(what): worst ratio \(r.worstRatio)")
    }

    func testEdgeSoftmaxAndAggregateGradients() {
        let a = batch.adjacency(.selfLoops)
        var rng = RandomGenerator(seed: 3)
        let src = Tensor.uniform([batch.nodeCount, 2], low: -1, high: 1, generator: &rng, requiresGrad: true)
        let dst = Tensor.uniform([batch.nodeCount, 2], low: -1, high: 1, generator: &rng, requiresGrad: true)
        check([src, dst], "edgeSoftmax") { edgeSoftmax(source: src, target: dst, support: a) }
        let w = Tensor.uniform([a.nonZeros, 2], low: -1, high: 1, generator: &rng, requiresGrad: true)
        let v = Tensor.uniform([batch.nodeCount, 6], low: -1, high: 1, generator: &rng, requiresGrad: true)
        check([w, v], "edgeAggregate") { edgeAggregate(weights: w, values: v, support: a) }
        // Every node's coefficients sum to one per head, the self loop included.
        let alpha = edgeSoftmax(source: src, target: dst, support: a).toArray()
        for i in 0..<a.rows {
            for h in 0..<2 {
                let sum = (Int(a.rowStart[i])..<Int(a.rowStart[i + 1])).map { alpha[$0 * 2 + h] }.reduce(0, +)
                XCTAssertEqual(sum, 1, accuracy: 1e-6)
            }
        }
    }

    func testAttentionMatchesDenseTwinOnBigGraphWithTwoThreads() {
        var rng = RandomGenerator(seed: 8)
        let n = 500
        var pairs = Set<[Int]>()                          // no multi-edges: the dense twin has one cell per pair
        for _ in 0..<2500 { let a = rng.nextInt(n), b = rng.nextInt(n); if a != b { pairs.formUnion([[a, b], [b, a]]) } }
        let edges = pairs.sorted { $0.lexicographicallyPrecedes($1) }.map { ($0[0], $0[1]) }
        let g = Graph(nodeCount: n, featureCount: 1, features: [Float](repeating: 0, count: n), edges: edges)
        let a = g.adjacency(.selfLoops)
        let (h, c) = (3, 4)
        let src = Tensor.uniform([n, h], low: -3, high: 3, generator: &rng)
        let dst = Tensor.uniform([n, h], low: -3, high: 3, generator: &rng)
        let v = Tensor.uniform([n, h * c], low: -1, high: 1, generator: &rng)
        let saved = Threads.count
        Threads.count = 2
        defer { Threads.count = saved }
        let alpha = edgeSoftmax(source: src, target: dst, support: a)
        let out = edgeAggregate(weights: alpha, values: v, support: a)
        let ref = naiveGATAttention(source: src.toArray(), target: dst.toArray(), values: v.toArray(), heads: h, support: a)
        XCTAssertLessThan(zip(alpha.toArray(), ref.alpha).map { abs($0 - $1) }.max()!, 1e-6)
        XCTAssertLessThan(zip(out.toArray(), ref.out).map { abs($0 - $1) }.max()!, 1e-5)
    }

    func testGINConvGradients() {
        var rng = RandomGenerator(seed: 5)
        for trainEps in [false, true] {
            let conv = GINConv(4, 5, eps: trainEps ? 0.3 : 0, trainEps: trainEps, generator: &rng)
            let h = x(), a = batch.adjacency(conv.adjacencyKind)
            var drop = RandomGenerator(seed: 1)
            // Evaluation first, while the running statistics are PyTorch's initial 0 and 1. h = 1e-3 here:
            // with h = 1e-2 a probe of the first weight moves a pre-ReLU value across 0 (worst ratio 20).
            for mode in [false, true] {
                conv.train(mode)
                check([h] + conv.parameters(), "gin eps \(trainEps ? "learned" : "fixed") \(mode ? "train" : "eval")", step: 1e-3) {
                    conv.forward(h, adjacency: a, generator: &drop)
                }
            }
        }
    }

    func testSAGEConvGradientsBothOrders() {
        var rng = RandomGenerator(seed: 6)
        for out in [2, 7] {
            let conv = SAGEConv(4, out, generator: &rng)
            let h = x(), a = batch.adjacency(conv.adjacencyKind)
            var drop = RandomGenerator(seed: 1)
            check([h] + conv.parameters(), "sage 4->\(out)") { conv.forward(h, adjacency: a, generator: &drop) }
        }
    }

    func testGATConvGradientsAndDropout() {
        var rng = RandomGenerator(seed: 7)
        for concat in [true, false] {
            let conv = GATConv(4, 3, heads: 2, concat: concat, dropout: 0.5, generator: &rng)
            for i in 0..<conv.bias!.count { conv.bias!.pointer[i] = Float(i) * 0.1 }
            let h = x(), a = batch.adjacency(conv.adjacencyKind)
            conv.eval()
            var drop = RandomGenerator(seed: 1)
            check([h] + conv.parameters(), "gat concat \(concat)") { conv.forward(h, adjacency: a, generator: &drop) }
            // In training the coefficients are dropped: a fixed generator state gives a fixed mask,
            // so finite differences still apply, and the output differs from evaluation.
            conv.train()
            let seed = RandomGenerator(seed: 2)
            check([h] + conv.parameters(), "gat concat \(concat) attention dropout") {
                var g = seed
                return conv.forward(h, adjacency: a, generator: &g)
            }
            var g = seed
            let trained = conv.forward(h, adjacency: a, generator: &g).toArray()
            conv.eval()
            XCTAssertNotEqual(trained, conv.forward(h, adjacency: a, generator: &g).toArray())
        }
    }

    /// Every graph layer's graph is freed once a step is over: after a warm-up, repeated training
    /// steps take all their buffers from the storage pool and allocate nothing new. A backward
    /// closure that captured its own op's output would form a cycle (the output owns the closure
    /// through its GradFn), each step would leak its graph, and the pool would keep missing.
    func testTrainingStepsLeakNoGraph() {
        var rng = RandomGenerator(seed: 5)
        let convs: [any GraphConvolution] = [
            GCNLayer(4, 3, generator: &rng),
            GINConv(4, 3, generator: &rng),
            SAGEConv(4, 3, generator: &rng),
            GATConv(4, 3, heads: 2, dropout: 0.5, generator: &rng),
        ]
        for conv in convs {
            let adjacency = batch.adjacency(conv.adjacencyKind)
            var drop = RandomGenerator(seed: 1)
            func step() { conv.forward(x(), adjacency: adjacency, generator: &drop).sumAll().backward() }
            for _ in 0..<3 { step() }
            let missesBefore = StoragePool.shared.misses
            for _ in 0..<20 { step() }
            XCTAssertEqual(StoragePool.shared.misses, missesBefore,
                           "\(type(of: conv)): 20 steps allocated new storage, so some step's graph outlived it")
        }
    }

    func testGATSparseInputEqualsDenseInput() {
        var rng = RandomGenerator(seed: 10)
        let conv = GATConv(6, 3, heads: 2, generator: &rng)
        conv.eval()
        let dense = (0..<(batch.nodeCount * 6)).map { i -> Float in i % 3 == 0 ? Float(i % 5) / 5 : 0 }
        let x = SparseMatrix(dense: dense, rows: batch.nodeCount, cols: 6)
        let a = batch.adjacency(conv.adjacencyKind)
        var g = RandomGenerator(seed: 0)
        let fromDense = conv.forward(Tensor(dense, shape: [batch.nodeCount, 6]), adjacency: a, generator: &g)
        fromDense.sumAll().backward()
        let denseGrad = conv.lin.weight.grad!.toArray()
        conv.zeroGrad()
        let fromSparse = conv.forward(sparseInput: x, adjacency: a, generator: &g)
        fromSparse.sumAll().backward()
        for (u, v) in zip(fromSparse.toArray(), fromDense.toArray()) { XCTAssertEqual(u, v, accuracy: 1e-5) }
        for (u, v) in zip(conv.lin.weight.grad!.toArray(), denseGrad) { XCTAssertEqual(u, v, accuracy: 1e-5) }
    }

    func testELUGradient() {
        var rng = RandomGenerator(seed: 9)
        let t = Tensor.uniform([20], low: -2, high: 2, generator: &rng, requiresGrad: true)
        check([t], "elu") { t.elu() }
        XCTAssertEqual(Tensor([-1, 0, 2]).elu().toArray()[0], Float(Foundation.exp(-1.0) - 1), accuracy: 1e-6)
    }
}
