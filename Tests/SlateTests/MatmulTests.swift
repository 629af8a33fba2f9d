import XCTest
@testable import Slate

final class MatmulTests: XCTestCase {
    /// Both GEMM kernels (BLAS, and Slate's AVX-512 one where the CPU has it) equal the naive
    /// reference twin for every transpose combination.
    func testSgemmMatchesNaive() { forEachGEMMKernel { _ in
        for (m, n, k) in [(1, 1, 1), (3, 5, 7), (17, 9, 33), (64, 48, 80)] {
            for ta in [false, true] {
                for tb in [false, true] {
                    let a = param(ta ? [k, m] : [m, k], seed: 1), b = param(tb ? [n, k] : [k, n], seed: 2)
                    let c1 = Tensor.full([m, n], value: 0.5), c2 = Tensor.full([m, n], value: 0.5)
                    sgemm(transA: ta, transB: tb, m: m, n: n, k: k, alpha: 1.5, a: a.pointer, lda: ta ? m : k,
                          b: b.pointer, ldb: tb ? k : n, beta: 0.25, c: c1.pointer, ldc: n)
                    naiveGemm(transA: ta, transB: tb, m: m, n: n, k: k, alpha: 1.5, a: a.pointer, lda: ta ? m : k,
                              b: b.pointer, ldb: tb ? k : n, beta: 0.25, c: c2.pointer, ldc: n)
                    assertClose(c1.toArray(), c2.toArray(), tol: 1e-5)
                }
            }
        }
    } }

    /// Products over `parallelGemmMinimum` are cut into row blocks (C taller than wide) or column
    /// blocks (wider than tall), one BLAS call per thread; every cut equals the naive product,
    /// including uneven last blocks, leading dimensions wider than the matrix, and beta = 0 over
    /// garbage in C.
    func testThreadSplitProductsMatchNaive() { forEachGEMMKernel { kernel in
        // 545 rows on 2 threads and 97 on 3: ⌊length / parts⌋ is a whole panel, so a cut that rounded it
        // down would leave the last row(s) uncomputed.
        for (m, n, k) in [(200, 70, 40), (70, 200, 40), (129, 131, 33), (545, 64, 64), (97, 40, 70)] {
            XCTAssertGreaterThanOrEqual(m * n * k, parallelGemmMinimum)
            for threads in [2, 3] {
                for (ta, tb) in [(false, false), (false, true), (true, false), (true, true)] {
                    for beta: Float in [0, 1] {
                        let pad = 3   // stored matrices are 3 columns wider than they need
                        let (lda, ldb, ldc) = ((ta ? m : k) + pad, (tb ? k : n) + pad, n + pad)
                        let a = param([ta ? k : m, lda], seed: 1), b = param([tb ? n : k, ldb], seed: 2)
                        let c1 = param([m, ldc], seed: 3)
                        let c2 = Tensor(c1.toArray(), shape: [m, ldc])
                        if beta == 0 { for i in 0..<c1.count { c1.pointer[i] = .nan } }
                        sgemm(transA: ta, transB: tb, m: m, n: n, k: k, a: a.pointer, lda: lda,
                              b: b.pointer, ldb: ldb, beta: beta, c: c1.pointer, ldc: ldc, threads: threads)
                        naiveGemm(transA: ta, transB: tb, m: m, n: n, k: k, a: a.pointer, lda: lda,
                                  b: b.pointer, ldb: ldb, beta: beta, c: c2.pointer, ldc: ldc)
                        for i in 0..<m {
                            for j in 0..<n {
                                XCTAssertEqual(c1.pointer[i * ldc + j], c2.pointer[i * ldc + j], accuracy: 1e-4,
                                               "\(kernel): \(m)x\(n)x\(k) threads \(threads) ta \(ta) tb \(tb) beta \(beta) at (\(i), \(j))")
                            }
                        }
                    }
                }
            }
        }
    } }

    func testMatmulGradients2D() {
        for ta in [false, true] {
            for tb in [false, true] {
                let a = param(ta ? [4, 3] : [3, 4], seed: 1), b = param(tb ? [5, 4] : [4, 5], seed: 2)
                assertGradients([a, b]) { $0[0].matmul($0[1], transposeA: ta, transposeB: tb) }
            }
        }
    }

    func testMatmulGradientsBatchedAndShared() {
        for ta in [false, true] {
            for tb in [false, true] {
                let a = param(ta ? [2, 3, 4, 3] : [2, 3, 3, 4], seed: 3)
                let b = param(tb ? [2, 3, 5, 4] : [2, 3, 4, 5], seed: 4)
                assertGradients([a, b]) { $0[0].matmul($0[1], transposeA: ta, transposeB: tb) }
                let shared = param(tb ? [5, 4] : [4, 5], seed: 5)  // 2-D right operand for every batch entry
                assertGradients([a, shared]) { $0[0].matmul($0[1], transposeA: ta, transposeB: tb) }
            }
        }
    }

    func testMatmulValues() {
        let a = Tensor([1, 2, 3, 4, 5, 6], shape: [2, 3])
        let b = Tensor([1, 0, 0, 1, 1, 1], shape: [3, 2])
        XCTAssertEqual(a.matmul(b).toArray(), [4, 5, 10, 11])
        XCTAssertEqual(a.matmul(a, transposeB: true).toArray(), [14, 32, 32, 77])
        XCTAssertEqual(a.matmul(a, transposeA: true).shape, [3, 3])
    }

    func testReshapePermuteGradients() {
        let a = param([2, 3, 4], seed: 6)
        assertGradients([a]) { $0[0].permuted([2, 0, 1]) }
        assertGradients([a]) { $0[0].transposed(0, 2).reshaped([4, -1]) }
        let p = Tensor.arange(24).reshaped([2, 3, 4]).permuted([2, 0, 1])
        XCTAssertEqual(p.shape, [4, 2, 3])
        XCTAssertEqual(p[1, 1, 2], 21)  // input [1, 2, 1] = 1·12 + 2·4 + 1
    }
}
