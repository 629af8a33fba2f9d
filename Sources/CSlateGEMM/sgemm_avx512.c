// See include/CSlateGEMM.h. The loops are the five of Goto's GEMM (BLIS names them jc, pc, ic,
// jr, ir): for each NC-column block of op(B) and each KC-deep slice of it, pack that block into
// NR-wide panels; for each MC-row block of op(A) in the same slice, pack it into MR-tall panels;
// then every (jr, ir) pair of panels is one call of the micro-kernel, which keeps a 12×32 tile of
// C in 24 ZMM registers for the whole slice. The B panel a micro-kernel reads (KC × NR floats,
// 32 KB) stays in the L1 cache while ir walks down the A block, which stays in L2.
//
// Every element of C is the same sequence of operations whatever m, n and the caller's split of
// C over threads: zero, then k fused multiply-adds in order of p over each KC slice, scaled by
// alpha and added to beta·C (1·C for later slices). Padding rows and columns of the panels are
// zeros that are computed and never stored.
#include "CSlateGEMM.h"
#include <stdatomic.h>

static _Atomic int avx512_state = -1;

int slate_gemm_avx512_state(void) { return atomic_load_explicit(&avx512_state, memory_order_relaxed); }

void slate_gemm_set_avx512_state(int state) { atomic_store_explicit(&avx512_state, state, memory_order_relaxed); }

#if defined(__x86_64__)
#include <immintrin.h>
#include <pthread.h>
#include <stdlib.h>

int slate_gemm_cpu_has_avx512(void) {
    __builtin_cpu_init();               // the builtin also checks that the OS saves ZMM state
    return __builtin_cpu_supports("avx512f");
}

#define AVX512 __attribute__((target("avx512f")))

// MR × NR: the register tile (NR = two 16-float vectors). KC: the depth of one slice of the
// product; MC, NC: the rows of op(A) and columns of op(B) packed at a time.
enum { MR = 12, NR = 32, KC = 256, MC = 192, NC = 2048 };

static long min_long(long a, long b) { return a < b ? a : b; }

// MARK: Packing workspace — one per thread, kept for the thread's life

typedef struct { float *a, *b; long b_capacity; } Workspace;

static pthread_key_t workspace_key;
static pthread_once_t workspace_once = PTHREAD_ONCE_INIT;
static int workspace_key_made;

static void free_workspace(void *pointer) {
    Workspace *w = pointer;
    free(w->a); free(w->b); free(w);
}

static void make_workspace_key(void) { workspace_key_made = pthread_key_create(&workspace_key, free_workspace) == 0; }

/// This thread's workspace with room for MC × KC floats of A and `b_floats` of B, or NULL.
static Workspace *workspace(long b_floats) {
    pthread_once(&workspace_once, make_workspace_key);
    if (!workspace_key_made) return NULL;
    Workspace *w = pthread_getspecific(workspace_key);
    if (!w) {
        if (!(w = calloc(1, sizeof *w))) return NULL;
        w->a = aligned_alloc(64, sizeof(float) * MC * KC);
        if (!w->a || pthread_setspecific(workspace_key, w) != 0) { free(w->a); free(w); return NULL; }
    }
    if (w->b_capacity < b_floats) {
        free(w->b);
        w->b = aligned_alloc(64, sizeof(float) * (size_t)b_floats);   // 64 divides it: NR floats are 128 bytes
        w->b_capacity = w->b ? b_floats : 0;
    }
    return w->b ? w : NULL;
}

/// The first `count` lanes of a 16-lane mask (count clamped to 0...16).
static __mmask16 first_lanes(long count) {
    return count >= 16 ? (__mmask16)0xFFFF : count <= 0 ? 0 : (__mmask16)((1u << count) - 1);
}

// MARK: Packing
//
// A panel stores one k-step's MR (or NR) values side by side. When op(A) or op(B) holds those
// values side by side already (A transposed, B not), a k-step is one masked vector copy. When
// they lie in separate stored rows, 4 rows × 4 steps are read as four 4-float vectors and
// transposed in registers (4 loads and 4 stores instead of 16 of each); the last kc % 4 steps,
// and panels cut short by the matrix edge, go element by element.

/// Writes `source` (`rows` stored rows of `stride` floats, `count` rows ≤ panel) transposed into
/// the panel: panel[p·panel + r] = source[r·stride + p] for p in 0..<kc; rows count..<panel are 0.
static void pack_transposing(const float *source, long stride, long count, long panel, long kc, float *packed) {
    long p = 0;
    if (count == panel) {
        for (; p + 4 <= kc; p += 4) {
            for (long r = 0; r < panel; r += 4) {
                __m128 r0 = _mm_loadu_ps(source + r * stride + p), r1 = _mm_loadu_ps(source + (r + 1) * stride + p);
                __m128 r2 = _mm_loadu_ps(source + (r + 2) * stride + p), r3 = _mm_loadu_ps(source + (r + 3) * stride + p);
                _MM_TRANSPOSE4_PS(r0, r1, r2, r3);          // r0 now holds step p of rows r..r+3, r1 step p+1, …
                _mm_storeu_ps(packed + p * panel + r, r0);
                _mm_storeu_ps(packed + (p + 1) * panel + r, r1);
                _mm_storeu_ps(packed + (p + 2) * panel + r, r2);
                _mm_storeu_ps(packed + (p + 3) * panel + r, r3);
            }
        }
    }
    for (; p < kc; p++)
        for (long r = 0; r < panel; r++) packed[p * panel + r] = r < count ? source[r * stride + p] : 0;
}

/// Copies `count` ≤ `panel` consecutive floats of each of kc stored rows into the panel:
/// panel[p·panel + j] = source[p·stride + j], lanes count..<panel 0. `panel` is 12 or 32.
AVX512 static void pack_copying(const float *source, long stride, long count, long panel, long kc, float *packed) {
    __mmask16 first = first_lanes(count), second = first_lanes(count - 16);
    if (panel == 32) {
        for (long p = 0; p < kc; p++, source += stride, packed += 32) {
            _mm512_store_ps(packed, _mm512_maskz_loadu_ps(first, source));
            _mm512_store_ps(packed + 16, _mm512_maskz_loadu_ps(second, source + 16));
        }
    } else {                            // 12-float steps: not 64-byte aligned, so masked unaligned stores
        for (long p = 0; p < kc; p++, source += stride, packed += panel)
            _mm512_mask_storeu_ps(packed, first_lanes(panel), _mm512_maskz_loadu_ps(first, source));
    }
}

/// Packs `rows` rows × kc steps of op(A), starting at `a` (already offset to the block's first
/// row and step), into MR-tall panels: panel[p·MR + r] = op(A)[r][p]; rows past `rows` are 0.
AVX512 static void pack_a(int trans, const float *a, long lda, long rows, long kc, float *packed) {
    for (long ir = 0; ir < rows; ir += MR, packed += MR * kc) {
        long height = min_long(MR, rows - ir);
        if (trans) pack_copying(a + ir, lda, height, MR, kc, packed);            // op(A)[r][p] = a[p·lda + r]
        else pack_transposing(a + ir * lda, lda, height, MR, kc, packed);       // op(A)[r][p] = a[r·lda + p]
    }
}

/// Packs kc steps × `columns` columns of op(B), starting at `b` (offset to the block's first step
/// and column), into NR-wide panels: panel[p·NR + j] = op(B)[p][j]; columns past `columns` are 0.
AVX512 static void pack_b(int trans, const float *b, long ldb, long columns, long kc, float *packed) {
    for (long jr = 0; jr < columns; jr += NR, packed += NR * kc) {
        long width = min_long(NR, columns - jr);
        if (trans) pack_transposing(b + jr * ldb, ldb, width, NR, kc, packed);  // op(B)[p][j] = b[j·ldb + p]
        else pack_copying(b + jr, ldb, width, NR, kc, packed);                  // op(B)[p][j] = b[p·ldb + j]
    }
}

// MARK: The micro-kernel

/// C[0..<rows][0..<columns] = alpha · (A panel · B panel) + beta · C, over kc steps; rows ≤ MR,
/// columns ≤ NR. The 12 × 32 tile lives in 24 registers; each step loads two 16-float vectors of
/// the B panel and broadcasts the 12 floats of the A panel (24 fused multiply-adds per step).
AVX512 static void micro_kernel(long kc, const float *restrict a_panel, const float *restrict b_panel,
                                float *c, long ldc, long rows, long columns, float alpha, float beta) {
    __m512 tile[MR][2];
#pragma clang loop unroll(full)
    for (int r = 0; r < MR; r++) tile[r][0] = tile[r][1] = _mm512_setzero_ps();
    for (long p = 0; p < kc; p++, a_panel += MR, b_panel += NR) {
        __m512 b_left = _mm512_load_ps(b_panel), b_right = _mm512_load_ps(b_panel + 16);
#pragma clang loop unroll(full)
        for (int r = 0; r < MR; r++) {
            __m512 a_value = _mm512_set1_ps(a_panel[r]);
            tile[r][0] = _mm512_fmadd_ps(a_value, b_left, tile[r][0]);
            tile[r][1] = _mm512_fmadd_ps(a_value, b_right, tile[r][1]);
        }
    }
    __mmask16 left = first_lanes(columns), right = first_lanes(columns - 16);
    __m512 alpha_v = _mm512_set1_ps(alpha), beta_v = _mm512_set1_ps(beta);
#pragma clang loop unroll(full)
    for (int r = 0; r < MR; r++) {      // constant r after unrolling keeps the tile in registers
        if (r >= rows) continue;
        float *row = c + r * ldc;
        __m512 left_v = _mm512_mul_ps(alpha_v, tile[r][0]), right_v = _mm512_mul_ps(alpha_v, tile[r][1]);
        if (beta != 0) {                // beta = 0 never reads C
            left_v = _mm512_fmadd_ps(beta_v, _mm512_maskz_loadu_ps(left, row), left_v);
            right_v = _mm512_fmadd_ps(beta_v, _mm512_maskz_loadu_ps(right, row + 16), right_v);
        }
        _mm512_mask_storeu_ps(row, left, left_v);
        _mm512_mask_storeu_ps(row + 16, right, right_v);
    }
}

// MARK: The five loops

int slate_avx512_sgemm(int trans_a, int trans_b, long m, long n, long k, float alpha,
                       const float *a, long lda, const float *b, long ldb,
                       float beta, float *c, long ldc) {
    if (m < 1 || n < 1 || k < 1) return -1;
    Workspace *w = workspace((min_long(n, NC) + NR - 1) / NR * NR * min_long(k, KC));
    if (!w) return -1;
    for (long jc = 0; jc < n; jc += NC) {
        long nc = min_long(NC, n - jc);
        for (long pc = 0; pc < k; pc += KC) {
            long kc = min_long(KC, k - pc);
            float slice_beta = pc == 0 ? beta : 1;      // later slices add onto the first's result
            pack_b(trans_b, trans_b ? b + jc * ldb + pc : b + pc * ldb + jc, ldb, nc, kc, w->b);
            for (long ic = 0; ic < m; ic += MC) {
                long mc = min_long(MC, m - ic);
                pack_a(trans_a, trans_a ? a + pc * lda + ic : a + ic * lda + pc, lda, mc, kc, w->a);
                for (long jr = 0; jr < nc; jr += NR)
                    for (long ir = 0; ir < mc; ir += MR)
                        micro_kernel(kc, w->a + ir * kc, w->b + jr * kc, c + (ic + ir) * ldc + jc + jr, ldc,
                                     min_long(MR, mc - ir), min_long(NR, nc - jr), alpha, slice_beta);
            }
        }
    }
    return 0;
}

#else

int slate_gemm_cpu_has_avx512(void) { return 0; }

int slate_avx512_sgemm(int trans_a, int trans_b, long m, long n, long k, float alpha,
                       const float *a, long lda, const float *b, long ldb,
                       float beta, float *c, long ldc) {
    (void)trans_a; (void)trans_b; (void)m; (void)n; (void)k; (void)alpha; (void)a; (void)lda;
    (void)b; (void)ldb; (void)beta; (void)c; (void)ldc;
    return -1;
}

#endif
