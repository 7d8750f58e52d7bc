// Matrix products, the hot loop of training and prediction.
//
// Eigen's double GEMM runs about 2.5x faster with AVX2+FMA than with the
// x86-64 baseline, but binaries must run on any x86-64 CPU (no -march=native).
// So the product is compiled twice, once for the baseline and once with
// AVX2+FMA in a renamed Eigen namespace (no ODR clash), and picked at run time.
#pragma once

#include <Eigen/Core>
#include <string>

namespace scoresactivation {

enum class KernelPath { portable, avx2 };

// The path used by default on this CPU (avx2 when the CPU and build support it).
KernelPath default_kernel_path();
bool avx2_kernels_available();
std::string to_string(KernelPath path);
KernelPath kernel_path_from_string(const std::string& name);

// out = op(a) * op(b), where op transposes when the flag is set.
// out is resized. a, b and out must not alias.
void matmul(KernelPath path, const Eigen::MatrixXd& a, bool transpose_a, const Eigen::MatrixXd& b,
            bool transpose_b, Eigen::MatrixXd& out);

// The same on raw column-major storage (a column block of a matrix, say):
// out (op(a) * op(b)) must hold rows x cols values and alias neither input.
void matmul(KernelPath path, const double* a, long a_rows, long a_cols, bool transpose_a, const double* b, long b_rows,
            long b_cols, bool transpose_b, double* out);

namespace detail {
// Raw column-major interface implemented per instruction set. Shapes are of
// the stored (untransposed) matrices; out has the product's shape.
void matmul_portable(const double* a, long a_rows, long a_cols, bool transpose_a, const double* b,
                     long b_rows, long b_cols, bool transpose_b, double* out);
void matmul_avx2(const double* a, long a_rows, long a_cols, bool transpose_a, const double* b,
                 long b_rows, long b_cols, bool transpose_b, double* out);
bool avx2_compiled();
}  // namespace detail

}  // namespace scoresactivation
