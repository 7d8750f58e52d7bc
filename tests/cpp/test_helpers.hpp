// Shared helpers of the C++ tests: data generators and gradient comparison.
#pragma once

#include <gtest/gtest.h>

#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include "scoresactivation/random.hpp"

namespace sa_test {

using scoresactivation::Random;

// Matrix of independent standard normals, drawn row by row.
inline Eigen::MatrixXd normal_matrix(Random& random, long rows, long cols, double scale = 1.0) {
  Eigen::MatrixXd m(rows, cols);
  for (long i = 0; i < rows; ++i)
    for (long j = 0; j < cols; ++j) m(i, j) = scale * random.normal();
  return m;
}

// Rows with a known signal: y = 2 x0 - x1 + noise (regression: 5 + 3 times
// it) or its sign as class 1 / 0 (classification); x2, x3 are noise. Inputs
// are shifted and scaled, so the training rows' scaling matters.
struct SignalRows {
  Eigen::MatrixXd x;
  Eigen::VectorXd y;
};
inline SignalRows signal_rows(long n, std::uint64_t seed, bool classification) {
  Random random(seed);
  SignalRows r{normal_matrix(random, n, 4), Eigen::VectorXd(n)};
  for (long i = 0; i < n; ++i) {
    const double signal = 2.0 * r.x(i, 0) - r.x(i, 1) + 0.3 * random.normal();
    r.y[i] = classification ? (signal > 0 ? 1.0 : 0.0) : 5.0 + 3.0 * signal;
  }
  r.x = (r.x.array() * 4.0 + 10.0).matrix();
  return r;
}

inline Eigen::VectorXd uniform_vector(Random& random, long size, double low, double high) {
  Eigen::VectorXd v(size);
  for (long i = 0; i < size; ++i) v[i] = random.uniform(low, high);
  return v;
}

// Central difference of f along every coordinate of params (modified in
// place and restored). Step h is relative to the coordinate's magnitude.
inline Eigen::VectorXd numeric_gradient(const std::function<double()>& f, double* params, long size,
                                        double h = 1e-6) {
  Eigen::VectorXd g(size);
  for (long i = 0; i < size; ++i) {
    const double original = params[i];
    const double step = h * std::max(1.0, std::abs(original));
    params[i] = original + step;
    const double plus = f();
    params[i] = original - step;
    const double minus = f();
    params[i] = original;
    g[i] = (plus - minus) / (2.0 * step);
  }
  return g;
}

// Element-wise agreement of an analytic gradient with a numeric one:
// |a - n| <= rel * max(|a|, |n|) + abs_floor. The floor absorbs the
// round-off of the difference quotient (about 1e-16 / h relative to f).
inline ::testing::AssertionResult gradients_agree(const Eigen::Ref<const Eigen::VectorXd>& analytic,
                                                  const Eigen::Ref<const Eigen::VectorXd>& numeric,
                                                  double rel = 1e-6, double abs_floor = 1e-9) {
  if (analytic.size() != numeric.size())
    return ::testing::AssertionFailure() << "sizes differ: " << analytic.size() << " vs " << numeric.size();
  if (!analytic.allFinite()) return ::testing::AssertionFailure() << "analytic gradient is not finite";
  double worst = 0.0;
  long worst_index = -1;
  for (long i = 0; i < analytic.size(); ++i) {
    const double a = analytic[i], n = numeric[i];
    const double excess = std::abs(a - n) / (rel * std::max(std::abs(a), std::abs(n)) + abs_floor);
    if (excess > worst) {
      worst = excess;
      worst_index = i;
    }
  }
  if (worst > 1.0)
    return ::testing::AssertionFailure()
           << "element " << worst_index << ": analytic " << analytic[worst_index] << " vs numeric "
           << numeric[worst_index] << " (tolerance exceeded " << worst << "x)";
  // The gradient must not be trivially zero, or the check proves nothing.
  if (analytic.size() > 0 && analytic.cwiseAbs().maxCoeff() == 0.0)
    return ::testing::AssertionFailure() << "gradient is identically zero";
  return ::testing::AssertionSuccess();
}

inline Eigen::VectorXd flat(const Eigen::MatrixXd& m) {
  return Eigen::Map<const Eigen::VectorXd>(m.data(), m.size());
}

// Bitwise equality of two matrices (NaN-safe, -0 != +0 is fine here).
inline ::testing::AssertionResult bit_identical(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b) {
  if (a.rows() != b.rows() || a.cols() != b.cols())
    return ::testing::AssertionFailure() << "shapes differ: " << a.rows() << "x" << a.cols() << " vs "
                                         << b.rows() << "x" << b.cols();
  for (long j = 0; j < a.cols(); ++j)
    for (long i = 0; i < a.rows(); ++i)
      if (std::memcmp(&a(i, j), &b(i, j), sizeof(double)) != 0)
        return ::testing::AssertionFailure() << "differ at (" << i << ", " << j << "): " << a(i, j) << " vs "
                                             << b(i, j);
  return ::testing::AssertionSuccess();
}

// A make_classification-like set (scikit-learn's generator, not its bits):
// n_informative informative features first, the rest pure N(0, 1) noise.
// Each class owns clusters_per_class Gaussian clusters centred on distinct
// vertices of the hypercube [-class_sep, class_sep]^n_informative, with a
// random linear mixing inside the informative block, and a fraction flip_y
// of labels replaced at random. The label depends on features 0..n_informative-1 only.
struct Dataset {
  Eigen::MatrixXd x;
  Eigen::VectorXd y;
  long n_classes = 2;
};

inline Dataset make_classification(long n_samples, long n_features, long n_informative, std::uint64_t seed,
                                   long n_classes = 2, long clusters_per_class = 2, double class_sep = 1.0,
                                   double flip_y = 0.01) {
  Random random(seed);
  const long n_clusters = n_classes * clusters_per_class;
  // Distinct hypercube vertices: a random permutation of the 2^k vertex codes.
  std::vector<std::size_t> codes(static_cast<std::size_t>(1) << n_informative);
  for (std::size_t i = 0; i < codes.size(); ++i) codes[i] = i;
  random.shuffle(codes);
  Eigen::MatrixXd centroids(n_clusters, n_informative);
  for (long c = 0; c < n_clusters; ++c)
    for (long j = 0; j < n_informative; ++j)
      centroids(c, j) = ((codes[static_cast<std::size_t>(c)] >> j) & 1u) ? class_sep : -class_sep;
  std::vector<Eigen::MatrixXd> mixing;
  for (long c = 0; c < n_clusters; ++c) {
    Eigen::MatrixXd a(n_informative, n_informative);
    for (long i = 0; i < n_informative; ++i)
      for (long j = 0; j < n_informative; ++j) a(i, j) = random.uniform(-1.0, 1.0);
    mixing.push_back(a);
  }
  Dataset data;
  data.n_classes = n_classes;
  data.x.resize(n_samples, n_features);
  data.y.resize(n_samples);
  for (long i = 0; i < n_samples; ++i) {
    const long cluster = i % n_clusters;
    data.y[i] = static_cast<double>(cluster % n_classes);
    Eigen::RowVectorXd z(n_informative);
    for (long j = 0; j < n_informative; ++j) z[j] = random.normal();
    data.x.row(i).head(n_informative) = z * mixing[static_cast<std::size_t>(cluster)] + centroids.row(cluster);
    for (long j = n_informative; j < n_features; ++j) data.x(i, j) = random.normal();
  }
  for (long i = 0; i < n_samples; ++i)
    if (random.uniform() < flip_y) data.y[i] = static_cast<double>(random.uniform_index(static_cast<std::uint64_t>(n_classes)));
  // Shuffle the rows (the features keep their order).
  std::vector<std::size_t> order(static_cast<std::size_t>(n_samples));
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  random.shuffle(order);
  Dataset shuffled = data;
  for (long i = 0; i < n_samples; ++i) {
    shuffled.x.row(i) = data.x.row(static_cast<long>(order[static_cast<std::size_t>(i)]));
    shuffled.y[i] = data.y[static_cast<long>(order[static_cast<std::size_t>(i)])];
  }
  return shuffled;
}

// A small regression set: y = sum of a few smooth terms of features 0..2 plus noise.
inline Dataset make_regression(long n_samples, long n_features, std::uint64_t seed) {
  Random random(seed);
  Dataset data;
  data.n_classes = 0;
  data.x = normal_matrix(random, n_samples, n_features);
  data.y.resize(n_samples);
  for (long i = 0; i < n_samples; ++i)
    data.y[i] = 10.0 + 3.0 * data.x(i, 0) + 2.0 * std::sin(data.x(i, 1)) + data.x(i, 2) * data.x(i, 2) +
                0.1 * random.normal();
  return data;
}

}  // namespace sa_test
