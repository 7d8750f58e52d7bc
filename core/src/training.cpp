// The training loop every model family shares (training.hpp): data checks,
// standardisation, validation split, the mini-batch loop and early stopping.
//
// Random draws, in this order, all from one Random(random_state): the
// model's initial parameters (TrainableModel::initialise), the validation
// split, then one shuffle of the training rows per epoch. The snr gate's
// training noise comes from its own stream per (step, block), seeded from
// random_state, so it does not depend on the thread count and leaves the
// draws above unchanged.
//
// Two phases: the scores and the network learn together (with the snr
// gate's noise), then, for refine_epochs, the network alone on the clean gated
// inputs with the scores frozen. Early stopping watches the clean validation
// loss across both and restores the best weights and scores together.
#include "scoresactivation/training.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <numeric>
#include <stdexcept>
#include <string>

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

void take_rows_into(const RowMajorMatrix& m, const std::size_t* rows, long count, Eigen::MatrixXd& out) {
  out.resize(count, m.cols());
  for (long i = 0; i < count; ++i) out.row(i) = m.row(static_cast<long>(rows[i]));
}
void take_into(const Eigen::VectorXd& v, const std::size_t* rows, long count, Eigen::VectorXd& out) {
  out.resize(count);
  for (long i = 0; i < count; ++i) out[i] = v[static_cast<long>(rows[i])];
}
Eigen::VectorXd take(const Eigen::VectorXd& v, const std::size_t* rows, long count) {
  Eigen::VectorXd out;
  take_into(v, rows, count, out);
  return out;
}

// One block's inputs and the family's scratch, kept across batches.
struct BlockSlot {
  Eigen::MatrixXd x, noise;
  Eigen::VectorXd targets, weights, lengths;
  std::unique_ptr<BlockWorkspace> workspace;
};

// Copies of every trained tensor, for the best-epoch snapshot.
using Snapshot = std::vector<Eigen::VectorXd>;
Snapshot take_snapshot(const std::vector<ParameterTensor>& tensors) {
  Snapshot snapshot;
  for (const ParameterTensor& t : tensors) snapshot.emplace_back(Eigen::Map<const Eigen::VectorXd>(t.values, t.size));
  return snapshot;
}
void restore(const std::vector<ParameterTensor>& tensors, const Snapshot& snapshot) {
  for (std::size_t k = 0; k < tensors.size(); ++k)
    Eigen::Map<Eigen::VectorXd>(tensors[k].values, tensors[k].size) = snapshot[k];
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

// Whole numbers in 1..steps, one per row.
void check_lengths(const Eigen::VectorXd& lengths, long n, long steps, const std::string& prefix) {
  if (lengths.size() != n)
    throw std::invalid_argument(prefix + "lengths has " + std::to_string(lengths.size()) + " values but X has " +
                                std::to_string(n) + " sequences");
  for (long i = 0; i < n; ++i)
    if (!(lengths[i] >= 1 && lengths[i] <= static_cast<double>(steps)) || lengths[i] != std::floor(lengths[i]))
      throw std::invalid_argument(prefix + "lengths must hold whole numbers in 1.." + std::to_string(steps) +
                                  " (the time steps); value " + std::to_string(i) + " is not");
}

// What training and validation rows share: y's size, the lengths, finite
// values within them, y's values. prefix names the rows in messages.
void check_rows(const MatrixView& x, long steps, const Eigen::VectorXd& lengths, const Eigen::VectorXd& y, Task task,
                long n_classes, const std::string& prefix) {
  const long n = x.rows(), d = x.cols() / steps;
  if (y.size() != n)
    throw std::invalid_argument(prefix + "y has " + std::to_string(y.size()) + " values but X has " +
                                std::to_string(n) + " rows");
  const bool ragged = lengths.size() > 0;
  if (ragged) check_lengths(lengths, n, steps, prefix);
  if (!ragged) {
    if (!x.allFinite()) throw std::invalid_argument(prefix + "X contains NaN or infinity");
  } else {
    for (long i = 0; i < n; ++i)
      if (!x.row(i).head(static_cast<long>(lengths[i]) * d).allFinite())
        throw std::invalid_argument(prefix + "X contains NaN or infinity within the lengths of its sequences");
  }
  if (!y.allFinite()) throw std::invalid_argument(prefix + "y contains NaN or infinity");
  if (task == Task::classification) {
    if (n_classes < 2) throw std::invalid_argument("classification needs at least 2 classes in y");
    for (long i = 0; i < n; ++i)
      if (y[i] < 0 || y[i] >= n_classes || y[i] != std::floor(y[i]))
        throw std::invalid_argument(prefix + "y must hold class indices 0..n_classes-1");
  }
}

// sample_weight checked (ones when empty).
Eigen::VectorXd checked_weights(const Eigen::VectorXd& sample_weight, long n, const std::string& prefix) {
  if (sample_weight.size() == 0) return Eigen::VectorXd::Ones(n);
  if (sample_weight.size() != n)
    throw std::invalid_argument(prefix + "sample_weight has " + std::to_string(sample_weight.size()) +
                                " values but X has " + std::to_string(n) + " rows");
  if (!sample_weight.allFinite() || sample_weight.minCoeff() < 0.0)
    throw std::invalid_argument(prefix + "sample_weight must be finite and non-negative");
  if (!(sample_weight.sum() > 0.0)) throw std::invalid_argument(prefix + "sample_weight sums to zero");
  if (!std::isfinite(sample_weight.sum()))
    throw std::invalid_argument(prefix + "sample_weight is too large: its sum overflows; rescale it (only the ratios matter)");
  return sample_weight;
}

// The given validation rows, checked and put on the training rows' scale.
void prepare_validation(const ValidationInput& v, Task task, TrainingData& data) {
  const std::string prefix = "validation_data: ";
  const long n = v.x.rows(), steps = data.steps, d = data.channels;
  if (n < 1) throw std::invalid_argument(prefix + "X has 0 samples; at least 1 is required");
  if (v.x.cols() != steps * d)
    throw std::invalid_argument(prefix + "X has " + std::to_string(v.x.cols()) + " columns but the training X has " +
                                std::to_string(steps * d));
  check_rows(v.x, steps, v.lengths, v.y, task, data.n_classes, prefix);
  data.validation_weight = checked_weights(v.sample_weight, n, prefix);
  data.validation_lengths = v.lengths;
  const bool ragged = v.lengths.size() > 0;
  data.validation_x.setZero(n, steps * d);  // padded steps stay zero
  for (long i = 0; i < n; ++i) {
    const long valid = ragged ? static_cast<long>(v.lengths[i]) : steps;
    for (long t = 0; t < valid; ++t)
      for (long c = 0; c < d; ++c)
        data.validation_x(i, t * d + c) = (v.x(i, t * d + c) - data.input_mean[c]) / data.input_scale[c];
  }
  if (!data.validation_x.allFinite())
    throw std::invalid_argument(prefix + "X holds values too far from the training data for its scale to represent");
  data.validation_targets = v.y;
  if (task == Task::regression) {
    data.validation_targets = (v.y.array() - data.target_mean) / data.target_scale;
    if (!data.validation_targets.allFinite())
      throw std::invalid_argument(prefix + "y holds values too far from the training targets for their scale to represent");
  }
}


// The mini-batch loop itself, shared by fit's epochs (train_model) and
// partial_fit's passes (train_pass): the optimiser with its slots, the
// batch's gradient buffers and block scratch, the gate's noise stream and
// interrupt polling. epoch() runs one pass over rows in the order given.
class MiniBatchTrainer {
 public:
  MiniBatchTrainer(TrainableModel& model, const Params& params, Task task, const TrainingData& data,
                   const Callbacks& callbacks)
      : model_(model),
        params_(params),
        data_(data),
        callbacks_(callbacks),
        kernel_path_(kernel_path_from_string(params.kernel)),
        classification_(task == Task::classification),
        optimizer_(settings_of(params)),
        tensors_(model.parameters()),
        noise_seed_(derive_seed(params.random_state, 0x6E6F697365ULL)) {  // "noise"
    // Optimiser slots, one per tensor: dense weights decay, biases and
    // scores do not; the scores have their own learning rate and read dL/ds,
    // which the gate forms from the summed dL/dw.
    summed_.resize(tensors_.size());
    std::vector<ParameterSlot> slots;
    for (std::size_t k = 0; k < tensors_.size(); ++k) {
      const ParameterTensor& t = tensors_[k];
      summed_[k] = Eigen::VectorXd::Zero(t.size);
      switch (t.group) {
        case ParameterGroup::scores:
          scores_gradient_ = Eigen::VectorXd::Zero(t.size);
          scores_slots_.push_back(slots.size());
          slots.push_back({t.values, scores_gradient_.data(), t.size, params.scores_learning_rate, 0.0});
          break;
        case ParameterGroup::weight:
          slots.push_back({t.values, summed_[k].data(), t.size, params.learning_rate, params.weight_decay});
          break;
        case ParameterGroup::bias:
          slots.push_back({t.values, summed_[k].data(), t.size, params.learning_rate, 0.0});
          break;
      }
    }
    optimizer_.set_slots(slots);
  }

  Optimizer& optimizer() { return optimizer_; }
  const std::vector<ParameterTensor>& tensors() const { return tensors_; }
  const std::vector<std::size_t>& scores_slots() const { return scores_slots_; }
  // Optimiser steps taken so far (the gate's noise stream is indexed by it).
  std::uint64_t step() const { return step_; }
  void set_step(std::uint64_t step) { step_ = step; }

  // One pass over rows (indices into data's rows) in batches of batch_size;
  // returns the weighted mean loss.
  double epoch(const std::vector<std::size_t>& rows, bool noisy) {
    const RowMajorMatrix& xs = data_.x;
    const long n_rows = static_cast<long>(rows.size()), width = xs.cols(), steps = data_.steps;
    const bool ragged = data_.lengths.size() > 0;
    const long batch_size = std::min(params_.batch_size, n_rows);
    ScoresLayer* gate = model_.gate();
    double epoch_loss = 0.0, epoch_weight = 0.0;
    for (long start = 0; start < n_rows; start += batch_size) {
      const long count = std::min(batch_size, n_rows - start);
      const std::size_t* index = rows.data() + start;
      double batch_weight = 0.0;
      for (long i = 0; i < count; ++i) batch_weight += data_.sample_weight[static_cast<long>(index[i])];
      if (!(batch_weight > 0.0)) continue;  // nothing to learn from an all-zero-weight batch
      ++step_;
      const long n_blocks = (count + kBlockRows - 1) / kBlockRows;
      while (blocks_.size() < static_cast<std::size_t>(n_blocks)) {
        blocks_.emplace_back();
        blocks_.back().workspace = model_.new_workspace();
      }
      block_losses_.assign(static_cast<std::size_t>(n_blocks), 0.0);
      parallel_for(n_blocks, params_.n_threads, [&](long b) {
        const long b_start = b * kBlockRows, b_rows = std::min(kBlockRows, count - b_start);
        BlockSlot& slot = blocks_[static_cast<std::size_t>(b)];
        take_rows_into(xs, index + b_start, b_rows, slot.x);
        take_into(data_.targets, index + b_start, b_rows, slot.targets);
        take_into(data_.sample_weight, index + b_start, b_rows, slot.weights);
        if (ragged) take_into(data_.lengths, index + b_start, b_rows, slot.lengths);
        const InputBlock block{slot.x, steps, ragged ? &slot.lengths : nullptr};
        const Eigen::MatrixXd* noise = nullptr;
        if (noisy) {
          slot.noise.resize(b_rows, width);
          Random(derive_seed(noise_seed_, step_, static_cast<std::uint64_t>(b)))
              .fill_normal(slot.noise.data(), static_cast<std::size_t>(slot.noise.size()));
          noise = &slot.noise;
        }
        BlockWorkspace& ws = *slot.workspace;
        const Eigen::MatrixXd& output = model_.forward_block(kernel_path_, block, noise, ws);
        block_losses_[static_cast<std::size_t>(b)] =
            prediction_loss(classification_, output, slot.targets, slot.weights, batch_weight, &ws.grad_output) +
            model_.penalty_block(kernel_path_, block, slot.weights, batch_weight, ws);
        model_.backward_block(kernel_path_, block, noise, ws);
      });
      // Sum blocks in order into the buffers the optimiser reads.
      for (long b = 0; b < n_blocks; ++b) {
        const std::vector<const double*> g = model_.gradients(*blocks_[static_cast<std::size_t>(b)].workspace);
        for (std::size_t k = 0; k < tensors_.size(); ++k) {
          const Eigen::Map<const Eigen::VectorXd> block_gradient(g[k], tensors_[k].size);
          if (b == 0) {
            summed_[k] = block_gradient;
          } else {
            summed_[k] += block_gradient;
          }
        }
      }
      double loss = block_losses_[0];
      for (long b = 1; b < n_blocks; ++b) loss += block_losses_[static_cast<std::size_t>(b)];
      // noalias copies into the buffer the optimiser points to.
      if (gate != nullptr) scores_gradient_.noalias() = gate->scores_gradient(summed_[0], params_.entropy_penalty);
      optimizer_.step();
      if (!std::isfinite(loss))
        throw std::runtime_error("training diverged (non-finite loss); lower learning_rate or check the data");
      epoch_loss += loss * batch_weight;
      epoch_weight += batch_weight;

      if (callbacks_.interrupt_requested && Clock::now() - last_poll_ > std::chrono::milliseconds(100)) {
        last_poll_ = Clock::now();
        if (callbacks_.interrupt_requested()) throw Interrupted();
      }
    }
    return epoch_weight > 0.0 ? epoch_loss / epoch_weight : 0.0;
  }

 private:
  using Clock = std::chrono::steady_clock;
  static OptimizerSettings settings_of(const Params& params) {
    OptimizerSettings settings;
    settings.solver = solver_from_string(params.solver);
    settings.beta_1 = params.beta_1;
    settings.beta_2 = params.beta_2;
    settings.epsilon = params.epsilon;
    settings.momentum = params.momentum;
    return settings;
  }

  TrainableModel& model_;
  const Params& params_;
  const TrainingData& data_;
  const Callbacks& callbacks_;
  const KernelPath kernel_path_;
  const bool classification_;
  Optimizer optimizer_;
  const std::vector<ParameterTensor> tensors_;
  std::vector<Eigen::VectorXd> summed_;  // the batch's gradients
  Eigen::VectorXd scores_gradient_;
  std::vector<std::size_t> scores_slots_;
  std::vector<BlockSlot> blocks_;  // reused across batches: no allocation per step
  std::vector<double> block_losses_;
  const std::uint64_t noise_seed_;
  std::uint64_t step_ = 0;
  Clock::time_point last_poll_ = Clock::now();
};

}  // namespace

Params loadable_params(Params params) {
  if (params.kernel == "avx2" && !avx2_kernels_available()) params.kernel = "portable";
  return params;
}

Eigen::MatrixXd by_row_blocks(long n, long cols, long block_rows, int n_threads,
                              const std::function<Eigen::MatrixXd(long start, long rows)>& block) {
  Eigen::MatrixXd out(n, cols);
  const long n_blocks = (n + block_rows - 1) / block_rows;
  parallel_for(n_blocks, n_threads, [&](long b) {
    const long start = b * block_rows, rows = std::min(block_rows, n - start);
    out.middleRows(start, rows) = block(start, rows);
  });
  return out;
}

void check_finite_outputs(const Eigen::MatrixXd& outputs) {
  if (!outputs.allFinite())
    throw std::invalid_argument("X holds values too far from the training data: the model's outputs overflow "
                                "double precision (check X's scale)");
}

void FitSummary::to_output_units(Task task, Eigen::MatrixXd& outputs) const {
  if (task == Task::regression) outputs = (outputs.array() * target_scale + target_mean).matrix();
  check_finite_outputs(outputs);
}

void check_tabular_input(const MatrixView& x, long n_features, const char* name) {
  if (x.cols() != n_features)
    throw std::invalid_argument(std::string(name) + " has " + std::to_string(x.cols()) +
                                " features, but the model expects " + std::to_string(n_features));
  if (!x.allFinite()) throw std::invalid_argument(std::string(name) + " contains NaN or infinity");
}

Eigen::MatrixXd standardise_rows(const MatrixView& x, const Eigen::VectorXd& mean, const Eigen::VectorXd& scale) {
  Eigen::MatrixXd out = (x.rowwise() - mean.transpose()).array().rowwise() / scale.transpose().array();
  if (!out.allFinite())
    throw std::invalid_argument("X holds values too far from the training data for this model to represent "
                                "(|x - mean| / scale overflows)");
  return out;
}

TrainingData prepare_training_data(const Params& params, Task task, const TrainingInput& input) {
  const MatrixView& x = input.x;
  const Eigen::VectorXd& y = input.y;
  const long n = x.rows(), steps = input.steps;
  if (steps < 1) throw std::invalid_argument("sequences need at least 1 time step; got 0");
  if (n < 1) throw std::invalid_argument("X has 0 samples; at least 1 is required");
  if (x.cols() % steps != 0) throw std::invalid_argument("X's width is not a whole number of time steps");
  const long d = x.cols() / steps;
  if (d < 1) throw std::invalid_argument("X has 0 features; at least 1 is required");
  const bool ragged = input.lengths.size() > 0;
  const long n_classes = input.n_classes;
  check_rows(x, steps, input.lengths, y, task, n_classes, "");
  if (task == Task::classification && !input.incremental && (y.array() == y[0]).all())
    throw std::invalid_argument("y has only one class present; classification needs at least 2 classes");
  // Steps of row i that count: all, or its first lengths[i].
  auto valid_steps = [&](long i) { return ragged ? static_cast<long>(input.lengths[i]) : steps; };
  TrainingData data;
  data.sample_weight = checked_weights(input.sample_weight, n, "");
  const Scaling* given = input.scaling;
  if (given != nullptr && (given->input_mean.size() != d || given->input_scale.size() != d))
    throw std::invalid_argument("X has " + std::to_string(d) + " features, but the model was fitted on " +
                                std::to_string(given->input_mean.size()));

  // Standardisation per channel over every valid step (constant channels
  // keep scale 1), written straight into the one row-major copy the
  // mini-batches gather from.
  data.steps = steps;
  data.channels = d;
  data.lengths = input.lengths;
  data.input_mean = Eigen::VectorXd::Zero(d);
  data.input_scale = Eigen::VectorXd::Ones(d);
  data.x.resize(n, steps * d);
  if (ragged) data.x.setZero();  // padded steps stay zero
  long n_values = 0;
  for (long i = 0; i < n; ++i) n_values += valid_steps(i);
  Eigen::VectorXd values(n_values);
  for (long c = 0; c < d; ++c) {
    // Contiguous, so the sums run in the same order (and give the same bits)
    // whatever the caller's memory layout.
    if (steps == 1) {
      values = x.col(c);
    } else {
      long k = 0;
      for (long i = 0; i < n; ++i)
        for (long t = 0; t < valid_steps(i); ++t) values[k++] = x(i, t * d + c);
    }
    double mean = 0.0, sd = 1.0, largest = 0.0;
    if (given != nullptr) {
      data.input_mean[c] = given->input_mean[c];
      data.input_scale[c] = given->input_scale[c];
    } else if (params.standardize) {
      column_moments(values, mean, sd, largest);
      data.input_mean[c] = mean;
      data.input_scale[c] = varies(sd, largest) ? sd : 1.0;
    }
    if (steps == 1) {
      data.x.col(c) = (values.array() - data.input_mean[c]) / data.input_scale[c];
    } else {
      long k = 0;
      for (long i = 0; i < n; ++i)
        for (long t = 0; t < valid_steps(i); ++t)
          data.x(i, t * d + c) = (values[k++] - data.input_mean[c]) / data.input_scale[c];
    }
    bool finite = true;
    for (long t = 0; t < steps && finite; ++t) finite = data.x.col(t * d + c).allFinite();
    if (!finite)
      throw std::invalid_argument("X " + std::string(steps == 1 ? "column " : "channel ") + std::to_string(c) +
                                  " spans more than double precision can represent once centred; rescale it");
  }
  data.targets = y;
  if (task == Task::regression && (params.standardize || given != nullptr)) {
    if (given != nullptr) {
      data.target_mean = given->target_mean;
      data.target_scale = given->target_scale;
    } else {
      double sd = 1.0, largest = 0.0;
      column_moments(y, data.target_mean, sd, largest);
      data.target_scale = varies(sd, largest) ? sd : 1.0;
    }
    data.targets = (y.array() - data.target_mean) / data.target_scale;
    if (!data.targets.allFinite())
      throw std::invalid_argument("y spans more than double precision can represent once centred; rescale it");
  }
  data.n_classes = n_classes;
  data.n_outputs = task == Task::classification ? n_classes : 1;
  if (input.validation != nullptr) prepare_validation(*input.validation, task, data);
  return data;
}

void write_incremental_state(const IncrementalState& state, ModelState& s) {
  if (state.passes == 0) return;
  std::vector<double> first, second;
  for (const Eigen::VectorXd& m : state.optimizer.first_moment) first.insert(first.end(), m.data(), m.data() + m.size());
  for (const Eigen::VectorXd& v : state.optimizer.second_moment)
    second.insert(second.end(), v.data(), v.data() + v.size());
  s.arrays["optimizer_first_moment"] = to_named(first);
  s.arrays["optimizer_second_moment"] = to_named(second);
  s.arrays["partial_fit_counters"] = to_named(std::vector<double>{
      static_cast<double>(state.optimizer.steps), static_cast<double>(state.noise_step),
      static_cast<double>(state.passes)});
}

IncrementalState read_incremental_state(const ModelState& s, const std::vector<ParameterTensor>& tensors,
                                        const Params& params) {
  IncrementalState state;
  auto counters = s.arrays.find("partial_fit_counters");
  if (counters == s.arrays.end()) return state;
  long total = 0;
  for (const ParameterTensor& t : tensors) total += t.size;
  const bool adam = solver_from_string(params.solver) == Solver::adam;
  const NamedArray& first = s.require("optimizer_first_moment", {total});
  const NamedArray& second = s.require("optimizer_second_moment", {adam ? total : 0});
  const std::vector<double>& c = counters->second.data;
  for (double v : c)
    if (!(v >= 0.0 && v <= 9007199254740992.0 && v == std::floor(v)))
      throw std::invalid_argument("model state array 'partial_fit_counters' must hold whole numbers >= 0");
  if (c[2] < 1.0) throw std::invalid_argument("model state array 'partial_fit_counters' must count at least 1 pass");
  state.optimizer.steps = static_cast<long>(c[0]);
  state.noise_step = static_cast<std::uint64_t>(c[1]);
  state.passes = static_cast<long>(c[2]);
  long offset = 0;
  for (const ParameterTensor& t : tensors) {
    state.optimizer.first_moment.push_back(Eigen::Map<const Eigen::VectorXd>(first.data.data() + offset, t.size));
    state.optimizer.second_moment.push_back(
        adam ? Eigen::VectorXd(Eigen::Map<const Eigen::VectorXd>(second.data.data() + offset, t.size))
             : Eigen::VectorXd());
    offset += t.size;
  }
  return state;
}

double train_pass(TrainableModel& model, const Params& params, Task task, const TrainingData& data,
                  IncrementalState& state, bool initialise, const Callbacks& callbacks) {
  if (initialise) {
    Random random(params.random_state);
    model.initialise(random);
  }
  MiniBatchTrainer trainer(model, params, task, data, callbacks);
  if (state.passes > 0) {
    trainer.optimizer().set_state(state.optimizer);
    trainer.set_step(state.noise_step);
  }
  std::vector<std::size_t> rows(static_cast<std::size_t>(data.x.rows()));
  std::iota(rows.begin(), rows.end(), std::size_t{0});
  Random(derive_seed(params.random_state, 0x7061727469616CULL, static_cast<std::uint64_t>(state.passes)))  // "partial"
      .shuffle(rows);
  const ScoresLayer* gate = model.gate();
  const double loss = trainer.epoch(rows, gate != nullptr && gate->noisy());
  if (callbacks.on_epoch) {
    EpochReport report;
    report.epoch = state.passes + 1;
    report.train_loss = loss;
    report.validation_loss = std::numeric_limits<double>::quiet_NaN();
    report.validation_score = std::numeric_limits<double>::quiet_NaN();
    report.improved = true;
    Eigen::VectorXd current;
    if (gate != nullptr) current = gate->weights();
    report.scores = gate != nullptr ? &current : nullptr;
    callbacks.on_epoch(report);
  }
  if (callbacks.interrupt_requested && callbacks.interrupt_requested()) throw Interrupted();
  state.optimizer = trainer.optimizer().state();
  state.noise_step = trainer.step();
  ++state.passes;
  return loss;
}

TrainingRecord train_model(TrainableModel& model, const Params& params, Task task, const TrainingData& data,
                           const Callbacks& callbacks) {
  const KernelPath kernel_path = kernel_path_from_string(params.kernel);
  const RowMajorMatrix& xs = data.x;
  const Eigen::VectorXd& targets = data.targets;
  const Eigen::VectorXd& sample_weight = data.sample_weight;
  const long n = xs.rows(), steps = data.steps;

  Random random(params.random_state);
  model.initialise(random);
  ScoresLayer* gate = model.gate();

  // The rows early stopping watches: the given validation rows, else
  // validation_fraction split off the training rows (they stay in xs and are
  // gathered block by block when scored: no copy of them).
  const bool given_validation = data.validation_x.rows() > 0;
  const RowMajorMatrix& val_x = given_validation ? data.validation_x : xs;
  const Eigen::VectorXd& val_lengths = given_validation ? data.validation_lengths : data.lengths;
  const bool val_ragged = val_lengths.size() > 0;
  Split split;
  if (params.early_stopping && !given_validation) {
    split = split_rows(targets, task, data.n_classes, params.validation_fraction, random);
  } else {
    split.train.resize(static_cast<std::size_t>(n));
    std::iota(split.train.begin(), split.train.end(), std::size_t{0});
  }
  if (given_validation) {
    split.validation.resize(static_cast<std::size_t>(data.validation_x.rows()));
    std::iota(split.validation.begin(), split.validation.end(), std::size_t{0});
  }
  const long n_val = static_cast<long>(split.validation.size());
  Eigen::VectorXd labels_val, w_val;
  if (n_val > 0) {
    labels_val = given_validation ? data.validation_targets : take(targets, split.validation.data(), n_val);
    w_val = given_validation ? data.validation_weight : take(sample_weight, split.validation.data(), n_val);
    if (!(w_val.sum() > 0.0)) w_val.setOnes();  // all-zero weights in the split: judge unweighted
  }
  // R^2's denominator: the weighted spread of the validation targets.
  double val_total_ss = 0.0;
  if (n_val > 0 && task == Task::regression) {
    const double mean = w_val.dot(labels_val) / w_val.sum();
    val_total_ss = w_val.dot((labels_val.array() - mean).square().matrix());
  }

  const bool classification = task == Task::classification;

  MiniBatchTrainer trainer(model, params, task, data, callbacks);
  Optimizer& optimizer = trainer.optimizer();
  const std::vector<ParameterTensor>& tensors = trainer.tensors();

  TrainingRecord record;
  std::vector<Eigen::VectorXd> history;
  Snapshot best = take_snapshot(tensors);
  double best_loss = std::numeric_limits<double>::infinity();

  // The weighted mean loss on the validation rows and their score (accuracy
  // or R^2), in fixed blocks summed in order (the same numbers for any
  // n_threads), O(block) memory.
  constexpr long kValidationBlock = 1024;
  const long n_val_blocks = (n_val + kValidationBlock - 1) / kValidationBlock;
  std::vector<double> val_block_losses(static_cast<std::size_t>(n_val_blocks));
  std::vector<double> val_block_hits(static_cast<std::size_t>(n_val_blocks));  // weight right, or squared error
  auto validation_loss = [&](double& score) {
    const double total_weight = w_val.sum();
    parallel_for(n_val_blocks, params.n_threads, [&](long b) {
      const long start = b * kValidationBlock, rows = std::min(kValidationBlock, n_val - start);
      const std::size_t* index = split.validation.data() + start;
      Eigen::MatrixXd x_block;
      Eigen::VectorXd lengths;
      take_rows_into(val_x, index, rows, x_block);
      if (val_ragged) take_into(val_lengths, index, rows, lengths);
      const Eigen::MatrixXd out =
          model.predict_block(kernel_path, InputBlock{x_block, steps, val_ragged ? &lengths : nullptr});
      const auto labels = labels_val.segment(start, rows);
      const auto weights = w_val.segment(start, rows);
      val_block_losses[static_cast<std::size_t>(b)] =
          prediction_loss(classification, out, labels, weights, total_weight, nullptr);
      double hits = 0.0;
      for (long i = 0; i < rows; ++i) {
        if (classification) {
          Eigen::Index predicted = 0;
          out.row(i).maxCoeff(&predicted);
          if (static_cast<double>(predicted) == labels[i]) hits += weights[i];
        } else {
          hits += weights[i] * (out(i, 0) - labels[i]) * (out(i, 0) - labels[i]);
        }
      }
      val_block_hits[static_cast<std::size_t>(b)] = hits;
    });
    double loss = 0.0, hits = 0.0;
    for (long b = 0; b < n_val_blocks; ++b) {
      loss += val_block_losses[static_cast<std::size_t>(b)];
      hits += val_block_hits[static_cast<std::size_t>(b)];
    }
    if (classification) {
      score = hits / total_weight;
    } else if (val_total_ss > 0.0) {
      score = 1.0 - hits / val_total_ss;
    } else {
      score = hits == 0.0 ? 1.0 : 0.0;  // constant targets: sklearn's r2_score convention
    }
    return loss;
  };

  // Phase 1 learns the scores; phase 2 (refine) freezes them and trains the
  // network on the noise-free gated inputs.
  const bool refine = gate != nullptr && params.refine_epochs > 0;
  for (int phase = 1; phase <= (refine ? 2 : 1); ++phase) {
    const bool learn_scores = phase == 1;
    if (!learn_scores) {
      // The refinement starts where the scores phase ended, not at its best
      // validation epoch: the scores go on settling in the n_iter_no_change
      // epochs after it, and the settled ones are the more stable ranking
      // over seeds (docs/ranking-fidelity.md). The best epoch of the
      // refinement (its own: the gate has changed) is what is kept.
      for (std::size_t s : trainer.scores_slots()) optimizer.slots()[s].learning_rate = 0.0;  // frozen
      best_loss = std::numeric_limits<double>::infinity();
      if (params.early_stopping) best = take_snapshot(tensors);
    }
    const bool noisy = learn_scores && gate != nullptr && gate->noisy();
    const long phase_epochs = learn_scores ? params.max_epochs : params.refine_epochs;
    long epochs_without_improvement = 0;
    for (long phase_epoch = 1; phase_epoch <= phase_epochs; ++phase_epoch) {
      const long epoch = static_cast<long>(record.loss_curve.size()) + 1;
      random.shuffle(split.train);
      const double train_loss = trainer.epoch(split.train, noisy);
      record.loss_curve.push_back(train_loss);
      double monitored = train_loss;
      double val_loss = std::numeric_limits<double>::quiet_NaN();
      double score = std::numeric_limits<double>::quiet_NaN();
      if (n_val > 0) {
        val_loss = validation_loss(score);
        record.validation_loss_curve.push_back(val_loss);
        record.validation_score_curve.push_back(score);
        // Without early stopping, given validation rows are only watched.
        if (params.early_stopping) monitored = val_loss;
      }
      Eigen::VectorXd current_scores;
      if (gate != nullptr) {
        current_scores = gate->weights();
        history.push_back(current_scores);
      }
      const bool improved = monitored < best_loss - params.tol;
      if (monitored < best_loss) {
        best_loss = monitored;
        record.best_epoch = epoch;
        if (params.early_stopping) best = take_snapshot(tensors);
      }
      epochs_without_improvement = improved ? 0 : epochs_without_improvement + 1;
      if (callbacks.on_epoch) {
        EpochReport report;
        report.epoch = epoch;
        report.train_loss = train_loss;
        report.validation_loss = val_loss;
        report.validation_score = score;
        report.improved = improved;
        report.scores = gate != nullptr ? &current_scores : nullptr;
        callbacks.on_epoch(report);
      }
      if (callbacks.interrupt_requested && callbacks.interrupt_requested()) throw Interrupted();
      if (epochs_without_improvement >= params.n_iter_no_change) break;
      if (learn_scores && params.early_stopping && phase_epoch == phase_epochs) record.max_epochs_reached = true;
    }
  }
  if (params.early_stopping) {
    restore(tensors, best);
  } else {
    record.best_epoch = static_cast<long>(record.loss_curve.size());  // the final weights are kept
  }
  const long d = gate != nullptr ? gate->n_scores() : 0;
  record.scores_history.resize(static_cast<long>(history.size()), d);
  for (std::size_t e = 0; e < history.size(); ++e)
    record.scores_history.row(static_cast<long>(e)) = history[e].transpose();
  return record;
}

FitSummary::FitSummary(TrainingData& data, TrainingRecord&& record)
    : input_mean(std::move(data.input_mean)),
      input_scale(std::move(data.input_scale)),
      target_mean(data.target_mean),
      target_scale(data.target_scale),
      scores_history(std::move(record.scores_history)),
      scores_bootstrap(0, data.channels),
      loss_curve(std::move(record.loss_curve)),
      validation_loss_curve(std::move(record.validation_loss_curve)),
      validation_score_curve(std::move(record.validation_score_curve)),
      best_epoch(record.best_epoch),
      max_epochs_reached(record.max_epochs_reached) {}

void FitSummary::write(ModelState& s, const Eigen::VectorXd* scores) const {
  s.n_features = input_mean.size();
  s.n_epochs_run = static_cast<long>(loss_curve.size());
  s.best_epoch = best_epoch;
  s.arrays["input_mean"] = to_named(input_mean);
  s.arrays["input_scale"] = to_named(input_scale);
  s.arrays["target_mean"] = NamedArray{{1}, {target_mean}};
  s.arrays["target_scale"] = NamedArray{{1}, {target_scale}};
  if (scores != nullptr) {
    s.arrays["scores"] = to_named(*scores);
    s.arrays["scores_history"] = to_named(scores_history);
    if (scores_bootstrap.size() > 0) s.arrays["scores_bootstrap"] = to_named(scores_bootstrap);
  }
  s.arrays["loss_curve"] = to_named(loss_curve);
  s.arrays["validation_loss_curve"] = to_named(validation_loss_curve);
  // Written only when recorded, so a file from before it reads back unchanged.
  if (!validation_score_curve.empty()) s.arrays["validation_score_curve"] = to_named(validation_score_curve);
}

void FitSummary::read(const ModelState& s, const Params& params, Eigen::VectorXd* scores) {
  const long d = s.n_features, epochs = s.n_epochs_run;
  const long n_scores = scores != nullptr ? scores->size() : d;  // sized by the gate (its score groups)
  input_mean = vector_from(s.require("input_mean", {d}));
  input_scale = vector_from(s.require("input_scale", {d}));
  target_mean = s.require("target_mean", {1}).data[0];
  target_scale = s.require("target_scale", {1}).data[0];
  scores_bootstrap.resize(0, n_scores);
  if (scores != nullptr) {
    *scores = vector_from(s.require("scores", {n_scores}));
    scores_history = matrix_from(s.require("scores_history", {epochs, n_scores}));
    if (params.n_bootstrap > 0)
      scores_bootstrap = matrix_from(s.require("scores_bootstrap", {params.n_bootstrap, n_scores}));
  }
  loss_curve = s.require("loss_curve", {epochs}).data;
  auto it = s.arrays.find("validation_loss_curve");
  if (it != s.arrays.end()) validation_loss_curve = it->second.data;
  it = s.arrays.find("validation_score_curve");  // format 5 on
  if (it != s.arrays.end()) validation_score_curve = it->second.data;
  best_epoch = s.best_epoch;
}

}  // namespace scoresactivation
