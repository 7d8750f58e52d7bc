// The baseline (SSE2 on x86-64) instantiation of the matrix product.
#define MATMUL_FUNCTION matmul_portable
#include "matmul_impl.inc"
