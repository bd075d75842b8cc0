// g *= f'(z) of the hidden layers' activations, from their outputs y = f(z): the backward
// pass's elementwise step, in place over a batch (rows x units floats).
//
// Why C: the Swift loop ran a scalar element at a time (y and g may alias, so it was not
// vectorised) and, for ReLU, took a branch per element that dropout and ReLU's own zeros
// make unpredictable: 4 % of a 512-unit training epoch. These loops are branch-free and
// vectorised per instruction set (target_clones, as kernels.c). Contraction into FMA is off,
// so every element is the same multiplies and subtractions, rounded the same way, as the
// Swift code for Double: the results do not depend on the instruction set.

#include "ckernels.h"

#pragma clang fp contract(off)

#if defined(__x86_64__) && defined(__linux__) && defined(__clang__)
#define CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define CLONES
#endif

CLONES void ck_multiply_by_derivative(int activation, const float *restrict y, float *restrict g, long count,
                                      float ratio, float a2) {
    switch (activation) {
    case CK_ACT_SIGMOID:
        for (long i = 0; i < count; i++) g[i] = g[i] * (y[i] * (1.0f - y[i]));
        break;
    case CK_ACT_SCALED_TANH:
        // (b / a)(a^2 - y^2); tanh passes ratio = a2 = 1.
        for (long i = 0; i < count; i++) g[i] = g[i] * (ratio * (a2 - y[i] * y[i]));
        break;
    case CK_ACT_RELU:
        for (long i = 0; i < count; i++) g[i] = y[i] > 0.0f ? g[i] : 0.0f;
        break;
    default:
        break;
    }
}
