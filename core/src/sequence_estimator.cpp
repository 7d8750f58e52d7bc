#include "scoresactivation/sequence_estimator.hpp"

#include <cmath>
#include <stdexcept>

#include "scoresactivation/bootstrap.hpp"
#include "scoresactivation/loss.hpp"

namespace scoresactivation {

namespace {

SequenceNetwork build_network(const Params& p, const SequenceParams& sequence, long channels, long outputs) {
  return SequenceNetwork(channels, sequence, p.hidden_layer_sizes, outputs, activation_from_string(p.activation),
                         p.scores_layer, p.temperature, gate_kind_from_string(p.gate), p.snr_budget);
}

// Every encoder array of a sequence model with its shape.
std::map<std::string, std::vector<long>> sequence_arrays(const Params& params, const SequenceParams& sequence,
                                                         long channels, long outputs) {
  std::map<std::string, std::vector<long>> arrays;
  const bool lstm = architecture_from_string(sequence.architecture) == Architecture::lstm;
  long n_in = channels;
  for (std::size_t l = 0; l < sequence.units.size(); ++l) {
    const long u = sequence.units[l];
    const std::string prefix = (lstm ? "lstm_" : "conv_") + std::to_string(l) + "_";
    if (lstm) {
      arrays[prefix + "w_input"] = {n_in, 4 * u};
      arrays[prefix + "w_recurrent"] = {u, 4 * u};
      arrays[prefix + "bias"] = {4 * u};
    } else {
      arrays[prefix + "weight"] = {sequence.kernel_size * n_in, u};
      arrays[prefix + "bias"] = {u};
    }
    n_in = u;
  }
  const std::size_t n_dense = params.hidden_layer_sizes.size() + 1;
  for (std::size_t l = 0; l < n_dense; ++l) {
    const long n_out = l + 1 < n_dense ? params.hidden_layer_sizes[l] : outputs;
    arrays["dense_" + std::to_string(l) + "_weight"] = {n_in, n_out};
    arrays["dense_" + std::to_string(l) + "_bias"] = {n_out};
    n_in = n_out;
  }
  return arrays;
}

}  // namespace

void check_sequence_state(const Params& params, const SequenceParams& sequence, const ModelState& state) {
  sequence.validate();
  // check_state_with checks n_features and n_outputs before these shapes are used.
  check_state_with(params, state,
                   sequence_arrays(params, sequence, std::min(state.n_features, kMaxDimension),
                                   std::min(state.n_outputs, kMaxDimension)));
}

SequenceEstimator::SequenceEstimator(Params params, SequenceParams sequence, Task task)
    : params_(std::move(params)), sequence_(std::move(sequence)), task_(task), kernel_path_(KernelPath::portable) {
  params_.validate();
  sequence_.validate();
  kernel_path_ = kernel_path_from_string(params_.kernel);
}

SequenceEstimator::SequenceEstimator(Params params, SequenceParams sequence, const ModelState& s)
    : SequenceEstimator(loadable_params(std::move(params)), std::move(sequence), task_from_string(s.task)) {
  check_sequence_state(params_, sequence_, s);  // before any allocation sized by the state
  network_ = build_network(params_, sequence_, s.n_features, s.n_outputs);
  fit_.read(s, params_, params_.scores_layer ? &network_.scores_layer().raw_scores() : nullptr);
  // Every tensor from its named array (shapes checked above).
  auto load = [&](const std::string& name, double* values) {
    const NamedArray& a = s.arrays.at(name);
    if (a.shape.size() == 2) {
      Eigen::Map<Eigen::MatrixXd>(values, a.shape[0], a.shape[1]) = matrix_from(a);
    } else {
      Eigen::Map<Eigen::VectorXd>(values, a.shape[0]) = vector_from(a);
    }
  };
  for (std::size_t l = 0; l < network_.lstm_layers().size(); ++l) {
    LstmLayer& layer = network_.lstm_layers()[l];
    const std::string prefix = "lstm_" + std::to_string(l) + "_";
    load(prefix + "w_input", layer.w_input.data());
    load(prefix + "w_recurrent", layer.w_recurrent.data());
    load(prefix + "bias", layer.bias.data());
  }
  for (std::size_t l = 0; l < network_.conv_layers().size(); ++l) {
    Conv1dLayer& layer = network_.conv_layers()[l];
    const std::string prefix = "conv_" + std::to_string(l) + "_";
    load(prefix + "weight", layer.weight.data());
    load(prefix + "bias", layer.bias.data());
  }
  auto& dense = network_.head().layers();
  for (std::size_t l = 0; l < dense.size(); ++l) {
    load("dense_" + std::to_string(l) + "_weight", dense[l].weight.data());
    load("dense_" + std::to_string(l) + "_bias", dense[l].bias.data());
  }
  fitted_ = true;
}

void SequenceEstimator::fit(const MatrixView& x, long steps, const Eigen::VectorXd& lengths, const Eigen::VectorXd& y,
                            const Eigen::VectorXd& sample_weight, long n_classes, const Callbacks& callbacks,
                            const ValidationInput* validation) {
  params_.validate();
  sequence_.validate();
  TrainingData data =
      prepare_training_data(params_, task_, TrainingInput{x, steps, lengths, y, sample_weight, n_classes, validation});
  // Trains a copy: this estimator changes only once the new fit is complete.
  SequenceEstimator next(params_, sequence_, task_);
  next.network_ = build_network(params_, sequence_, data.channels, data.n_outputs);
  const long channels = data.channels;
  next.fit_ = FitSummary(data, train_model(next.network_, params_, task_, data, callbacks));
  if (params_.scores_layer && params_.n_bootstrap > 0) {
    data = TrainingData();  // the replicates standardise their own resamples
    const Task task = task_;
    const SequenceParams& sequence = sequence_;
    auto fit_replicate = [&](const std::vector<long>& rows, const Params& p, const Callbacks& replicate_callbacks) {
      SequenceEstimator replicate(p, sequence, task);
      replicate.fit(take_rows(x, rows), steps, take_values(lengths, rows), take_values(y, rows),
                    take_values(sample_weight, rows), n_classes, replicate_callbacks, validation);
      return replicate.scores();
    };
    next.fit_.scores_bootstrap = bootstrap_scores(params_, x.rows(), channels, params_.n_bootstrap, fit_replicate, callbacks);
  }
  next.fitted_ = true;
  *this = std::move(next);
}

void SequenceEstimator::check_fitted() const {
  if (!fitted_) throw std::logic_error("this estimator is not fitted yet; call fit first");
}

void SequenceEstimator::check_input(const MatrixView& x, long steps, const Eigen::VectorXd& lengths,
                                    const char* name) const {
  const std::string label(name);
  if (steps < 1) throw std::invalid_argument(label + " has 0 time steps; at least 1 is required");
  if (x.cols() != steps * n_channels())
    throw std::invalid_argument(label + " has " + std::to_string(x.cols() / std::max(steps, 1L)) +
                                " channels per step, but the model expects " + std::to_string(n_channels()));
  if (lengths.size() == 0) {
    if (!x.allFinite()) throw std::invalid_argument(label + " contains NaN or infinity");
    return;
  }
  if (lengths.size() != x.rows())
    throw std::invalid_argument("lengths has " + std::to_string(lengths.size()) + " values but " + label + " has " +
                                std::to_string(x.rows()) + " sequences");
  for (long i = 0; i < x.rows(); ++i) {
    const double len = lengths[i];
    if (!(len >= 1 && len <= static_cast<double>(steps)) || len != std::floor(len))
      throw std::invalid_argument("lengths must hold whole numbers in 1.." + std::to_string(steps) +
                                  " (the time steps); value " + std::to_string(i) + " is not");
    if (!x.row(i).head(static_cast<long>(len) * n_channels()).allFinite())
      throw std::invalid_argument(label + " contains NaN or infinity within the lengths of its sequences");
  }
}

Eigen::MatrixXd SequenceEstimator::standardise(const MatrixView& x, long steps, const Eigen::VectorXd& lengths) const {
  const long c = n_channels();
  Eigen::MatrixXd out(x.rows(), x.cols());
  for (long t = 0; t < steps; ++t)
    out.middleCols(t * c, c) =
        (x.middleCols(t * c, c).rowwise() - fit_.input_mean.transpose()).array().rowwise() / fit_.input_scale.transpose().array();
  if (lengths.size() > 0)
    for (long i = 0; i < x.rows(); ++i) {
      const long valid = static_cast<long>(lengths[i]) * c;
      out.row(i).tail(x.cols() - valid).setZero();  // padding, whatever its values
    }
  if (!out.allFinite())
    throw std::invalid_argument("X holds values too far from the training data for this model to represent "
                                "(|x - mean| / scale overflows)");
  return out;
}

Eigen::MatrixXd SequenceEstimator::decision_function(const MatrixView& x, long steps,
                                                     const Eigen::VectorXd& lengths) const {
  check_fitted();
  check_input(x, steps, lengths, "X");
  Eigen::MatrixXd out = by_row_blocks(x.rows(), n_outputs(), 256, params_.n_threads, [&](long start, long rows) {
    const Eigen::VectorXd block_lengths = lengths.size() > 0 ? Eigen::VectorXd(lengths.segment(start, rows)) : Eigen::VectorXd();
    const Eigen::MatrixXd xs = standardise(x.middleRows(start, rows), steps, block_lengths);
    return network_.predict_block(kernel_path_, InputBlock{xs, steps, lengths.size() > 0 ? &block_lengths : nullptr});
  });
  fit_.to_output_units(task_, out);
  return out;
}

Eigen::MatrixXd SequenceEstimator::predict_proba(const MatrixView& x, long steps, const Eigen::VectorXd& lengths) const {
  if (task_ != Task::classification) throw std::logic_error("predict_proba is only defined for classification");
  Eigen::MatrixXd probabilities;
  softmax_rows(decision_function(x, steps, lengths), probabilities);
  return probabilities;
}

Eigen::VectorXd SequenceEstimator::scores() const {
  check_fitted();
  if (!network_.has_scores_layer())
    throw std::logic_error("scores are only available when the model has the scores layer (scores_layer=True)");
  return network_.scores_layer().weights();
}

ModelState SequenceEstimator::state() const {
  check_fitted();
  ModelState s;
  s.task = to_string(task_);
  s.n_outputs = n_outputs();
  fit_.write(s, network_.has_scores_layer() ? &network_.scores_layer().raw_scores() : nullptr);
  for (std::size_t l = 0; l < network_.lstm_layers().size(); ++l) {
    const LstmLayer& layer = network_.lstm_layers()[l];
    const std::string prefix = "lstm_" + std::to_string(l) + "_";
    s.arrays[prefix + "w_input"] = to_named(layer.w_input);
    s.arrays[prefix + "w_recurrent"] = to_named(layer.w_recurrent);
    s.arrays[prefix + "bias"] = to_named(layer.bias);
  }
  for (std::size_t l = 0; l < network_.conv_layers().size(); ++l) {
    const Conv1dLayer& layer = network_.conv_layers()[l];
    const std::string prefix = "conv_" + std::to_string(l) + "_";
    s.arrays[prefix + "weight"] = to_named(layer.weight);
    s.arrays[prefix + "bias"] = to_named(layer.bias);
  }
  const auto& dense = network_.head().layers();
  for (std::size_t l = 0; l < dense.size(); ++l) {
    s.arrays["dense_" + std::to_string(l) + "_weight"] = to_named(dense[l].weight);
    s.arrays["dense_" + std::to_string(l) + "_bias"] = to_named(dense[l].bias);
  }
  return s;
}

}  // namespace scoresactivation
