#include "scoresactivation/estimator.hpp"

#include <cmath>
#include <stdexcept>

#include "scoresactivation/bootstrap.hpp"
#include "scoresactivation/loss.hpp"
#include "scoresactivation/parallel.hpp"

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

void Estimator::fit(const MatrixView& x, const Eigen::VectorXd& y, const Eigen::VectorXd& sample_weight,
                    long n_classes, const Callbacks& callbacks) {
  params_.validate();
  const Eigen::VectorXd all_steps;
  TrainingData data = prepare_training_data(params_, task_, TrainingInput{x, 1, all_steps, y, sample_weight, n_classes});
  // Trains a copy: this estimator changes only once the new fit is complete.
  Estimator next(params_, task_);
  next.network_ = Network(data.channels, params_.hidden_layer_sizes, data.n_outputs,
                          activation_from_string(params_.activation), params_.scores_layer, params_.temperature,
                          gate_kind_from_string(params_.gate), params_.snr_budget);
  TrainingRecord record = train_model(next.network_, params_, task_, data, callbacks);
  next.input_mean_ = std::move(data.input_mean);
  next.input_scale_ = std::move(data.input_scale);
  next.target_mean_ = data.target_mean;
  next.target_scale_ = data.target_scale;
  next.scores_history_ = std::move(record.scores_history);
  next.loss_curve_ = std::move(record.loss_curve);
  next.validation_loss_curve_ = std::move(record.validation_loss_curve);
  next.best_epoch_ = record.best_epoch;
  next.scores_bootstrap_.resize(0, data.channels);
  if (params_.scores_layer && params_.n_bootstrap > 0) {
    data = TrainingData();  // the replicates standardise their own resamples
    const Task task = task_;
    auto fit_replicate = [&](const std::vector<long>& rows, const Params& p, const Callbacks& replicate_callbacks) {
      const long n = static_cast<long>(rows.size());
      Eigen::MatrixXd xb(n, x.cols());
      Eigen::VectorXd yb(n), wb(sample_weight.size() == 0 ? 0 : n);
      for (long i = 0; i < n; ++i) {
        xb.row(i) = x.row(rows[static_cast<std::size_t>(i)]);
        yb[i] = y[rows[static_cast<std::size_t>(i)]];
        if (wb.size() > 0) wb[i] = sample_weight[rows[static_cast<std::size_t>(i)]];
      }
      Estimator replicate(p, task);
      replicate.fit(xb, yb, wb, n_classes, replicate_callbacks);
      return replicate.scores();
    };
    next.scores_bootstrap_ = bootstrap_scores(params_, x.rows(), x.cols(), params_.n_bootstrap, fit_replicate, callbacks);
  }
  next.fitted_ = true;
  *this = std::move(next);
}

namespace {
// Row-major (C order) copy of a matrix, and back.
NamedArray to_named(const Eigen::MatrixXd& m) {
  NamedArray a;
  a.shape = {static_cast<long>(m.rows()), static_cast<long>(m.cols())};
  a.data.resize(static_cast<std::size_t>(m.size()));
  for (long i = 0; i < m.rows(); ++i)
    for (long j = 0; j < m.cols(); ++j) a.data[static_cast<std::size_t>(i * m.cols() + j)] = m(i, j);
  return a;
}
NamedArray to_named(const Eigen::VectorXd& v) {
  NamedArray a;
  a.shape = {static_cast<long>(v.size())};
  a.data.assign(v.data(), v.data() + v.size());
  return a;
}
NamedArray to_named(const std::vector<double>& v) {
  return NamedArray{{static_cast<long>(v.size())}, v};
}
Eigen::MatrixXd matrix_from(const NamedArray& a) {
  Eigen::MatrixXd m(a.shape[0], a.shape[1]);
  for (long i = 0; i < m.rows(); ++i)
    for (long j = 0; j < m.cols(); ++j) m(i, j) = a.data[static_cast<std::size_t>(i * m.cols() + j)];
  return m;
}
Eigen::VectorXd vector_from(const NamedArray& a) {
  return Eigen::Map<const Eigen::VectorXd>(a.data.data(), static_cast<long>(a.data.size()));
}
std::string layer_name(std::size_t l, const char* what) {
  return "dense_" + std::to_string(l) + "_" + what;
}
}  // namespace

ModelState Estimator::state() const {
  check_fitted();
  ModelState s;
  s.task = to_string(task_);
  s.n_features = n_features();
  s.n_outputs = n_outputs();
  s.n_epochs_run = n_epochs_run();
  s.best_epoch = best_epoch_;
  s.arrays["input_mean"] = to_named(input_mean_);
  s.arrays["input_scale"] = to_named(input_scale_);
  s.arrays["target_mean"] = NamedArray{{1}, {target_mean_}};
  s.arrays["target_scale"] = NamedArray{{1}, {target_scale_}};
  if (network_.has_scores_layer()) {
    s.arrays["scores"] = to_named(network_.scores_layer().raw_scores());
    s.arrays["scores_history"] = to_named(scores_history_);
    if (scores_bootstrap_.size() > 0) s.arrays["scores_bootstrap"] = to_named(scores_bootstrap_);
  }
  const auto& layers = network_.layers();
  for (std::size_t l = 0; l < layers.size(); ++l) {
    s.arrays[layer_name(l, "weight")] = to_named(layers[l].weight);
    s.arrays[layer_name(l, "bias")] = to_named(layers[l].bias);
  }
  s.arrays["loss_curve"] = to_named(loss_curve_);
  s.arrays["validation_loss_curve"] = to_named(validation_loss_curve_);
  return s;
}

namespace {
// A model saved with kernel="avx2" still loads on a CPU without AVX2: the
// portable kernel computes the same function.
Params loadable(Params params) {
  if (params.kernel == "avx2" && !avx2_kernels_available()) params.kernel = "portable";
  return params;
}
}  // namespace

Estimator::Estimator(Params params, const ModelState& s)
    : Estimator(loadable(std::move(params)), task_from_string(s.task)) {
  check_state(params_, s);  // before any allocation sized by the state
  const long d = s.n_features, k = s.n_outputs, epochs = s.n_epochs_run;
  network_ = Network(d, params_.hidden_layer_sizes, k, activation_from_string(params_.activation),
                     params_.scores_layer, params_.temperature, gate_kind_from_string(params_.gate),
                     params_.snr_budget);
  input_mean_ = vector_from(s.require("input_mean", {d}));
  input_scale_ = vector_from(s.require("input_scale", {d}));
  target_mean_ = s.require("target_mean", {1}).data[0];
  target_scale_ = s.require("target_scale", {1}).data[0];
  if (params_.scores_layer) {
    network_.scores_layer().raw_scores() = vector_from(s.require("scores", {d}));
    scores_history_ = matrix_from(s.require("scores_history", {epochs, d}));
    if (params_.n_bootstrap > 0) scores_bootstrap_ = matrix_from(s.require("scores_bootstrap", {params_.n_bootstrap, d}));
  }
  auto& layers = network_.layers();
  for (std::size_t l = 0; l < layers.size(); ++l) {
    layers[l].weight = matrix_from(s.require(layer_name(l, "weight"), {layers[l].n_in(), layers[l].n_out()}));
    layers[l].bias = vector_from(s.require(layer_name(l, "bias"), {layers[l].n_out()}));
  }
  loss_curve_ = s.require("loss_curve", {epochs}).data;
  auto it = s.arrays.find("validation_loss_curve");
  if (it != s.arrays.end()) validation_loss_curve_ = it->second.data;
  best_epoch_ = s.best_epoch;
  fitted_ = true;
}

void Estimator::check_fitted() const {
  if (!fitted_) throw std::logic_error("this estimator is not fitted yet; call fit first");
}

void Estimator::check_input(const MatrixView& x, const char* name) const {
  if (x.cols() != n_features())
    throw std::invalid_argument(std::string(name) + " has " + std::to_string(x.cols()) +
                                " features, but the model expects " + std::to_string(n_features()));
  if (!x.allFinite()) throw std::invalid_argument(std::string(name) + " contains NaN or infinity");
}

Eigen::MatrixXd Estimator::standardise(const MatrixView& x) const {
  Eigen::MatrixXd out = (x.rowwise() - input_mean_.transpose()).array().rowwise() / input_scale_.transpose().array();
  if (!out.allFinite())
    throw std::invalid_argument("X holds values too far from the training data for this model to represent "
                                "(|x - mean| / scale overflows)");
  return out;
}

Eigen::MatrixXd Estimator::decision_function(const MatrixView& x) const {
  check_fitted();
  check_input(x, "X");
  // Fixed row blocks: the same numbers whatever the thread count.
  constexpr long block = 1024;
  const long n = x.rows();
  const long n_blocks = (n + block - 1) / block;
  Eigen::MatrixXd out(n, n_outputs());
  parallel_for(n_blocks, params_.n_threads, [&](long b) {
    const long start = b * block, rows = std::min(block, n - start);
    out.middleRows(start, rows) = network_.predict(kernel_path_, standardise(x.middleRows(start, rows)));
  });
  if (task_ == Task::regression) out = (out.array() * target_scale_ + target_mean_).matrix();
  // Inputs far outside the training data can overflow the network: say so
  // rather than return infinities or a silent class 0.
  if (!out.allFinite())
    throw std::invalid_argument("X holds values too far from the training data: the model's outputs overflow "
                                "double precision (check X's scale)");
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
