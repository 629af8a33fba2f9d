#include "CSlatePeak.h"

#if defined(__x86_64__)
#include <immintrin.h>

int slate_has_avx2_fma_loop(void) { return 1; }

__attribute__((target("avx2,fma")))
float slate_fma_peak_avx2(long iterations, float one, float step) {
    const __m256 m = _mm256_set1_ps(one), s = _mm256_set1_ps(step);
    __m256 a0 = s, a1 = s, a2 = s, a3 = s, a4 = s, a5 = s, a6 = s, a7 = s;
    for (long i = 0; i < iterations; i++) {  // 8 chains ≥ FMA latency (4) × pipes (2)
        a0 = _mm256_fmadd_ps(a0, m, s); a1 = _mm256_fmadd_ps(a1, m, s);
        a2 = _mm256_fmadd_ps(a2, m, s); a3 = _mm256_fmadd_ps(a3, m, s);
        a4 = _mm256_fmadd_ps(a4, m, s); a5 = _mm256_fmadd_ps(a5, m, s);
        a6 = _mm256_fmadd_ps(a6, m, s); a7 = _mm256_fmadd_ps(a7, m, s);
    }
    __m256 sum = _mm256_add_ps(_mm256_add_ps(_mm256_add_ps(a0, a1), _mm256_add_ps(a2, a3)),
                               _mm256_add_ps(_mm256_add_ps(a4, a5), _mm256_add_ps(a6, a7)));
    float lanes[8];
    _mm256_storeu_ps(lanes, sum);
    return lanes[0] + lanes[1] + lanes[2] + lanes[3] + lanes[4] + lanes[5] + lanes[6] + lanes[7];
}

int slate_has_avx512_fma_loop(void) { return 1; }

__attribute__((target("avx512f")))
float slate_fma_peak_avx512(long iterations, float one, float step) {
    const __m512 m = _mm512_set1_ps(one), s = _mm512_set1_ps(step);
    __m512 a[12];
#pragma clang loop unroll(full)
    for (int c = 0; c < 12; c++) a[c] = s;
    for (long i = 0; i < iterations; i++) {  // 12 chains ≥ FMA latency (4) × pipes (2), with room
#pragma clang loop unroll(full)
        for (int c = 0; c < 12; c++) a[c] = _mm512_fmadd_ps(a[c], m, s);
    }
    __m512 sum = a[0];
#pragma clang loop unroll(full)
    for (int c = 1; c < 12; c++) sum = _mm512_add_ps(sum, a[c]);
    return _mm512_reduce_add_ps(sum);
}

#else

int slate_has_avx2_fma_loop(void) { return 0; }
int slate_has_avx512_fma_loop(void) { return 0; }
float slate_fma_peak_avx512(long iterations, float one, float step) {
    (void)iterations; (void)one; (void)step;
    return 0;
}
float slate_fma_peak_avx2(long iterations, float one, float step) {
    (void)iterations; (void)one; (void)step;
    return 0;
}

#endif
