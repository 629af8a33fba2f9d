import Foundation
import XCTest
@testable import Slate

/// The AVX2/FMA row kernels (C, x86-64 only) against the portable Swift SIMD kernels they stand
/// in for and against double-precision references: every length from 0 to 40 (bodies and masked
/// tails), special values, and the switch that chooses between them.
final class AVX2KernelTests: XCTestCase {
    private var hadAVX2 = false

    override func setUpWithError() throws {
        hadAVX2 = VectorKernels.avx2
        #if arch(x86_64)
        try XCTSkipUnless(hadAVX2, "this CPU has no AVX2/FMA: only the portable kernels run")
        #else
        XCTAssertFalse(hadAVX2, "off x86-64 the AVX2 kernels must never be chosen")
        throw XCTSkip("not x86-64: only the portable kernels exist")
        #endif
    }

    override func tearDown() { VectorKernels.avx2 = hadAVX2 }

    /// Runs `body` once with the AVX2 kernels and once with the portable ones.
    private func both<T>(_ body: () -> T) -> (avx2: T, portable: T) {
        VectorKernels.avx2 = true
        let a = body()
        VectorKernels.avx2 = false
        defer { VectorKernels.avx2 = true }
        return (a, body())
    }

    private func inputs(_ n: Int, seed: UInt64, scale: Float) -> [Float] {
        var rng = RandomGenerator(seed: seed)
        return (0..<n).map { _ in Float(rng.nextNormal()) * scale }
    }

    func testTheSwitchChoosesThePath() {
        VectorKernels.avx2 = false
        XCTAssertFalse(VectorKernels.avx2)
        VectorKernels.avx2 = true
        XCTAssertTrue(VectorKernels.avx2)
    }

    func testExpRowsMatchPortableAndDouble() {
        for n in 0...40 {
            let x = inputs(n, seed: UInt64(n), scale: 5)
            let (avx2, portable) = both { () -> ([Float], Float, Float) in
                var out = [Float](repeating: .nan, count: n + 8)        // 8 guard floats after the row
                let total = x.withUnsafeBufferPointer { p in
                    out.withUnsafeMutableBufferPointer { expShiftedRow(p.baseAddress ?? UnsafePointer(bitPattern: 64)!,
                                                                       shift: 0.5, $0.baseAddress!, n) }
                }
                let onlySum = x.withUnsafeBufferPointer { expShiftedRow($0.baseAddress ?? UnsafePointer(bitPattern: 64)!, shift: 0.5, nil, n) }
                return (out, total, onlySum)
            }
            for j in 0..<n {
                let exact = Foundation.exp(Double(x[j] - 0.5))
                XCTAssertEqual(Double(avx2.0[j]), exact, accuracy: exact * 3e-7, "n \(n), element \(j)")
                XCTAssertEqual(avx2.0[j], portable.0[j], accuracy: portable.0[j] * 3e-7, "n \(n), element \(j)")
            }
            XCTAssertTrue(avx2.0[n...].allSatisfy(\.isNaN), "n \(n): a masked tail wrote past the row")
            XCTAssertEqual(avx2.1, portable.1, accuracy: portable.1 * 1e-6, "n \(n): the sum")
            XCTAssertEqual(avx2.2, avx2.1, "n \(n): summing without writing gives the same total")
        }
    }

    func testExpSpecialValues() {
        let specials: [Float] = [-.infinity, -1000, -87.5, 0, -0.0, 1, 100, 2, .nan, 88.3, -87.2]
        let (avx2, portable) = both { () -> [Float] in
            var out = [Float](repeating: 7, count: specials.count)
            _ = specials.withUnsafeBufferPointer { p in out.withUnsafeMutableBufferPointer { expShiftedRow(p.baseAddress!, shift: 0, $0.baseAddress!, specials.count) } }
            return out
        }
        XCTAssertEqual(Array(avx2[0..<3]), [0, 0, 0], "−∞ and inputs below the normal range give exactly 0")
        XCTAssertEqual(avx2[3], 1); XCTAssertEqual(avx2[4], 1)
        XCTAssertTrue(avx2[6].isFinite && avx2[6] > 1e38, "large inputs saturate, never overflow to inf")
        XCTAssertTrue(avx2[8].isNaN, "NaN stays NaN")
        for (j, (a, p)) in zip(avx2, portable).enumerated() where !p.isNaN {
            XCTAssertEqual(a, p, accuracy: abs(p) * 3e-7, "special \(specials[j])")
        }
    }

    func testGELUForwardAndBackwardMatchPortable() {
        let edges: [Float] = [0, -0.0, 1e-7, -1e-7, 9.99e-4, -9.99e-4, 1e-3, -1e-3, 4, -4, 5.7, -5.7, 9, -9, 30, -30]
        for n in Array(0...40) + [1000] {
            let x = edges + inputs(n, seed: 100 + UInt64(n), scale: 3)
            let g = inputs(x.count, seed: 200 + UInt64(n), scale: 1)
            let m = x.count
            let (avx2, portable) = both { () -> ([Float], [Float], [Float]) in
                var y = [Float](repeating: .nan, count: m + 8)
                var dxSet = [Float](repeating: .nan, count: m + 8)
                var dxAdd = [Float](repeating: 0.25, count: m)
                x.withUnsafeBufferPointer { px in
                    y.withUnsafeMutableBufferPointer { geluForward(px.baseAddress!, $0.baseAddress!, m) }
                    y.withUnsafeBufferPointer { py in g.withUnsafeBufferPointer { pg in
                        dxSet.withUnsafeMutableBufferPointer { geluBackward(px.baseAddress!, py.baseAddress!, pg.baseAddress!, $0.baseAddress!, beta: 0, m) }
                        dxAdd.withUnsafeMutableBufferPointer { geluBackward(px.baseAddress!, py.baseAddress!, pg.baseAddress!, $0.baseAddress!, beta: 1, m) }
                    } }
                }
                return (y, dxSet, dxAdd)
            }
            for j in 0..<m {
                let xd = Double(x[j])
                let exactY = 0.5 * xd * (1 + Foundation.erf(xd / 2.0.squareRoot()))
                XCTAssertEqual(Double(avx2.0[j]), exactY, accuracy: 1e-6 * max(1, abs(exactY)), "GELU(\(x[j]))")
                XCTAssertEqual(avx2.0[j], portable.0[j], accuracy: 1e-6 * max(1, abs(portable.0[j])), "GELU(\(x[j]))")
                XCTAssertEqual(avx2.1[j], portable.1[j], accuracy: 2e-6 * max(1, abs(portable.1[j])), "GELU'(\(x[j]))")
                XCTAssertEqual(avx2.2[j], portable.2[j], accuracy: 2e-6 * max(1, abs(portable.2[j])), "0.25 + GELU'(\(x[j]))")
                XCTAssertEqual(avx2.2[j] - 0.25, avx2.1[j], accuracy: 1e-6, "beta 1 adds to what is there")
            }
            XCTAssertTrue(avx2.0[m...].allSatisfy(\.isNaN) && avx2.1[m...].allSatisfy(\.isNaN), "n \(m): a masked tail wrote past the row")
        }
    }
}
