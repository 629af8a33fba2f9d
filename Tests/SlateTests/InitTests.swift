import XCTest
@testable import Slate

final class InitTests: XCTestCase {
    func testFansFollowPyTorch() {
        XCTAssertEqual(Init.fans([8, 3]).fanIn, 3)
        XCTAssertEqual(Init.fans([8, 3]).fanOut, 8)
        XCTAssertEqual(Init.fans([8, 3, 5, 5]).fanIn, 75)
        XCTAssertEqual(Init.fans([8, 3, 5, 5]).fanOut, 200)
    }

    func testNormalAndXavierStatistics() {
        var rng = RandomGenerator(seed: 1)
        let t = Tensor.zeros([200, 300])
        Init.normal(t, std: 0.02, generator: &rng)
        XCTAssertEqual(variance(t.toArray()).squareRoot(), 0.02, accuracy: 0.0005)
        Init.xavierUniform(t, generator: &rng)
        let a = (6.0 / 500).squareRoot()
        XCTAssertLessThanOrEqual(Double(t.toArray().map(abs).max()!), a)
        XCTAssertEqual(variance(t.toArray()), a * a / 3, accuracy: 0.03 * a * a / 3)
        Init.xavierNormal(t, gain: 2, generator: &rng)
        XCTAssertEqual(variance(t.toArray()).squareRoot(), 2 * (2.0 / 500).squareRoot(), accuracy: 0.003)
    }

    func testKaimingStatistics() {
        var rng = RandomGenerator(seed: 2)
        let t = Tensor.zeros([300, 200])
        Init.kaimingNormal(t, generator: &rng)           // std = √2/√200 = 0.1
        XCTAssertEqual(variance(t.toArray()).squareRoot(), 0.1, accuracy: 0.002)
        Init.kaimingUniform(t, mode: .fanOut, generator: &rng)  // bound = √3·√2/√300
        let bound = (6.0 / 300).squareRoot()
        XCTAssertLessThanOrEqual(Double(t.toArray().map(abs).max()!), bound)
        XCTAssertEqual(variance(t.toArray()), 2.0 / 300, accuracy: 0.03 * 2 / 300)
        XCTAssertEqual(Init.gain("relu"), Float(2.0.squareRoot()), accuracy: 1e-6)
        XCTAssertEqual(Init.gain("tanh"), Float(5.0 / 3.0), accuracy: 1e-6)
    }

    /// WᵀW = gain²·I for tall matrices, WWᵀ = gain²·I for wide ones.
    func testOrthogonalIsOrthonormalTimesGain() {
        var rng = RandomGenerator(seed: 3)
        let gain = Float(2.0.squareRoot())
        for shape in [[64, 16], [16, 64], [32, 32]] {
            let w = Tensor.zeros(shape)
            Init.orthogonal(w, gain: gain, generator: &rng)
            let (rows, cols) = (shape[0], shape[1])
            let tall = rows >= cols
            let k = min(rows, cols)
            for i in 0..<k {
                for j in 0..<k {
                    var dot = 0.0
                    for e in 0..<max(rows, cols) {
                        let a = tall ? w[e, i] : w[i, e], b = tall ? w[e, j] : w[j, e]
                        dot += Double(a) * Double(b)
                    }
                    XCTAssertEqual(dot, i == j ? 2 : 0, accuracy: 1e-5, "shape \(shape) (\(i), \(j))")
                }
            }
        }
    }
}
