// Vectorised exp, sigmoid and tanh for float buffers.
//
// Why C: the hidden layer's sigmoid runs on every evaluation of 70,000 images (4.5 million
// exps a pass, 300 passes in the base run). Swift compiles for baseline x86-64 (SSE2) and
// scalarises SIMD min/max, so the same code in Swift ran a lane at a time. Here the loops
// are plain, branch-free C that the compiler vectorises once per instruction set listed in
// target_clones; the loader picks the best one the CPU has (glibc ifunc), so the binary
// still runs on any x86-64.
//
// exp is Cephes' expf: n = round(x / ln 2) by the 1.5 * 2^23 trick, r = x - n ln 2 in two
// parts, a degree-6 polynomial, and 2^n built in the exponent bits. Relative error below
// 2e-7 on [-87, 88]; inputs outside clamp there (no NaN or infinity from large inputs).

#include "ckernels.h"
#include <stdint.h>
#include <string.h>

#if defined(__x86_64__) && defined(__linux__) && defined(__clang__)
#define CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define CLONES
#endif

static inline float exp_core(float x) {
    x = x < -87.0f ? -87.0f : x;
    x = x > 88.0f ? 88.0f : x;
    const float magic = 12582912.0f;  // 1.5 * 2^23
    float t = x * 1.44269504f + magic;
    float n = t - magic;
    float r = x - n * 0.693359375f + n * 2.12194440e-4f;
    float p = 1.9875691500e-4f;
    p = p * r + 1.3981999507e-3f;
    p = p * r + 8.3334519073e-3f;
    p = p * r + 4.1665795894e-2f;
    p = p * r + 1.6666665459e-1f;
    p = p * r + 5.0000001201e-1f;
    p = p * (r * r) + r + 1.0f;
    int32_t ti, mi;
    memcpy(&ti, &t, 4);
    memcpy(&mi, &magic, 4);
    int32_t bits = ((ti - mi) + 127) << 23;
    float scale;
    memcpy(&scale, &bits, 4);
    return p * scale;
}

CLONES void ck_exp(float *x, long count) {
    for (long i = 0; i < count; i++) x[i] = exp_core(x[i]);
}

CLONES void ck_sigmoid(float *x, long count) {
    for (long i = 0; i < count; i++) x[i] = 1.0f / (1.0f + exp_core(-x[i]));
}

CLONES void ck_scaled_tanh(float *x, long count, float a, float b) {
    // tanh(y) = 1 - 2 / (1 + e^(2y)).
    for (long i = 0; i < count; i++) x[i] = a * (1.0f - 2.0f / (1.0f + exp_core(2.0f * b * x[i])));
}
