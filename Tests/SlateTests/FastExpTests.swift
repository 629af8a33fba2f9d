import Foundation
import XCTest
@testable import Slate

/// The vectorised exp kernel against Foundation's expf, over the range softmax uses.
final class FastExpTests: XCTestCase {
    /// Relative error of `approx` against Foundation's exp at `x` (exact reference in Double).
    private func relativeError(_ approx: Float, _ x: Float) -> Double {
        let exact = Foundation.exp(Double(x))
        return abs(Double(approx) - exact) / exact
    }

    func testVectorAndScalarMatchExpfOverSoftmaxRange() {
        // 2^20 points sweeping [-87, 88]: every result is a normal float.
        let n = 1 << 20, lanes = FloatVector.scalarCount
        var worstVector = 0.0, worstScalar = 0.0, worstExpf = 0.0
        var i = 0
        while i < n {
            var v = FloatVector(repeating: 0)
            for l in 0..<lanes { v[l] = -87 + 175 * Float(i + l) / Float(n) }
            let e = fastExp(v)
            for l in 0..<lanes {
                worstVector = max(worstVector, relativeError(e[l], v[l]))
                worstScalar = max(worstScalar, relativeError(fastExp(v[l]), v[l]))
                worstExpf = max(worstExpf, relativeError(Foundation.exp(v[l]), v[l]))
            }
            i += lanes
        }
        XCTAssertLessThan(worstVector, 2e-7, "vector fastExp")
        XCTAssertLessThan(worstScalar, 2e-7, "scalar fastExp")
        XCTAssertLessThan(worstExpf, 2e-7, "Foundation expf itself (sanity of the reference)")
    }

    func testSpecialValues() {
        let specials: [Float] = [-.infinity, -1000, -87.5, 0, 1, -0.0, 100, 2]
        var v = FloatVector(repeating: 2)
        for (i, s) in specials.enumerated() { v[i] = s }
        let e = fastExp(v)
        XCTAssertEqual(e[0], 0)
        XCTAssertEqual(e[1], 0)
        XCTAssertEqual(e[2], 0)  // below the normal range: flushed to 0 (expf gives ~1e-38)
        XCTAssertEqual(e[3], 1)
        XCTAssertEqual(e[5], 1)
        XCTAssertTrue(e[6].isFinite && e[6] > 1e38, "large inputs saturate, never overflow to inf")
        for l in 0..<FloatVector.scalarCount { XCTAssertEqual(e[l], fastExp(v[l]), "lane \(l): vector and scalar agree") }
        XCTAssertEqual(fastExp(-Float.infinity), 0)
    }

    func testRowKernelsMatchNaiveLoops() {
        var rng = RandomGenerator(seed: 11)
        for n in [0, 1, 7, 8, 9, 65, 128] {
            let x = (0..<n).map { _ in Float(rng.nextNormal()) * 4 }
            let naiveMax = x.max() ?? -.infinity
            x.withUnsafeBufferPointer { p in
                let base = p.baseAddress ?? UnsafePointer(bitPattern: 64)!
                XCTAssertEqual(rowMax(base, n), naiveMax)
                var out = [Float](repeating: .nan, count: n)
                let total = out.withUnsafeMutableBufferPointer { o in
                    expShiftedRow(base, shift: 1.5, o.baseAddress ?? UnsafeMutablePointer(bitPattern: 64)!, n)
                }
                let naive = x.map { Foundation.exp(Double($0 - 1.5)) }  // same Float subtraction
                for j in 0..<n { XCTAssertEqual(Double(out[j]), naive[j], accuracy: naive[j] * 3e-7) }
                XCTAssertEqual(Double(total), naive.reduce(0, +), accuracy: naive.reduce(0, +) * 1e-6 + 1e-30)
            }
        }
    }
}
