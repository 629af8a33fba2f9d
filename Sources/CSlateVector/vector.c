// See include/CSlateVector.h. Each kernel runs 8 lanes at a time; the last n % 8 elements go
// through the same vector code with masked loads and stores, so a row's tail is computed exactly
// as its body (and no element is read or written past n).
#include "CSlateVector.h"
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__)
#include <immintrin.h>

static _Atomic int avx2_state = -1;   // -1: not checked yet; 0 off; 1 on

static int cpu_has_avx2_fma(void) {
    __builtin_cpu_init();             // the builtins below also check that the OS saves YMM state
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}

int slate_vector_avx2_enabled(void) {
    int state = atomic_load_explicit(&avx2_state, memory_order_relaxed);
    if (state < 0) {                  // SLATE_AVX2=0 in the environment keeps the portable kernels
        const char *setting = getenv("SLATE_AVX2");
        state = (setting && strcmp(setting, "0") == 0) ? 0 : cpu_has_avx2_fma();
        atomic_store_explicit(&avx2_state, state, memory_order_relaxed);
    }
    return state;
}

int slate_vector_set_avx2(int on) {
    int state = on ? cpu_has_avx2_fma() : 0;
    atomic_store_explicit(&avx2_state, state, memory_order_relaxed);
    return state;
}

#define AVX2 __attribute__((target("avx2,fma")))

/// Lanes 0..<count set (count in 0...8), for masked loads and stores.
AVX2 static inline __m256i lane_mask(long count) {
    const __m256i index = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    return _mm256_cmpgt_epi32(_mm256_set1_epi32((int)count), index);
}

AVX2 static inline float horizontal_sum(__m256 v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

// MARK: exp — Cephes' method, the constants of FastExp.swift

/// e^x in every lane: x = n·ln2 + r, e^x = 2^n · (1 + r + r²·P(r)); below −87.3 (and −∞) exactly 0,
/// above 88.3 clamped there. NaN stays NaN (max/min return their second operand on NaN).
AVX2 static inline __m256 exp8(__m256 x) {
    const __m256 min_input = _mm256_set1_ps(-87.3f), max_input = _mm256_set1_ps(88.3f);
    const __m256 round_magic = _mm256_set1_ps(12582912.0f);   // 1.5·2^23
    __m256 too_small = _mm256_cmp_ps(x, min_input, _CMP_LT_OQ);
    __m256 v = _mm256_min_ps(max_input, _mm256_max_ps(min_input, x));
    __m256 shifted = _mm256_fmadd_ps(v, _mm256_set1_ps(1.4426950408889634f), round_magic);
    __m256 fn = _mm256_sub_ps(shifted, round_magic);                       // n = round(v·log2e)
    __m256 r = _mm256_fnmadd_ps(fn, _mm256_set1_ps(0.693359375f), v);      // v − n·ln2_hi (exact)
    r = _mm256_fnmadd_ps(fn, _mm256_set1_ps(-2.1219444005469058e-4f), r); //   − n·ln2_lo
    __m256 p = _mm256_fmadd_ps(r, _mm256_set1_ps(1.9875691500e-4f), _mm256_set1_ps(1.3981999507e-3f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(8.3334519073e-3f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(4.1665795894e-2f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.6666665459e-1f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(5.0000001201e-1f));
    __m256 er = _mm256_add_ps(_mm256_fmadd_ps(p, _mm256_mul_ps(r, r), r), _mm256_set1_ps(1.0f));
    // 2^n: (n + 127) << 23 as a float's bits; n sits in the low mantissa bits of `shifted`.
    __m256i n = _mm256_sub_epi32(_mm256_castps_si256(shifted), _mm256_castps_si256(round_magic));
    __m256 two_n = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(n, _mm256_set1_epi32(127)), 23));
    return _mm256_andnot_ps(too_small, _mm256_mul_ps(er, two_n));
}

AVX2 float slate_avx2_exp_shifted_row(const float *x, float shift, float *out, long n) {
    const __m256 s = _mm256_set1_ps(shift);
    __m256 acc = _mm256_setzero_ps();
    long i = 0;
    for (; i + 8 <= n; i += 8) {
        __m256 e = exp8(_mm256_sub_ps(_mm256_loadu_ps(x + i), s));
        if (out) _mm256_storeu_ps(out + i, e);
        acc = _mm256_add_ps(acc, e);
    }
    if (i < n) {
        __m256i mask = lane_mask(n - i);
        __m256 e = _mm256_and_ps(exp8(_mm256_sub_ps(_mm256_maskload_ps(x + i, mask), s)), _mm256_castsi256_ps(mask));
        if (out) _mm256_maskstore_ps(out + i, mask, e);
        acc = _mm256_add_ps(acc, e);
    }
    return horizontal_sum(acc);
}

// MARK: GELU — the rational erf of FastGELU.swift

/// erf in every lane: x·P(x²)/Q(x²) on [−4, 4], ±1 to single precision outside.
AVX2 static inline __m256 erf8(__m256 x) {
    __m256 v = _mm256_min_ps(_mm256_set1_ps(4.0f), _mm256_max_ps(_mm256_set1_ps(-4.0f), x));
    __m256 v2 = _mm256_mul_ps(v, v);
    __m256 p = _mm256_fmadd_ps(v2, _mm256_set1_ps(-2.72614225801306e-10f), _mm256_set1_ps(2.77068142495902e-08f));
    p = _mm256_fmadd_ps(p, v2, _mm256_set1_ps(-2.10102402082508e-06f));
    p = _mm256_fmadd_ps(p, v2, _mm256_set1_ps(-5.69250639462346e-05f));
    p = _mm256_fmadd_ps(p, v2, _mm256_set1_ps(-7.34990630326855e-04f));
    p = _mm256_fmadd_ps(p, v2, _mm256_set1_ps(-2.95459980854025e-03f));
    p = _mm256_fmadd_ps(p, v2, _mm256_set1_ps(-1.60960333262415e-02f));
    __m256 q = _mm256_fmadd_ps(v2, _mm256_set1_ps(-1.45660718464996e-05f), _mm256_set1_ps(-2.13374055278905e-04f));
    q = _mm256_fmadd_ps(q, v2, _mm256_set1_ps(-1.68282697438203e-03f));
    q = _mm256_fmadd_ps(q, v2, _mm256_set1_ps(-7.37332916720468e-03f));
    q = _mm256_fmadd_ps(q, v2, _mm256_set1_ps(-1.42647390514189e-02f));
    return _mm256_div_ps(_mm256_mul_ps(v, p), q);
}

/// ½·x·(1 + erf(x/√2)).
AVX2 static inline __m256 gelu8(__m256 v) {
    __m256 half_v = _mm256_mul_ps(_mm256_set1_ps(0.5f), v);
    __m256 e = erf8(_mm256_mul_ps(v, _mm256_set1_ps(0.7071067811865476f)));
    return _mm256_fmadd_ps(half_v, e, half_v);
}

AVX2 void slate_avx2_gelu_forward(const float *x, float *y, long n) {
    long i = 0;
    for (; i + 8 <= n; i += 8) _mm256_storeu_ps(y + i, gelu8(_mm256_loadu_ps(x + i)));
    if (i < n) {
        __m256i mask = lane_mask(n - i);
        _mm256_maskstore_ps(y + i, mask, gelu8(_mm256_maskload_ps(x + i, mask)));
    }
}

/// g·(Φ(x) + x·φ(x)) with Φ = y/x, or ½ + x/√(2π) for |x| < 1e-3 (geluSmallInput).
AVX2 static inline __m256 gelu_grad8(__m256 v, __m256 y, __m256 g) {
    const __m256 inv_sqrt_2pi = _mm256_set1_ps(0.3989422804014327f), small = _mm256_set1_ps(1e-3f);
    __m256 tiny = _mm256_and_ps(_mm256_cmp_ps(v, small, _CMP_LT_OQ),
                                _mm256_cmp_ps(v, _mm256_sub_ps(_mm256_setzero_ps(), small), _CMP_GT_OQ));
    __m256 near0 = _mm256_fmadd_ps(v, inv_sqrt_2pi, _mm256_set1_ps(0.5f));
    __m256 cdf = _mm256_div_ps(y, _mm256_blendv_ps(v, _mm256_set1_ps(1.0f), tiny));
    cdf = _mm256_blendv_ps(cdf, near0, tiny);
    __m256 pdf = _mm256_mul_ps(inv_sqrt_2pi, exp8(_mm256_mul_ps(_mm256_set1_ps(-0.5f), _mm256_mul_ps(v, v))));
    return _mm256_mul_ps(g, _mm256_fmadd_ps(v, pdf, cdf));
}

AVX2 void slate_avx2_gelu_backward(const float *x, const float *y, const float *g, float *dx, float beta, long n) {
    long i = 0;
    for (; i + 8 <= n; i += 8) {
        __m256 d = gelu_grad8(_mm256_loadu_ps(x + i), _mm256_loadu_ps(y + i), _mm256_loadu_ps(g + i));
        _mm256_storeu_ps(dx + i, beta == 0 ? d : _mm256_add_ps(_mm256_loadu_ps(dx + i), d));
    }
    if (i < n) {
        __m256i mask = lane_mask(n - i);
        __m256 d = gelu_grad8(_mm256_maskload_ps(x + i, mask), _mm256_maskload_ps(y + i, mask),
                              _mm256_maskload_ps(g + i, mask));
        _mm256_maskstore_ps(dx + i, mask, beta == 0 ? d : _mm256_add_ps(_mm256_maskload_ps(dx + i, mask), d));
    }
}

#else   // not x86-64: no AVX2 kernels; Slate runs its portable Swift SIMD.

int slate_vector_avx2_enabled(void) { return 0; }
int slate_vector_set_avx2(int on) { (void)on; return 0; }

#endif
