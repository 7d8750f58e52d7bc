#include "scoresactivation/shapley.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numeric>
#include <stdexcept>
#include <vector>

#include "scoresactivation/activation.hpp"
#include "scoresactivation/attribution_limits.hpp"
#include "scoresactivation/interrupt_checkpoint.hpp"
#include "scoresactivation/parallel.hpp"
#include "scoresactivation/random.hpp"

namespace scoresactivation {

namespace {

void check_inputs(const ExplainedModel& model, const Eigen::MatrixXd& x, const Eigen::MatrixXd& background,
                  long target, ExplainedOutput output, int n_threads) {
  check_threads(n_threads);
  model.check_target(target, output);
  model.estimator().check_input(x, "X");
  if (x.rows() < 1) throw std::invalid_argument("X has no rows");
  model.estimator().check_input(background, "background");
  if (background.rows() < 1) throw std::invalid_argument("background needs at least one row");
}

// Values v(S) = mean over background rows b of f(x_S, b_rest) for the
// coalitions met while switching one feature at a time. The first layer is
// affine, so switching feature j moves the first pre-activation of every
// background row by (g(x)_j - g(b)_j) W_j, where g is the standardisation and
// gate: O(m h1) per coalition instead of the O(m d h1) of a full forward pass.
// The deeper layers run on all the coalitions of a chunk at once.
class CoalitionWalker {
 public:
  CoalitionWalker(const ExplainedModel& model, const Eigen::MatrixXd& background, long target,
                  ExplainedOutput output)
      : model_(model),
        layers_(model.estimator().network().layers()),
        path_(model.estimator().kernel_path()),
        target_(target),
        output_(output),
        background_input_(model.network_input(background)) {
    layers_.front().forward(path_, background_input_, background_pre_);
    Workspace workspace;
    empty_value_ = finish(background_pre_, workspace)[0];
  }

  // Buffers reused across the chunks and rows one thread walks: allocating
  // megabytes per chunk costs page faults comparable to the arithmetic.
  struct Workspace {
    Eigen::MatrixXd pre, stacked;
    std::vector<Eigen::MatrixXd> activations, pre_activations;
  };

  long background_rows() const { return background_input_.rows(); }
  // v of the empty coalition: the mean output over the background.
  double empty_value() const { return empty_value_; }

  // Per-row set-up: g(x) - g(b) for every background row (m, d).
  Eigen::MatrixXd differences(const Eigen::RowVectorXd& x) const {
    const Eigen::RowVectorXd gx = model_.network_input(x);
    return (-background_input_).rowwise() + gx;
  }

  // Switches features toggles[0..n) in turn and writes v after each switch
  // to values[0..n). The coalition starts empty and is emptied again every
  // `restart_every` steps, so many short walks (the orders of the sampled
  // method) share one pass through the deeper layers. Polls the checkpoint
  // after every pass: one row's walk can be minutes of work.
  void walk(const Eigen::MatrixXd& differences, const long* toggles, long n, long restart_every, double* values,
            Workspace& workspace, InterruptCheckpoint& checkpoint) const {
    const long m = background_rows(), d = differences.cols();
    const long chunk = std::max<long>(1, kChunkRows / m);
    const Eigen::MatrixXd& w = layers_.front().weight;
    std::vector<char> in_coalition(static_cast<std::size_t>(d), 0);
    Eigen::MatrixXd& pre = workspace.pre;
    Eigen::MatrixXd& stacked = workspace.stacked;
    for (long begin = 0; begin < n; begin += chunk) {
      // Restart each chunk from an exact product so rounding cannot drift
      // along long walks (the 2^d coalitions of the exact method).
      pre = background_pre_;
      // (Rebuilt by the same rank-1 updates as the steps below, so one
      // arithmetic serves both.)
      if (begin % restart_every != 0)
        for (long j = 0; j < d; ++j)
          if (in_coalition[static_cast<std::size_t>(j)]) pre.noalias() += differences.col(j) * w.row(j);
      const long steps = std::min(chunk, n - begin);
      stacked.resize(steps * m, w.cols());
      for (long k = 0; k < steps; ++k) {
        if ((begin + k) % restart_every == 0 && (begin + k) > 0) {
          pre = background_pre_;
          std::fill(in_coalition.begin(), in_coalition.end(), 0);
        }
        const long j = toggles[begin + k];
        char& member = in_coalition[static_cast<std::size_t>(j)];
        const double sign = member ? -1.0 : 1.0;
        member = !member;
        pre.noalias() += sign * differences.col(j) * w.row(j);
        stacked.middleRows(k * m, m) = pre;
      }
      const Eigen::VectorXd v = finish(stacked, workspace);
      std::copy(v.data(), v.data() + steps, values + begin);
      checkpoint.poll();
    }
  }

 private:
  static constexpr long kChunkRows = 4096;

  // The rest of the network on stacked first pre-activations, then the
  // target's mean over each block of m background rows.
  Eigen::VectorXd finish(const Eigen::MatrixXd& first_pre, Workspace& workspace) const {
    const Network& net = model_.estimator().network();
    workspace.activations.resize(layers_.size());
    workspace.pre_activations.resize(layers_.size());
    const Eigen::MatrixXd* z = &first_pre;
    for (std::size_t l = 1; l < layers_.size(); ++l) {
      apply_activation(net.activation(), *z, workspace.activations[l]);
      layers_[l].forward(path_, workspace.activations[l], workspace.pre_activations[l]);
      z = &workspace.pre_activations[l];
    }
    const Eigen::MatrixXd out = model_.from_network_output(*z, output_);
    const long m = background_rows(), blocks = out.rows() / m;
    Eigen::VectorXd means(blocks);
    for (long s = 0; s < blocks; ++s) means[s] = out.block(s * m, target_, m, 1).mean();
    return means;
  }

  const ExplainedModel& model_;
  const std::vector<DenseLayer>& layers_;
  KernelPath path_;
  long target_;
  ExplainedOutput output_;
  Eigen::MatrixXd background_input_, background_pre_;
  double empty_value_ = 0.0;
};

// Runs row_fn(i, workspace) for every row, rows_per_task rows to a parallel
// task so that one workspace serves them all.
template <typename RowFunction>
void for_each_row(long n, long rows_per_task, int n_threads, InterruptCheckpoint& checkpoint, RowFunction&& row_fn) {
  parallel_for((n + rows_per_task - 1) / rows_per_task, n_threads, [&](long task) {
    if (checkpoint.stopped()) return;
    CoalitionWalker::Workspace workspace;
    for (long i = task * rows_per_task; i < std::min(n, (task + 1) * rows_per_task); ++i) row_fn(i, workspace);
  }, checkpoint.stop_signal());
}

}  // namespace

ExactShapleyPlan exact_shapley_plan(long d) {
  check_count(d, 1, kMaxExactShapleyFeatures, "the number of players of exact Shapley values");
  ExactShapleyPlan plan;
  plan.d = d;
  const long n_coalitions = 1L << d;
  // weight(|S|) = |S|! (d - |S| - 1)! / d!
  plan.weight.resize(static_cast<std::size_t>(d));
  for (long s = 0; s < d; ++s)
    plan.weight[static_cast<std::size_t>(s)] =
        std::exp(std::lgamma(s + 1.0) + std::lgamma(static_cast<double>(d - s)) - std::lgamma(d + 1.0));
  // Gray-code order visits every coalition switching one feature per step.
  plan.toggles.resize(static_cast<std::size_t>(n_coalitions - 1));
  for (long t = 1; t < n_coalitions; ++t) {
    long bit = 0;
    while (!((t >> bit) & 1)) ++bit;
    plan.toggles[static_cast<std::size_t>(t - 1)] = bit;
  }
  plan.sizes.resize(static_cast<std::size_t>(n_coalitions));
  for (long c = 0; c < n_coalitions; ++c) {
    int size = 0;
    for (long j = 0; j < d; ++j) size += static_cast<int>((c >> j) & 1);
    plan.sizes[static_cast<std::size_t>(c)] = size;
  }
  return plan;
}

Eigen::RowVectorXd exact_shapley_row(const ExactShapleyPlan& plan, const CoalitionWalk& walk, double empty_value) {
  const long d = plan.d, n_coalitions = 1L << d;
  std::vector<double> walked(static_cast<std::size_t>(n_coalitions - 1));
  walk(plan.toggles.data(), n_coalitions - 1, n_coalitions, walked.data());
  std::vector<double> v(static_cast<std::size_t>(n_coalitions));
  v[0] = empty_value;
  for (long t = 1; t < n_coalitions; ++t) v[static_cast<std::size_t>(t ^ (t >> 1))] = walked[static_cast<std::size_t>(t - 1)];
  Eigen::RowVectorXd values = Eigen::RowVectorXd::Zero(d);
  for (long c = 0; c < n_coalitions; ++c)
    for (long j = 0; j < d; ++j)
      if (!((c >> j) & 1))
        values[j] += plan.weight[static_cast<std::size_t>(plan.sizes[static_cast<std::size_t>(c)])] *
                     (v[static_cast<std::size_t>(c | (1L << j))] - v[static_cast<std::size_t>(c)]);
  return values;
}

SampledShapleyRow sampled_shapley_row(long d, long n_pairs, std::uint64_t row_seed, const CoalitionWalk& walk,
                                      double empty_value, double full_value) {
  // The orders of a row are walked pairs_per_walk pairs at a time, so a
  // row's buffers stay O(kToggles) whatever n_permutations (all of them at
  // once, 2^62 orders asked for 2 * n_pairs * d toggles: the size wrapped
  // around and the writes overflowed the buffer).
  constexpr long kToggles = 1L << 16;
  const long pairs_per_walk = std::max<long>(1, std::min<long>(n_pairs, kToggles / (2 * d)));
  Random random(row_seed);
  std::vector<std::size_t> order(static_cast<std::size_t>(d));
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::vector<long> toggles(static_cast<std::size_t>(2 * pairs_per_walk * d));
  std::vector<long> walked_toggles;
  walked_toggles.reserve(static_cast<std::size_t>(2 * pairs_per_walk * std::max<long>(d - 1, 0)));
  std::vector<double> walked;
  Eigen::MatrixXd pair_means(pairs_per_walk, d);
  std::vector<double> v(static_cast<std::size_t>(d + 1));
  v[0] = empty_value;
  v[static_cast<std::size_t>(d)] = full_value;
  // Mean and sum of squared deviations of the pair means, merged group by
  // group in a fixed order (Chan et al. 1979): the same numbers whatever
  // the number of threads, and those of one pass when one group holds all.
  Eigen::RowVectorXd mean = Eigen::RowVectorXd::Zero(d), squares = Eigen::RowVectorXd::Zero(d);
  long merged = 0;
  for (long first = 0; first < n_pairs; first += pairs_per_walk) {
    const long pairs = std::min(pairs_per_walk, n_pairs - first);
    // Both orders of every pair, each walked over its first d - 1 features.
    for (long p = 0; p < pairs; ++p) {
      random.shuffle(order);
      for (long q = 0; q < d; ++q) {
        toggles[static_cast<std::size_t>((2 * p) * d + q)] = static_cast<long>(order[static_cast<std::size_t>(q)]);
        toggles[static_cast<std::size_t>((2 * p + 1) * d + q)] =
            static_cast<long>(order[static_cast<std::size_t>(d - 1 - q)]);
      }
    }
    walked_toggles.clear();
    for (long o = 0; o < 2 * pairs; ++o)
      for (long q = 0; q < d - 1; ++q) walked_toggles.push_back(toggles[static_cast<std::size_t>(o * d + q)]);
    walked.resize(walked_toggles.size());
    if (d > 1) walk(walked_toggles.data(), static_cast<long>(walked_toggles.size()), d - 1, walked.data());
    auto group = pair_means.topRows(pairs);
    group.setZero();
    for (long o = 0; o < 2 * pairs; ++o) {
      for (long q = 1; q < d; ++q)
        v[static_cast<std::size_t>(q)] = walked[static_cast<std::size_t>(o * (d - 1) + q - 1)];
      for (long q = 0; q < d; ++q)
        group(o / 2, toggles[static_cast<std::size_t>(o * d + q)]) +=
            (v[static_cast<std::size_t>(q + 1)] - v[static_cast<std::size_t>(q)]) / 2.0;
    }
    const Eigen::RowVectorXd group_mean = group.colwise().mean();
    const Eigen::RowVectorXd group_squares = (group.rowwise() - group_mean).array().square().colwise().sum();
    if (merged == 0) {
      mean = group_mean;
      squares = group_squares;
    } else {
      const double a = static_cast<double>(merged), b = static_cast<double>(pairs);
      const Eigen::RowVectorXd shift = group_mean - mean;
      mean += shift * (b / (a + b));
      squares += group_squares + shift.array().square().matrix() * (a * b / (a + b));
    }
    merged += pairs;
  }
  SampledShapleyRow row{mean, Eigen::RowVectorXd::Zero(d)};
  if (n_pairs > 1)
    row.standard_error =
        (squares / static_cast<double>(n_pairs - 1)).cwiseSqrt() / std::sqrt(static_cast<double>(n_pairs));
  return row;
}

ShapleyResult shapley_exact(const ExplainedModel& model, const Eigen::MatrixXd& x, const Eigen::MatrixXd& background,
                            long target, ExplainedOutput output, int n_threads,
                            const std::function<bool()>& interrupt_requested, const ProgressHook& progress) {
  check_inputs(model, x, background, target, output, n_threads);
  const long d = x.cols(), n = x.rows();
  if (d > kMaxExactShapleyFeatures)
    throw std::invalid_argument("exact Shapley values need d <= " + std::to_string(kMaxExactShapleyFeatures) +
                                " features (2^d coalitions); use the sampled method");
  const ExactShapleyPlan plan = exact_shapley_plan(d);
  const long n_coalitions = 1L << d;
  const CoalitionWalker walker(model, background, target, output);
  ShapleyResult result;
  result.values = Eigen::MatrixXd::Zero(n, d);
  result.standard_error = Eigen::MatrixXd::Zero(n, d);
  result.evaluations_per_row = (n_coalitions - 1) * background.rows();
  InterruptCheckpoint checkpoint(interrupt_requested, progress, n);
  // One row per task: a row is 2^d coalitions of work already.
  for_each_row(n, 1, n_threads, checkpoint, [&](long i, CoalitionWalker::Workspace& workspace) {
    const Eigen::MatrixXd differences = walker.differences(x.row(i));
    const CoalitionWalk walk = [&](const long* toggles, long count, long restart_every, double* values) {
      walker.walk(differences, toggles, count, restart_every, values, workspace, checkpoint);
    };
    result.values.row(i) = exact_shapley_row(plan, walk, walker.empty_value());
    checkpoint.advance();
  });
  checkpoint.finish();
  result.base_value = walker.empty_value();
  return result;
}

ShapleyResult shapley_sampled(const ExplainedModel& model, const Eigen::MatrixXd& x,
                              const Eigen::MatrixXd& background, long target, ExplainedOutput output,
                              long n_permutations, std::uint64_t seed, int n_threads,
                              const std::function<bool()>& interrupt_requested, const ProgressHook& progress) {
  check_inputs(model, x, background, target, output, n_threads);
  check_count(n_permutations, 1, kMaxShapleyPermutations, "n_permutations");
  const long d = x.cols(), n = x.rows(), m = background.rows();
  const long n_pairs = (n_permutations + 1) / 2;
  // v(empty) is shared by every row and v(all) = f(x) needs one network row,
  // so a pair of orders costs 2 (d - 1) coalitions of the background. (A
  // count, not a buffer: only overflow is refused.)
  constexpr std::int64_t kMaxCount = std::numeric_limits<long>::max() - 1;
  const std::int64_t evaluations = checked_product(
      checked_product(2 * n_pairs, std::max<long>(d - 1, 0), "sampled Shapley values", kMaxCount), m,
      "sampled Shapley values", kMaxCount);
  const CoalitionWalker walker(model, background, target, output);
  const Eigen::MatrixXd full = model.outputs(x, output, n_threads);
  ShapleyResult result;
  result.values = Eigen::MatrixXd::Zero(n, d);
  result.standard_error = Eigen::MatrixXd::Zero(n, d);
  result.evaluations_per_row = static_cast<long>(evaluations + 1);
  // Eight rows share a workspace when a row is little work; a large row is a
  // task of its own (the walk polls for interrupts inside a row too).
  const double row_work = 2.0 * static_cast<double>(n_pairs) * static_cast<double>(d) * static_cast<double>(m);
  const long rows_per_task = row_work > 1e5 ? 1 : 8;
  InterruptCheckpoint checkpoint(interrupt_requested, progress, n);
  for_each_row(n, rows_per_task, n_threads, checkpoint, [&](long i, CoalitionWalker::Workspace& workspace) {
    const Eigen::MatrixXd differences = walker.differences(x.row(i));
    const CoalitionWalk walk = [&](const long* toggles, long count, long restart_every, double* values) {
      walker.walk(differences, toggles, count, restart_every, values, workspace, checkpoint);
    };
    const SampledShapleyRow row = sampled_shapley_row(d, n_pairs, derive_seed(seed, static_cast<std::uint64_t>(i)),
                                                      walk, walker.empty_value(), full(i, target));
    result.values.row(i) = row.values;
    result.standard_error.row(i) = row.standard_error;
    checkpoint.advance();
  });
  checkpoint.finish();
  result.base_value = walker.empty_value();
  return result;
}

ShapleyResult shapley_of(const TargetOutput& output, const Eigen::MatrixXd& x, const Eigen::MatrixXd& background,
                         bool exact, long n_permutations, std::uint64_t seed,
                         const std::function<bool()>& interrupt_requested, const ProgressHook& progress) {
  const long d = x.cols(), n = x.rows(), m = background.rows();
  if (d < 1 || n < 1) throw std::invalid_argument("X needs at least one row and one feature");
  if (!x.allFinite()) throw std::invalid_argument("X contains NaN or infinity");
  if (background.cols() != d)
    throw std::invalid_argument("background has " + std::to_string(background.cols()) + " features, X has " +
                                std::to_string(d));
  if (m < 1) throw std::invalid_argument("background needs at least one row");
  if (!background.allFinite()) throw std::invalid_argument("background contains NaN or infinity");
  if (exact && d > kMaxExactShapleyFeatures)
    throw std::invalid_argument("exact Shapley values need at most " + std::to_string(kMaxExactShapleyFeatures) +
                                " features (2^d coalitions); use the sampled method");
  if (!exact) check_count(n_permutations, 1, kMaxShapleyPermutations, "n_permutations");
  auto value = [&](const Eigen::MatrixXd& rows) {
    const Eigen::VectorXd out = output(rows);
    if (out.size() != rows.rows() || !out.allFinite())
      throw std::invalid_argument("the model's output must be one finite value per row");
    return out.mean();
  };
  InterruptCheckpoint checkpoint(interrupt_requested, progress, n);
  ShapleyResult result;
  result.values = Eigen::MatrixXd::Zero(n, d);
  result.standard_error = Eigen::MatrixXd::Zero(n, d);
  result.base_value = value(background);
  const long n_pairs = (n_permutations + 1) / 2;
  result.evaluations_per_row = exact ? ((1L << d) - 1) * m : 2 * n_pairs * std::max<long>(d - 1, 0) * m + 1;
  const ExactShapleyPlan plan = exact ? exact_shapley_plan(d) : ExactShapleyPlan();
  Eigen::MatrixXd masked = background;
  std::vector<char> in(static_cast<std::size_t>(d));
  for (long i = 0; i < n; ++i) {
    // v(S) = mean over the background of f(x_S, b_rest), one player switched at a time.
    const CoalitionWalk walk = [&](const long* toggles, long count, long restart_every, double* values) {
      for (long k = 0; k < count; ++k) {
        if (k % restart_every == 0) {
          masked = background;
          std::fill(in.begin(), in.end(), 0);
        }
        const long j = toggles[k];
        in[static_cast<std::size_t>(j)] ^= 1;
        if (in[static_cast<std::size_t>(j)]) {
          masked.col(j).setConstant(x(i, j));
        } else {
          masked.col(j) = background.col(j);
        }
        values[k] = value(masked);
        checkpoint.poll();
      }
    };
    if (exact) {
      result.values.row(i) = exact_shapley_row(plan, walk, result.base_value);
    } else {
      const double full = value(x.row(i));
      const SampledShapleyRow row = sampled_shapley_row(d, n_pairs, derive_seed(seed, static_cast<std::uint64_t>(i)),
                                                        walk, result.base_value, full);
      result.values.row(i) = row.values;
      result.standard_error.row(i) = row.standard_error;
    }
    checkpoint.advance();
  }
  checkpoint.finish();
  return result;
}

}  // namespace scoresactivation
