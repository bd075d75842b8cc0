// Softmax and cross-entropy of the output layer (at most 16 classes), AVX-512 or AVX2.
//
// Why: with 10 classes a row is shorter than a vector, so the per-row loops in Swift ran a
// lane at a time; over 70,000 rows per evaluation they were 4-5 % of the pass (bench/
// RESULTS.md). Here each row is one masked 16-lane vector: max, exp, sum and argmax are
// a handful of instructions. The arithmetic is the Swift code's, in the same order per
// element (shift by the row maximum, exp, multiply by 1 / sum); the row sum is a fixed
// tree (hsum16 below). The AVX2 versions (two 8-lane vectors a row; 8 rows a vector for the
// loss from logits) do the same operations in the same order, so both give the same bits.
// Elsewhere these return 0 and the Swift loops run.

#include "ckernels.h"
#include <math.h>
#include <float.h>

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#include <immintrin.h>
#include "vector_math.h"

#define AVX512 __attribute__((target("avx512f")))
#define AVX2 __attribute__((target("avx2,fma")))

// The sum of 8 lanes as a fixed tree: (l + (l + 4)), then (+ 2), then (+ 1).
static inline AVX2 float hsum8(__m256 v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

// The sum of 16 lanes: lane l plus lane l + 8, then hsum8. The AVX2 code adds its two
// half-row vectors the same way.
static inline AVX512 float hsum16(__m512 v) {
    return hsum8(_mm256_add_ps(_mm512_castps512_ps256(v), _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(v), 1))));
}

static AVX512 void softmax_avx512(float *x, long rows, long cols) {
    const __mmask16 mask = (__mmask16)((1u << cols) - 1);
    const __m512 lowest = _mm512_set1_ps(-INFINITY);
    for (long r = 0; r < rows; r++) {
        float *row = x + r * cols;
        __m512 z = _mm512_mask_loadu_ps(lowest, mask, row);
        __m512 m = _mm512_set1_ps(_mm512_reduce_max_ps(z));
        __m512 e = _mm512_maskz_mov_ps(mask, exp16(_mm512_sub_ps(z, m)));
        float inv = 1.0f / hsum16(e);
        _mm512_mask_storeu_ps(row, mask, _mm512_mul_ps(e, _mm512_set1_ps(inv)));
    }
}

static AVX512 void cross_entropy_avx512(const float *p, const int32_t *labels, long rows, long cols,
                                        double *loss_sum, long *correct) {
    const __mmask16 mask = (__mmask16)((1u << cols) - 1);
    double loss = 0;
    long right = 0;
    for (long r = 0; r < rows; r++) {
        const float *row = p + r * cols;
        __m512 v = _mm512_mask_loadu_ps(_mm512_set1_ps(-INFINITY), mask, row);
        __m512 best = _mm512_set1_ps(_mm512_reduce_max_ps(v));
        // The first column holding the maximum, as the Swift loop's strict ">" picks.
        unsigned hits = _mm512_mask_cmp_ps_mask(mask, v, best, _CMP_EQ_OQ);
        if (hits && (long)__builtin_ctz(hits) == labels[r]) right++;
        loss += ck_row_loss(row, labels[r]);
    }
    *loss_sum = loss;
    *correct = right;
}

// Evaluation needs only the loss and the argmax, so it works on the logits z and never
// forms probabilities: -log softmax(z)[y] = log(sum_c e^(z_c - m)) - (z_y - m), m = max z;
// the argmax of z is that of the probabilities. Sixteen rows at a time, one vector per
// column (gathered), so nothing waits on a horizontal reduction; the last rows of a
// chunk run masked through the same arithmetic, so a row's loss does not depend on its
// position. Column order is fixed (max and sum from column 0 up), so results are exact
// functions of z.
static AVX512 void logit_cross_entropy_avx512(const float *z, const int32_t *labels, long rows, long cols,
                                              double *loss_sum, long *correct) {
    const __m512i lane = _mm512_set_epi32(15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0);
    const __m512i offsets = _mm512_mullo_epi32(lane, _mm512_set1_epi32((int)cols));
    double loss = 0;
    long right = 0;
    float sums[16], shifted[16];
    for (long r0 = 0; r0 < rows; r0 += 16) {
        long n = rows - r0 < 16 ? rows - r0 : 16;
        __mmask16 live = (__mmask16)(n == 16 ? 0xFFFF : (1u << n) - 1);
        const float *base = z + r0 * cols;
        __m512 col[16];
        for (long c = 0; c < cols; c++)
            col[c] = _mm512_mask_i32gather_ps(_mm512_setzero_ps(), live,
                                              _mm512_add_epi32(offsets, _mm512_set1_epi32((int)c)), base, 4);
        __m512 m = col[0];
        for (long c = 1; c < cols; c++) m = _mm512_max_ps(col[c], m);
        __m512 sum = _mm512_setzero_ps();
        for (long c = 0; c < cols; c++) sum = _mm512_add_ps(sum, exp16(_mm512_sub_ps(col[c], m)));
        // The first column equal to the maximum, as a strict ">" scan picks.
        __m512i best = _mm512_setzero_si512();
        for (long c = cols - 1; c >= 0; c--)
            best = _mm512_mask_mov_epi32(best, _mm512_cmp_ps_mask(col[c], m, _CMP_EQ_OQ), _mm512_set1_epi32((int)c));
        __m512i y = _mm512_maskz_loadu_epi32(live, labels + r0);
        __m512 zy = _mm512_mask_i32gather_ps(_mm512_setzero_ps(), live, _mm512_add_epi32(offsets, y), base, 4);
        right += __builtin_popcount(_mm512_mask_cmpeq_epi32_mask(live, best, y));
        _mm512_storeu_ps(sums, sum);
        _mm512_storeu_ps(shifted, _mm512_sub_ps(zy, m));
        ck_add_logit_losses(sums, shifted, n, &loss);
    }
    *loss_sum = loss;
    *correct = right;
}

static inline AVX2 float hmax8(__m256 v) {
    __m128 s = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_max_ps(s, _mm_movehl_ps(s, s));
    s = _mm_max_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

// A row of at most 16 columns as two vectors, absent columns -infinity.
static inline AVX2 void load_row(const float *row, const __m256i *mask, __m256 *v) {
    const __m256 lowest = _mm256_set1_ps(-INFINITY);
    for (int h = 0; h < 2; h++)
        v[h] = _mm256_blendv_ps(lowest, _mm256_maskload_ps(row + 8 * h, mask[h]), _mm256_castsi256_ps(mask[h]));
}

static AVX2 void softmax_avx2(float *x, long rows, long cols) {
    const __m256i mask[2] = {lane_mask8(cols, 0), lane_mask8(cols, 1)};
    for (long r = 0; r < rows; r++) {
        float *row = x + r * cols;
        __m256 z[2], e[2];
        load_row(row, mask, z);
        __m256 m = _mm256_set1_ps(hmax8(_mm256_max_ps(z[0], z[1])));
        for (int h = 0; h < 2; h++) e[h] = _mm256_and_ps(exp8(_mm256_sub_ps(z[h], m)), _mm256_castsi256_ps(mask[h]));
        float inv = 1.0f / hsum8(_mm256_add_ps(e[0], e[1]));
        for (int h = 0; h < 2; h++) _mm256_maskstore_ps(row + 8 * h, mask[h], _mm256_mul_ps(e[h], _mm256_set1_ps(inv)));
    }
}

static AVX2 void cross_entropy_avx2(const float *p, const int32_t *labels, long rows, long cols,
                                    double *loss_sum, long *correct) {
    const __m256i mask[2] = {lane_mask8(cols, 0), lane_mask8(cols, 1)};
    double loss = 0;
    long right = 0;
    for (long r = 0; r < rows; r++) {
        const float *row = p + r * cols;
        __m256 v[2];
        load_row(row, mask, v);
        __m256 best = _mm256_set1_ps(hmax8(_mm256_max_ps(v[0], v[1])));
        unsigned hits = (unsigned)_mm256_movemask_ps(_mm256_cmp_ps(v[0], best, _CMP_EQ_OQ))
                      | (unsigned)_mm256_movemask_ps(_mm256_cmp_ps(v[1], best, _CMP_EQ_OQ)) << 8;
        hits &= (unsigned)((1u << cols) - 1);
        if (hits && (long)__builtin_ctz(hits) == labels[r]) right++;
        loss += ck_row_loss(row, labels[r]);
    }
    *loss_sum = loss;
    *correct = right;
}

// logit_cross_entropy_avx512 on 8 rows a vector: the same per-row arithmetic.
static AVX2 void logit_cross_entropy_avx2(const float *z, const int32_t *labels, long rows, long cols,
                                          double *loss_sum, long *correct) {
    const __m256i lane = _mm256_set_epi32(7, 6, 5, 4, 3, 2, 1, 0);
    const __m256i offsets = _mm256_mullo_epi32(lane, _mm256_set1_epi32((int)cols));
    double loss = 0;
    long right = 0;
    float sums[8], shifted[8];
    for (long r0 = 0; r0 < rows; r0 += 8) {
        long n = rows - r0 < 8 ? rows - r0 : 8;
        const __m256i live = _mm256_cmpgt_epi32(_mm256_set1_epi32((int)n), lane);
        const float *base = z + r0 * cols;
        __m256 col[16];
        for (long c = 0; c < cols; c++)
            col[c] = _mm256_mask_i32gather_ps(_mm256_setzero_ps(), base, _mm256_add_epi32(offsets, _mm256_set1_epi32((int)c)),
                                              _mm256_castsi256_ps(live), 4);
        __m256 m = col[0];
        for (long c = 1; c < cols; c++) m = _mm256_max_ps(col[c], m);
        __m256 sum = _mm256_setzero_ps();
        for (long c = 0; c < cols; c++) sum = _mm256_add_ps(sum, exp8(_mm256_sub_ps(col[c], m)));
        __m256i best = _mm256_setzero_si256();
        for (long c = cols - 1; c >= 0; c--)
            best = _mm256_castps_si256(_mm256_blendv_ps(_mm256_castsi256_ps(best), _mm256_castsi256_ps(_mm256_set1_epi32((int)c)),
                                                        _mm256_cmp_ps(col[c], m, _CMP_EQ_OQ)));
        __m256i y = _mm256_maskload_epi32(labels + r0, live);
        __m256 zy = _mm256_mask_i32gather_ps(_mm256_setzero_ps(), base, _mm256_add_epi32(offsets, y),
                                             _mm256_castsi256_ps(live), 4);
        unsigned same = (unsigned)_mm256_movemask_ps(_mm256_castsi256_ps(_mm256_and_si256(live, _mm256_cmpeq_epi32(best, y))));
        right += __builtin_popcount(same);
        _mm256_storeu_ps(sums, sum);
        _mm256_storeu_ps(shifted, _mm256_sub_ps(zy, m));
        ck_add_logit_losses(sums, shifted, n, &loss);
    }
    *loss_sum = loss;
    *correct = right;
}

int ck_softmax_rows(float *x, long rows, long cols) {
    if (cols < 1 || cols > 16) return 0;
    switch (ck_kernel_isa()) {
    case 2: softmax_avx512(x, rows, cols); return 1;
    case 1: softmax_avx2(x, rows, cols); return 1;
    default: return 0;
    }
}

int ck_cross_entropy(const float *p, const int32_t *labels, long rows, long cols,
                     double *loss_sum, long *correct) {
    if (cols < 1 || cols > 16) return 0;
    switch (ck_kernel_isa()) {
    case 2: cross_entropy_avx512(p, labels, rows, cols, loss_sum, correct); return 1;
    case 1: cross_entropy_avx2(p, labels, rows, cols, loss_sum, correct); return 1;
    default: return 0;
    }
}

int ck_logit_cross_entropy(const float *z, const int32_t *labels, long rows, long cols,
                           double *loss_sum, long *correct) {
    if (cols < 1 || cols > 16) return 0;
    switch (ck_kernel_isa()) {
    case 2: logit_cross_entropy_avx512(z, labels, rows, cols, loss_sum, correct); return 1;
    case 1: logit_cross_entropy_avx2(z, labels, rows, cols, loss_sum, correct); return 1;
    default: return 0;
    }
}

#else

int ck_softmax_rows(float *x, long rows, long cols) { (void)x; (void)rows; (void)cols; return 0; }

int ck_logit_cross_entropy(const float *z, const int32_t *labels, long rows, long cols,
                           double *loss_sum, long *correct) {
    (void)z; (void)labels; (void)rows; (void)cols; (void)loss_sum; (void)correct;
    return 0;
}

int ck_cross_entropy(const float *p, const int32_t *labels, long rows, long cols,
                     double *loss_sum, long *correct) {
    (void)p; (void)labels; (void)rows; (void)cols; (void)loss_sum; (void)correct;
    return 0;
}

#endif
