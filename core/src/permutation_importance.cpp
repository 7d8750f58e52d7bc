#include "scoresactivation/permutation_importance.hpp"

#include <cmath>
#include <numeric>
#include <stdexcept>
#include <vector>

#include "scoresactivation/loss.hpp"
#include "scoresactivation/parallel.hpp"
#include "scoresactivation/random.hpp"

namespace scoresactivation {

double model_loss(const ExplainedModel& model, const Eigen::MatrixXd& x, const Eigen::VectorXd& y,
                  const Eigen::VectorXd& sample_weight, int n_threads) {
  const Eigen::VectorXd w = sample_weight.size() == 0 ? Eigen::VectorXd::Ones(x.rows()) : sample_weight;
  const Eigen::MatrixXd out = model.outputs(x, ExplainedOutput::raw, n_threads);
  if (model.classification()) return softmax_cross_entropy(out, y, w, w.sum(), nullptr);
  return squared_error(out, y, w, w.sum(), nullptr);
}

PermutationImportance permutation_importance(const ExplainedModel& model, const Eigen::MatrixXd& x,
                                             const Eigen::VectorXd& y, const Eigen::VectorXd& sample_weight,
                                             long n_repeats, std::uint64_t seed, int n_threads,
                                             const std::function<bool()>& interrupt_requested) {
  model.estimator().check_input(x, "X");
  const long n = x.rows(), d = x.cols();
  if (n < 2) throw std::invalid_argument("permutation importance needs at least 2 rows");
  if (y.size() != n) throw std::invalid_argument("y has " + std::to_string(y.size()) + " values but X has " +
                                                 std::to_string(n) + " rows");
  if (!y.allFinite()) throw std::invalid_argument("y contains NaN or infinity");
  if (model.classification())
    for (long i = 0; i < n; ++i)
      if (y[i] < 0 || y[i] >= model.n_outputs() || y[i] != std::floor(y[i]))
        throw std::invalid_argument("y must hold class indices 0..n_classes-1");
  if (sample_weight.size() != 0 && sample_weight.size() != n)
    throw std::invalid_argument("sample_weight must have one value per row of X");
  if (n_repeats < 1) throw std::invalid_argument("n_repeats must be a positive integer");

  PermutationImportance result;
  result.baseline_loss = model_loss(model, x, y, sample_weight, n_threads);
  result.importances.resize(d, n_repeats);
  parallel_for(d * n_repeats, n_threads, [&](long task) {
    const long j = task / n_repeats, r = task % n_repeats;
    Random random(derive_seed(seed, static_cast<std::uint64_t>(j), static_cast<std::uint64_t>(r)));
    std::vector<std::size_t> order(static_cast<std::size_t>(n));
    std::iota(order.begin(), order.end(), std::size_t{0});
    random.shuffle(order);
    Eigen::MatrixXd shuffled = x;
    for (long i = 0; i < n; ++i) shuffled(i, j) = x(static_cast<long>(order[static_cast<std::size_t>(i)]), j);
    result.importances(j, r) = model_loss(model, shuffled, y, sample_weight, 1) - result.baseline_loss;
  }, interrupt_requested);
  result.importances_mean = result.importances.rowwise().mean();
  result.importances_std =
      ((result.importances.colwise() - result.importances_mean).array().square().rowwise().mean()).sqrt().matrix();
  return result;
}

}  // namespace scoresactivation
