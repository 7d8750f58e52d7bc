#include "scoresactivation/estimator.hpp"

#include <cmath>
#include <stdexcept>

#include "scoresactivation/bootstrap.hpp"
#include "scoresactivation/loss.hpp"

namespace scoresactivation {

Task task_from_string(const std::string& name) {
  if (name == "classification") return Task::classification;
  if (name == "regression") return Task::regression;
  throw std::invalid_argument("task must be 'classification' or 'regression'; got '" + name + "'");
}

std::string to_string(Task task) {
  return task == Task::classification ? "classification" : "regression";
}

Estimator::Estimator(Params params, Task task)
    : params_(std::move(params)), task_(task), kernel_path_(KernelPath::portable) {
  params_.validate();
  kernel_path_ = kernel_path_from_string(params_.kernel);
}

namespace {
long n_scores_of(long n_columns, const std::vector<long>& groups) {
  return groups.empty() ? n_columns : static_cast<long>(groups.size());
}
}  // namespace

void Estimator::fit(const MatrixView& x, const Eigen::VectorXd& y, const Eigen::VectorXd& sample_weight,
                    long n_classes, const Callbacks& callbacks, const std::vector<long>& score_groups,
                    const ValidationInput* validation) {
  params_.validate();
  const std::vector<long> groups = check_score_groups(score_groups, x.cols(), "score_groups");
  const Eigen::VectorXd all_steps;
  TrainingData data = prepare_training_data(params_, task_, TrainingInput{x, 1, all_steps, y, sample_weight, n_classes, validation});
  // Trains a copy: this estimator changes only once the new fit is complete.
  Estimator next(params_, task_);
  next.network_ = Network(data.channels, params_.hidden_layer_sizes, data.n_outputs,
                          activation_from_string(params_.activation), params_.scores_layer, params_.temperature,
                          gate_kind_from_string(params_.gate), params_.snr_budget, groups);
  next.score_groups_ = groups;
  next.fit_ = FitSummary(data, train_model(next.network_, params_, task_, data, callbacks));
  if (params_.scores_layer && params_.n_bootstrap > 0) {
    data = TrainingData();  // the replicates standardise their own resamples
    const Task task = task_;
    auto fit_replicate = [&](const std::vector<long>& rows, const Params& p, const Callbacks& replicate_callbacks) {
      Estimator replicate(p, task);
      replicate.fit(take_rows(x, rows), take_values(y, rows), take_values(sample_weight, rows), n_classes,
                    replicate_callbacks, groups, validation);
      return replicate.scores();
    };
    next.fit_.scores_bootstrap = bootstrap_scores(params_, x.rows(), n_scores_of(x.cols(), groups), params_.n_bootstrap,
                                                  fit_replicate, callbacks);
  }
  next.fitted_ = true;
  *this = std::move(next);
}

namespace {
std::string layer_name(std::size_t l, const char* what) {
  return "dense_" + std::to_string(l) + "_" + what;
}
}  // namespace

void Estimator::partial_fit(const MatrixView& x, const Eigen::VectorXd& y, const Eigen::VectorXd& sample_weight,
                            long n_classes, const Callbacks& callbacks, const std::vector<long>& score_groups) {
  params_.validate();
  if (params_.n_bootstrap > 0)
    throw std::invalid_argument("n_bootstrap applies to fit(); partial_fit needs n_bootstrap = 0");
  const std::vector<long> groups = check_score_groups(score_groups, x.cols(), "score_groups");
  if (fitted_) {  // (prepare_training_data checks the column count against the scaling)
    if (groups != score_groups_) throw std::invalid_argument("score_groups differ from the model's");
    if (task_ == Task::classification && n_classes != n_outputs())
      throw std::invalid_argument("n_classes is " + std::to_string(n_classes) + ", but the model has " +
                                  std::to_string(n_outputs()) + " classes");
  }
  const Scaling scaling{fit_.input_mean, fit_.input_scale, fit_.target_mean, fit_.target_scale};
  const Eigen::VectorXd all_steps;
  TrainingInput input{x, 1, all_steps, y, sample_weight, n_classes, nullptr};
  input.scaling = fitted_ ? &scaling : nullptr;
  input.incremental = true;
  TrainingData data = prepare_training_data(params_, task_, input);
  // Trains a copy: this estimator changes only once the pass is complete.
  Estimator next(*this);
  if (!fitted_) {
    next.network_ = Network(data.channels, params_.hidden_layer_sizes, data.n_outputs,
                            activation_from_string(params_.activation), params_.scores_layer, params_.temperature,
                            gate_kind_from_string(params_.gate), params_.snr_budget, groups);
    next.score_groups_ = groups;
  }
  const double loss = train_pass(next.network_, params_, task_, data, next.incremental_, !fitted_, callbacks);
  if (!fitted_) {
    TrainingRecord record;
    record.best_epoch = 1;
    next.fit_ = FitSummary(data, std::move(record));
  }
  FitSummary& f = next.fit_;
  f.loss_curve.push_back(loss);
  f.validation_loss_curve.clear();
  f.validation_score_curve.clear();
  f.max_epochs_reached = false;
  f.best_epoch = static_cast<long>(f.loss_curve.size());  // the current weights are the model
  if (next.network_.has_scores_layer()) {
    const Eigen::VectorXd w = next.network_.scores_layer().weights();
    Eigen::MatrixXd history(f.scores_history.rows() + 1, w.size());
    if (f.scores_history.rows() > 0) history.topRows(f.scores_history.rows()) = f.scores_history;
    history.row(history.rows() - 1) = w.transpose();
    f.scores_history = std::move(history);
  }
  next.fitted_ = true;
  *this = std::move(next);
}

ModelState Estimator::state() const {
  check_fitted();
  ModelState s;
  s.task = to_string(task_);
  s.n_outputs = n_outputs();
  fit_.write(s, network_.has_scores_layer() ? &network_.scores_layer().raw_scores() : nullptr);
  if (!score_groups_.empty())
    s.arrays["score_groups"] = to_named(std::vector<double>(score_groups_.begin(), score_groups_.end()));
  const auto& layers = network_.layers();
  for (std::size_t l = 0; l < layers.size(); ++l) {
    s.arrays[layer_name(l, "weight")] = to_named(layers[l].weight);
    s.arrays[layer_name(l, "bias")] = to_named(layers[l].bias);
  }
  write_incremental_state(incremental_, s);
  return s;
}

Estimator::Estimator(Params params, const ModelState& s)
    : Estimator(loadable_params(std::move(params)), task_from_string(s.task)) {
  check_state(params_, s);  // before any allocation sized by the state
  const long d = s.n_features, k = s.n_outputs;
  score_groups_ = score_groups_of(s);
  network_ = Network(d, params_.hidden_layer_sizes, k, activation_from_string(params_.activation),
                     params_.scores_layer, params_.temperature, gate_kind_from_string(params_.gate),
                     params_.snr_budget, score_groups_);
  fit_.read(s, params_, params_.scores_layer ? &network_.scores_layer().raw_scores() : nullptr);
  auto& layers = network_.layers();
  for (std::size_t l = 0; l < layers.size(); ++l) {
    layers[l].weight = matrix_from(s.require(layer_name(l, "weight"), {layers[l].n_in(), layers[l].n_out()}));
    layers[l].bias = vector_from(s.require(layer_name(l, "bias"), {layers[l].n_out()}));
  }
  incremental_ = read_incremental_state(s, network_.parameters(), params_);
  fitted_ = true;
}

void Estimator::check_fitted() const {
  if (!fitted_) throw std::logic_error("this estimator is not fitted yet; call fit first");
}

void Estimator::check_input(const MatrixView& x, const char* name) const { check_tabular_input(x, n_features(), name); }

Eigen::MatrixXd Estimator::standardise(const MatrixView& x) const {
  return standardise_rows(x, fit_.input_mean, fit_.input_scale);
}

Eigen::MatrixXd Estimator::decision_function(const MatrixView& x) const {
  check_fitted();
  check_input(x, "X");
  Eigen::MatrixXd out = by_row_blocks(x.rows(), n_outputs(), 1024, params_.n_threads, [&](long start, long rows) {
    return network_.predict(kernel_path_, standardise(x.middleRows(start, rows)));
  });
  fit_.to_output_units(task_, out);
  return out;
}

Eigen::MatrixXd Estimator::predict_proba(const MatrixView& x) const {
  if (task_ != Task::classification)
    throw std::logic_error("predict_proba is only defined for classification");
  Eigen::MatrixXd probabilities;
  softmax_rows(decision_function(x), probabilities);
  return probabilities;
}

Eigen::VectorXd Estimator::scores() const {
  check_fitted();
  if (!network_.has_scores_layer())
    throw std::logic_error("scores are only available when the model has the scores layer (scores_layer=True)");
  return network_.scores_layer().weights();
}

}  // namespace scoresactivation
