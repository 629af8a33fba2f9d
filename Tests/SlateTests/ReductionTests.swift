import XCTest
@testable import Slate

/// sum/mean/max over axes (keepDims or not), argmax, against naive loops and finite differences.
final class ReductionTests: XCTestCase {
    func testSumAndMeanValues() {
        let x = Tensor((0..<24).map(Float.init), shape: [2, 3, 4])
        // numpy: np.arange(24).reshape(2,3,4).sum(axis=(0,2)) = [60, 92, 124]
        let s = x.sum(axes: [0, 2])
        XCTAssertEqual(s.shape, [3])
        XCTAssertEqual(s.toArray(), [60, 92, 124])
        XCTAssertEqual(x.sum(axes: [0, -1], keepDims: true).shape, [1, 3, 1])
        XCTAssertEqual(x.sum(axes: [1]).toArray(), [12, 15, 18, 21, 48, 51, 54, 57])
        XCTAssertEqual(x.mean(axes: [2]).toArray(), [1.5, 5.5, 9.5, 13.5, 17.5, 21.5])
        XCTAssertEqual(x.sum(axes: [0, 1, 2]).shape, [])
        XCTAssertEqual(x.sum(axes: [0, 1, 2]).item(), 276)
    }

    func testSumMeanGradientsOnEveryAxisCombination() {
        let x = param([2, 3, 4], seed: 81)
        for axes in [[0], [1], [-1], [0, 2], [1, 2], [0, 1, 2]] {
            for keep in [false, true] {
                assertGradients([x]) { $0[0].sum(axes: axes, keepDims: keep) }
                assertGradients([x]) { $0[0].mean(axes: axes, keepDims: keep) }
            }
        }
        // keepDims output broadcasts back against the input (the usual centring pattern).
        assertGradients([x]) { $0[0] - $0[0].mean(axes: [-1], keepDims: true) }
    }

    func testMaxValuesArgmaxAndTies() {
        let x = Tensor([1, 5, 5, 2, 9, 0], shape: [2, 3], requiresGrad: true)
        XCTAssertEqual(x.max(axis: 1).toArray(), [5, 9])
        XCTAssertEqual(x.max(axis: 0).toArray(), [2, 9, 5])
        XCTAssertEqual(x.max(axis: -1, keepDims: true).shape, [2, 1])
        XCTAssertEqual(x.argmax(axis: 1), [1, 1])  // first of the tied 5s
        XCTAssertEqual(x.argmax(axis: 0), [1, 1, 0])
        x.max(axis: 1).backward(Tensor([1, 1]))
        XCTAssertEqual(x.grad!.toArray(), [0, 1, 0, 0, 1, 0], "gradient to the first arg-max only")
    }

    func testMaxGradients() {
        // Values 0.05 apart (a shuffled ramp), so a ±0.01 finite-difference step never flips a winner.
        var rng = RandomGenerator(seed: 82)
        let ramp = (0..<60).map { Float($0) * 0.05 - 1.5 }.shuffled(using: &rng)
        let x = Tensor(ramp, shape: [3, 4, 5], requiresGrad: true)
        for axis in [0, 1, 2, -1] {
            for keep in [false, true] { assertGradients([x]) { $0[0].max(axis: axis, keepDims: keep) } }
        }
    }
}
