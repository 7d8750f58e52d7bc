#include "scoresactivation/senn_estimator.hpp"

#include <map>
#include <stdexcept>
#include <string>

#include "scoresactivation/bootstrap.hpp"
#include "scoresactivation/loss.hpp"

namespace scoresactivation {

namespace {

SennNetwork build_network(const Params& p, const SennParams& senn, long features, long outputs) {
  return SennNetwork(features, p.hidden_layer_sizes, outputs, activation_from_string(p.activation), p.scores_layer,
                     p.temperature, gate_kind_from_string(p.gate), p.snr_budget, senn.robustness_penalty);
}

std::string theta_name(std::size_t l, const char* what) { return "theta_" + std::to_string(l) + "_" + what; }

// theta's layers and b with their shapes.
std::map<std::string, std::vector<long>> senn_arrays(const Params& params, long features, long outputs) {
  std::map<std::string, std::vector<long>> arrays;
  const std::size_t n_layers = params.hidden_layer_sizes.size() + 1;
  long n_in = features;
  for (std::size_t l = 0; l < n_layers; ++l) {
    const long n_out = l + 1 < n_layers ? params.hidden_layer_sizes[l] : outputs * features;
    arrays[theta_name(l, "weight")] = {n_in, n_out};
    arrays[theta_name(l, "bias")] = {n_out};
    n_in = n_out;
  }
  arrays["output_bias"] = {outputs};
  return arrays;
}

// Prediction's row blocks (by_row_blocks): the tabular estimator's.
constexpr long kPredictBlock = 1024;

}  // namespace

void check_senn_state(const Params& params, const SennParams& senn, const ModelState& state) {
  senn.validate();
  // check_state_with checks n_features and n_outputs before these shapes are
  // used; theta's output width n_outputs * d is bounded like any layer.
  const long d = std::min(state.n_features, kMaxDimension), k = std::min(state.n_outputs, kMaxDimension);
  if (d * k > kMaxLayerWidth)
    throw std::invalid_argument("n_outputs * n_features must be at most " + std::to_string(kMaxLayerWidth) +
                                " for a SENN model");
  check_state_with(params, state, senn_arrays(params, d, k));
}

SennEstimator::SennEstimator(Params params, SennParams senn, Task task)
    : params_(std::move(params)), senn_(senn), task_(task), kernel_path_(KernelPath::portable) {
  params_.validate();
  senn_.validate();
  kernel_path_ = kernel_path_from_string(params_.kernel);
}

SennEstimator::SennEstimator(Params params, SennParams senn, const ModelState& s)
    : SennEstimator(loadable_params(std::move(params)), senn, task_from_string(s.task)) {
  check_senn_state(params_, senn_, s);  // before any allocation sized by the state
  network_ = build_network(params_, senn_, s.n_features, s.n_outputs);
  fit_.read(s, params_, params_.scores_layer ? &network_.scores_layer().raw_scores() : nullptr);
  auto& layers = network_.layers();
  for (std::size_t l = 0; l < layers.size(); ++l) {
    layers[l].weight = matrix_from(s.arrays.at(theta_name(l, "weight")));
    layers[l].bias = vector_from(s.arrays.at(theta_name(l, "bias")));
  }
  network_.output_bias() = vector_from(s.arrays.at("output_bias"));
  fitted_ = true;
}

void SennEstimator::fit(const MatrixView& x, const Eigen::VectorXd& y, const Eigen::VectorXd& sample_weight,
                        long n_classes, const Callbacks& callbacks, const ValidationInput* validation) {
  params_.validate();
  senn_.validate();
  const Eigen::VectorXd all_steps;
  TrainingData data = prepare_training_data(params_, task_, TrainingInput{x, 1, all_steps, y, sample_weight, n_classes, validation});
  if (data.channels * data.n_outputs > kMaxLayerWidth)
    throw std::invalid_argument("SENN's theta has n_outputs * n_features = " +
                                std::to_string(data.channels * data.n_outputs) + " outputs; at most " +
                                std::to_string(kMaxLayerWidth) + " are supported");
  // Trains a copy: this estimator changes only once the new fit is complete.
  SennEstimator next(params_, senn_, task_);
  next.network_ = build_network(params_, senn_, data.channels, data.n_outputs);
  next.fit_ = FitSummary(data, train_model(next.network_, params_, task_, data, callbacks));
  if (params_.scores_layer && params_.n_bootstrap > 0) {
    data = TrainingData();  // the replicates standardise their own resamples
    const Task task = task_;
    const SennParams senn = senn_;
    auto fit_replicate = [&](const std::vector<long>& rows, const Params& p, const Callbacks& replicate_callbacks) {
      SennEstimator replicate(p, senn, task);
      replicate.fit(take_rows(x, rows), take_values(y, rows), take_values(sample_weight, rows), n_classes,
                    replicate_callbacks, validation);
      return replicate.scores();
    };
    next.fit_.scores_bootstrap = bootstrap_scores(params_, x.rows(), x.cols(), params_.n_bootstrap, fit_replicate, callbacks);
  }
  next.fitted_ = true;
  *this = std::move(next);
}

void SennEstimator::check_fitted() const {
  if (!fitted_) throw std::logic_error("this estimator is not fitted yet; call fit first");
}

Eigen::MatrixXd SennEstimator::network_input(const MatrixView& x) const {
  check_fitted();
  check_tabular_input(x, n_features(), "X");
  return standardise_rows(x, fit_.input_mean, fit_.input_scale);
}

Eigen::MatrixXd SennEstimator::decision_function(const MatrixView& x) const {
  check_fitted();
  check_tabular_input(x, n_features(), "X");
  Eigen::MatrixXd out = by_row_blocks(x.rows(), n_outputs(), kPredictBlock, params_.n_threads, [&](long start, long rows) {
    const Eigen::MatrixXd xs = standardise_rows(x.middleRows(start, rows), fit_.input_mean, fit_.input_scale);
    return network_.predict_block(kernel_path_, InputBlock{xs});
  });
  fit_.to_output_units(task_, out);
  return out;
}

Eigen::MatrixXd SennEstimator::predict_proba(const MatrixView& x) const {
  if (task_ != Task::classification) throw std::logic_error("predict_proba is only defined for classification");
  Eigen::MatrixXd probabilities;
  softmax_rows(decision_function(x), probabilities);
  return probabilities;
}

Eigen::MatrixXd SennEstimator::relevances(const MatrixView& x) const {
  const Eigen::MatrixXd xs = network_input(x);
  Eigen::MatrixXd out = by_row_blocks(x.rows(), n_outputs() * n_features(), kPredictBlock, params_.n_threads, [&](long start, long rows) {
    return network_.relevances(kernel_path_, network_.concepts(xs.middleRows(start, rows)));
  });
  check_finite_outputs(out);
  return out;
}

Eigen::MatrixXd SennEstimator::contributions(const MatrixView& x) const {
  const Eigen::MatrixXd xs = network_input(x);
  const long d = n_features();
  Eigen::MatrixXd out = by_row_blocks(x.rows(), n_outputs() * d, kPredictBlock, params_.n_threads, [&](long start, long rows) {
    const Eigen::MatrixXd z = network_.concepts(xs.middleRows(start, rows));
    Eigen::MatrixXd theta = network_.relevances(kernel_path_, z);
    for (long k = 0; k < n_outputs(); ++k) theta.middleCols(k * d, d).array() *= z.array() * output_scale();
    return theta;
  });
  check_finite_outputs(out);
  return out;
}

Eigen::VectorXd SennEstimator::base_values() const {
  check_fitted();
  if (task_ == Task::regression) return (network_.output_bias().array() * fit_.target_scale + fit_.target_mean).matrix();
  return network_.output_bias();
}

Eigen::MatrixXd SennEstimator::input_gradient(const MatrixView& x, long target) const {
  const Eigen::MatrixXd xs = network_input(x);
  if (target < 0 || target >= n_outputs())
    throw std::invalid_argument("target must be in [0, " + std::to_string(n_outputs()) + ")");
  // d/dx = d/d(standardised x) / input_scale, times the target scale.
  const Eigen::VectorXd chain = fit_.input_scale.cwiseInverse() * output_scale();
  return by_row_blocks(x.rows(), n_features(), kPredictBlock, params_.n_threads, [&](long start, long rows) {
    return Eigen::MatrixXd(network_.input_gradient(kernel_path_, xs.middleRows(start, rows), target) *
                           chain.asDiagonal());
  });
}

Eigen::VectorXd SennEstimator::robustness_residual(const MatrixView& x) const {
  const Eigen::MatrixXd xs = network_input(x);
  return by_row_blocks(x.rows(), 1, kPredictBlock, params_.n_threads, [&](long start, long rows) {
    return Eigen::MatrixXd(network_.robustness_residual(kernel_path_, xs.middleRows(start, rows)));
  });
}

Eigen::VectorXd SennEstimator::scores() const {
  check_fitted();
  if (!network_.has_scores_layer())
    throw std::logic_error("scores are only available when the model has the scores layer (scores_layer=True)");
  return network_.scores_layer().weights();
}

ModelState SennEstimator::state() const {
  check_fitted();
  ModelState s;
  s.task = to_string(task_);
  s.n_outputs = n_outputs();
  fit_.write(s, network_.has_scores_layer() ? &network_.scores_layer().raw_scores() : nullptr);
  const auto& layers = network_.layers();
  for (std::size_t l = 0; l < layers.size(); ++l) {
    s.arrays[theta_name(l, "weight")] = to_named(layers[l].weight);
    s.arrays[theta_name(l, "bias")] = to_named(layers[l].bias);
  }
  s.arrays["output_bias"] = to_named(network_.output_bias());
  return s;
}

}  // namespace scoresactivation
