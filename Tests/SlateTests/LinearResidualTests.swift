import XCTest
@testable import Slate

/// `x.linear(weight:bias:dropout:generator:addingTo:)`, the fused residual projection, against the
/// three ops it replaces and against finite differences.
final class LinearResidualTests: XCTestCase {
    private func bits(_ t: Tensor?) -> [UInt32] { t?.toArray().map(\.bitPattern) ?? [] }

    /// Same values, gradients and random draws as `residual + input.linear(…).dropout(…)`, bit for
    /// bit, with and without dropout, with and without bias. Dropout blocks are 8192 elements, so
    /// the 3×7×400 shape spans two seeds.
    func testMatchesTheUnfusedOpsBitForBit() {
        for (p, withBias) in [(Float(0), true), (0.3, true), (0.3, false), (1, true)] {
            let input = param([3, 7, 12], seed: 1), weight = param([400, 12], seed: 2)
            let bias = withBias ? param([400], seed: 3) : nil, residual = param([3, 7, 400], seed: 4)
            let g = Tensor.uniform([3, 7, 400], low: -1, high: 1)
            var fusedGenerator = RandomGenerator(seed: 9), plainGenerator = RandomGenerator(seed: 9)

            let fused = input.linear(weight: weight, bias: bias, dropout: p, generator: &fusedGenerator, addingTo: residual)
            fused.backward(g)
            let fusedGrads = [input, weight, residual].map { bits($0.grad) } + [bits(bias?.grad)]
            for t in [input, weight, residual] { t.zeroGrad() }
            bias?.zeroGrad()

            let projected = input.linear(weight: weight, bias: bias)
            let plain = residual + (p > 0 ? projected.dropout(p: p, training: true, generator: &plainGenerator) : projected)
            plain.backward(g)
            let plainGrads = [input, weight, residual].map { bits($0.grad) } + [bits(bias?.grad)]

            XCTAssertEqual(bits(fused), bits(plain), "p \(p), bias \(withBias): values")
            XCTAssertEqual(fusedGrads, plainGrads, "p \(p), bias \(withBias): gradients")
            XCTAssertEqual(fusedGenerator.next(), plainGenerator.next(), "p \(p): the same number of draws")
        }
    }

    func testGradientsMatchFiniteDifferences() {
        for p in [Float(0), 0.25] {
            let inputs = [param([2, 3, 5], seed: 11), param([4, 5], seed: 12), param([4], seed: 13), param([2, 3, 4], seed: 14)]
            assertGradients(inputs) { t in
                var generator = RandomGenerator(seed: 21)       // the same mask at every evaluation
                return t[0].linear(weight: t[1], bias: t[2], dropout: p, generator: &generator, addingTo: t[3])
            }
        }
    }
}
