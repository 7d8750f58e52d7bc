#include "scoresactivation/permutation_importance.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>
#include <vector>

#include "scoresactivation/attribution_limits.hpp"
#include "scoresactivation/interrupt_checkpoint.hpp"
#include "scoresactivation/loss.hpp"
#include "scoresactivation/parallel.hpp"
#include "scoresactivation/random.hpp"

namespace scoresactivation {

namespace {

// Rows per forward pass of the loss: the loss of X is the sum of its blocks'
// losses (each normalised by the total weight), so a task never copies all
// of X and polls for interrupts between blocks.
constexpr long kLossBlock = 1024;

// Loss of the rows of x, with `width` columns from `column` (when >= 0)
// read through `order` (row i takes them from row order[i]).
double blockwise_loss(const ExplainedModel& model, const Eigen::MatrixXd& x, const Eigen::VectorXd& y,
                      const Eigen::VectorXd& w, double total_weight, long column, long width,
                      const std::vector<std::size_t>* order, long start, long rows) {
  Eigen::MatrixXd block = x.middleRows(start, rows);
  if (column >= 0)
    for (long i = 0; i < rows; ++i)
      block.row(i).segment(column, width) =
          x.row(static_cast<long>((*order)[static_cast<std::size_t>(start + i)])).segment(column, width);
  const Eigen::MatrixXd out = model.outputs(block, ExplainedOutput::raw, 1);
  return prediction_loss(model.classification(), out, y.segment(start, rows), w.segment(start, rows), total_weight,
                         nullptr);
}

Eigen::VectorXd weights_or_ones(const Eigen::VectorXd& sample_weight, long n) {
  return sample_weight.size() == 0 ? Eigen::VectorXd::Ones(n) : sample_weight;
}

double loss_of(const ExplainedModel& model, const Eigen::MatrixXd& x, const Eigen::VectorXd& y,
               const Eigen::VectorXd& w, int n_threads, InterruptCheckpoint& checkpoint) {
  const long n = x.rows(), blocks = (n + kLossBlock - 1) / kLossBlock;
  std::vector<double> losses(static_cast<std::size_t>(blocks), 0.0);
  const double total = w.sum();
  parallel_for(blocks, n_threads, [&](long b) {
    if (checkpoint.stopped()) return;
    const long start = b * kLossBlock;
    losses[static_cast<std::size_t>(b)] = blockwise_loss(model, x, y, w, total, -1, 0, nullptr, start,
                                                         std::min(kLossBlock, n - start));
    checkpoint.poll();
  }, checkpoint.stop_signal());
  // Summed in block order: the same number whatever the thread count.
  return std::accumulate(losses.begin(), losses.end(), 0.0);
}

void check_loss_inputs(const ExplainedModel& model, const Eigen::MatrixXd& x, const Eigen::VectorXd& y,
                       const Eigen::VectorXd& sample_weight, int n_threads) {
  check_threads(n_threads);
  model.estimator().check_input(x, "X");
  const long n = x.rows();
  if (y.size() != n) throw std::invalid_argument("y has " + std::to_string(y.size()) + " values but X has " +
                                                 std::to_string(n) + " rows");
  if (!y.allFinite()) throw std::invalid_argument("y contains NaN or infinity");
  if (model.classification())
    for (long i = 0; i < n; ++i)
      if (y[i] < 0 || y[i] >= model.n_outputs() || y[i] != std::floor(y[i]))
        throw std::invalid_argument("y must hold class indices 0..n_classes-1");
  if (sample_weight.size() != 0) {
    if (sample_weight.size() != n) throw std::invalid_argument("sample_weight must have one value per row of X");
    if (!sample_weight.allFinite() || (sample_weight.array() < 0.0).any())
      throw std::invalid_argument("sample_weight must be finite and >= 0");
    if (!(sample_weight.sum() > 0.0)) throw std::invalid_argument("sample_weight must not be all zero");
  }
}

}  // namespace

double model_loss(const ExplainedModel& model, const Eigen::MatrixXd& x, const Eigen::VectorXd& y,
                  const Eigen::VectorXd& sample_weight, int n_threads) {
  check_loss_inputs(model, x, y, sample_weight, n_threads);
  if (x.rows() < 1) throw std::invalid_argument("X has no rows");
  InterruptCheckpoint never(nullptr);
  return loss_of(model, x, y, weights_or_ones(sample_weight, x.rows()), n_threads, never);
}

PermutationImportance permutation_importance(const ExplainedModel& model, const Eigen::MatrixXd& x,
                                             const Eigen::VectorXd& y, const Eigen::VectorXd& sample_weight,
                                             long n_repeats, std::uint64_t seed, int n_threads,
                                             const std::function<bool()>& interrupt_requested,
                                             const ProgressHook& progress) {
  check_loss_inputs(model, x, y, sample_weight, n_threads);
  // A score group (a categorical variable's one-hot columns) is shuffled as
  // one: its rows stay valid levels, and it gets one importance.
  std::vector<long> first_column, width;
  const std::vector<long>& groups = model.estimator().score_groups();
  for (long j = 0, g = 0; j < x.cols(); j += width.back(), ++g) {
    first_column.push_back(j);
    width.push_back(groups.empty() ? 1 : groups[static_cast<std::size_t>(g)]);
  }
  const long n = x.rows(), d = static_cast<long>(first_column.size());
  if (n < 2) throw std::invalid_argument("permutation importance needs at least 2 rows");
  check_count(n_repeats, 1, kMaxPermutationRepeats, "n_repeats");
  const long n_tasks = static_cast<long>(checked_product(d, n_repeats, "permutation importance"));
  const Eigen::VectorXd w = weights_or_ones(sample_weight, n);
  const double total = w.sum();

  InterruptCheckpoint checkpoint(interrupt_requested, progress, n_tasks);
  PermutationImportance result;
  result.baseline_loss = loss_of(model, x, y, w, n_threads, checkpoint);
  result.importances.resize(d, n_repeats);
  parallel_for(n_tasks, n_threads, [&](long task) {
    if (checkpoint.stopped()) return;
    const long j = task / n_repeats, r = task % n_repeats;
    Random random(derive_seed(seed, static_cast<std::uint64_t>(j), static_cast<std::uint64_t>(r)));
    std::vector<std::size_t> order(static_cast<std::size_t>(n));
    std::iota(order.begin(), order.end(), std::size_t{0});
    random.shuffle(order);
    // Block losses in block order, as loss_of sums them.
    double loss = 0.0;
    for (long start = 0; start < n; start += kLossBlock) {
      loss += blockwise_loss(model, x, y, w, total, first_column[static_cast<std::size_t>(j)],
                             width[static_cast<std::size_t>(j)], &order, start, std::min(kLossBlock, n - start));
      checkpoint.poll();
    }
    result.importances(j, r) = loss - result.baseline_loss;
    checkpoint.advance();
  }, checkpoint.stop_signal());
  checkpoint.finish();
  result.importances_mean = result.importances.rowwise().mean();
  result.importances_std =
      ((result.importances.colwise() - result.importances_mean).array().square().rowwise().mean()).sqrt().matrix();
  return result;
}

}  // namespace scoresactivation
