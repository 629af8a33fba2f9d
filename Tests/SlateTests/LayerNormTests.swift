import Foundation
import XCTest
@testable import Slate

/// Fused layer norm: known values, a Double-precision naive twin, gradients with and without bias.
final class LayerNormTests: XCTestCase {
    func testKnownValues() {
        // numpy: (x - mean) / sqrt(var + 1e-5) for x = [1, 2, 3, 4] (biased variance), then * w + b
        let x = Tensor([1, 2, 3, 4], shape: [1, 4])
        let plain = x.layerNorm(weight: Tensor.ones([4]), bias: nil)
        assertClose(plain.toArray(), [-1.341_635_42, -0.447_211_81, 0.447_211_81, 1.341_635_42], tol: 1e-6)
        let affine = x.layerNorm(weight: Tensor([0.5, -1, 2, 1.5]), bias: Tensor([0.1, 0.2, -0.3, 0]))
        assertClose(affine.toArray(), [-0.570_817_71, 0.647_211_81, 0.594_423_61, 2.012_453_13], tol: 1e-6)
    }

    /// Naive twin in Double: the textbook formula, one row at a time.
    private func naive(_ x: Tensor, _ w: Tensor, _ b: Tensor?, eps: Double = 1e-5) -> [Float] {
        let c = x.shape.last!
        var out = [Float](repeating: 0, count: x.count)
        for r in 0..<(x.count / c) {
            let row = (0..<c).map { Double(x.pointer[r * c + $0]) }
            let m = row.reduce(0, +) / Double(c)
            let v = row.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(c)
            for j in 0..<c {
                let y = (row[j] - m) / (v + eps).squareRoot() * Double(w.pointer[j]) + Double(b?.pointer[j] ?? 0)
                out[r * c + j] = Float(y)
            }
        }
        return out
    }

    func testMatchesNaiveTwin() {
        for shape in [[768, 128], [2, 3, 21], [5, 3]] {
            let c = shape.last!
            let x = param(shape, seed: 41, low: -3, high: 5)
            let w = param([c], seed: 42, low: 0.5, high: 1.5), b = param([c], seed: 43)
            assertClose(x.layerNorm(weight: w, bias: b).toArray(), naive(x, w, b), tol: 2e-5)
            assertClose(x.layerNorm(weight: w, bias: nil).toArray(), naive(x, w, nil), tol: 2e-5)
        }
    }

    /// Second twin: the same formula composed from primitive ops, compared on values and on
    /// every gradient (x, weight, bias) after one backward pass with a random upstream gradient.
    func testMatchesComposedPrimitives() {
        let x = param([6, 40], seed: 53, low: -2, high: 3)
        let w = param([40], seed: 54, low: 0.5, high: 1.5), b = param([40], seed: 55)
        let g = param([6, 40], seed: 56).detached()
        let fused = x.layerNorm(weight: w, bias: b)
        fused.backward(g)
        let (gx, gw, gb) = (x.grad!.toArray(), w.grad!.toArray(), b.grad!.toArray())
        [x, w, b].forEach { $0.zeroGrad() }
        let centred = x - x.mean(axes: [-1], keepDims: true)                     // (N, C)
        let variance = (centred * centred).mean(axes: [-1], keepDims: true)      // (N, 1), biased
        let composed = centred / (variance + 1e-5).sqrt() * w + b
        composed.backward(g)
        assertClose(fused.toArray(), composed.toArray(), tol: 1e-5)
        assertClose(gx, x.grad!.toArray(), tol: 1e-4)
        assertClose(gw, w.grad!.toArray(), tol: 1e-5)
        assertClose(gb, b.grad!.toArray(), tol: 1e-5)
    }

    func testGradientsWithBias() {
        let x = param([4, 13], seed: 44, low: -2, high: 2)
        let w = param([13], seed: 45, low: 0.5, high: 1.5), b = param([13], seed: 46)
        assertGradients([x, w, b], step: 1e-2, atol: 2e-3) { $0[0].layerNorm(weight: $0[1], bias: $0[2]) }
    }

    func testGradientsWithoutBiasOnRank3() {
        let x = param([2, 3, 20], seed: 47, low: -2, high: 2)
        let w = param([20], seed: 48, low: 0.5, high: 1.5)
        assertGradients([x, w], step: 1e-2, atol: 2e-3) { $0[0].layerNorm(weight: $0[1], bias: nil) }
    }

    func testManyRowsTakeParallelPathAndReduceWeightGrads() {
        // 768 rows split over threads: dw and db must still be the sum over every row.
        let x = param([768, 128], seed: 49)
        let w = param([128], seed: 50), b = param([128], seed: 51)
        let g = param([768, 128], seed: 52)
        x.layerNorm(weight: w, bias: b).backward(g.detached())
        var db = [Double](repeating: 0, count: 128)
        for r in 0..<768 { for j in 0..<128 { db[j] += Double(g.pointer[r * 128 + j]) } }
        assertClose(b.grad!.toArray(), db.map { Float($0) }, tol: 1e-4)
    }
}
