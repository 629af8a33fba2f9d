import XCTest
@testable import Slate

/// Fused cross-entropy: known values, the logSoftmax + gather twin, ignore index, gradients.
final class CrossEntropyTests: XCTestCase {
    func testKnownValues() {
        // numpy: -log_softmax([1,2,3])[2] = 0.40760596, -log_softmax([1,0,-1])[1] = 1.40760596
        let logits = Tensor([1, 2, 3, 1, 0, -1], shape: [2, 3])
        XCTAssertEqual(logits.crossEntropy(targets: [2, 1]).item(), 0.907_605_96, accuracy: 1e-6)
        // The ignored row is left out of the mean, as F.cross_entropy(..., ignore_index=-100).
        XCTAssertEqual(logits.crossEntropy(targets: [2, -100], ignoreIndex: -100).item(), 0.407_605_96, accuracy: 1e-6)
        XCTAssertTrue(logits.crossEntropy(targets: [-1, -1], ignoreIndex: -1).item().isNaN, "all ignored: 0/0")
    }

    /// Reference twin built from primitive ops: −mean(logSoftmax(x)[i, t_i]) over kept rows.
    private func composed(_ x: Tensor, _ targets: [Int], ignore: Int?) -> Tensor {
        let v = x.shape.last!
        let lsm = x.logSoftmax().reshaped([-1, v])
        let kept = targets.map { $0 == ignore ? 0 : $0 }
        let weights = Tensor(targets.map { $0 == ignore ? 0 : 1 })
        let picked = lsm.gatherAlongLastAxis(kept) * weights
        return -picked.sumAll() / Float(targets.filter { $0 != ignore }.count)
    }

    func testMatchesComposedTwin() {
        var rng = RandomGenerator(seed: 31)
        for (shape, ignore) in [([768, 65], nil), ([2, 5, 13], 3 as Int?)] {
            let x = param(shape, seed: 32, low: -4, high: 4)
            let rows = shape.dropLast().reduce(1, *), v = shape.last!
            let targets = (0..<rows).map { _ in rng.nextInt(v) }
            let fused = x.crossEntropy(targets: targets, ignoreIndex: ignore)
            fused.backward()
            let fusedGrad = x.grad!.toArray()
            x.zeroGrad()
            let twin = composed(x, targets, ignore: ignore)
            twin.backward()
            XCTAssertEqual(fused.item(), twin.item(), accuracy: 1e-5 * max(1, abs(twin.item())))
            assertClose(fusedGrad, x.grad!.toArray(), tol: 1e-6)
        }
    }

    func testGradientsWithAndWithoutIgnoreIndex() {
        let x = param([6, 9], seed: 33, low: -2, high: 2)
        assertGradients([x], atol: 1e-4) { $0[0].crossEntropy(targets: [0, 8, 3, 3, 5, 1]) }
        assertGradients([x], atol: 1e-4) { $0[0].crossEntropy(targets: [0, -1, 3, -1, 5, 1], ignoreIndex: -1) }
        let x3 = param([2, 3, 17], seed: 34, low: -2, high: 2)  // (B, T, V) logits
        assertGradients([x3], atol: 1e-4) { $0[0].crossEntropy(targets: [16, 0, 5, 9, 9, 2]) }
    }
}
