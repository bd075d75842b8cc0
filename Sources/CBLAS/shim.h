#include <cblas.h>
/* OpenBLAS extras (declared in its cblas.h too; repeated so other BLAS headers work). */
char *openblas_get_corename(void);
void openblas_set_num_threads(int num_threads);
int openblas_get_num_threads(void);
/* Re-runs OpenBLAS's core selection (it reads OPENBLAS_CORETYPE); see BLASKernel.swift. */
void gotoblas_dynamic_init(void);
void gotoblas_dynamic_quit(void);
