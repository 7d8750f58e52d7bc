// The AVX2+FMA instantiation of the matrix product.
//
// The build compiles this file alone with -mavx2 -mfma (CMake and the R
// Makevars both do). Eigen is header-only, so renaming its namespace here
// gives every template instantiated in this file its own symbols: the linker
// cannot swap an AVX2 copy into the portable path or the other way round.
// Only the raw-pointer function leaves this file. When the compiler does not
// target AVX2 here, the function falls back to the portable one.
#if defined(__AVX2__) && defined(__FMA__)
#define Eigen EigenAvx2Fma
#define MATMUL_FUNCTION matmul_avx2
#include "matmul_impl.inc"
namespace scoresactivation {
namespace detail {
bool avx2_compiled() { return true; }
}  // namespace detail
}  // namespace scoresactivation
#else
#include "scoresactivation/kernels.hpp"
namespace scoresactivation {
namespace detail {
void matmul_avx2(const double* a, long a_rows, long a_cols, bool transpose_a, const double* b,
                 long b_rows, long b_cols, bool transpose_b, double* out) {
  matmul_portable(a, a_rows, a_cols, transpose_a, b, b_rows, b_cols, transpose_b, out);
}
bool avx2_compiled() { return false; }
}  // namespace detail
}  // namespace scoresactivation
#endif
