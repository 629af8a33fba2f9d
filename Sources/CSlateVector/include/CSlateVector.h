// The row kernels of the softmax family and GELU, written for x86-64's AVX2 and FMA (8 lanes,
// fused multiply-add) and compiled for them even in a portable build through a function-level
// target attribute. Swift cannot mark one function for a wider instruction set, and the release
// build takes no unsafe flags, so its own SIMD code (Sources/Slate/Kernels/FastExp.swift and
// FastGELU.swift) targets baseline x86-64: SSE2, 4 lanes, no FMA, no blend. These functions use
// the same methods and constants as those Swift kernels, which stay the reference and the path
// on every other CPU. Slate calls them only when `slate_vector_avx2_enabled()` says so.
#ifndef CSLATEVECTOR_H
#define CSLATEVECTOR_H

/// 1 when this process uses the AVX2/FMA kernels: an x86-64 CPU (and OS) with AVX2 and FMA, and
/// not switched off by `slate_vector_set_avx2(0)` or by `SLATE_AVX2=0` in the environment (read
/// at the first call). 0 elsewhere, always 0 off x86-64.
int slate_vector_avx2_enabled(void);

/// Switches the AVX2/FMA kernels off (0) or back on (1, only where the CPU has them); returns
/// whether they are on afterwards. Tests use it to run the portable Swift path beside them.
int slate_vector_set_avx2(int on);

#if defined(__x86_64__)
/// out[i] = exp(x[i] − shift) for i in 0..<n; returns Σ out. `out` may equal `x`, or be NULL to
/// only sum. Needs AVX2 and FMA.
float slate_avx2_exp_shifted_row(const float *x, float shift, float *out, long n);

/// y[i] = ½·x[i]·(1 + erf(x[i]/√2)) for i in 0..<n. Needs AVX2 and FMA.
void slate_avx2_gelu_forward(const float *x, float *y, long n);

/// dx[i] = beta·dx[i] + g[i]·(Φ(x[i]) + x[i]·φ(x[i])), Φ read back from the forward's output as
/// y/x (its Taylor series near 0), beta 0 or 1. Needs AVX2 and FMA.
void slate_avx2_gelu_backward(const float *x, const float *y, const float *g, float *dx, float beta, long n);
#endif

#endif
