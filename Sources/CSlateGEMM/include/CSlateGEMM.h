// Slate's own single-precision GEMM for x86-64 CPUs with AVX-512, beside the system BLAS.
//
// Slate multiplies matrices through `cblas_sgemm` (Sources/Slate/Kernels/BLAS.swift). On an
// AVX-512 CPU that BLAS may still run 256-bit kernels: an OpenBLAS older than the CPU, or one
// pinned to an older core with OPENBLAS_CORETYPE (which some machines set because older OpenBLAS
// builds misbehave on new processors). On a core with full-width AVX-512 units (AMD Zen 5, Intel
// Xeon) that halves the peak of the operation that is 70 % of a GPT step. This kernel is the
// textbook GEMM — pack a block of op(B) and a block of op(A) into contiguous panels, then a 12×32
// register tile of fused multiply-adds over each pair of panels — in C with a function-level
// target attribute, so the portable build carries it and calls it only after checking the CPU.
// Sources/Slate/Kernels/BLAS.swift decides when it runs; `naiveGemm` is its reference twin.
#ifndef CSLATEGEMM_H
#define CSLATEGEMM_H

/// 1 when this CPU and OS run AVX-512F (the ZMM registers are saved by the OS); 0 otherwise and
/// always 0 off x86-64.
int slate_gemm_cpu_has_avx512(void);

/// Which GEMM Slate's products run: −1 not chosen yet, 0 the system BLAS, 1 `slate_avx512_sgemm`.
/// An atomic, so any thread may read or set it; Sources/Slate/Kernels/GEMMKernels.swift chooses.
int slate_gemm_avx512_state(void);

/// Sets the state read by `slate_gemm_avx512_state` (−1, 0 or 1).
void slate_gemm_set_avx512_state(int state);

/// Row-major C = alpha·op(A)·op(B) + beta·C on the calling thread, as `cblas_sgemm(CblasRowMajor,
/// ...)`: op(A) is m×k (stored k×m when trans_a), op(B) is k×n (stored n×k when trans_b), lda, ldb
/// and ldc are the stored row lengths. With beta = 0, C is only written (NaN in it does not
/// propagate); columns of C past n are never touched. Needs m, n, k ≥ 1 and AVX-512F
/// (`slate_gemm_cpu_has_avx512`). Returns 0, or −1 when the packing workspace (about 2.2 MB per
/// thread, kept for the thread's life) could not be allocated: C is then untouched and the caller
/// should fall back to BLAS. Always −1 off x86-64.
int slate_avx512_sgemm(int trans_a, int trans_b, long m, long n, long k, float alpha,
                       const float *a, long lda, const float *b, long ldb,
                       float beta, float *c, long ldc);

#endif
