import Foundation
import XCTest
@testable import Slate

/// Softmax and log-softmax: known values, a Double-precision naive twin, gradients on every axis.
final class SoftmaxTests: XCTestCase {
    /// Naive softmax along `axis` in Double, written with plain index arithmetic.
    private func naiveSoftmax(_ x: Tensor, axis: Int, log: Bool) -> [Float] {
        let a = normalizeAxis(axis, rank: x.rank)
        let outer = x.shape[..<a].reduce(1, *), n = x.shape[a], inner = x.shape[(a + 1)...].reduce(1, *)
        var out = [Float](repeating: 0, count: x.count)
        for o in 0..<outer {
            for i in 0..<inner {
                let idx = (0..<n).map { o * n * inner + $0 * inner + i }
                let v = idx.map { Double(x.pointer[$0]) }
                let m = v.max()!
                let lse = m + Foundation.log(v.reduce(0) { $0 + Foundation.exp($1 - m) })
                for (k, j) in idx.enumerated() { out[j] = Float(log ? v[k] - lse : Foundation.exp(v[k] - lse)) }
            }
        }
        return out
    }

    func testKnownValues() {
        // numpy: softmax([1, 2, 3]) and its log
        let x = Tensor([1, 2, 3])
        assertClose(x.softmax().toArray(), [0.090_030_57, 0.244_728_47, 0.665_240_96], tol: 1e-6)
        assertClose(x.logSoftmax().toArray(), [-2.407_605_96, -1.407_605_96, -0.407_605_96], tol: 1e-6)
        // Stable for large logits: same answer shifted by 1000.
        let big = Tensor([1000, 1001, 1002])
        assertClose(big.softmax().toArray(), [0.090_030_57, 0.244_728_47, 0.665_240_96], tol: 1e-6)
        // x − lse is rounded at x's magnitude (1 ulp at 1000 is 6.1e-5), as in PyTorch.
        let bigLog = big.logSoftmax().toArray().map { $0 / 1000 }
        assertClose(bigLog, [-0.002_407_606, -0.001_407_606, -0.000_407_606], tol: 1e-7)
        // A masked (−∞) entry gets probability 0.
        let masked = Tensor([0, -.infinity, 0]).softmax().toArray()
        XCTAssertEqual(masked, [0.5, 0, 0.5])
    }

    func testMatchesNaiveTwinOnEveryAxis() {
        let x = param([3, 5, 19], seed: 21, low: -6, high: 6)  // 19: vector body + scalar tail
        for axis in [-1, 0, 1, 2] {
            assertClose(x.softmax(axis: axis).toArray(), naiveSoftmax(x, axis: axis, log: false), tol: 1e-6)
            assertClose(x.logSoftmax(axis: axis).toArray(), naiveSoftmax(x, axis: axis, log: true), tol: 2e-6)
        }
        // Enough rows to take the multi-threaded path.
        let wide = param([768, 65], seed: 22, low: -5, high: 5)
        assertClose(wide.softmax().toArray(), naiveSoftmax(wide, axis: -1, log: false), tol: 1e-6)
        assertClose(wide.logSoftmax().toArray(), naiveSoftmax(wide, axis: -1, log: true), tol: 2e-6)
    }

    /// Composed twin: exp(x − max) / Σ exp(x − max) from primitive ops; values and gradients.
    func testMatchesComposedPrimitives() {
        let x = param([5, 23], seed: 24, low: -3, high: 3)
        let g = param([5, 23], seed: 25).detached()
        for log in [false, true] {
            let fused = log ? x.logSoftmax() : x.softmax()
            fused.backward(g)
            let fusedGrad = x.grad!.toArray()
            x.zeroGrad()
            let shifted = x - x.max(axis: -1, keepDims: true).detached()         // (N, V)
            let e = shifted.exp()
            let composed = log ? shifted - e.sum(axes: [-1], keepDims: true).log()
                               : e / e.sum(axes: [-1], keepDims: true)
            composed.backward(g)
            assertClose(fused.toArray(), composed.toArray(), tol: 1e-6)
            assertClose(fusedGrad, x.grad!.toArray(), tol: 1e-5)
            x.zeroGrad()
        }
    }

    func testGradients() {
        for (shape, axis) in [([4, 11], -1), ([2, 3, 4], 1), ([3, 4, 2], 0), ([2, 17], 1)] {
            let x = param(shape, seed: 23, low: -2, high: 2)
            assertGradients([x], step: 1e-2, atol: 1e-3, rtol: 1e-2) { $0[0].softmax(axis: axis) }
            assertGradients([x], step: 1e-2, atol: 1e-3, rtol: 1e-2) { $0[0].logSoftmax(axis: axis) }
        }
    }
}
