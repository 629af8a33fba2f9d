import CSlateGEMM
import XCTest
@testable import Slate

/// Slate's AVX-512 GEMM (Sources/CSlateGEMM) against the naive twin, and the choice between it
/// and BLAS. Skipped where the CPU has no AVX-512 (the aarch64 check, older x86).
final class AVX512GEMMTests: XCTestCase {
    private var hadAVX512 = false
    override func setUp() { hadAVX512 = GEMMKernels.avx512 }
    override func tearDown() { GEMMKernels.avx512 = hadAVX512 }

    private func requireAVX512() throws {
        try XCTSkipUnless(GEMMKernels.cpuHasAVX512, "this CPU has no AVX-512F")
    }

    /// Every transpose pair, alpha and beta (beta = 0 over NaN), padded leading dimensions, and
    /// shapes on both sides of every block edge — the 12-row and 32-column register tile, the
    /// 256-deep slice, the 192-row A block and the 2048-column B block — equal the double-
    /// precision naive product to float rounding; the padding columns of C stay untouched.
    func testTheKernelEqualsTheNaiveProductAcrossEveryBlockEdge() throws {
        try requireAVX512()
        let rows = [1, 11, 12, 13, 191, 192, 193], columns = [1, 15, 16, 17, 31, 32, 33, 65]
        let depths = [1, 7, 255, 256, 257, 513]
        var shapes: [(Int, Int, Int)] = [(30, 2049, 20), (5, 2100, 300)]   // two B blocks, and with two slices
        var rng = RandomGenerator(seed: 11)
        for _ in 0..<60 {
            shapes.append((rows[Int(rng.next() % UInt64(rows.count))], columns[Int(rng.next() % UInt64(columns.count))],
                           depths[Int(rng.next() % UInt64(depths.count))]))
        }
        for (index, (m, n, k)) in shapes.enumerated() {
            let (ta, tb) = (index % 2 == 1, index / 2 % 2 == 1)
            let (alpha, beta): (Float, Float) = [(1, 0), (1, 1), (-0.5, 0.25)][index % 3]
            let pad = index % 4   // stored matrices up to 3 columns wider than they need
            let (lda, ldb, ldc) = ((ta ? m : k) + pad, (tb ? k : n) + pad, n + pad)
            let a = param([ta ? k : m, lda], seed: UInt64(2 * index)).toArray()
            let b = param([tb ? n : k, ldb], seed: UInt64(2 * index + 1)).toArray()
            let start = param([m, ldc], seed: 99).toArray()
            var got = start, expected = start
            if beta == 0 { for i in 0..<m { for j in 0..<n { got[i * ldc + j] = .nan } } }
            let status = slate_avx512_sgemm(ta ? 1 : 0, tb ? 1 : 0, m, n, k, alpha, a, lda, b, ldb, beta, &got, ldc)
            XCTAssertEqual(status, 0)
            naiveGemm(transA: ta, transB: tb, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, b: b, ldb: ldb,
                      beta: beta, c: &expected, ldc: ldc)
            let what = "\(m)x\(n)x\(k) ta \(ta) tb \(tb) alpha \(alpha) beta \(beta) pad \(pad)"
            for i in 0..<m {
                for j in 0..<ldc {
                    let (g, e) = (got[i * ldc + j], expected[i * ldc + j])
                    if j >= n {
                        XCTAssertEqual(g, start[i * ldc + j], "padding column written at (\(i), \(j)): \(what)")
                    } else if !(abs(g - e) <= 2e-6 * Float(k) + 1e-6) {   // |terms| ≤ 1: k roundings of ≤ 2^-24 each
                        XCTFail("(\(i), \(j)): \(g) vs \(e), \(what)")
                        return
                    }
                }
            }
        }
    }

    /// Through `sgemm`, the AVX-512 kernel gives the same bits on 1, 2 and 3 threads: each
    /// element is one fixed sequence of operations whichever block of C it falls in. (BLAS makes
    /// no such promise.)
    func testProductsAreBitIdenticalOverThreadCounts() throws {
        try requireAVX512()
        GEMMKernels.avx512 = true
        for (m, n, k, ta, tb) in [(545, 64, 300, false, true), (70, 400, 129, true, false), (200, 200, 64, false, false)] {
            let a = param(ta ? [k, m] : [m, k], seed: 1).toArray(), b = param(tb ? [n, k] : [k, n], seed: 2).toArray()
            var results: [[Float]] = []
            for threads in [1, 2, 3] {
                var c = [Float](repeating: .nan, count: m * n)
                sgemm(transA: ta, transB: tb, m: m, n: n, k: k, a: a, lda: ta ? m : k, b: b, ldb: tb ? k : n,
                      c: &c, ldc: n, threads: threads)
                results.append(c)
            }
            XCTAssertEqual(results[0], results[1], "\(m)x\(n)x\(k): 1 vs 2 threads")
            XCTAssertEqual(results[0], results[2], "\(m)x\(n)x\(k): 1 vs 3 threads")
        }
    }

    /// Left to itself, Slate runs its kernel exactly when the CPU has AVX-512 and the BLAS core
    /// does not (unless SLATE_AVX512_GEMM says otherwise); setting `false` returns to BLAS, whose
    /// product then differs from the kernel's in the last bits only.
    func testTheKernelRunsWhereTheBLASDoesNotUseAVX512() throws {
        try requireAVX512()
        slate_gemm_set_avx512_state(-1)      // forget any setting: the default choice again
        switch ProcessInfo.processInfo.environment["SLATE_AVX512_GEMM"] {
        case "0": XCTAssertFalse(GEMMKernels.avx512)
        case "1": XCTAssertTrue(GEMMKernels.avx512)
        default: XCTAssertEqual(GEMMKernels.avx512, !GEMMKernels.blasRunsAVX512, "BLAS core \(BLASInfo.coreName)")
        }
        let (m, n, k) = (96, 80, 200)
        let a = param([m, k], seed: 3).toArray(), b = param([k, n], seed: 4).toArray()
        var viaKernel = [Float](repeating: 0, count: m * n), viaBLAS = viaKernel
        GEMMKernels.avx512 = true
        sgemm(transA: false, transB: false, m: m, n: n, k: k, a: a, lda: k, b: b, ldb: n, c: &viaKernel, ldc: n, threads: 1)
        GEMMKernels.avx512 = false
        sgemm(transA: false, transB: false, m: m, n: n, k: k, a: a, lda: k, b: b, ldb: n, c: &viaBLAS, ldc: n, threads: 1)
        assertClose(viaKernel, viaBLAS, tol: 1e-5)
    }
}
