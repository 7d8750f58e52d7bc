// Estimator::fit: data checks, standardisation, validation split, the
// mini-batch loop and early stopping.
//
// Random draws, in this order, all from one Random(random_state): the dense
// weights layer by layer (row-major), the validation split, then one shuffle
// of the training rows per epoch. The snr gate's training noise comes from
// its own stream per (step, block), seeded from random_state, so it does not
// depend on the thread count and leaves the draws above unchanged.
//
// Two phases: the scores and the network learn together (with the snr
// gate's noise), then, for refine_epochs, the network alone on the clean gated
// inputs with the scores frozen. Early stopping watches the clean validation
// loss across both and restores the best weights and scores together.
#include <chrono>
#include <cmath>
#include <limits>
#include <numeric>
#include <stdexcept>

#include "scoresactivation/bootstrap.hpp"
#include "scoresactivation/estimator.hpp"
#include "scoresactivation/loss.hpp"
#include "scoresactivation/optimizer.hpp"
#include "scoresactivation/parallel.hpp"

namespace scoresactivation {

namespace {

// Rows per block of a mini-batch. Gradients are summed block by block in a
// fixed order, so results are identical for any n_threads.
constexpr long kBlockRows = 128;

struct Split {
  std::vector<std::size_t> train, validation;
};

// Stratified for classification (each class keeps its share in both parts),
// a plain random split for regression.
Split split_rows(const Eigen::VectorXd& y, Task task, long n_classes, double fraction, Random& random) {
  const std::size_t n = static_cast<std::size_t>(y.size());
  std::vector<std::vector<std::size_t>> groups(task == Task::classification ? n_classes : 1);
  for (std::size_t i = 0; i < n; ++i)
    groups[task == Task::classification ? static_cast<std::size_t>(y[i]) : 0].push_back(i);
  Split split;
  for (auto& group : groups) {
    if (group.empty()) continue;  // a class absent from y
    random.shuffle(group);
    std::size_t n_val = static_cast<std::size_t>(std::floor(fraction * group.size() + 0.5));
    if (group.size() >= 2) n_val = std::max<std::size_t>(n_val, 1);
    if (n_val >= group.size()) n_val = group.size() - 1;
    split.validation.insert(split.validation.end(), group.begin(), group.begin() + n_val);
    split.train.insert(split.train.end(), group.begin() + n_val, group.end());
  }
  if (split.validation.empty() || split.train.empty())
    throw std::invalid_argument(
        task == Task::classification
            ? "early_stopping holds out validation_fraction of each class, but no class has 2 or more samples (n_samples = " +
                  std::to_string(n) + "); set early_stopping=False or add samples"
            : "early_stopping needs at least 2 samples to split off a validation set; got n_samples = " +
                  std::to_string(n) + " (set early_stopping=False)");
  return split;
}

// Training rows are gathered in shuffled order every epoch: stored row-major,
// each gathered row is one contiguous read instead of d scattered cache misses.
using RowMajorMatrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

void take_rows_into(const RowMajorMatrix& m, const std::size_t* rows, long count, Eigen::MatrixXd& out) {
  out.resize(count, m.cols());
  for (long i = 0; i < count; ++i) out.row(i) = m.row(static_cast<long>(rows[i]));
}
void take_into(const Eigen::VectorXd& v, const std::size_t* rows, long count, Eigen::VectorXd& out) {
  out.resize(count);
  for (long i = 0; i < count; ++i) out[i] = v[static_cast<long>(rows[i])];
}
Eigen::MatrixXd take_rows(const RowMajorMatrix& m, const std::size_t* rows, long count) {
  Eigen::MatrixXd out;
  take_rows_into(m, rows, count, out);
  return out;
}
Eigen::VectorXd take(const Eigen::VectorXd& v, const std::size_t* rows, long count) {
  Eigen::VectorXd out;
  take_into(v, rows, count, out);
  return out;
}

// One block's inputs, forward cache and gradients, kept across batches.
struct BlockWorkspace {
  Eigen::MatrixXd x, noise;
  Eigen::VectorXd targets, weights;
  ForwardCache cache;
  Gradients grads;
};

// The network's parameters, in a copyable form for the best-epoch snapshot.
struct Snapshot {
  Eigen::VectorXd scores;
  std::vector<DenseLayer> layers;
};
Snapshot take_snapshot(const Network& net) {
  return Snapshot{net.has_scores_layer() ? net.scores_layer().raw_scores() : Eigen::VectorXd(), net.layers()};
}
void restore(Network& net, const Snapshot& snapshot) {
  if (net.has_scores_layer()) net.scores_layer().raw_scores() = snapshot.scores;
  net.layers() = snapshot.layers;  // same shapes: storage is reused, the optimiser's pointers stay valid
}

// Mean and population sd of a column, robust to its magnitude: values beyond
// 1e100 are scaled by the column's largest |x| first, so neither the sum nor
// the squares overflow (ordinary data takes the plain two-pass formula).
template <typename Column>
void column_moments(const Column& v, double& mean, double& sd, double& largest) {
  largest = v.size() > 0 ? v.cwiseAbs().maxCoeff() : 0.0;
  if (largest <= 1e100) {
    mean = v.mean();
    sd = std::sqrt((v.array() - mean).square().mean());
    return;
  }
  const double m = largest;
  const double mean_scaled = (v.array() / m).mean();
  sd = std::sqrt((v.array() / m - mean_scaled).square().mean()) * m;
  mean = mean_scaled * m;
}

// Constant unless the spread is more than rounding noise relative to the
// column's own magnitude (an absolute threshold would zero a column of 1e-13s).
bool varies(double sd, double largest) { return std::isfinite(sd) && sd > 1e-12 * largest; }

}  // namespace

void Estimator::fit(const MatrixView& x, const Eigen::VectorXd& y, const Eigen::VectorXd& sample_weight,
                    long n_classes, const Callbacks& callbacks) {
  // Trains a copy: this estimator changes only once the new fit is complete.
  Estimator next(params_, task_);
  next.train(x, y, sample_weight, n_classes, callbacks);
  *this = std::move(next);
}

void Estimator::train(const MatrixView& x, const Eigen::VectorXd& y, const Eigen::VectorXd& sample_weight_in,
                      long n_classes, const Callbacks& callbacks) {
  params_.validate();
  kernel_path_ = kernel_path_from_string(params_.kernel);
  const long n = x.rows(), d = x.cols();
  if (n < 1) throw std::invalid_argument("X has 0 samples; at least 1 is required");
  if (d < 1) throw std::invalid_argument("X has 0 features; at least 1 is required");
  if (y.size() != n)
    throw std::invalid_argument("y has " + std::to_string(y.size()) + " values but X has " + std::to_string(n) + " rows");
  if (!x.allFinite()) throw std::invalid_argument("X contains NaN or infinity");
  if (!y.allFinite()) throw std::invalid_argument("y contains NaN or infinity");
  if (task_ == Task::classification) {
    if (n_classes < 2) throw std::invalid_argument("classification needs at least 2 classes in y");
    for (long i = 0; i < n; ++i)
      if (y[i] < 0 || y[i] >= n_classes || y[i] != std::floor(y[i]))
        throw std::invalid_argument("y must hold class indices 0..n_classes-1");
    if ((y.array() == y[0]).all())
      throw std::invalid_argument("y has only one class present; classification needs at least 2 classes");
  }
  Eigen::VectorXd sample_weight = sample_weight_in.size() == 0 ? Eigen::VectorXd::Ones(n) : sample_weight_in;
  if (sample_weight.size() != n)
    throw std::invalid_argument("sample_weight has " + std::to_string(sample_weight.size()) + " values but X has " +
                                std::to_string(n) + " rows");
  if (!sample_weight.allFinite() || sample_weight.minCoeff() < 0.0)
    throw std::invalid_argument("sample_weight must be finite and non-negative");
  if (!(sample_weight.sum() > 0.0)) throw std::invalid_argument("sample_weight sums to zero");
  if (!std::isfinite(sample_weight.sum()))
    throw std::invalid_argument("sample_weight is too large: its sum overflows; rescale it (only the ratios matter)");

  // Standardisation (constant columns keep scale 1), written straight into
  // the one row-major copy the mini-batches gather from.
  input_mean_ = Eigen::VectorXd::Zero(d);
  input_scale_ = Eigen::VectorXd::Ones(d);
  RowMajorMatrix xs(n, d);
  for (long j = 0; j < d; ++j) {
    // Contiguous, so the sums run in the same order (and give the same bits)
    // whatever the caller's memory layout.
    const Eigen::VectorXd column = x.col(j);
    double mean = 0.0, sd = 1.0, largest = 0.0;
    if (params_.standardize) {
      column_moments(column, mean, sd, largest);
      input_mean_[j] = mean;
      input_scale_[j] = varies(sd, largest) ? sd : 1.0;
    }
    xs.col(j) = (column.array() - input_mean_[j]) / input_scale_[j];
    if (!xs.col(j).allFinite())
      throw std::invalid_argument("X column " + std::to_string(j) +
                                  " spans more than double precision can represent once centred; rescale it");
  }
  Eigen::VectorXd targets = y;
  target_mean_ = 0.0;
  target_scale_ = 1.0;
  if (task_ == Task::regression && params_.standardize) {
    double sd = 1.0, largest = 0.0;
    column_moments(y, target_mean_, sd, largest);
    target_scale_ = varies(sd, largest) ? sd : 1.0;
    targets = (y.array() - target_mean_) / target_scale_;
    if (!targets.allFinite())
      throw std::invalid_argument("y spans more than double precision can represent once centred; rescale it");
  }
  const long n_outputs = task_ == Task::classification ? n_classes : 1;

  Random random(params_.random_state);
  network_ = Network(d, params_.hidden_layer_sizes, n_outputs, activation_from_string(params_.activation),
                     params_.scores_layer, params_.temperature, gate_kind_from_string(params_.gate),
                     params_.snr_budget);
  network_.initialise(random);

  Split split;
  if (params_.early_stopping) {
    split = split_rows(y, task_, n_classes, params_.validation_fraction, random);
  } else {
    split.train.resize(static_cast<std::size_t>(n));
    std::iota(split.train.begin(), split.train.end(), std::size_t{0});
  }
  const long n_train = static_cast<long>(split.train.size());
  const long n_val = static_cast<long>(split.validation.size());
  // The validation rows stay in xs: gathered block by block when scored,
  // so early stopping costs no copy of them.
  Eigen::VectorXd labels_val, w_val;
  if (n_val > 0) {
    labels_val = take(targets, split.validation.data(), n_val);
    w_val = take(sample_weight, split.validation.data(), n_val);
    if (!(w_val.sum() > 0.0)) w_val.setOnes();  // all-zero weights in the split: judge unweighted
  }

  const bool classification = task_ == Task::classification;

  // Optimiser slots: dense weights decay, biases and scores do not; the
  // scores have their own learning rate.
  OptimizerSettings settings;
  settings.solver = solver_from_string(params_.solver);
  settings.beta_1 = params_.beta_1;
  settings.beta_2 = params_.beta_2;
  settings.epsilon = params_.epsilon;
  settings.momentum = params_.momentum;
  Optimizer optimizer(settings);
  Gradients grads = network_.zero_gradients();
  std::vector<ParameterSlot> slots;
  if (network_.has_scores_layer()) {
    auto& s = network_.scores_layer().raw_scores();
    slots.push_back({s.data(), grads.scores.data(), s.size(), params_.scores_learning_rate, 0.0});
  }
  for (std::size_t l = 0; l < network_.layers().size(); ++l) {
    DenseLayer& layer = network_.layers()[l];
    slots.push_back({layer.weight.data(), grads.weights[l].data(), layer.weight.size(), params_.learning_rate,
                     params_.weight_decay});
    slots.push_back({layer.bias.data(), grads.biases[l].data(), layer.bias.size(), params_.learning_rate, 0.0});
  }
  optimizer.set_slots(slots);

  scores_history_.resize(0, d);
  std::vector<Eigen::VectorXd> history;
  loss_curve_.clear();
  validation_loss_curve_.clear();
  Snapshot best = take_snapshot(network_);
  double best_loss = std::numeric_limits<double>::infinity();
  best_epoch_ = 0;

  const long batch_size = std::min(params_.batch_size, n_train);
  std::vector<BlockWorkspace> workspaces;  // reused across batches: no allocation per step
  std::vector<double> block_losses;
  using Clock = std::chrono::steady_clock;
  auto last_poll = Clock::now();
  const std::uint64_t noise_seed = derive_seed(params_.random_state, 0x6E6F697365ULL);  // "noise"
  std::uint64_t step = 0;

  // The weighted mean loss on the validation rows, in fixed blocks summed in
  // order (the same number for any n_threads), O(block) memory.
  constexpr long kValidationBlock = 1024;
  const long n_val_blocks = (n_val + kValidationBlock - 1) / kValidationBlock;
  std::vector<double> val_block_losses(static_cast<std::size_t>(n_val_blocks));
  auto validation_loss = [&]() {
    const double total_weight = w_val.sum();
    parallel_for(n_val_blocks, params_.n_threads, [&](long b) {
      const long start = b * kValidationBlock, rows = std::min(kValidationBlock, n_val - start);
      const Eigen::MatrixXd out = network_.predict(kernel_path_, take_rows(xs, split.validation.data() + start, rows));
      val_block_losses[static_cast<std::size_t>(b)] =
          prediction_loss(classification, out, labels_val.segment(start, rows), w_val.segment(start, rows),
                          total_weight, nullptr);
    });
    double loss = 0.0;
    for (double l : val_block_losses) loss += l;
    return loss;
  };

  // One pass over the shuffled training rows; returns the weighted mean loss.
  auto train_epoch = [&](bool noisy) {
    random.shuffle(split.train);
    double epoch_loss = 0.0, epoch_weight = 0.0;
    for (long start = 0; start < n_train; start += batch_size) {
      const long rows = std::min(batch_size, n_train - start);
      const std::size_t* index = split.train.data() + start;
      double batch_weight = 0.0;
      for (long i = 0; i < rows; ++i) batch_weight += sample_weight[static_cast<long>(index[i])];
      if (!(batch_weight > 0.0)) continue;  // nothing to learn from an all-zero-weight batch
      ++step;
      const long n_blocks = (rows + kBlockRows - 1) / kBlockRows;
      if (workspaces.size() < static_cast<std::size_t>(n_blocks)) workspaces.resize(static_cast<std::size_t>(n_blocks));
      block_losses.assign(static_cast<std::size_t>(n_blocks), 0.0);
      parallel_for(n_blocks, params_.n_threads, [&](long b) {
        const long b_start = b * kBlockRows, b_rows = std::min(kBlockRows, rows - b_start);
        BlockWorkspace& ws = workspaces[static_cast<std::size_t>(b)];
        take_rows_into(xs, index + b_start, b_rows, ws.x);
        take_into(targets, index + b_start, b_rows, ws.targets);
        take_into(sample_weight, index + b_start, b_rows, ws.weights);
        const Eigen::MatrixXd* noise = nullptr;
        if (noisy) {
          ws.noise.resize(b_rows, d);
          Random(derive_seed(noise_seed, step, static_cast<std::uint64_t>(b)))
              .fill_normal(ws.noise.data(), static_cast<std::size_t>(ws.noise.size()));
          noise = &ws.noise;
        }
        network_.forward(kernel_path_, ws.x, ws.cache, noise);
        block_losses[static_cast<std::size_t>(b)] =
            prediction_loss(classification, ws.cache.output, ws.targets, ws.weights, batch_weight, &ws.cache.grad_z);
        network_.backward(kernel_path_, ws.x, ws.cache, ws.cache.grad_z, ws.grads, noise);
      });
      // Sum blocks in order into the buffers the optimiser reads.
      const Gradients& first = workspaces[0].grads;
      grads.gate_weights = first.gate_weights;
      for (std::size_t l = 0; l < grads.weights.size(); ++l) {
        grads.weights[l] = first.weights[l];
        grads.biases[l] = first.biases[l];
      }
      double loss = block_losses[0];
      for (long b = 1; b < n_blocks; ++b) {
        Network::accumulate(grads, workspaces[static_cast<std::size_t>(b)].grads);
        loss += block_losses[static_cast<std::size_t>(b)];
      }
      network_.finish_scores_gradient(params_.entropy_penalty, grads);
      optimizer.step();
      if (!std::isfinite(loss))
        throw std::runtime_error("training diverged (non-finite loss); lower learning_rate or check the data");
      epoch_loss += loss * batch_weight;
      epoch_weight += batch_weight;

      if (callbacks.interrupt_requested && Clock::now() - last_poll > std::chrono::milliseconds(100)) {
        last_poll = Clock::now();
        if (callbacks.interrupt_requested()) throw Interrupted();
      }
    }
    return epoch_weight > 0.0 ? epoch_loss / epoch_weight : 0.0;
  };

  // Phase 1 learns the scores; phase 2 (refine) freezes them and trains the
  // network on the noise-free gated inputs.
  const bool refine = network_.has_scores_layer() && params_.refine_epochs > 0;
  for (int phase = 1; phase <= (refine ? 2 : 1); ++phase) {
    const bool learn_scores = phase == 1;
    if (!learn_scores) {
      if (params_.early_stopping) restore(network_, best);  // refine the best scores found
      optimizer.slots().front().learning_rate = 0.0;       // the scores slot: frozen
    }
    const bool noisy = learn_scores && network_.has_scores_layer() && network_.scores_layer().noisy();
    const long phase_epochs = learn_scores ? params_.max_epochs : params_.refine_epochs;
    long epochs_without_improvement = 0;
    for (long phase_epoch = 1; phase_epoch <= phase_epochs; ++phase_epoch) {
      const long epoch = n_epochs_run() + 1;
      const double train_loss = train_epoch(noisy);
      loss_curve_.push_back(train_loss);
      double monitored = train_loss;
      double val_loss = std::numeric_limits<double>::quiet_NaN();
      if (n_val > 0) {
        val_loss = validation_loss();
        validation_loss_curve_.push_back(val_loss);
        monitored = val_loss;
      }
      Eigen::VectorXd current_scores;
      if (network_.has_scores_layer()) {
        current_scores = network_.scores_layer().weights();
        history.push_back(current_scores);
      }
      const bool improved = monitored < best_loss - params_.tol;
      if (monitored < best_loss) {
        best_loss = monitored;
        best_epoch_ = epoch;
        if (params_.early_stopping) best = take_snapshot(network_);
      }
      epochs_without_improvement = improved ? 0 : epochs_without_improvement + 1;
      if (callbacks.on_epoch) {
        EpochReport report;
        report.epoch = epoch;
        report.train_loss = train_loss;
        report.validation_loss = val_loss;
        report.improved = improved;
        report.scores = network_.has_scores_layer() ? &current_scores : nullptr;
        callbacks.on_epoch(report);
      }
      if (callbacks.interrupt_requested && callbacks.interrupt_requested()) throw Interrupted();
      if (epochs_without_improvement >= params_.n_iter_no_change) break;
    }
  }
  if (params_.early_stopping) {
    restore(network_, best);
  } else {
    best_epoch_ = n_epochs_run();  // the final weights are kept
  }
  scores_history_.resize(static_cast<long>(history.size()), network_.has_scores_layer() ? d : 0);
  for (std::size_t e = 0; e < history.size(); ++e) scores_history_.row(static_cast<long>(e)) = history[e].transpose();
  scores_bootstrap_.resize(0, d);
  if (network_.has_scores_layer() && params_.n_bootstrap > 0)
    scores_bootstrap_ = bootstrap_scores(params_, task_, x, y, sample_weight_in, n_classes, params_.n_bootstrap, callbacks);
  fitted_ = true;
}

}  // namespace scoresactivation
