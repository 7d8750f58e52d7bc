#include "scoresactivation/sequence_attribution.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <stdexcept>
#include <string>
#include <vector>

#include "scoresactivation/interrupt_checkpoint.hpp"
#include "scoresactivation/loss.hpp"
#include "scoresactivation/parallel.hpp"
#include "scoresactivation/random.hpp"

namespace scoresactivation {

namespace {

// Values (rows x width) one network pass of a task may hold: long sequences
// get fewer rows per pass, so a thread's buffers stay near 16 MiB whatever
// steps * channels. Depends on the data's shape only, never on n_threads.
constexpr long kPassValues = 1L << 21;

long rows_per_pass(long width, long cap) { return std::max<long>(1, std::min<long>(cap, kPassValues / std::max<long>(width, 1))); }

void check_fitted(const SequenceEstimator& est) {
  if (!est.fitted()) throw std::logic_error("this estimator is not fitted yet; call fit first");
}

void check_sequences(const SequenceEstimator& est, const MatrixView& x, long steps, const Eigen::VectorXd& lengths,
                     int n_threads) {
  check_fitted(est);
  check_threads(n_threads);
  est.check_input(x, steps, lengths, "X");
  if (x.rows() < 1) throw std::invalid_argument("X has no rows");
}

void check_target(const SequenceEstimator& est, long target, ExplainedOutput output) {
  if (target < 0 || target >= est.n_outputs())
    throw std::invalid_argument("target must be in [0, " + std::to_string(est.n_outputs()) + "); got " +
                                std::to_string(target));
  if (output == ExplainedOutput::probability && est.task() != Task::classification)
    throw std::invalid_argument("output='probability' needs a classification model");
}

long length_of(const Eigen::VectorXd& lengths, long steps, long row) {
  return lengths.size() == 0 ? steps : static_cast<long>(lengths[row]);
}

// Standardised rows of x with their lengths: one network block.
struct SequenceBlock {
  Eigen::MatrixXd x;
  Eigen::VectorXd lengths;  // empty: all steps
  long steps = 1;
  InputBlock input() const { return InputBlock{x, steps, lengths.size() > 0 ? &lengths : nullptr}; }
  long length(long row) const { return length_of(lengths, steps, row); }
};

SequenceBlock standardised_block(const SequenceEstimator& est, const MatrixView& x, long steps,
                                 const Eigen::VectorXd& lengths, long start, long rows) {
  SequenceBlock block;
  block.steps = steps;
  if (lengths.size() > 0) block.lengths = lengths.segment(start, rows);
  block.x = est.standardise(x.middleRows(start, rows), steps, block.lengths);
  return block;
}

// Sets the padded steps of each row to zero (m has rows of block, width per step).
void zero_padding(Eigen::MatrixXd& m, const SequenceBlock& block, long width) {
  if (block.lengths.size() == 0) return;
  for (long i = 0; i < m.rows(); ++i) {
    const long valid = block.length(i) * width;
    m.row(i).tail(m.cols() - valid).setZero();
  }
}

// Network outputs (logits, or standardised regression) as the explained output.
Eigen::MatrixXd explained_outputs(const SequenceEstimator& est, Eigen::MatrixXd out, ExplainedOutput output) {
  if (est.task() == Task::regression) return (out.array() * est.target_scale() + est.target_mean()).matrix();
  if (output == ExplainedOutput::probability) {
    Eigen::MatrixXd probabilities;
    softmax_rows(out, probabilities);
    return probabilities;
  }
  return out;
}

// Raw outputs are network outputs times this.
double output_scale(const SequenceEstimator& est) {
  return est.task() == Task::regression ? est.target_scale() : 1.0;
}

// ------------------------------------------------------------- DeepACTIF

enum class Hook { input, encoder };
enum class Aggregation { inv, mean, meanstd };

Hook hook_from_string(const std::string& name) {
  if (name == "input") return Hook::input;
  if (name == "encoder") return Hook::encoder;
  throw std::invalid_argument("hook must be 'input' or 'encoder'; got '" + name + "'");
}

Aggregation aggregation_from_string(const std::string& name) {
  if (name == "inv") return Aggregation::inv;
  if (name == "mean") return Aggregation::mean;
  if (name == "meanstd") return Aggregation::meanstd;
  throw std::invalid_argument("aggregation must be 'inv', 'mean' or 'meanstd'; got '" + name + "'");
}

// M (H, channels) with a_c = sum_h a_h M[h, c]: unit h's activation shared
// among the channels in proportion to |first-layer input weights|.
Eigen::MatrixXd hidden_to_channel(const SequenceNetwork& net) {
  const long c = net.n_channels();
  Eigen::MatrixXd strength;  // (channels, H)
  if (net.architecture() == Architecture::lstm) {
    const LstmLayer& layer = net.lstm_layers().front();
    const long h = layer.n_hidden();
    strength = Eigen::MatrixXd::Zero(c, h);
    for (long gate = 0; gate < 4; ++gate) strength += layer.w_input.middleCols(gate * h, h).cwiseAbs();
  } else {
    const Conv1dLayer& layer = net.conv_layers().front();
    strength = Eigen::MatrixXd::Zero(c, layer.n_filters());
    for (long tap = 0; tap < layer.kernel_size(); ++tap) strength += layer.weight.middleRows(tap * c, c).cwiseAbs();
  }
  Eigen::MatrixXd map = Eigen::MatrixXd::Zero(strength.cols(), c);
  for (long h = 0; h < strength.cols(); ++h) {
    const double total = strength.col(h).sum();
    if (total > 0.0) map.row(h) = strength.col(h).transpose() / total;
  }
  return map;
}

// Count, mean and sum of squared deviations per channel.
struct Moments {
  double count = 0.0;
  Eigen::RowVectorXd mean, squares;
};

Moments block_moments(const Eigen::MatrixXd& a) {
  Moments m;
  m.count = static_cast<double>(a.rows());
  m.mean = a.colwise().mean();
  m.squares = (a.rowwise() - m.mean).array().square().colwise().sum().matrix();
  return m;
}

// Chan, Golub and LeVeque's pairwise update.
void merge(Moments& into, const Moments& part) {
  if (part.count == 0.0) return;
  if (into.count == 0.0) {
    into = part;
    return;
  }
  const double a = into.count, b = part.count;
  const Eigen::RowVectorXd shift = part.mean - into.mean;
  into.mean += shift * (b / (a + b));
  into.squares += part.squares + shift.array().square().matrix() * (a * b / (a + b));
  into.count = a + b;
}

// Min-max over the entries; zeros where all are equal up to rounding.
Eigen::VectorXd min_max(const Eigen::VectorXd& v) {
  const double low = v.minCoeff(), high = v.maxCoeff();
  const double magnitude = std::max(std::abs(low), std::abs(high));
  if (!(high - low > 1e-12 * magnitude)) return Eigen::VectorXd::Zero(v.size());
  return (v.array() - low).matrix() / (high - low);
}

// ------------------------------------------------------- permutations / loss

void check_loss_inputs(const SequenceEstimator& est, long n, const Eigen::VectorXd& y,
                       const Eigen::VectorXd& sample_weight) {
  if (y.size() != n)
    throw std::invalid_argument("y has " + std::to_string(y.size()) + " values but X has " + std::to_string(n) +
                                " sequences");
  if (!y.allFinite()) throw std::invalid_argument("y contains NaN or infinity");
  if (est.task() == Task::classification)
    for (long i = 0; i < n; ++i)
      if (y[i] < 0 || y[i] >= est.n_outputs() || y[i] != std::floor(y[i]))
        throw std::invalid_argument("y must hold class indices 0..n_classes-1");
  if (sample_weight.size() != 0) {
    if (sample_weight.size() != n) throw std::invalid_argument("sample_weight must have one value per row of X");
    if (!sample_weight.allFinite() || (sample_weight.array() < 0.0).any())
      throw std::invalid_argument("sample_weight must be finite and >= 0");
    if (!(sample_weight.sum() > 0.0)) throw std::invalid_argument("sample_weight must not be all zero");
  }
}

// Loss of rows [start, start + rows) (normalised by the total weight), with
// channel `channel` (when >= 0) read from row order[i] for row i.
double block_loss(const SequenceEstimator& est, const MatrixView& x, long steps, const Eigen::VectorXd& lengths,
                  const Eigen::VectorXd& y, const Eigen::VectorXd& w, double total_weight, long channel,
                  const std::vector<std::size_t>* order, long start, long rows) {
  SequenceBlock block = standardised_block(est, x, steps, lengths, start, rows);
  if (channel >= 0) {
    const long c = est.n_channels();
    const double mean = est.input_mean()[channel], scale = est.input_scale()[channel];
    for (long i = 0; i < rows; ++i) {
      const long donor = static_cast<long>((*order)[static_cast<std::size_t>(start + i)]);
      const long own = block.length(i), donor_length = length_of(lengths, steps, donor);
      for (long t = 0; t < own; ++t)
        block.x(i, t * c + channel) = t < donor_length ? (x(donor, t * c + channel) - mean) / scale : 0.0;
    }
  }
  const Eigen::MatrixXd out =
      explained_outputs(est, est.network().predict_block(est.kernel_path(), block.input()), ExplainedOutput::raw);
  return prediction_loss(est.task() == Task::classification, out, y.segment(start, rows), w.segment(start, rows),
                         total_weight, nullptr);
}

// ------------------------------------------------------------- Shapley

// Values v(S) of one sequence's coalitions: each coalition stacks the m
// background rows with the channels in S replaced by the sequence's, all
// cut to its length, and one forward pass serves a chunk of coalitions.
// (Not the tabular rank-1 walk: the encoder is not affine in its input.)
class SequenceCoalitions {
 public:
  SequenceCoalitions(const SequenceEstimator& est, const Eigen::MatrixXd& background, long steps, long target,
                     ExplainedOutput output)
      : est_(est), background_(background), steps_(steps), target_(target), output_(output) {}

  long background_rows() const { return background_.rows(); }

  struct Workspace {
    Eigen::MatrixXd stacked, cut;
    Eigen::VectorXd lengths;
  };

  // Mean of the explained target over each block of m rows of stacked.
  Eigen::VectorXd evaluate(const Eigen::MatrixXd& stacked, const Eigen::VectorXd* lengths) const {
    const Eigen::MatrixXd out = explained_outputs(
        est_, est_.network().predict_block(est_.kernel_path(), InputBlock{stacked, steps_, lengths}), output_);
    const long m = background_rows(), blocks = out.rows() / m;
    Eigen::VectorXd means(blocks);
    for (long s = 0; s < blocks; ++s) means[s] = out.block(s * m, target_, m, 1).mean();
    return means;
  }

  // v of the empty coalition for sequences of `length` steps.
  double empty_value(long length, bool with_lengths) const {
    Workspace workspace;
    cut(length, workspace);
    workspace.lengths = Eigen::VectorXd::Constant(background_rows(), static_cast<double>(length));
    return evaluate(workspace.cut, with_lengths ? &workspace.lengths : nullptr)[0];
  }

  // The background cut to `length` steps (zero beyond, as standardise pads).
  void cut(long length, Workspace& workspace) const {
    workspace.cut = background_;
    const long c = est_.n_channels();
    workspace.cut.rightCols((steps_ - length) * c).setZero();
  }

  // A CoalitionWalk for the standardised row `row` (1, steps * channels) of
  // `length` steps; workspace.cut must hold the background cut to it.
  void walk(const Eigen::RowVectorXd& row, long length, bool with_lengths, const long* toggles, long n,
            long restart_every, double* values, Workspace& workspace, InterruptCheckpoint& checkpoint) const {
    const long m = background_rows(), c = est_.n_channels(), width = background_.cols();
    const long chunk = std::max<long>(1, std::min(kChunkRows, kPassValues / std::max<long>(width, 1)) / m);
    std::vector<char> in_coalition(static_cast<std::size_t>(c), 0);
    for (long begin = 0; begin < n; begin += chunk) {
      const long count = std::min(chunk, n - begin);
      workspace.stacked.resize(count * m, width);
      if (with_lengths) workspace.lengths = Eigen::VectorXd::Constant(count * m, static_cast<double>(length));
      for (long k = 0; k < count; ++k) {
        if ((begin + k) % restart_every == 0) std::fill(in_coalition.begin(), in_coalition.end(), 0);
        char& member = in_coalition[static_cast<std::size_t>(toggles[begin + k])];
        member = !member;
        auto hybrid = workspace.stacked.middleRows(k * m, m);
        hybrid = workspace.cut;
        for (long j = 0; j < c; ++j)
          if (in_coalition[static_cast<std::size_t>(j)])
            for (long t = 0; t < length; ++t) hybrid.col(t * c + j).setConstant(row[t * c + j]);
      }
      const Eigen::VectorXd v = evaluate(workspace.stacked, with_lengths ? &workspace.lengths : nullptr);
      std::copy(v.data(), v.data() + count, values + begin);
      checkpoint.poll();
    }
  }

 private:
  // Rows per forward pass, as the tabular walker's: larger passes only
  // grow the encoder's caches.
  static constexpr long kChunkRows = 4096;

  const SequenceEstimator& est_;
  const Eigen::MatrixXd& background_;  // standardised, full length
  long steps_, target_;
  ExplainedOutput output_;
};

}  // namespace

// ------------------------------------------------------------- DeepACTIF

Eigen::VectorXd deepactif(const SequenceEstimator& estimator, const MatrixView& x, long steps,
                          const Eigen::VectorXd& lengths, const DeepActifOptions& options, int n_threads,
                          const std::function<bool()>& interrupt_requested) {
  const Hook hook = hook_from_string(options.hook);
  const Aggregation aggregation = aggregation_from_string(options.aggregation);
  check_count(options.block_rows, 1, kMaxDeepActifBlockRows, "block_rows");
  check_sequences(estimator, x, steps, lengths, n_threads);
  const SequenceNetwork& net = estimator.network();
  const long n = x.rows(), c = estimator.n_channels();
  const long width = hook == Hook::input ? c : net.encoder_width(0);
  const Eigen::MatrixXd map = hook == Hook::encoder ? hidden_to_channel(net) : Eigen::MatrixXd();
  const long block_rows = options.block_rows, n_blocks = (n + block_rows - 1) / block_rows;
  // Blocks run kWave at a time and merge in block order: the same numbers
  // whatever the thread count, and O(kWave channels) moments held at once.
  constexpr long kWave = 64;
  InterruptCheckpoint checkpoint(interrupt_requested);
  std::vector<Moments> parts(static_cast<std::size_t>(std::min(kWave, n_blocks)));
  Moments total;
  for (long first = 0; first < n_blocks; first += kWave) {
    const long wave = std::min(kWave, n_blocks - first);
    parallel_for(wave, n_threads, [&](long k) {
      if (checkpoint.stopped()) return;
      const long start = (first + k) * block_rows, rows = std::min(block_rows, n - start);
      const SequenceBlock block = standardised_block(estimator, x, steps, lengths, start, rows);
      const Eigen::MatrixXd activations = hook == Hook::input
                                              ? net.gated_input(block.input())
                                              : net.encoder_output(estimator.kernel_path(), block.input(), 0);
      // Mean |activation| over each row's valid steps.
      Eigen::MatrixXd reduced = Eigen::MatrixXd::Zero(rows, width);
      for (long i = 0; i < rows; ++i) {
        const long length = block.length(i);
        for (long t = 0; t < length; ++t) reduced.row(i) += activations.block(i, t * width, 1, width).cwiseAbs();
        reduced.row(i) /= static_cast<double>(length);
      }
      parts[static_cast<std::size_t>(k)] = block_moments(hook == Hook::input ? reduced : Eigen::MatrixXd(reduced * map));
      checkpoint.poll();
    }, checkpoint.stop_signal());
    for (long k = 0; k < wave; ++k) merge(total, parts[static_cast<std::size_t>(k)]);
  }
  const Eigen::VectorXd mu = total.mean.transpose();
  const Eigen::VectorXd sigma = (total.squares.transpose() / total.count).cwiseMax(0.0).cwiseSqrt();
  switch (aggregation) {
    case Aggregation::mean:
      return mu;
    case Aggregation::meanstd:
      return mu.cwiseProduct(sigma);
    case Aggregation::inv:
      break;
  }
  return ((min_max(mu).array() + 1.0 - min_max(sigma).array()) / 2.0).matrix();
}

// ------------------------------------------------------------- gradients

Eigen::MatrixXd sequence_input_gradient(const SequenceEstimator& estimator, const MatrixView& x, long steps,
                                        const Eigen::VectorXd& lengths, long target, bool times_input,
                                        int n_threads, const std::function<bool()>& interrupt_requested) {
  check_sequences(estimator, x, steps, lengths, n_threads);
  check_target(estimator, target, ExplainedOutput::raw);
  const long n = x.rows(), c = estimator.n_channels();
  // d x_std / d x = 1 / input_scale per channel; raw = network output * output_scale.
  const Eigen::VectorXd multiplier = output_scale(estimator) * estimator.input_scale().cwiseInverse();
  const long block = rows_per_pass(x.cols(), 256);
  Eigen::MatrixXd out(n, x.cols());
  InterruptCheckpoint checkpoint(interrupt_requested);
  parallel_for((n + block - 1) / block, n_threads, [&](long b) {
    if (checkpoint.stopped()) return;
    const long start = b * block, rows = std::min(block, n - start);
    const SequenceBlock sb = standardised_block(estimator, x, steps, lengths, start, rows);
    Eigen::MatrixXd g = estimator.network().input_gradient(estimator.kernel_path(), sb.input(), target);
    for (long t = 0; t < steps; ++t) g.middleCols(t * c, c) *= multiplier.asDiagonal();
    if (times_input) g.array() *= x.middleRows(start, rows).array();
    zero_padding(g, sb, c);  // also where times_input met padded NaN
    out.middleRows(start, rows) = g;
    checkpoint.poll();
  }, checkpoint.stop_signal());
  return out;
}

Eigen::MatrixXd sequence_integrated_gradients(const SequenceEstimator& estimator, const MatrixView& x, long steps,
                                              const Eigen::VectorXd& lengths, const MatrixView& references,
                                              long target, long n_steps, Quadrature rule, int n_threads,
                                              const std::function<bool()>& interrupt_requested) {
  check_sequences(estimator, x, steps, lengths, n_threads);
  check_target(estimator, target, ExplainedOutput::raw);
  estimator.check_input(references, steps, Eigen::VectorXd(), "references");
  if (references.rows() < 1) throw std::invalid_argument("references needs at least one row");
  std::vector<double> points, weights;
  quadrature_rule(rule, n_steps, points, weights);
  const Eigen::MatrixXd ref_input = estimator.standardise(references, steps, Eigen::VectorXd());
  const long n = x.rows(), width = x.cols(), r = references.rows(), c = estimator.n_channels();
  // As gradients.cpp: a task is a block of rows, its quadrature points taken
  // batch / rows at a time, so memory stays O(batch width) and a poll comes
  // every pass whatever n_steps; the blocks depend on the shapes only.
  const long batch = rows_per_pass(width, 256);
  const long block = std::max<long>(1, std::min(batch, batch / n_steps));
  const long steps_per_pass = std::max<long>(1, batch / block);
  const SequenceNetwork& net = estimator.network();
  InterruptCheckpoint checkpoint(interrupt_requested);
  Eigen::MatrixXd total = Eigen::MatrixXd::Zero(n, width);
  parallel_for((n + block - 1) / block, n_threads, [&](long b) {
    if (checkpoint.stopped()) return;
    const long start = b * block, rows = std::min(block, n - start);
    const SequenceBlock sb = standardised_block(estimator, x, steps, lengths, start, rows);
    Eigen::MatrixXd sum = Eigen::MatrixXd::Zero(rows, width);
    Eigen::MatrixXd path;
    Eigen::VectorXd path_lengths;
    for (long k = 0; k < r; ++k) {
      // The reference cut to each row's length: the path keeps the row's padding.
      Eigen::MatrixXd base = ref_input.row(k).replicate(rows, 1);
      zero_padding(base, sb, c);
      const Eigen::MatrixXd delta = sb.x - base;
      Eigen::MatrixXd averaged = Eigen::MatrixXd::Zero(rows, width);
      for (long first = 0; first < n_steps; first += steps_per_pass) {
        const long count = std::min(steps_per_pass, n_steps - first);
        // Rows grouped by quadrature point: point s of row i at s * rows + i.
        path.resize(count * rows, width);
        for (long s = 0; s < count; ++s)
          path.middleRows(s * rows, rows) = base + points[static_cast<std::size_t>(first + s)] * delta;
        if (sb.lengths.size() > 0) path_lengths = sb.lengths.replicate(count, 1);
        const Eigen::MatrixXd g = net.input_gradient(
            estimator.kernel_path(), InputBlock{path, steps, sb.lengths.size() > 0 ? &path_lengths : nullptr},
            target);
        for (long s = 0; s < count; ++s)
          averaged += weights[static_cast<std::size_t>(first + s)] * g.middleRows(s * rows, rows);
        checkpoint.poll();
      }
      sum += averaged.cwiseProduct(delta);
    }
    total.middleRows(start, rows) = sum;
  }, checkpoint.stop_signal());
  return total * (output_scale(estimator) / static_cast<double>(r));
}

Eigen::MatrixXd sequence_reference(const SequenceEstimator& estimator, long steps, const std::string& reference) {
  check_fitted(estimator);
  if (steps < 1) throw std::invalid_argument("steps must be at least 1; got " + std::to_string(steps));
  const long c = estimator.n_channels();
  checked_product(steps, c, "the reference");
  if (reference == "zeros") return Eigen::MatrixXd::Zero(1, steps * c);
  if (reference != "mean") throw std::invalid_argument("reference must be 'mean' or 'zeros'; got '" + reference + "'");
  Eigen::MatrixXd out(1, steps * c);
  for (long t = 0; t < steps; ++t) out.middleCols(t * c, c) = estimator.input_mean().transpose();
  return out;
}

// ---------------------------------------------------- permutation importance

PermutationImportance sequence_permutation_importance(const SequenceEstimator& estimator, const MatrixView& x,
                                                      long steps, const Eigen::VectorXd& lengths,
                                                      const Eigen::VectorXd& y, const Eigen::VectorXd& sample_weight,
                                                      long n_repeats, std::uint64_t seed, int n_threads,
                                                      const std::function<bool()>& interrupt_requested,
                                                      const ProgressHook& progress) {
  check_sequences(estimator, x, steps, lengths, n_threads);
  const long n = x.rows(), c = estimator.n_channels();
  check_loss_inputs(estimator, n, y, sample_weight);
  if (n < 2) throw std::invalid_argument("permutation importance needs at least 2 sequences");
  check_count(n_repeats, 1, kMaxPermutationRepeats, "n_repeats");
  const long n_tasks = static_cast<long>(checked_product(c, n_repeats, "permutation importance"));
  const Eigen::VectorXd w = sample_weight.size() == 0 ? Eigen::VectorXd::Ones(n) : sample_weight;
  const double total = w.sum();
  // Block losses (each normalised by the total weight) summed in block order.
  const long block = rows_per_pass(x.cols(), 256), n_blocks = (n + block - 1) / block;

  InterruptCheckpoint checkpoint(interrupt_requested, progress, n_tasks);
  PermutationImportance result;
  std::vector<double> losses(static_cast<std::size_t>(n_blocks), 0.0);
  parallel_for(n_blocks, n_threads, [&](long b) {
    if (checkpoint.stopped()) return;
    const long start = b * block;
    losses[static_cast<std::size_t>(b)] =
        block_loss(estimator, x, steps, lengths, y, w, total, -1, nullptr, start, std::min(block, n - start));
    checkpoint.poll();
  }, checkpoint.stop_signal());
  result.baseline_loss = std::accumulate(losses.begin(), losses.end(), 0.0);
  result.importances.resize(c, n_repeats);
  parallel_for(n_tasks, n_threads, [&](long task) {
    if (checkpoint.stopped()) return;
    const long j = task / n_repeats, r = task % n_repeats;
    Random random(derive_seed(seed, static_cast<std::uint64_t>(j), static_cast<std::uint64_t>(r)));
    std::vector<std::size_t> order(static_cast<std::size_t>(n));
    std::iota(order.begin(), order.end(), std::size_t{0});
    random.shuffle(order);
    double loss = 0.0;
    for (long start = 0; start < n; start += block) {
      loss += block_loss(estimator, x, steps, lengths, y, w, total, j, &order, start, std::min(block, n - start));
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

// ------------------------------------------------------------- Shapley

SequenceShapleyResult sequence_shapley(const SequenceEstimator& estimator, const MatrixView& x, long steps,
                                       const Eigen::VectorXd& lengths, const MatrixView& background, long target,
                                       ExplainedOutput output, const std::string& method, long n_permutations,
                                       std::uint64_t seed, int n_threads,
                                       const std::function<bool()>& interrupt_requested, const ProgressHook& progress) {
  if (method != "auto" && method != "exact" && method != "sampled")
    throw std::invalid_argument("method must be 'auto', 'exact' or 'sampled'; got '" + method + "'");
  check_sequences(estimator, x, steps, lengths, n_threads);
  check_target(estimator, target, output);
  estimator.check_input(background, steps, Eigen::VectorXd(), "background");
  if (background.rows() < 1) throw std::invalid_argument("background needs at least one row");
  check_count(n_permutations, 1, kMaxShapleyPermutations, "n_permutations");
  const long n = x.rows(), c = estimator.n_channels(), m = background.rows();
  const bool exact = method == "exact" || (method == "auto" && c <= kAutoExactSequenceShapleyChannels);
  if (exact && c > kMaxExactShapleyFeatures)
    throw std::invalid_argument("exact Shapley values need at most " + std::to_string(kMaxExactShapleyFeatures) +
                                " channels (2^channels coalitions); use method 'sampled'");
  const long n_pairs = (n_permutations + 1) / 2;
  constexpr std::int64_t kMaxCount = std::numeric_limits<long>::max() - 1;
  const std::int64_t evaluations =
      exact ? checked_product((1L << c) - 1, m, "exact Shapley values", kMaxCount)
            : checked_product(checked_product(2 * n_pairs, std::max<long>(c - 1, 0), "sampled Shapley values",
                                              kMaxCount),
                              m, "sampled Shapley values", kMaxCount) + 1;
  const bool with_lengths = lengths.size() > 0;
  const Eigen::MatrixXd background_input = estimator.standardise(background, steps, Eigen::VectorXd());
  const SequenceCoalitions coalitions(estimator, background_input, steps, target, output);

  // v(empty) depends on a row's length only: once per length present (and
  // for full length, the base value), before the rows.
  std::vector<long> distinct{steps};
  for (long i = 0; i < n; ++i) distinct.push_back(length_of(lengths, steps, i));
  std::sort(distinct.begin(), distinct.end());
  distinct.erase(std::unique(distinct.begin(), distinct.end()), distinct.end());
  std::vector<double> empty_by_length(static_cast<std::size_t>(steps + 1), 0.0);
  InterruptCheckpoint checkpoint(interrupt_requested, progress, n);
  parallel_for(static_cast<long>(distinct.size()), n_threads, [&](long k) {
    if (checkpoint.stopped()) return;
    const long length = distinct[static_cast<std::size_t>(k)];
    empty_by_length[static_cast<std::size_t>(length)] = coalitions.empty_value(length, with_lengths);
    checkpoint.poll();
  }, checkpoint.stop_signal());

  SequenceShapleyResult result;
  result.values = Eigen::MatrixXd::Zero(n, c);
  result.standard_error = Eigen::MatrixXd::Zero(n, c);
  result.base_value = empty_by_length[static_cast<std::size_t>(steps)];
  result.base_values.resize(n);
  for (long i = 0; i < n; ++i) result.base_values[i] = empty_by_length[static_cast<std::size_t>(length_of(lengths, steps, i))];
  result.evaluations_per_row = static_cast<long>(evaluations);

  const ExactShapleyPlan plan = exact ? exact_shapley_plan(c) : ExactShapleyPlan();
  // One row per task: a row is 2^channels coalitions, or 2 (channels - 1)
  // per pair of orders, each over the whole background.
  parallel_for(n, n_threads, [&](long i) {
    if (checkpoint.stopped()) return;
    const long length = length_of(lengths, steps, i);
    const SequenceBlock sb = standardised_block(estimator, x, steps, lengths, i, 1);
    const Eigen::RowVectorXd row = sb.x.row(0);
    SequenceCoalitions::Workspace workspace;
    coalitions.cut(length, workspace);
    const CoalitionWalk walk = [&](const long* toggles, long count, long restart_every, double* values) {
      coalitions.walk(row, length, with_lengths, toggles, count, restart_every, values, workspace, checkpoint);
    };
    const double empty = result.base_values[i];
    if (exact) {
      result.values.row(i) = exact_shapley_row(plan, walk, empty);
    } else {
      const Eigen::MatrixXd out = explained_outputs(
          estimator, estimator.network().predict_block(estimator.kernel_path(), sb.input()), output);
      const SampledShapleyRow sampled =
          sampled_shapley_row(c, n_pairs, derive_seed(seed, static_cast<std::uint64_t>(i)), walk, empty, out(0, target));
      result.values.row(i) = sampled.values;
      result.standard_error.row(i) = sampled.standard_error;
    }
    checkpoint.advance();
  }, checkpoint.stop_signal());
  checkpoint.finish();
  return result;
}

}  // namespace scoresactivation
