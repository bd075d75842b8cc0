// A GEMM for the shapes a small MLP has: C (m x n) = start + A (m x k) B (k x n), with n small
// (the layer's units, 10 to 512) and m or k large (70,000 evaluation rows; 784 inputs).
//
// Why not BLAS here: OpenBLAS packs both operands into panels before every call. For the
// evaluation product (70,000 x 784) x (784 x 64) that packing reads and rewrites the whole
// 219 MB input on every pass, as a separate memory-bound phase: 30 % of the pass in the
// profile (bench/PROFILE.md). This kernel packs nothing. B, one 64-column panel at a time (at
// most 784 x 64 floats, 200 KB), stays in L2 and is read straight from its row-major storage; A is read once, element by
// element, as broadcasts, while the FMAs run, so the memory traffic overlaps the arithmetic.
//
// Register tile: MR rows of C by NV vectors of 16 columns, the accumulators never leave
// registers during the k loop (6 x 4 = 24 zmm for n = 64). Columns beyond n are masked, so
// any n works. Every C element is one FMA chain over p = 0, 1, ..., k-1 in order, starting
// from `start`; a row's result does not depend on which tile or batch it falls in.
//
// Built for AVX-512 here and for AVX2 + FMA in gemm_avx2.c (same bits), chosen at run
// time; elsewhere ck_gemm_available() is 0 and the caller uses BLAS.

#include "ckernels.h"
#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#include <immintrin.h>
#include "vector_math.h"
#include "gemm_operand.h"

#define AVX512 __attribute__((target("avx512f")))
#define INLINE static inline __attribute__((always_inline))

// One MR x (16 NV) tile. Row r of A is at rowp[r]; its p-th element at rowp[r][p * acs],
// or at rowp[r][pidx[p] * acs] when INDEXED_P (dW of a shuffled batch read in place).
// `next` (or null) holds the next tile's rows, prefetched as this one runs.
// start: 0 zero, 1 the bias row, 2 the current contents of C.
INLINE AVX512 void tile(const int MR, const int NV, const int INDEXED_P, long k,
                        const float *const *rowp, const float *const *next, long acs, const long *pidx,
                        const float *b, long ldb, const __mmask16 *mask,
                        int start, const float *bias, float *c, long ldc) {
    __m512 acc[MR][NV];
    for (int r = 0; r < MR; r++)
        for (int v = 0; v < NV; v++) {
            if (start == 2) acc[r][v] = _mm512_maskz_loadu_ps(mask[v], c + r * ldc + 16 * v);
            else if (start == 1) acc[r][v] = _mm512_maskz_loadu_ps(mask[v], bias + 16 * v);
            else acc[r][v] = _mm512_setzero_ps();
        }
    const float *ap[MR];
    for (int r = 0; r < MR; r++) ap[r] = rowp[r];
    for (long p = 0; p < k; p++) {
        __m512 bv[NV];
        const float *brow = b + p * ldb;
        for (int v = 0; v < NV; v++) bv[v] = _mm512_maskz_loadu_ps(mask[v], brow + 16 * v);
        long off = INDEXED_P ? pidx[p] * acs : p * acs;
        // Row-major A streams from memory: every 16 steps (one cache line), ask for the
        // same line of the next tile's rows into L2, a tile's worth of time ahead. This
        // measured 5-15 % faster on the evaluation product than the hardware prefetcher alone.
        if (next && (p & 15) == 0)
            for (int r = 0; r < MR; r++) _mm_prefetch((const char *)(next[r] + off), _MM_HINT_T1);
        for (int r = 0; r < MR; r++) {
            __m512 av = _mm512_set1_ps(ap[r][off]);
            for (int v = 0; v < NV; v++) acc[r][v] = _mm512_fmadd_ps(av, bv[v], acc[r][v]);
        }
    }
    for (int r = 0; r < MR; r++)
        for (int v = 0; v < NV; v++)
            _mm512_mask_storeu_ps(c + r * ldc + 16 * v, mask[v], acc[r][v]);
}

// The activation on a freshly stored rows x (16 nv) block, while it is still in L1, so
// the layer's output makes one trip to memory. (Applying it in registers inside `tile`
// made the compiler give up keeping the accumulators in registers.)
static AVX512 void activate_block(float *c, long ldc, long rows, int nv, const __mmask16 *mask,
                                  int act, float act_a, float act_b) {
    for (long r = 0; r < rows; r++)
        for (int v = 0; v < nv; v++) {
            float *p = c + r * ldc + 16 * v;
            _mm512_mask_storeu_ps(p, mask[v], activate16(_mm512_maskz_loadu_ps(mask[v], p), act, act_a, act_b));
        }
}

// All rows of one column panel of NV vectors: tiles of MR rows, then single rows.
INLINE AVX512 void panel(const int MR, const int NV, long m, long k, const operand *A,
                         const float *b, long ldb, const __mmask16 *mask, int start, const float *bias,
                         int act, float act_a, float act_b, float *c, long ldc) {
    const float *rows[MR], *next[MR];
    // Prefetching the next tile pays where A's rows stream from memory (acs == 1).
    const int prefetch = A->acs == 1;
    long i = 0;
    for (; i + MR <= m; i += MR) {
        for (int r = 0; r < MR; r++) {
            rows[r] = row_of(A, i + r);
            next[r] = i + MR + r < m ? row_of(A, i + MR + r) : rows[r];
        }
        if (A->pidx)
            tile(MR, NV, 1, k, rows, prefetch ? next : 0, A->acs, A->pidx, b, ldb, mask, start, bias, c + i * ldc, ldc);
        else
            tile(MR, NV, 0, k, rows, prefetch ? next : 0, A->acs, 0, b, ldb, mask, start, bias, c + i * ldc, ldc);
        if (act != CK_ACT_NONE) activate_block(c + i * ldc, ldc, MR, NV, mask, act, act_a, act_b);
    }
    for (; i < m; i++) {
        rows[0] = row_of(A, i);
        if (A->pidx)
            tile(1, NV, 1, k, rows, 0, A->acs, A->pidx, b, ldb, mask, start, bias, c + i * ldc, ldc);
        else
            tile(1, NV, 0, k, rows, 0, A->acs, 0, b, ldb, mask, start, bias, c + i * ldc, ldc);
        if (act != CK_ACT_NONE) activate_block(c + i * ldc, ldc, 1, NV, mask, act, act_a, act_b);
    }
}

static AVX512 void gemm_block(long m, long n, long k, const operand *A,
                               const float *b, long ldb, int start, const float *bias,
                               int act, float act_a, float act_b, float *c, long ldc) {
    // Column panels of up to 64 columns; the register tile's height fills the 32 zmm.
    for (long j = 0; j < n; j += 64) {
        long width = n - j < 64 ? n - j : 64;
        int nv = (int)((width + 15) / 16);
        __mmask16 mask[4];
        for (int v = 0; v < 4; v++) {
            long left = width - 16 * v;
            mask[v] = left >= 16 ? (__mmask16)0xFFFF : left > 0 ? (__mmask16)((1u << left) - 1) : 0;
        }
        const float *bj = b + j, *biasj = bias ? bias + j : 0;
        float *cj = c + j;
        switch (nv) {
        case 4: panel(6, 4, m, k, A, bj, ldb, mask, start, biasj, act, act_a, act_b, cj, ldc); break;
        case 3: panel(8, 3, m, k, A, bj, ldb, mask, start, biasj, act, act_a, act_b, cj, ldc); break;
        case 2: panel(12, 2, m, k, A, bj, ldb, mask, start, biasj, act, act_a, act_b, cj, ldc); break;
        default: panel(12, 1, m, k, A, bj, ldb, mask, start, biasj, act, act_a, act_b, cj, ldc); break;
        }
    }
}

// Wide layers (several column panels) multiply in blocks of K_BLOCK rows of k: each block of the weights
// stays within a few dozen pages while every panel and tile uses it, where whole
// 2 KB-strided panels missed the TLB (the 512-unit forward went from about 0.55 to 0.7 of
// peak). C holds the partial sums between blocks, stored and reloaded exactly, so each
// element is still one FMA chain over k in order: the same bits as without blocks. One
// panel keeps a single block: there the inputs stream from memory, and blocks cut the
// streams into short pieces (measured slower on the evaluation product).
static AVX512 void gemm_avx512(long m, long n, long k, const operand *A,
                               const float *b, long ldb, int start, const float *bias,
                               int act, float act_a, float act_b, float *c, long ldc) {
    if (n <= 64 || A->acs != 1 || k <= K_BLOCK) {
        gemm_block(m, n, k, A, b, ldb, start, bias, act, act_a, act_b, c, ldc);
        return;
    }
    for (long p0 = 0; p0 < k; p0 += K_BLOCK) {
        long len = k - p0 < K_BLOCK ? k - p0 : K_BLOCK;
        operand block = *A;
        block.a += p0;  // acs == 1: the block's first column
        gemm_block(m, n, len, &block, b + p0 * ldb, ldb, p0 == 0 ? start : 2, bias,
                   p0 + len >= k ? act : CK_ACT_NONE, act_a, act_b, c, ldc);
    }
}

// Which kernel runs: 2 AVX-512, 1 AVX2 + FMA, 0 none (BLAS). Decided once at load time,
// before any thread can call in (experiments run on threads). MAKE_REPORT_KERNELS=avx2
// picks the AVX2 kernels on an AVX-512 machine (to compare the two), =blas none.
static int isa;

__attribute__((constructor)) static void detect_isa(void) {
    __builtin_cpu_init();
    isa = __builtin_cpu_supports("avx512f") ? 2
        : __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") ? 1 : 0;
    const char *want = getenv("MAKE_REPORT_KERNELS");
    if (want && strcmp(want, "avx2") == 0 && isa > 1) isa = 1;
    if (want && strcmp(want, "blas") == 0) isa = 0;
}

int ck_gemm_available(void) { return isa > 0; }
int ck_kernel_isa(void) { return isa; }

int ck_gemm(long m, long n, long k, const float *a, long a_row_stride, long a_column_stride,
            const long *a_rows, const float *b, long ldb, int start, const float *bias, int activation,
            float activation_a, float activation_b, float *c, long ldc) {
    if (!ck_gemm_available()) return 0;
    if (m <= 0 || n <= 0) return 1;
    // a_rows picks the stored rows of A: they are A's rows (i) when A is read as stored
    // (a_column_stride == 1), its columns (p) when A is read transposed.
    operand A = {a, a_row_stride, a_column_stride, 0, 0};
    if (a_rows) {
        if (a_column_stride == 1) A.ridx = a_rows;
        else A.pidx = a_rows;
    }
    if (isa == 2) gemm_avx512(m, n, k, &A, b, ldb, start, bias, activation, activation_a, activation_b, c, ldc);
    else ck_gemm_avx2(m, n, k, &A, b, ldb, start, bias, activation, activation_a, activation_b, c, ldc);
    return 1;
}

#else

int ck_gemm_available(void) { return 0; }
int ck_kernel_isa(void) { return 0; }

int ck_gemm(long m, long n, long k, const float *a, long a_row_stride, long a_column_stride,
            const long *a_rows, const float *b, long ldb, int start, const float *bias, int activation,
            float activation_a, float activation_b, float *c, long ldc) {
    (void)activation; (void)activation_a; (void)activation_b; (void)a_rows;
    (void)m; (void)n; (void)k; (void)a; (void)a_row_stride; (void)a_column_stride;
    (void)b; (void)ldb; (void)start; (void)bias; (void)c; (void)ldc;
    return 0;
}

#endif
