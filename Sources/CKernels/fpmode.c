// Flush-to-zero and denormals-are-zero for the calling thread (x86 MXCSR bits 15 and 6).
//
// Why: when sigmoid units saturate (high learning rates, the lr sweeps), gradients shrink
// below FLT_MIN and every FMA touching them takes a microcode assist, 100+ cycles instead
// of one; whole runs got 2-4x slower. TensorFlow and oneDNN run CPU training this way too.
// Elsewhere (no SSE control register) these do nothing and report 0.

#include "ckernels.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>

unsigned ck_fp_mode_get(void) { return _mm_getcsr(); }

void ck_fp_mode_set(unsigned mode) { _mm_setcsr(mode); }

unsigned ck_fp_mode_flush_denormals(unsigned mode) { return mode | 0x8040u; }

#else

unsigned ck_fp_mode_get(void) { return 0; }
void ck_fp_mode_set(unsigned mode) { (void)mode; }
unsigned ck_fp_mode_flush_denormals(unsigned mode) { return mode; }

#endif
