// exp and the hidden layers' activations on a vector of floats (and the small pieces the
// kernels of both instruction sets share, below), defined once and
// instantiated for AVX-512 (16 lanes, `exp16`, `activate16`) and AVX2 + FMA (8 lanes,
// `exp8`, `activate8`). One definition means both instruction sets do the same operations
// in the same order, so a lane's result is the same bits on either: a network trained on
// one CPU is the network trained on the other. Internal to CKernels.
//
// exp is Cephes' expf, as kernels.c: clamped to [-87, 88] (NaN passes through: max/min return
// their second operand when either is NaN), n = round(x / ln 2) by the 1.5 * 2^23 trick,
// r = x - n ln 2 in two parts, a degree-6 polynomial, and 2^n built in the exponent bits.
#ifndef CKERNELS_VECTOR_MATH_H
#define CKERNELS_VECTOR_MATH_H
#include <float.h>
#include <immintrin.h>
#include <math.h>
#include "ckernels.h"

// V: the vector type's width in bits (256, 512); the intrinsics are _mm<V>_...
#define CK_DEFINE_VECTOR_MATH(EXP, ACTIVATE, V, TARGET)                                                \
    static inline __attribute__((always_inline, target(TARGET))) __m##V EXP(__m##V x) {              \
        x = _mm##V##_min_ps(_mm##V##_set1_ps(88.0f), _mm##V##_max_ps(_mm##V##_set1_ps(-87.0f), x));    \
        const __m##V magic = _mm##V##_set1_ps(12582912.0f); /* 1.5 * 2^23 */                          \
        __m##V t = _mm##V##_fmadd_ps(x, _mm##V##_set1_ps(1.44269504f), magic);                         \
        __m##V n = _mm##V##_sub_ps(t, magic);                                                          \
        __m##V r = _mm##V##_fnmadd_ps(n, _mm##V##_set1_ps(0.693359375f), x);                           \
        r = _mm##V##_fmadd_ps(n, _mm##V##_set1_ps(2.12194440e-4f), r);                                 \
        __m##V p = _mm##V##_set1_ps(1.9875691500e-4f);                                                 \
        p = _mm##V##_fmadd_ps(p, r, _mm##V##_set1_ps(1.3981999507e-3f));                               \
        p = _mm##V##_fmadd_ps(p, r, _mm##V##_set1_ps(8.3334519073e-3f));                               \
        p = _mm##V##_fmadd_ps(p, r, _mm##V##_set1_ps(4.1665795894e-2f));                               \
        p = _mm##V##_fmadd_ps(p, r, _mm##V##_set1_ps(1.6666665459e-1f));                               \
        p = _mm##V##_fmadd_ps(p, r, _mm##V##_set1_ps(5.0000001201e-1f));                               \
        p = _mm##V##_fmadd_ps(p, _mm##V##_mul_ps(r, r), _mm##V##_add_ps(r, _mm##V##_set1_ps(1.0f)));   \
        __m##V##i bits = _mm##V##_slli_epi32(                                                          \
            _mm##V##_add_epi32(_mm##V##_sub_epi32(_mm##V##_castps_si##V(t), _mm##V##_castps_si##V(magic)), \
                               _mm##V##_set1_epi32(127)),                                              \
            23);                                                                                       \
        return _mm##V##_mul_ps(p, _mm##V##_castsi##V##_ps(bits));                                      \
    }                                                                                                  \
                                                                                                       \
    /* The layer's activation (CK_ACT_*) on pre-activations z; a, b: a tanh(b z). */                   \
    static inline __attribute__((always_inline, target(TARGET)))                                       \
    __m##V ACTIVATE(__m##V z, int activation, float a, float b) {                                      \
        const __m##V one = _mm##V##_set1_ps(1.0f);                                                     \
        switch (activation) {                                                                          \
        case CK_ACT_SIGMOID:                                                                           \
            return _mm##V##_div_ps(one, _mm##V##_add_ps(one, EXP(_mm##V##_sub_ps(_mm##V##_setzero_ps(), z)))); \
        case CK_ACT_SCALED_TANH: { /* a tanh(b z) = a (1 - 2 / (1 + e^(2 b z))) */                     \
            __m##V e = EXP(_mm##V##_mul_ps(_mm##V##_set1_ps(2.0f * b), z));                            \
            __m##V q = _mm##V##_div_ps(_mm##V##_set1_ps(2.0f), _mm##V##_add_ps(one, e));               \
            return _mm##V##_mul_ps(_mm##V##_set1_ps(a), _mm##V##_sub_ps(one, q));                      \
        }                                                                                              \
        case CK_ACT_RELU:                                                                              \
            return _mm##V##_max_ps(_mm##V##_setzero_ps(), z);                                          \
        default:                                                                                       \
            return z;                                                                                  \
        }                                                                                              \
    }

CK_DEFINE_VECTOR_MATH(exp16, activate16, 512, "avx512f")
CK_DEFINE_VECTOR_MATH(exp8, activate8, 256, "avx2,fma")

// AVX2's lane mask for columns [8 v, 8 v + 8) of a row of `width` columns: all bits set in
// the lanes that exist (AVX2 masks are vectors; AVX-512 uses a bit mask instead).
static inline __attribute__((target("avx2,fma"))) __m256i lane_mask8(long width, int v) {
    int lanes[8];
    for (int l = 0; l < 8; l++) lanes[l] = 8 * v + l < width ? -1 : 0;
    return _mm256_loadu_si256((const __m256i *)lanes);
}

// The loss of one row from its probabilities, shared by both instruction sets:
// -log max(p[label], FLT_MIN), NaN staying NaN as Swift.max keeps it.
static inline double ck_row_loss(const float *row, int32_t label) {
    float q = row[label];
    q = FLT_MIN >= q ? FLT_MIN : q;
    return -(double)logf(q);
}

// The losses of n rows from logits, given each row's sum of e^(z - max) and z_label - max,
// added in row order (so in the same order at any vector width).
static inline void ck_add_logit_losses(const float *sums, const float *shifted, long n, double *loss) {
    for (long i = 0; i < n; i++) *loss += (double)logf(sums[i]) - (double)shifted[i];
}

#endif
