import Foundation
import XCTest
import Slate
@testable import SlateRL

/// The fused RL losses against finite differences and against a naive evaluation of their
/// formulas.
final class PolicyLossTests: XCTestCase {
    private func logits(seed: UInt64 = 3) -> Tensor {
        var rng = RandomGenerator(seed: seed)
        return Tensor.uniform([5, 3], low: -1, high: 1, generator: &rng, requiresGrad: true)
    }

    /// Naive log-softmax of row `i`.
    private func logProbs(_ z: Tensor, row i: Int) -> [Double] {
        let a = z.shape[1]
        let xs = (0..<a).map { Double(z[i, $0]) }
        let m = xs.max()!
        let lse = m + Foundation.log(xs.map { Foundation.exp($0 - m) }.reduce(0, +))
        return xs.map { $0 - lse }
    }

    private let actions = [0, 2, 1, 1, 0]
    private let advantages: [Float] = [1.5, -0.7, 0.3, -2.0, 0.9]

    func testVanillaLossMatchesFormulaAndGradients() {
        let z = logits()
        let (loss, stats) = z.policyGradientLoss(actions: actions, oldLogProbs: [], advantages: advantages,
                                                 objective: .vanilla, entropyCoef: 0.01)
        var pg = 0.0, ent = 0.0
        for i in 0..<5 {
            let lp = logProbs(z, row: i)
            pg += -Double(advantages[i]) * lp[actions[i]]
            ent += -lp.reduce(0) { $0 + Foundation.exp($1) * $1 }
        }
        XCTAssertEqual(Double(loss.item()), pg / 5 - 0.01 * ent / 5, accuracy: 1e-5)
        XCTAssertEqual(Double(stats.entropy), ent / 5, accuracy: 1e-5)
        let r = gradCheck([z], step: 1e-2) {
            $0[0].policyGradientLoss(actions: self.actions, oldLogProbs: [], advantages: self.advantages,
                                     objective: .vanilla, entropyCoef: 0.01).loss
        }
        XCTAssertTrue(r.passed, "\(r)")
    }

    func testClippedSurrogateMatchesFormulaAndGradients() {
        let z = logits()
        // Old log-probs chosen so the ratios are 1.0, 1.6 (clipped for A > 0), 0.5, 1.1, 0.7.
        let targetRatios: [Double] = [1.0, 1.6, 0.5, 1.1, 0.7]
        let old = (0..<5).map { Float(logProbs(z, row: $0)[actions[$0]] - Foundation.log(targetRatios[$0])) }
        let (loss, stats) = z.policyGradientLoss(actions: actions, oldLogProbs: old, advantages: advantages,
                                                 objective: .clipped(epsilon: 0.2), entropyCoef: 0)
        var pg = 0.0, kl = 0.0
        for i in 0..<5 {
            let ratio = Foundation.exp(logProbs(z, row: i)[actions[i]] - Double(old[i]))
            let a = Double(advantages[i])
            pg += max(-a * ratio, -a * min(max(ratio, 0.8), 1.2))
            kl += (ratio - 1) - Foundation.log(ratio)
        }
        XCTAssertEqual(Double(loss.item()), pg / 5, accuracy: 1e-5)
        XCTAssertEqual(Double(stats.approxKL), kl / 5, accuracy: 1e-5)
        XCTAssertEqual(stats.clipFraction, 3.0 / 5.0, accuracy: 1e-6)   // 1.6, 0.5, 0.7 leave [0.8, 1.2]
        let r = gradCheck([z], step: 1e-3, atol: 1e-3, rtol: 2e-2) {
            $0[0].policyGradientLoss(actions: self.actions, oldLogProbs: old, advantages: self.advantages,
                                     objective: .clipped(epsilon: 0.2), entropyCoef: 0.05).loss
        }
        XCTAssertTrue(r.passed, "\(r)")
    }

    func testClippedValueLossMatchesFormulaAndGradients() {
        let v = Tensor([0.0, 1.0, 2.5, -1.0], shape: [4, 1], requiresGrad: true)
        let returns: [Float] = [1.0, 0.5, 2.0, 1.0]
        let old: [Float] = [0.5, 0.2, 2.0, -0.4]
        let loss = v.valueLoss(returns: returns, oldValues: old, clip: 0.2)
        var expected = 0.0
        for i in 0..<4 {
            let vi = Double(v.pointer[i]), o = Double(old[i]), r = Double(returns[i])
            let clipped = o + min(max(vi - o, -0.2), 0.2)
            expected += max((vi - r) * (vi - r), (clipped - r) * (clipped - r))
        }
        XCTAssertEqual(Double(loss.item()), 0.5 * expected / 4, accuracy: 1e-6)
        let r = gradCheck([v], step: 1e-3) { $0[0].valueLoss(returns: returns, oldValues: old, clip: 0.2) }
        XCTAssertTrue(r.passed, "\(r)")
        let plain = gradCheck([v], step: 1e-3) { $0[0].valueLoss(returns: returns) }
        XCTAssertTrue(plain.passed, "\(plain)")
    }

    func testTemporalDifferenceLossesMatchFormulaAndGradients() {
        let q = logits(seed: 9)
        let targets: [Float] = [0.2, 3.0, -0.5, 0.1, -2.0]
        for kind in TDLossKind.allCases {
            let loss = q.temporalDifferenceLoss(actions: actions, targets: targets, kind: kind)
            var expected = 0.0
            for i in 0..<5 {
                let e = Double(q[i, actions[i]] - targets[i])
                expected += kind == .mse ? e * e : (abs(e) < 1 ? 0.5 * e * e : abs(e) - 0.5)
            }
            XCTAssertEqual(Double(loss.item()), expected / 5, accuracy: 1e-5, "\(kind)")
            let r = gradCheck([q], step: 1e-3) {
                $0[0].temporalDifferenceLoss(actions: self.actions, targets: targets, kind: kind)
            }
            XCTAssertTrue(r.passed, "\(kind): \(r)")
        }
    }
}
