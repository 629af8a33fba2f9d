import XCTest
@testable import Slate

/// Finite-difference checks of elementwise ops, including broadcasting.
final class ArithmeticGradTests: XCTestCase {
    let shapes: [([Int], [Int])] = [([3, 4], [3, 4]), ([3, 4], [4]), ([2, 3, 4], [3, 1]), ([1, 4], [3, 1]), ([3, 4], [])]

    func testAddSubMulDivBroadcast() {
        for (sa, sb) in shapes {
            let a = param(sa, seed: 1)
            let b = param(sb, seed: 2, low: 0.5, high: 2)  // away from 0 for division
            assertGradients([a, b]) { $0[0] + $0[1] }
            assertGradients([a, b]) { $0[0] - $0[1] }
            assertGradients([a, b]) { $0[0] * $0[1] }
            assertGradients([a, b]) { $0[0] / $0[1] }
            assertGradients([b, a]) { $0[1] - $0[0] }  // broadcast on the left operand
        }
    }

    func testBroadcastForwardValues() {
        let a = Tensor([1, 2, 3, 4, 5, 6], shape: [2, 3])
        let b = Tensor([10, 20, 30])
        XCTAssertEqual((a + b).toArray(), [11, 22, 33, 14, 25, 36])
        let c = Tensor([100, 200], shape: [2, 1])
        XCTAssertEqual((a * c).toArray(), [100, 200, 300, 800, 1000, 1200])
    }

    func testScalarForms() {
        let a = param([5], seed: 3, low: 0.5, high: 2)
        assertGradients([a]) { $0[0] * 3 + 2 }
        assertGradients([a]) { 1 - $0[0] / 4 }
        assertGradients([a]) { 2 / $0[0] }
        assertGradients([a]) { -$0[0] }
    }

    func testUnaryFunctions() {
        let a = param([4, 5], seed: 4, low: -2, high: 2)
        let pos = param([4, 5], seed: 5, low: 0.5, high: 3)
        assertGradients([a]) { $0[0].exp() }
        assertGradients([pos]) { $0[0].log() }
        assertGradients([pos]) { $0[0].sqrt() }
        assertGradients([pos]) { $0[0].pow(1.5) }
        assertGradients([a]) { $0[0].tanh() }
        assertGradients([a]) { $0[0].sigmoid() }
        assertGradients([a]) { $0[0].gelu() }
        assertGradients([a], step: 1e-3) { $0[0].relu() }  // no element within 1e-3 of the kink
    }

    func testGELUExactValues() {
        // PyTorch: torch.nn.GELU()(torch.tensor([-1., 0., 0.5, 2.]))
        let y = Tensor([-1, 0, 0.5, 2]).gelu().toArray()
        assertClose(y, [-0.158_655_25, 0, 0.345_731_14, 1.954_499_7], tol: 1e-6)
    }
}
