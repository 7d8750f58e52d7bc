#include "scoresactivation/kernels.hpp"

#include <algorithm>
#include <stdexcept>

namespace scoresactivation {

namespace {
bool cpu_has_avx2_fma() {
#if (defined(__GNUC__) || defined(__clang__)) && (defined(__x86_64__) || defined(__i386__))
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#else
  return false;
#endif
}
}  // namespace

bool avx2_kernels_available() {
  static const bool available = detail::avx2_compiled() && cpu_has_avx2_fma();
  return available;
}

KernelPath default_kernel_path() {
  return avx2_kernels_available() ? KernelPath::avx2 : KernelPath::portable;
}

std::string to_string(KernelPath path) { return path == KernelPath::avx2 ? "avx2" : "portable"; }

KernelPath kernel_path_from_string(const std::string& name) {
  if (name == "auto") return default_kernel_path();
  if (name == "portable") return KernelPath::portable;
  if (name == "avx2") {
    if (!avx2_kernels_available())
      throw std::invalid_argument("kernel='avx2' is not available: this CPU or build lacks AVX2+FMA");
    return KernelPath::avx2;
  }
  throw std::invalid_argument("kernel must be 'auto', 'avx2' or 'portable'; got '" + name + "'");
}

void matmul(KernelPath path, const double* a, long a_rows, long a_cols, bool transpose_a, const double* b, long b_rows,
            long b_cols, bool transpose_b, double* out) {
  const long inner_a = transpose_a ? a_rows : a_cols;
  const long inner_b = transpose_b ? b_cols : b_rows;
  if (inner_a != inner_b) throw std::invalid_argument("matmul: inner dimensions differ");
  const long out_rows = transpose_a ? a_cols : a_rows, out_cols = transpose_b ? b_rows : b_cols;
  if (out_rows * out_cols == 0) return;
  if (inner_a == 0) {
    std::fill(out, out + out_rows * out_cols, 0.0);
    return;
  }
  auto kernel = path == KernelPath::avx2 ? detail::matmul_avx2 : detail::matmul_portable;
  kernel(a, a_rows, a_cols, transpose_a, b, b_rows, b_cols, transpose_b, out);
}

void matmul(KernelPath path, const Eigen::MatrixXd& a, bool transpose_a, const Eigen::MatrixXd& b,
            bool transpose_b, Eigen::MatrixXd& out) {
  const long inner_a = transpose_a ? a.rows() : a.cols();
  const long inner_b = transpose_b ? b.cols() : b.rows();
  if (inner_a != inner_b) throw std::invalid_argument("matmul: inner dimensions differ");
  out.resize(transpose_a ? a.cols() : a.rows(), transpose_b ? b.rows() : b.cols());
  if (out.size() == 0) return;
  if (inner_a == 0) {
    out.setZero();
    return;
  }
  auto kernel = path == KernelPath::avx2 ? detail::matmul_avx2 : detail::matmul_portable;
  kernel(a.data(), a.rows(), a.cols(), transpose_a, b.data(), b.rows(), b.cols(), transpose_b,
         out.data());
}

}  // namespace scoresactivation
