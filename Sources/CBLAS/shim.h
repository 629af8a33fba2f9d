// CBLAS: the C interface of OpenBLAS (found through pkg-config "openblas").
// Besides cblas_sgemm we use OpenBLAS's thread and configuration queries.
#include <cblas.h>
