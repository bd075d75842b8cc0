#ifndef CKERNELS_H
#define CKERNELS_H

#include <stdint.h>

/// Elementwise kernels of the hidden layers over float buffers, in place.
/// Compiled for several instruction sets and chosen at load time (see kernels.c).
void ck_sigmoid(float *x, long count);
/// x = a * tanh(b * x); a = b = 1 is tanh, a = 1.7159, b = 2/3 LeCun's improved sigmoid.
void ck_scaled_tanh(float *x, long count, float a, float b);
/// g[i] *= f'(z[i]) from y[i] = f(z[i]) (activation: CK_ACT_*; for a tanh(b z), ratio = b / a
/// and a2 = a^2, plain tanh 1 and 1; ReLU zeroes g where y <= 0). y and g must not overlap.
void ck_multiply_by_derivative(int activation, const float *y, float *g, long count, float ratio, float a2);
/// x = exp(x), exposed for tests.
void ck_exp(float *x, long count);

/// 1 when ck_gemm runs here (x86-64 with AVX-512, or AVX2 and FMA), 0 when the caller
/// must use BLAS.
int ck_gemm_available(void);
/// The instruction set the kernels use: 2 AVX-512, 1 AVX2 + FMA, 0 none (BLAS and the
/// portable loops). Environment MAKE_REPORT_KERNELS=avx2 or =blas lowers it, for comparisons.
int ck_kernel_isa(void);
/// Activations ck_gemm can apply before storing C.
enum { CK_ACT_NONE = 0, CK_ACT_SIGMOID = 1, CK_ACT_SCALED_TANH = 2, CK_ACT_RELU = 3 };
/// C (m x n, row stride ldc) = f(start + A B), f the activation (a, b: a tanh(b x)).
/// A is read from storage without a copy: element (i, p) at a[i * a_row_stride + p *
/// a_column_stride], so either A as stored (column stride 1) or the transpose of a stored
/// matrix (row stride 1). a_rows, when not null, picks the stored rows: stored row s is
/// a_rows[s] (a shuffled batch read in place; i for A as stored, p when transposed).
/// B is k x n row-major with row stride ldb. start: 0 zero, 1 the row `bias` (n values)
/// on every row, 2 the current C. Returns 0, touching nothing, where unavailable (see gemm.c).
int ck_gemm(long m, long n, long k, const float *a, long a_row_stride, long a_column_stride,
            const long *a_rows, const float *b, long ldb, int start, const float *bias, int activation,
            float activation_a, float activation_b, float *c, long ldc);
/// Row-wise softmax in place for rows of 1-16 columns; 0 (nothing done) otherwise or
/// without AVX-512 (see softmax.c).
int ck_softmax_rows(float *x, long rows, long cols);
/// Sum over rows of -log max(p[label], FLT_MIN) and the count of rows whose first
/// maximum is the label, for rows of 1-16 columns; 0 (nothing done) otherwise.
int ck_cross_entropy(const float *p, const int32_t *labels, long rows, long cols,
                     double *loss_sum, long *correct);

/// The same sums from logits z (rows x cols, 1-16 columns) without forming probabilities:
/// loss_sum = sum over rows of log(sum_c e^(z_c - max z)) - (z_label - max z); correct
/// counts rows whose first maximal logit is the label. 0 (nothing done) where unavailable.
int ck_logit_cross_entropy(const float *z, const int32_t *labels, long rows, long cols,
                           double *loss_sum, long *correct);

/// The calling thread's floating-point control word (MXCSR on x86; 0 elsewhere), to save
/// and restore around a computation.
unsigned ck_fp_mode_get(void);
void ck_fp_mode_set(unsigned mode);
/// `mode` with flush-to-zero and denormals-are-zero set (see fpmode.c).
unsigned ck_fp_mode_flush_denormals(unsigned mode);

#endif
