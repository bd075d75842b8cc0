// What gemm.c and gemm_avx2.c share (internal, not part of the module).
#ifndef CKERNELS_GEMM_OPERAND_H
#define CKERNELS_GEMM_OPERAND_H

// How A is laid out: element (i, p) at a[row(i) * ars + col(p) * acs], where row(i) is
// ridx[i] (or i) and col(p) is pidx[p] (or p). At most one index is given.
typedef struct {
    const float *a;
    long ars, acs;
    const long *ridx, *pidx;
} operand;

static inline const float *row_of(const operand *A, long i) {
    return A->a + (A->ridx ? A->ridx[i] : i) * A->ars;
}

// Wide layers (several column panels) multiply in blocks of k so that a block of the
// weights stays in L2 while every tile uses it (see gemm.c). C holds the partial sums
// between blocks, stored and reloaded exactly: the same bits as without blocks.
enum { K_BLOCK = 128 };

// The AVX2 + FMA kernel (gemm_avx2.c): the same contract and the same bits as the AVX-512 one.
void ck_gemm_avx2(long m, long n, long k, const operand *A, const float *b, long ldb, int start,
                  const float *bias, int act, float act_a, float act_b, float *c, long ldc);

#endif
