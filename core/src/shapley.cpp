#include "scoresactivation/shapley.hpp"

#include <cmath>
#include <numeric>
#include <stdexcept>
#include <vector>

#include "scoresactivation/parallel.hpp"
#include "scoresactivation/random.hpp"

namespace scoresactivation {

namespace {

void check_inputs(const ExplainedModel& model, const Eigen::MatrixXd& x, const Eigen::MatrixXd& background,
                  long target, ExplainedOutput output) {
  model.check_target(target, output);
  model.estimator().check_input(x, "X");
  model.estimator().check_input(background, "background");
  if (background.rows() < 1) throw std::invalid_argument("background needs at least one row");
}

// Mean target output over the background rows with the features in `mask`
// taken from x, for many masks at once: masks is (n_masks, d) of 0/1.
Eigen::VectorXd coalition_values(const ExplainedModel& model, const Eigen::RowVectorXd& x,
                                 const Eigen::MatrixXd& background, const std::vector<std::vector<char>>& masks,
                                 long target, ExplainedOutput output) {
  const long m = background.rows(), d = x.size();
  const long n_masks = static_cast<long>(masks.size());
  Eigen::MatrixXd rows(n_masks * m, d);
  for (long s = 0; s < n_masks; ++s) {
    rows.middleRows(s * m, m) = background;
    for (long j = 0; j < d; ++j)
      if (masks[static_cast<std::size_t>(s)][static_cast<std::size_t>(j)]) rows.block(s * m, j, m, 1).setConstant(x[j]);
  }
  const Eigen::MatrixXd out = model.outputs(rows, output, 1);
  Eigen::VectorXd values(n_masks);
  for (long s = 0; s < n_masks; ++s) values[s] = out.block(s * m, target, m, 1).mean();
  return values;
}

}  // namespace

ShapleyResult shapley_exact(const ExplainedModel& model, const Eigen::MatrixXd& x, const Eigen::MatrixXd& background,
                            long target, ExplainedOutput output, int n_threads) {
  check_inputs(model, x, background, target, output);
  const long d = x.cols(), n = x.rows();
  if (d > kMaxExactShapleyFeatures)
    throw std::invalid_argument("exact Shapley values need d <= " + std::to_string(kMaxExactShapleyFeatures) +
                                " features (2^d coalitions); use the sampled method");
  const long n_coalitions = 1L << d;
  // weight(|S|) = |S|! (d - |S| - 1)! / d!
  std::vector<double> weight(static_cast<std::size_t>(d));
  for (long s = 0; s < d; ++s)
    weight[static_cast<std::size_t>(s)] =
        std::exp(std::lgamma(s + 1.0) + std::lgamma(static_cast<double>(d - s)) - std::lgamma(d + 1.0));
  std::vector<std::vector<char>> masks(static_cast<std::size_t>(n_coalitions), std::vector<char>(d));
  std::vector<int> sizes(static_cast<std::size_t>(n_coalitions));
  for (long c = 0; c < n_coalitions; ++c) {
    for (long j = 0; j < d; ++j) masks[static_cast<std::size_t>(c)][static_cast<std::size_t>(j)] = (c >> j) & 1;
    int size = 0;
    for (long j = 0; j < d; ++j) size += static_cast<int>((c >> j) & 1);
    sizes[static_cast<std::size_t>(c)] = size;
  }
  ShapleyResult result;
  result.values = Eigen::MatrixXd::Zero(n, d);
  result.standard_error = Eigen::MatrixXd::Zero(n, d);
  result.evaluations_per_row = n_coalitions * background.rows();
  parallel_for(n, n_threads, [&](long i) {
    const Eigen::VectorXd v = coalition_values(model, x.row(i), background, masks, target, output);
    for (long c = 0; c < n_coalitions; ++c)
      for (long j = 0; j < d; ++j)
        if (!((c >> j) & 1))
          result.values(i, j) += weight[static_cast<std::size_t>(sizes[static_cast<std::size_t>(c)])] *
                                 (v[c | (1L << j)] - v[c]);
  });
  result.base_value = model.outputs(background, output, 1).col(target).mean();
  return result;
}

ShapleyResult shapley_sampled(const ExplainedModel& model, const Eigen::MatrixXd& x,
                              const Eigen::MatrixXd& background, long target, ExplainedOutput output,
                              long n_permutations, std::uint64_t seed, int n_threads) {
  check_inputs(model, x, background, target, output);
  if (n_permutations < 1) throw std::invalid_argument("n_permutations must be a positive integer");
  const long d = x.cols(), n = x.rows();
  const long n_pairs = (n_permutations + 1) / 2;
  ShapleyResult result;
  result.values = Eigen::MatrixXd::Zero(n, d);
  result.standard_error = Eigen::MatrixXd::Zero(n, d);
  result.evaluations_per_row = 2 * n_pairs * (d + 1) * background.rows();
  parallel_for(n, n_threads, [&](long i) {
    Random random(derive_seed(seed, static_cast<std::uint64_t>(i)));
    std::vector<std::size_t> order(static_cast<std::size_t>(d));
    std::iota(order.begin(), order.end(), std::size_t{0});
    Eigen::MatrixXd pair_means(n_pairs, d);
    std::vector<std::vector<char>> masks(static_cast<std::size_t>(d + 1), std::vector<char>(d));
    for (long p = 0; p < n_pairs; ++p) {
      random.shuffle(order);
      Eigen::RowVectorXd pair_sum = Eigen::RowVectorXd::Zero(d);
      for (int direction = 0; direction < 2; ++direction) {
        // Prefix masks along the order (forward, then reversed).
        for (long k = 0; k <= d; ++k) {
          std::fill(masks[static_cast<std::size_t>(k)].begin(), masks[static_cast<std::size_t>(k)].end(), 0);
          for (long q = 0; q < k; ++q) {
            const std::size_t feature = direction == 0 ? order[static_cast<std::size_t>(q)]
                                                       : order[static_cast<std::size_t>(d - 1 - q)];
            masks[static_cast<std::size_t>(k)][feature] = 1;
          }
        }
        const Eigen::VectorXd v = coalition_values(model, x.row(i), background, masks, target, output);
        for (long q = 0; q < d; ++q) {
          const std::size_t feature = direction == 0 ? order[static_cast<std::size_t>(q)]
                                                     : order[static_cast<std::size_t>(d - 1 - q)];
          pair_sum[static_cast<long>(feature)] += v[q + 1] - v[q];
        }
      }
      pair_means.row(p) = pair_sum / 2.0;
    }
    result.values.row(i) = pair_means.colwise().mean();
    if (n_pairs > 1) {
      const Eigen::RowVectorXd centred_sq =
          (pair_means.rowwise() - result.values.row(i)).array().square().colwise().sum();
      result.standard_error.row(i) = (centred_sq / static_cast<double>(n_pairs - 1)).cwiseSqrt() /
                                     std::sqrt(static_cast<double>(n_pairs));
    }
  });
  result.base_value = model.outputs(background, output, 1).col(target).mean();
  return result;
}

}  // namespace scoresactivation
