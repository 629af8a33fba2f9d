import XCTest
@testable import Slate

/// Dropout (train/eval, mask·scale gradient) and the causal attention mask.
final class MaskingTests: XCTestCase {
    func testDropoutEvalAndZeroProbabilityAreIdentity() {
        var rng = RandomGenerator(seed: 1)
        let x = param([4, 5], seed: 71)
        XCTAssertTrue(x.dropout(p: 0.5, training: false, generator: &rng) === x)
        XCTAssertTrue(x.dropout(p: 0, training: true, generator: &rng) === x)
        XCTAssertEqual(x.dropout(p: 1, training: true, generator: &rng).toArray(), [Float](repeating: 0, count: 20))
    }

    func testDropoutKeepsAboutOneMinusPAndScales() {
        var rng = RandomGenerator(seed: 2)
        let x = Tensor.ones([100_000])
        let y = x.dropout(p: 0.2, training: true, generator: &rng).toArray()
        let kept = y.filter { $0 != 0 }
        XCTAssertEqual(Double(kept.count) / 100_000, 0.8, accuracy: 0.005)  // ±4σ
        XCTAssertTrue(kept.allSatisfy { abs($0 - 1.25) < 1e-6 }, "survivors scaled by 1/(1-p)")
    }

    func testDropoutDoesNotDependOnThreadCount() {
        let x = param([3, 10_000], seed: 74)  // several blocks
        let saved = Threads.count
        defer { Threads.count = saved }
        var outputs: [[Float]] = []
        for threads in [1, 2, 3] {
            Threads.count = threads
            var rng = RandomGenerator(seed: 5)
            outputs.append(x.dropout(p: 0.5, training: true, generator: &rng).toArray())
        }
        XCTAssertEqual(outputs[0], outputs[1])
        XCTAssertEqual(outputs[0], outputs[2])
    }

    func testDropoutGradientIsMaskTimesScale() {
        let x = param([3, 7001], seed: 72)  // crosses block boundaries, odd tail
        var rng = RandomGenerator(seed: 3)
        let y = x.dropout(p: 0.3, training: true, generator: &rng)
        y.backward(Tensor.ones(y.shape))
        for i in 0..<x.count {
            let expected: Float = y.pointer[i] == 0 ? 0 : 1 / 0.7
            XCTAssertEqual(x.grad!.pointer[i], expected, accuracy: 1e-6)
        }
        // Finite differences with the same mask every call (fresh generator, same seed).
        let small = param([6, 7], seed: 75)
        assertGradients([small]) { inputs in
            var fixed = RandomGenerator(seed: 4)
            return inputs[0].dropout(p: 0.3, training: true, generator: &fixed)
        }
    }

    func testCausalMaskValuesAndGradient() {
        let s = Tensor((1...9).map(Float.init), shape: [1, 3, 3], requiresGrad: true)
        let m = s.causalMasked()
        let inf = -Float.infinity
        XCTAssertEqual(m.toArray(), [1, inf, inf, 4, 5, inf, 7, 8, 9])
        m.backward(Tensor.ones([1, 3, 3]))
        XCTAssertEqual(s.grad!.toArray(), [1, 0, 0, 1, 1, 0, 1, 1, 1])
        // Gradient check through the softmax that always follows it in attention.
        let scores = param([2, 2, 5, 5], seed: 73, low: -2, high: 2)
        assertGradients([scores]) { $0[0].causalMasked().softmax() }
    }
}
