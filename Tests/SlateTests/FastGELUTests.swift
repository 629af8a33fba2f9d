import Foundation
import XCTest
@testable import Slate

/// The vectorised GELU against its scalar twin built on the C library's erf.
final class FastGELUTests: XCTestCase {
    func testFastErfMatchesLibm() {
        var worst: Float = 0
        var x: Float = -6
        while x <= 6 {
            worst = max(worst, abs(fastErf(x) - Float(Foundation.erf(Double(x)))))
            x += 0.001
        }
        XCTAssertLessThan(worst, 5e-7)
    }

    func testGELUMatchesScalarTwin() {
        let x = param([1000], seed: 9, low: -6, high: 6)
        let fast = x.gelu(), twin = x.map(GELUFn.self)
        assertClose(fast.toArray(), twin.toArray(), tol: 1e-6)
        let g = Tensor.uniform([1000], low: -1, high: 1)
        fast.backward(g)
        let gFast = x.grad!.toArray()
        x.zeroGrad()
        twin.backward(g)
        assertClose(gFast, x.grad!.toArray(), tol: 2e-6)
    }
}
