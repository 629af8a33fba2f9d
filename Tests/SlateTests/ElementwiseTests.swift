import XCTest
@testable import Slate

/// clamp, minimum/maximum (broadcasting, ties), abs, square, and the regression losses.
final class ElementwiseTests: XCTestCase {
    func testClampValuesAndGradient() {
        let x = Tensor([-2, -0.5, 0.3, 0.8, 3], requiresGrad: true)
        let y = x.clamp(min: -0.5, max: 0.8)
        XCTAssertEqual(y.toArray(), [-0.5, -0.5, 0.3, 0.8, 0.8])
        y.backward(Tensor.ones([5]))
        XCTAssertEqual(x.grad!.toArray(), [0, 1, 1, 1, 0], "bounds included, as PyTorch")
        XCTAssertEqual(Tensor([-3, 3]).clamp(min: 0).toArray(), [0, 3])
        XCTAssertEqual(Tensor([-3, 3]).clamp(max: 0).toArray(), [-3, 0])
        let r = Tensor([-1.7, -0.9, 0.1, 0.35, 1.2, 2.4], requiresGrad: true)  // none near a bound
        assertGradients([r], step: 1e-3) { $0[0].clamp(min: -1, max: 1) }
    }

    func testMinimumMaximumBroadcastAndTies() {
        let a = param([3, 4], seed: 101), b = param([4], seed: 102), c = param([3, 1], seed: 103)
        assertGradients([a, b]) { minimum($0[0], $0[1]) }
        assertGradients([a, c]) { maximum($0[0], $0[1]) }
        assertGradients([c, a]) { minimum($0[0], $0[1]) }
        let p = Tensor([1, 2, 4], requiresGrad: true), q = Tensor([1, 3, 0], requiresGrad: true)
        XCTAssertEqual(minimum(p, q).toArray(), [1, 2, 0])
        XCTAssertEqual(maximum(p, q).toArray(), [1, 3, 4])
        minimum(p, q).sumAll().backward()
        XCTAssertEqual(p.grad!.toArray(), [1, 1, 0], "tie goes to the first operand")
        XCTAssertEqual(q.grad!.toArray(), [0, 0, 1])
    }

    func testAbsAndSquare() {
        XCTAssertEqual(Tensor([-2, 0, 3]).abs().toArray(), [2, 0, 3])
        XCTAssertEqual(Tensor([-2, 0, 3]).square().toArray(), [4, 0, 9])
        let x = Tensor([-1.5, -0.4, 0.3, 2.2], requiresGrad: true)
        assertGradients([x]) { $0[0].abs() }
        assertGradients([x]) { $0[0].square() }
    }

    func testRegressionLossValues() {
        let p = Tensor([0, 2, -3, 0.5]), t = Tensor.zeros([4])
        // By hand: MSE (0 + 4 + 9 + 0.25)/4; Huber δ=1: (0 + 1.5 + 2.5 + 0.125)/4; δ=2: (0 + 2 + 4 + 0.125)/4
        XCTAssertEqual(mseLoss(p, t).item(), 3.3125, accuracy: 1e-6)
        XCTAssertEqual(huberLoss(p, t).item(), 1.031_25, accuracy: 1e-6)
        XCTAssertEqual(huberLoss(p, t, delta: 2).item(), 1.531_25, accuracy: 1e-6)
    }

    func testRegressionLossGradients() {
        let p = Tensor([0.2, 2.1, -3.3, 0.5, -0.7, 1.6], shape: [2, 3], requiresGrad: true)
        let t = Tensor([0.1, -0.2, 0.4, 0.3, 0.0, 1.0], shape: [2, 3], requiresGrad: true)
        assertGradients([p, t]) { mseLoss($0[0], $0[1]) }
        assertGradients([p, t], step: 1e-3) { huberLoss($0[0], $0[1]) }
        assertGradients([p, t], step: 1e-3) { huberLoss($0[0], $0[1], delta: 0.5) }
    }
}
