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

    func testGELUGradientNearZeroAndInTheTails() {
        // The backward reads Φ(x) back as y/x, and from its Taylor series where |x| < 1e-3: both
        // sides of that switch, x = 0 itself, a subnormal and the far tails match the libm twin.
        let subnormal = Float.leastNormalMagnitude / 4
        let points: [Float] = [0, -0, subnormal, -subnormal, 1e-7, -1e-7, 9.99e-4, -9.99e-4, 1e-3, -1e-3,
                               1.001e-3, -1.001e-3, 0.01, -0.01, 5, -5, 7, -7, 20, -20, 0.3, -0.3]
        let x = Tensor(points, shape: [points.count], requiresGrad: true)
        let g = Tensor.ones([points.count])
        x.gelu().backward(g)
        let gFast = x.grad!.toArray()
        x.zeroGrad()
        x.map(GELUFn.self).backward(g)
        let gTwin = x.grad!.toArray()
        XCTAssertTrue(gFast.allSatisfy(\.isFinite), "\(gFast)")
        assertClose(gFast, gTwin, tol: 2e-6)
    }
}
