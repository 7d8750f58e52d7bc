// The matrix product: against a naive triple loop, portable against AVX2,
// every transpose combination and awkward sizes.
#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <string>
#include <tuple>
#include <vector>

#include "scoresactivation/kernels.hpp"
#include "test_helpers.hpp"

using namespace scoresactivation;
using sa_test::normal_matrix;

namespace {

// op(a) * op(b) by the textbook loop, with the error scale sum |a||b| per entry.
void naive_product(const Eigen::MatrixXd& a, bool ta, const Eigen::MatrixXd& b, bool tb, Eigen::MatrixXd& out,
                   Eigen::MatrixXd& scale) {
  const long rows = ta ? a.cols() : a.rows();
  const long inner = ta ? a.rows() : a.cols();
  const long cols = tb ? b.rows() : b.cols();
  out = Eigen::MatrixXd::Zero(rows, cols);
  scale = Eigen::MatrixXd::Zero(rows, cols);
  for (long i = 0; i < rows; ++i)
    for (long j = 0; j < cols; ++j)
      for (long k = 0; k < inner; ++k) {
        const double x = ta ? a(k, i) : a(i, k);
        const double y = tb ? b(j, k) : b(k, j);
        out(i, j) += x * y;
        scale(i, j) += std::abs(x * y);
      }
}

// |got - want| <= tol * scale, entry by entry (scale = sum |a_ik b_kj|, the
// natural bound on the round-off of a dot product).
::testing::AssertionResult close_relative(const Eigen::MatrixXd& got, const Eigen::MatrixXd& want,
                                          const Eigen::MatrixXd& scale, double tol) {
  if (got.rows() != want.rows() || got.cols() != want.cols())
    return ::testing::AssertionFailure() << "shape " << got.rows() << "x" << got.cols() << ", expected "
                                         << want.rows() << "x" << want.cols();
  for (long j = 0; j < got.cols(); ++j)
    for (long i = 0; i < got.rows(); ++i)
      if (!(std::abs(got(i, j) - want(i, j)) <= tol * scale(i, j) + 1e-300))
        return ::testing::AssertionFailure() << "(" << i << ", " << j << "): " << got(i, j) << " vs " << want(i, j)
                                             << " (scale " << scale(i, j) << ")";
  return ::testing::AssertionSuccess();
}

using Shape = std::tuple<long, long, long>;  // rows of op(a), inner, cols of op(b)

const std::vector<Shape> kShapes = {{1, 1, 1},  {1, 7, 1},   {3, 1, 5},    {2, 3, 4},    {7, 13, 5},
                                    {17, 9, 33}, {31, 64, 3}, {65, 33, 129}, {128, 10, 64}, {257, 63, 31}};

struct Operands {
  Eigen::MatrixXd a, b;
};

Operands make_operands(const Shape& shape, bool ta, bool tb, std::uint64_t seed) {
  const auto [m, k, n] = shape;
  Random random(seed);
  Operands o;
  o.a = ta ? normal_matrix(random, k, m) : normal_matrix(random, m, k);
  o.b = tb ? normal_matrix(random, n, k) : normal_matrix(random, k, n);
  return o;
}

}  // namespace

class MatmulTranspose : public ::testing::TestWithParam<std::tuple<bool, bool>> {};

TEST_P(MatmulTranspose, PortableMatchesNaiveLoop) {
  const auto [ta, tb] = GetParam();
  std::uint64_t seed = 100;
  for (const Shape& shape : kShapes) {
    const Operands o = make_operands(shape, ta, tb, ++seed);
    Eigen::MatrixXd want, scale, got;
    naive_product(o.a, ta, o.b, tb, want, scale);
    matmul(KernelPath::portable, o.a, ta, o.b, tb, got);
    EXPECT_TRUE(close_relative(got, want, scale, 1e-13))
        << "shape " << std::get<0>(shape) << "x" << std::get<1>(shape) << "x" << std::get<2>(shape);
  }
}

TEST_P(MatmulTranspose, Avx2MatchesNaiveLoopAndPortable) {
  if (!avx2_kernels_available()) GTEST_SKIP() << "AVX2+FMA kernels are not available on this CPU/build";
  const auto [ta, tb] = GetParam();
  std::uint64_t seed = 200;
  for (const Shape& shape : kShapes) {
    SCOPED_TRACE("shape " + std::to_string(std::get<0>(shape)) + "x" + std::to_string(std::get<1>(shape)) + "x" +
                 std::to_string(std::get<2>(shape)));
    const Operands o = make_operands(shape, ta, tb, ++seed);
    Eigen::MatrixXd want, scale, portable, avx2;
    naive_product(o.a, ta, o.b, tb, want, scale);
    matmul(KernelPath::portable, o.a, ta, o.b, tb, portable);
    matmul(KernelPath::avx2, o.a, ta, o.b, tb, avx2);
    EXPECT_TRUE(close_relative(avx2, want, scale, 1e-13));
    // 1e-12 relative to the entry scale: FMA changes the rounding, not more.
    EXPECT_TRUE(close_relative(avx2, portable, scale, 1e-12));
    // And norm-wise relative to the result.
    EXPECT_LE((avx2 - portable).norm(), 1e-12 * portable.norm());
  }
}

TEST_P(MatmulTranspose, DeterministicForTheSameInputs) {
  const auto [ta, tb] = GetParam();
  const Operands o = make_operands({65, 33, 129}, ta, tb, 7);
  for (KernelPath path : {KernelPath::portable, KernelPath::avx2}) {
    if (path == KernelPath::avx2 && !avx2_kernels_available()) continue;
    Eigen::MatrixXd first, second;
    matmul(path, o.a, ta, o.b, tb, first);
    matmul(path, o.a, ta, o.b, tb, second);
    EXPECT_TRUE(sa_test::bit_identical(first, second)) << to_string(path);
  }
}

INSTANTIATE_TEST_SUITE_P(AllCombinations, MatmulTranspose,
                         ::testing::Combine(::testing::Bool(), ::testing::Bool()),
                         [](const ::testing::TestParamInfo<std::tuple<bool, bool>>& info) {
                           return std::string(std::get<0>(info.param) ? "At" : "A") +
                                  (std::get<1>(info.param) ? "Bt" : "B");
                         });

TEST(Matmul, KnownSmallProduct) {
  Eigen::MatrixXd a(2, 3), b(3, 2), out;
  a << 1, 2, 3,
       4, 5, 6;
  b << 7, 8,
       9, 10,
       11, 12;
  Eigen::MatrixXd expected(2, 2);
  expected << 58, 64,
              139, 154;
  for (KernelPath path : {KernelPath::portable, KernelPath::avx2}) {
    if (path == KernelPath::avx2 && !avx2_kernels_available()) continue;
    matmul(path, a, false, b, false, out);
    EXPECT_TRUE(sa_test::bit_identical(out, expected)) << to_string(path);
    matmul(path, b, true, a, true, out);  // (ab)^T = b^T a^T
    EXPECT_TRUE(sa_test::bit_identical(out, expected.transpose())) << to_string(path);
  }
}

TEST(Matmul, EmptyInnerDimensionGivesZerosAndResizes) {
  Eigen::MatrixXd a(3, 0), b(0, 4);
  Eigen::MatrixXd out = Eigen::MatrixXd::Constant(1, 1, 5.0);
  matmul(KernelPath::portable, a, false, b, false, out);
  EXPECT_EQ(out.rows(), 3);
  EXPECT_EQ(out.cols(), 4);
  EXPECT_TRUE(out.isZero(0.0));
  Eigen::MatrixXd c(0, 3), d(3, 2);
  matmul(KernelPath::portable, c, false, d, false, out);
  EXPECT_EQ(out.rows(), 0);
  EXPECT_EQ(out.cols(), 2);
}

TEST(Matmul, MismatchedInnerDimensionsThrow) {
  Eigen::MatrixXd a(2, 3), b(4, 2), out;
  EXPECT_THROW(matmul(KernelPath::portable, a, false, b, false, out), std::invalid_argument);
  EXPECT_THROW(matmul(KernelPath::portable, a, false, b, true, out), std::invalid_argument);
  EXPECT_THROW(matmul(KernelPath::portable, a, true, b, false, out), std::invalid_argument);
  // a^T (3x2) times b^T (2x4) is fine.
  EXPECT_NO_THROW(matmul(KernelPath::portable, a.setOnes(), true, b.setOnes(), true, out));
  EXPECT_EQ(out.rows(), 3);
  EXPECT_EQ(out.cols(), 4);
  EXPECT_TRUE((out.array() == 2.0).all());
}

TEST(Kernels, Avx2CopyIsCompiledOnX86_64) {
#if (defined(__GNUC__) || defined(__clang__)) && defined(__x86_64__)
  // The build compiles matmul_avx2.cpp with -mavx2 -mfma on x86-64: the
  // run-time switch must have a real AVX2 kernel to pick.
  EXPECT_TRUE(detail::avx2_compiled());
#else
  GTEST_SKIP() << "not an x86-64 GCC/Clang build";
#endif
}

TEST(Kernels, PathNames) {
  EXPECT_EQ(kernel_path_from_string("portable"), KernelPath::portable);
  EXPECT_EQ(to_string(KernelPath::portable), "portable");
  EXPECT_EQ(to_string(KernelPath::avx2), "avx2");
  EXPECT_EQ(kernel_path_from_string("auto"), default_kernel_path());
  EXPECT_THROW(kernel_path_from_string("neon"), std::invalid_argument);
  if (avx2_kernels_available()) {
    EXPECT_EQ(default_kernel_path(), KernelPath::avx2);
    EXPECT_EQ(kernel_path_from_string("avx2"), KernelPath::avx2);
  } else {
    EXPECT_EQ(default_kernel_path(), KernelPath::portable);
    EXPECT_THROW(kernel_path_from_string("avx2"), std::invalid_argument);
  }
}

// Tiny and vector-shaped products used to take a scalar path for unaligned
// leading elements, so the bits depended on where the buffers sat in memory.
TEST(Matmul, BitsDoNotDependOnBufferAlignment) {
  using Kernel = void (*)(const double*, long, long, bool, const double*, long, long, bool, double*);
  std::vector<Kernel> kernels = {&detail::matmul_portable};
  if (avx2_kernels_available()) kernels.push_back(&detail::matmul_avx2);
  const std::vector<std::array<long, 3>> shapes = {{5, 8, 3}, {1, 16, 8}, {7, 9, 1}, {3, 2, 2}, {40, 6, 1}};
  for (const Kernel kernel : kernels) {
    for (const auto& shape : shapes) {
      const long n = shape[0], k = shape[1], m = shape[2];
      std::vector<double> reference;
      for (long offset = 0; offset < 4; ++offset) {
        // The same values at each offset; only the addresses differ.
        std::vector<double> a(static_cast<std::size_t>(n * k + 4)), b(static_cast<std::size_t>(k * m + 4)),
            out(static_cast<std::size_t>(n * m + 4));
        for (long i = 0; i < n * k; ++i) a[static_cast<std::size_t>(i + offset)] = std::sin(0.37 * i + 0.1);
        for (long i = 0; i < k * m; ++i) b[static_cast<std::size_t>(i + offset)] = std::cos(0.91 * i + 0.3);
        kernel(a.data() + offset, n, k, false, b.data() + offset, k, m, false, out.data() + offset);
        const std::vector<double> result(out.begin() + offset, out.begin() + offset + n * m);
        if (offset == 0) reference = result;
        EXPECT_EQ(result, reference) << "shape " << n << "x" << k << "x" << m << ", offset " << offset;
      }
    }
  }
}
