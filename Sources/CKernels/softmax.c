// Softmax and cross-entropy of the output layer, one row (at most 16 classes) per vector.
//
// Why: with 10 classes a row is shorter than a vector, so the per-row loops in Swift ran a
// lane at a time; over 70,000 rows per evaluation they were 4-5 % of the pass (bench/
// RESULTS.md). Here each row is one masked 16-lane vector: max, exp, sum and argmax are
// a handful of instructions. The arithmetic is the Swift code's, in the same order per
// element (shift by the row maximum, exp, multiply by 1 / sum); sums are tree reductions.
// Only built for AVX-512; elsewhere these return 0 and the Swift loops run.

#include "ckernels.h"
#include <math.h>
#include <float.h>

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#include <immintrin.h>
#include "exp16.h"

#define AVX512 __attribute__((target("avx512f")))

static AVX512 void softmax_avx512(float *x, long rows, long cols) {
    const __mmask16 mask = (__mmask16)((1u << cols) - 1);
    const __m512 lowest = _mm512_set1_ps(-INFINITY);
    for (long r = 0; r < rows; r++) {
        float *row = x + r * cols;
        __m512 z = _mm512_mask_loadu_ps(lowest, mask, row);
        __m512 m = _mm512_set1_ps(_mm512_reduce_max_ps(z));
        __m512 e = _mm512_maskz_mov_ps(mask, exp16(_mm512_sub_ps(z, m)));
        float inv = 1.0f / _mm512_reduce_add_ps(e);
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
        float q = row[labels[r]];
        q = FLT_MIN >= q ? FLT_MIN : q;  // NaN stays NaN, as Swift.max keeps it
        loss -= (double)logf(q);
    }
    *loss_sum = loss;
    *correct = right;
}

int ck_softmax_rows(float *x, long rows, long cols) {
    if (!ck_gemm_available() || cols < 1 || cols > 16) return 0;
    softmax_avx512(x, rows, cols);
    return 1;
}

int ck_cross_entropy(const float *p, const int32_t *labels, long rows, long cols,
                     double *loss_sum, long *correct) {
    if (!ck_gemm_available() || cols < 1 || cols > 16) return 0;
    cross_entropy_avx512(p, labels, rows, cols, loss_sum, correct);
    return 1;
}

#else

int ck_softmax_rows(float *x, long rows, long cols) { (void)x; (void)rows; (void)cols; return 0; }

int ck_cross_entropy(const float *p, const int32_t *labels, long rows, long cols,
                     double *loss_sum, long *correct) {
    (void)p; (void)labels; (void)rows; (void)cols; (void)loss_sum; (void)correct;
    return 0;
}

#endif
