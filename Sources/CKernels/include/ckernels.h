#ifndef CKERNELS_H
#define CKERNELS_H

/// Elementwise kernels of the hidden layers over float buffers, in place.
/// Compiled for several instruction sets and chosen at load time (see kernels.c).
void ck_sigmoid(float *x, long count);
/// x = a * tanh(b * x); a = b = 1 is tanh, a = 1.7159, b = 2/3 LeCun's improved sigmoid.
void ck_scaled_tanh(float *x, long count, float a, float b);
/// x = exp(x), exposed for tests.
void ck_exp(float *x, long count);

#endif
