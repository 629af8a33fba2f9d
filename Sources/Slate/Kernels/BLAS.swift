import Foundation
#if canImport(Accelerate)
import Accelerate
#elseif canImport(CBLAS)
import CBLAS
#endif
import CSlateGEMM

/// Row-major single-precision GEMM: `C = alpha * op(A) * op(B) + beta * C`.
///
/// `op(A)` is `M×K`, `op(B)` is `K×N`, `C` is `M×N`. Transposes are passed to BLAS as flags and
/// never materialised. Leading dimensions are those of the stored (untransposed) matrices.
///
/// Slate splits the work over cores itself: C is cut into `threads` blocks of rows (or of
/// columns when C is wider than tall), each one single-threaded BLAS call on its own core.
/// BLAS's own thread pool stays at one thread — its idle workers spin and yield between calls,
/// which on a small machine steals the core Slate's other kernels run on. Products under
/// `parallelGemmMinimum` multiply-adds run on the calling thread. Each block runs through BLAS
/// or, on AVX-512 CPUs whose BLAS runs narrower kernels, Slate's own kernel (`GEMMKernels`).
@inline(__always)
package func sgemm(
    transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
    alpha: Float = 1, a: UnsafePointer<Float>, lda: Int,
    b: UnsafePointer<Float>, ldb: Int,
    beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int,
    threads: Int = Threads.count
) {
    if m == 0 || n == 0 { return }
    if k == 0 {  // BLAS leaves C untouched when K = 0; the mathematical answer is beta*C.
        for i in 0..<m { for j in 0..<n { c[i * ldc + j] = beta == 0 ? 0 : beta * c[i * ldc + j] } }
        return
    }
    let parts = m * n * k >= parallelGemmMinimum ? Swift.min(threads, Swift.max(m, n) / 16) : 1
    if parts <= 1 {
        blasSgemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
        return
    }
    let byRows = m >= n
    let length = byRows ? m : n
    // Whole 16-wide panels that cover all of C: ⌈length / parts⌉ rounded up to 16 (rounding ⌊length / parts⌋
    // up left the last row of a 545-row product uncomputed on 2 threads).
    let chunk = ((length + parts - 1) / parts + 15) / 16 * 16
    parallelRun(parts) { part in
        let start = part * chunk, size = Swift.min(chunk, length - start)
        guard size > 0 else { return }
        if byRows {   // rows start..<start+size of op(A) and of C
            blasSgemm(transA, transB, size, n, k, alpha, transA ? a + start : a + start * lda, lda,
                      b, ldb, beta, c + start * ldc, ldc)
        } else {      // columns start..<start+size of op(B) and of C
            blasSgemm(transA, transB, m, size, k, alpha, a, lda,
                      transB ? b + start * ldb : b + start, ldb, beta, c + start, ldc)
        }
    }
}

/// Multiply-adds (M·N·K) from which `sgemm` splits a product over threads.
let parallelGemmMinimum = 1 << 18

/// One single-threaded product: Slate's AVX-512 kernel where `GEMMKernels.avx512` chose it (and
/// its workspace could be allocated), else one BLAS call.
@inline(__always)
private func blasSgemm(_ transA: Bool, _ transB: Bool, _ m: Int, _ n: Int, _ k: Int, _ alpha: Float,
                       _ a: UnsafePointer<Float>, _ lda: Int, _ b: UnsafePointer<Float>, _ ldb: Int,
                       _ beta: Float, _ c: UnsafeMutablePointer<Float>, _ ldc: Int) {
    if GEMMKernels.avx512,
       slate_avx512_sgemm(transA ? 1 : 0, transB ? 1 : 0, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc) == 0 {
        return
    }
    cblas_sgemm(CblasRowMajor,
                transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb),
                beta, c, Int32(ldc))
}

/// The naive triple loop: the reference twin that tests compare `sgemm` against, and a
/// readable statement of what GEMM computes. Accumulates in Double.
package func naiveGemm(
    transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
    alpha: Float = 1, a: UnsafePointer<Float>, lda: Int,
    b: UnsafePointer<Float>, ldb: Int,
    beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int
) {
    for i in 0..<m {
        for j in 0..<n {
            var acc = 0.0
            for p in 0..<k {
                let aip = transA ? a[p * lda + i] : a[i * lda + p]
                let bpj = transB ? b[j * ldb + p] : b[p * ldb + j]
                acc += Double(aip) * Double(bpj)
            }
            let old = beta == 0 ? 0 : beta * c[i * ldc + j]
            c[i * ldc + j] = alpha * Float(acc) + old
        }
    }
}

/// What the BLAS library says about itself: name, build configuration and the core it chose.
public enum BLASInfo {
    /// e.g. "OpenBLAS 0.3.21 DYNAMIC_ARCH NO_AFFINITY Zen MAX_THREADS=64".
    public static var config: String {
        #if canImport(Accelerate)
        return "Accelerate"
        #else
        return String(cString: openblas_get_config())
        #endif
    }

    /// The CPU core kernel set OpenBLAS selected, e.g. "Zen" or "cortexa72".
    public static var coreName: String {
        #if canImport(Accelerate)
        return "Accelerate"
        #else
        return String(cString: openblas_get_corename())
        #endif
    }

    /// The number of threads BLAS currently uses.
    public static var threads: Int {
        #if canImport(Accelerate)
        return 1
        #else
        return Int(openblas_get_num_threads())
        #endif
    }
}
