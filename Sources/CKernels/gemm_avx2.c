// gemm.c's kernel for CPUs with AVX2 and FMA but no AVX-512 (AMD Zen 1-3, Intel before
// Skylake-X): C (m x n) = f(start + A B), every C element one FMA chain over p = 0, 1, ...,
// k-1 in order from `start`, and the activation from vector_math.h, one definition for both
// widths. So a result here is the same bits as on an AVX-512 machine.
//
// What differs is the shape, because there are 16 ymm registers instead of 32 zmm: tiles
// are 6 rows by 16 columns (12 accumulators, 2 weight vectors, 1 broadcast), and a 64-unit
// layer is four such column panels. To keep A streaming from memory once, the loop runs
// over row tiles outside and column panels inside: a tile's 6 input rows (at most 19 KB
// for 784 inputs) are fetched from memory on the first panel and re-read from cache by the
// others. With several panels B (the weights) is copied first into contiguous 16-column
// panels (pack_panels says why); A, the large operand, is never copied.
// bench/PROFILE.md (section 8) has the measurements behind each choice.

#include "ckernels.h"

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#include <immintrin.h>
#include "vector_math.h"
#include "gemm_operand.h"
#include <pthread.h>
#include <stdlib.h>

#define AVX2 __attribute__((target("avx2,fma")))
#define INLINE static inline __attribute__((always_inline))

// Lane masks of the column vectors of a panel: all set up to `width` columns.
typedef struct { __m256i v[2]; } masks;

static AVX2 masks masks_for(long width) {
    masks m = {{lane_mask8(width, 0), lane_mask8(width, 1)}};
    return m;
}

INLINE AVX2 __m256 load(const int MASKED, const float *p, __m256i mask) {
    return MASKED ? _mm256_maskload_ps(p, mask) : _mm256_loadu_ps(p);
}

INLINE AVX2 void store(const int MASKED, float *p, __m256i mask, __m256 x) {
    if (MASKED) _mm256_maskstore_ps(p, mask, x);
    else _mm256_storeu_ps(p, x);
}

// One MR x (8 NV) tile, as gemm.c's `tile`: row r of A at rowp[r], its p-th element at
// rowp[r][p * acs] (or rowp[r][pidx[p] * acs] when INDEXED_P); `next` (or null): rows to
// prefetch into L2 as this tile runs. MASK_B, MASK_C: B's rows, C's rows (and the bias)
// are partial vectors, read and written through `mk`.
INLINE AVX2 void tile(const int MR, const int NV, const int INDEXED_P, const int MASK_B, const int MASK_C,
                      long k, const float *const *rowp, const float *const *next, long acs, const long *pidx,
                      const float *b, long ldb, const masks *mk, int start, const float *bias,
                      float *c, long ldc) {
    // Fixed-size arrays (not [MR][NV], which C makes variable-length before inlining)
    // so that they become registers.
    __m256 acc[12][2];
    const float *ap[12];
    for (int r = 0; r < MR; r++) ap[r] = rowp[r];
    const __m256i mask0 = mk->v[0], mask1 = mk->v[1];
    for (int r = 0; r < MR; r++)
        for (int v = 0; v < NV; v++) {
            if (start == 2) acc[r][v] = load(MASK_C, c + r * ldc + 8 * v, v ? mask1 : mask0);
            else if (start == 1) acc[r][v] = load(MASK_C, bias + 8 * v, v ? mask1 : mask0);
            else acc[r][v] = _mm256_setzero_ps();
        }
    // Blocks of 16 steps (a cache line of each row of A): the prefetch is decided once a
    // block, so the inner loop is FMAs, loads and one branch.
    for (long p0 = 0; p0 < k; p0 += 16) {
        const long p1 = p0 + 16 < k ? p0 + 16 : k;
        if (next) {
            long off = INDEXED_P ? pidx[p0] * acs : p0 * acs;
            for (int r = 0; r < MR; r++) _mm_prefetch((const char *)(next[r] + off), _MM_HINT_T1);
        }
        for (long p = p0; p < p1; p++) {
            __m256 bv[2];
            const float *brow = b + p * ldb;
            for (int v = 0; v < NV; v++) bv[v] = load(MASK_B, brow + 8 * v, v ? mask1 : mask0);
            long off = INDEXED_P ? pidx[p] * acs : p * acs;
            for (int r = 0; r < MR; r++) {
                __m256 av = _mm256_broadcast_ss(ap[r] + off);
                for (int v = 0; v < NV; v++) acc[r][v] = _mm256_fmadd_ps(av, bv[v], acc[r][v]);
            }
        }
    }
    for (int r = 0; r < MR; r++)
        for (int v = 0; v < NV; v++) store(MASK_C, c + r * ldc + 8 * v, v ? mask1 : mask0, acc[r][v]);
}

// The activation on rows x width of C, while they are in L1.
static AVX2 void activate_block(float *c, long ldc, long rows, long width, int act, float act_a, float act_b) {
    const long whole = width / 8 * 8;
    const __m256i tail = lane_mask8(width - whole, 0);
    for (long r = 0; r < rows; r++) {
        float *row = c + r * ldc;
        for (long j = 0; j < whole; j += 8) _mm256_storeu_ps(row + j, activate8(_mm256_loadu_ps(row + j), act, act_a, act_b));
        if (whole < width)
            _mm256_maskstore_ps(row + whole, tail, activate8(_mm256_maskload_ps(row + whole, tail), act, act_a, act_b));
    }
}

// Several column panels: B is first copied panel by panel, 16 columns a row, zero-padded,
// into `packed` (k x 16 floats a panel, contiguous). Read in place, a panel's rows lie
// 4 n bytes apart, and a 512-unit layer's 128-row block spans 64 pages per panel: the
// TLB missed, and the 512-wide products ran at 0.55-0.7 of the BLAS speed. Copying B is
// k n floats against m k n FMAs.
static AVX2 void pack_panels(long n, long k, const float *b, long ldb, float *packed) {
    for (long j = 0; j < n; j += 16) {
        long width = n - j < 16 ? n - j : 16;
        const masks mk = masks_for(width);
        float *dst = packed + j * k;
        for (long p = 0; p < k; p++, dst += 16) {
            const float *src = b + p * ldb + j;
            if (width == 16) {
                _mm256_storeu_ps(dst, _mm256_loadu_ps(src));
                _mm256_storeu_ps(dst + 8, _mm256_loadu_ps(src + 8));
            } else {
                _mm256_storeu_ps(dst, _mm256_maskload_ps(src, mk.v[0]));
                _mm256_storeu_ps(dst + 8, _mm256_maskload_ps(src + 8, mk.v[1]));
            }
        }
    }
}

// Rows [i, i + MR) across every packed column panel (16 columns each; the last one may be
// partial). The prefetch of the next rows rides on the first panel; the other panels find
// the rows in cache.
INLINE AVX2 void row_tile(const int MR, const int INDEXED_P, long i, long m, long n, long k,
                          const operand *A, const float *packed, long panel_stride, int start, const float *bias,
                          float *c, long ldc) {
    const float *rows[12], *next[12];
    for (int r = 0; r < MR; r++) {
        rows[r] = row_of(A, i + r);
        next[r] = i + MR + r < m ? row_of(A, i + MR + r) : rows[r];
    }
    const masks full = masks_for(16);
    for (long j = 0; j < n; j += 16) {
        const float *const *pf = j == 0 && A->acs == 1 ? next : 0;
        const float *bj = packed + j / 16 * panel_stride, *biasj = bias ? bias + j : 0;
        float *cij = c + i * ldc + j;
        if (j + 16 <= n) {
            tile(MR, 2, INDEXED_P, 0, 0, k, rows, pf, A->acs, A->pidx, bj, 16, &full, start, biasj, cij, ldc);
        } else {
            masks part = masks_for(n - j);
            if (n - j <= 8)  // one vector left: skip the empty one
                tile(MR, 1, INDEXED_P, 0, 1, k, rows, pf, A->acs, A->pidx, bj, 16, &part, start, biasj, cij, ldc);
            else
                tile(MR, 2, INDEXED_P, 0, 1, k, rows, pf, A->acs, A->pidx, bj, 16, &part, start, biasj, cij, ldc);
        }
    }
}

// One panel of at most 16 columns, B read in place (its rows are contiguous).
INLINE AVX2 void one_panel(const int MR, const int NV, const int INDEXED_P, const int MASKED, long i, long m,
                           long k, const operand *A, const float *b, long ldb, const masks *mk, int start,
                           const float *bias, float *c, long ldc) {
    const float *rows[12], *next[12];
    for (int r = 0; r < MR; r++) {
        rows[r] = row_of(A, i + r);
        next[r] = i + MR + r < m ? row_of(A, i + MR + r) : rows[r];
    }
    tile(MR, NV, INDEXED_P, MASKED, MASKED, k, rows, A->acs == 1 ? next : 0, A->acs, A->pidx, b, ldb, mk,
         start, bias, c + i * ldc, ldc);
}

// Rows [i, i + MR): a tile (or, with packed B, a tile per panel), then the activation
// while its outputs are in L1.
INLINE AVX2 void rows_at(const int MR, const int NV, const int INDEXED_P, const int MASKED, long i, long m,
                         long n, long k, const operand *A, const float *b, long ldb, const masks *mk,
                         const float *packed, long panel_stride, int start, const float *bias, int act,
                         float act_a, float act_b, float *c, long ldc) {
    if (packed) row_tile(MR, INDEXED_P, i, m, n, k, A, packed, panel_stride, start, bias, c, ldc);
    else one_panel(MR, NV, INDEXED_P, MASKED, i, m, k, A, b, ldb, mk, start, bias, c, ldc);
    if (act != CK_ACT_NONE) activate_block(c + i * ldc, ldc, MR, n, act, act_a, act_b);
}

// Every row: tiles of MR rows, then the rest as one shorter tile (a row at a time would
// leave the FMA units waiting on 1-2 accumulators: 128 = 21 x 6 + 2 rows lost 5 %).
// packed: B as pack_panels left it, or null for one panel in place.
INLINE AVX2 void all_rows(const int MR, const int NV, const int INDEXED_P, const int MASKED, long m, long n,
                          long k, const operand *A, const float *b, long ldb, const float *packed,
                          long panel_stride, int start, const float *bias, int act, float act_a, float act_b,
                          float *c, long ldc) {
    const masks mk = masks_for(n);
#define AT(R, I) rows_at(R, NV, INDEXED_P, MASKED, I, m, n, k, A, b, ldb, &mk, packed, panel_stride, start, bias, \
                         act, act_a, act_b, c, ldc)
    long i = 0;
    for (; i + MR <= m; i += MR) AT(MR, i);
    if (MR > 6 && m - i >= 6) { AT(6, i); i += 6; }
    switch (m - i) {
    case 5: AT(5, i); break;
    case 4: AT(4, i); break;
    case 3: AT(3, i); break;
    case 2: AT(2, i); break;
    case 1: AT(1, i); break;
    default: break;
    }
#undef AT
}

// The calling thread's buffer for packed panels, grown as needed and kept for the
// thread's next call, so that the per-batch path allocates nothing after the first batch.
static pthread_key_t pack_key;
static pthread_once_t pack_once = PTHREAD_ONCE_INIT;
static __thread float *pack_buffer;
static __thread long pack_capacity;

static void make_pack_key(void) { pthread_key_create(&pack_key, free); }

static float *pack_space(long floats) {
    if (floats > pack_capacity) {
        pthread_once(&pack_once, make_pack_key);
        free(pack_buffer);
        pack_buffer = aligned_alloc(64, (size_t)((floats * 4 + 63) / 64 * 64));
        pack_capacity = pack_buffer ? floats : 0;
        pthread_setspecific(pack_key, pack_buffer);  // freed when the thread ends
    }
    return pack_buffer;
}

// packed: B already packed (panels panel_stride floats apart), or null: pack it here when
// it has several panels, read it in place otherwise.
static AVX2 void gemm_block(long m, long n, long k, const operand *A, const float *b, long ldb,
                            const float *packed, long panel_stride, int start, const float *bias,
                            int act, float act_a, float act_b, float *c, long ldc) {
    const int idx = A->pidx != 0;
#define ROWS(MR, NV, MASKED, PACKED, STRIDE)                                                              \
    do {                                                                                                  \
        if (idx) all_rows(MR, NV, 1, MASKED, m, n, k, A, b, ldb, PACKED, STRIDE, start, bias, act, act_a, \
                          act_b, c, ldc);                                                                 \
        else all_rows(MR, NV, 0, MASKED, m, n, k, A, b, ldb, PACKED, STRIDE, start, bias, act, act_a,     \
                      act_b, c, ldc);                                                                     \
    } while (0)
    if (n <= 8) {  // one vector of columns: 8 rows a tile keep 8 accumulators in flight (12 spilled)
        if (n == 8) ROWS(8, 1, 0, 0, 0);
        else ROWS(8, 1, 1, 0, 0);
    } else if (n <= 16) {  // one panel of 6 x 16, B in place
        if (n == 16) ROWS(6, 2, 0, 0, 0);
        else ROWS(6, 2, 1, 0, 0);
    } else if (packed) {
        ROWS(6, 2, 0, packed, panel_stride);
    } else if ((packed = pack_space(((n + 15) / 16) * 16 * k))) {
        pack_panels(n, k, b, ldb, (float *)packed);
        ROWS(6, 2, 0, packed, 16 * k);
    } else {  // out of memory: panels one at a time, B in place
        for (long j = 0; j < n; j += 16)
            gemm_block(m, n - j < 16 ? n - j : 16, k, A, b + j, ldb, 0, 0, start, bias ? bias + j : 0,
                       act, act_a, act_b, c + j, ldc);
    }
#undef ROWS
}

// Wide layers (more than 64 units, k > K_BLOCK, A as stored): B is packed whole, then rows
// go in blocks of ROW_BLOCK, and within a block k goes in blocks of K_BLOCK, so that the
// block's partial sums (48 x 512 floats: 96 KB) and B's k-block (128 x 512: 256 KB) both
// stay in L2. C holds the partial sums between k-blocks, stored and reloaded exactly: the
// same bits as one pass.
enum { ROW_BLOCK = 48 };

static AVX2 void gemm_wide(long m, long n, long k, const operand *A, const float *b, long ldb, int start,
                           const float *bias, int act, float act_a, float act_b, float *c, long ldc) {
    float *packed = pack_space(((n + 15) / 16) * 16 * k);
    if (!packed) {
        gemm_block(m, n, k, A, b, ldb, 0, 0, start, bias, act, act_a, act_b, c, ldc);
        return;
    }
    pack_panels(n, k, b, ldb, packed);
    for (long i0 = 0; i0 < m; i0 += ROW_BLOCK) {
        long rows = m - i0 < ROW_BLOCK ? m - i0 : ROW_BLOCK;
        operand Ai = *A;
        if (Ai.ridx) Ai.ridx += i0;
        else Ai.a += i0 * Ai.ars;
        for (long p0 = 0; p0 < k; p0 += K_BLOCK) {
            long len = k - p0 < K_BLOCK ? k - p0 : K_BLOCK;
            operand block = Ai;
            block.a += p0;  // acs == 1: the block's first column
            gemm_block(rows, n, len, &block, 0, 0, packed + 16 * p0, 16 * k, p0 == 0 ? start : 2, bias,
                       p0 + len >= k ? act : CK_ACT_NONE, act_a, act_b, c + i0 * ldc, ldc);
        }
    }
}

void ck_gemm_avx2(long m, long n, long k, const operand *A, const float *b, long ldb, int start,
                  const float *bias, int act, float act_a, float act_b, float *c, long ldc) {
    if (n <= 64 || A->acs != 1 || k <= K_BLOCK) gemm_block(m, n, k, A, b, ldb, 0, 0, start, bias, act, act_a, act_b, c, ldc);
    else gemm_wide(m, n, k, A, b, ldb, start, bias, act, act_a, act_b, c, ldc);
}

#endif
