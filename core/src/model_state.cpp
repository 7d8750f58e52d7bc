#include "scoresactivation/model_state.hpp"

#include "scoresactivation/scores_layer.hpp"

#include <cmath>
#include <map>
#include <stdexcept>

namespace scoresactivation {

namespace {
std::string shape_string(const std::vector<long>& shape) {
  std::string out = "[";
  for (std::size_t i = 0; i < shape.size(); ++i) out += (i ? ", " : "") + std::to_string(shape[i]);
  return out + "]";
}

void require(bool ok, const std::string& message) {
  if (!ok) throw std::invalid_argument(message);
}
}  // namespace

const NamedArray& ModelState::require(const std::string& name, const std::vector<long>& shape) const {
  auto it = arrays.find(name);
  if (it == arrays.end()) throw std::invalid_argument("model state has no array '" + name + "'");
  long size = 1;
  for (long extent : shape) size *= extent;
  if (it->second.shape != shape || static_cast<long>(it->second.data.size()) != size)
    throw std::invalid_argument("model state array '" + name + "' has shape " +
                                shape_string(it->second.shape) + ", expected " + shape_string(shape));
  return it->second;
}

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
NamedArray to_named(const std::vector<double>& v) { return NamedArray{{static_cast<long>(v.size())}, v}; }
Eigen::MatrixXd matrix_from(const NamedArray& a) {
  Eigen::MatrixXd m(a.shape[0], a.shape[1]);
  for (long i = 0; i < m.rows(); ++i)
    for (long j = 0; j < m.cols(); ++j) m(i, j) = a.data[static_cast<std::size_t>(i * m.cols() + j)];
  return m;
}
Eigen::VectorXd vector_from(const NamedArray& a) {
  return Eigen::Map<const Eigen::VectorXd>(a.data.data(), static_cast<long>(a.data.size()));
}

void check_state(const Params& params, const ModelState& s) {
  std::map<std::string, std::vector<long>> dense;
  long n_in = s.n_features;
  const std::size_t n_layers = params.hidden_layer_sizes.size() + 1;
  for (std::size_t l = 0; l < n_layers; ++l) {
    const long n_out = l + 1 < n_layers ? params.hidden_layer_sizes[l] : s.n_outputs;
    dense["dense_" + std::to_string(l) + "_weight"] = {n_in, n_out};
    dense["dense_" + std::to_string(l) + "_bias"] = {n_out};
    n_in = n_out;
  }
  check_state_with(params, s, dense, true);
}

std::vector<long> score_groups_of(const ModelState& s) {
  auto it = s.arrays.find("score_groups");
  if (it == s.arrays.end()) return {};
  const NamedArray& a = it->second;
  require(a.shape.size() == 1 && a.shape[0] >= 1 && a.shape[0] <= s.n_features &&
              static_cast<long>(a.data.size()) == a.shape[0],
          "model state array 'score_groups' must hold 1 to n_features column counts");
  std::vector<long> sizes;
  for (double v : a.data) {
    require(std::isfinite(v) && v >= 1.0 && v <= static_cast<double>(s.n_features) && v == std::floor(v),
            "model state array 'score_groups' must hold positive integers");
    sizes.push_back(static_cast<long>(v));
  }
  const std::vector<long> checked = check_score_groups(sizes, s.n_features, "model state array 'score_groups'");
  require(!checked.empty(), "model state array 'score_groups' must have a group of several columns (else omit it)");
  return checked;
}

void check_state_with(const Params& params, const ModelState& s,
                      const std::map<std::string, std::vector<long>>& model_arrays, bool score_groups_allowed) {
  const bool classification = s.task == "classification";
  require(classification || s.task == "regression", "model state: task must be 'classification' or 'regression'");
  const long d = s.n_features, k = s.n_outputs, epochs = s.n_epochs_run;
  require(d >= 1 && d <= kMaxDimension, "model state: n_features must be in [1, " + std::to_string(kMaxDimension) + "]");
  require(classification ? (k >= 2 && k <= kMaxDimension) : k == 1,
          classification ? "model state: a classification model needs n_outputs in [2, " + std::to_string(kMaxDimension) + "]"
                         : std::string("model state: a regression model has n_outputs = 1"));
  require(epochs >= 1 && epochs <= 2 * kMaxEpochs, "model state: n_epochs_run must be in [1, " +
                                                       std::to_string(2 * kMaxEpochs) + "]");
  require(s.best_epoch >= 1 && s.best_epoch <= epochs, "model state: best_epoch must be in [1, n_epochs_run]");

  // Every array the model has, with its shape; sizes stay far from overflow
  // (each factor <= 2^24), and the data must actually hold that many values.
  std::map<std::string, std::vector<long>> expected = {
      {"input_mean", {d}}, {"input_scale", {d}}, {"target_mean", {1}}, {"target_scale", {1}},
      {"loss_curve", {epochs}},
  };
  // Score groups: a categorical variable's columns share one score.
  long n_scores = d;
  if (score_groups_allowed && s.arrays.count("score_groups") == 1) {
    const std::vector<long> groups = score_groups_of(s);
    n_scores = static_cast<long>(groups.size());
    expected["score_groups"] = {n_scores};
  }
  if (params.scores_layer) {
    expected["scores"] = {n_scores};
    expected["scores_history"] = {epochs, n_scores};
    if (params.n_bootstrap > 0) expected["scores_bootstrap"] = {params.n_bootstrap, n_scores};
  }
  expected.insert(model_arrays.begin(), model_arrays.end());
  // partial_fit's optimiser state (training.hpp, write_incremental_state):
  // all three or none; the moments' sizes are checked where they are read.
  if (s.arrays.count("partial_fit_counters") == 1) {
    expected["partial_fit_counters"] = {3};
    for (const char* name : {"optimizer_first_moment", "optimizer_second_moment"}) {
      auto it = s.arrays.find(name);
      require(it != s.arrays.end() && it->second.shape.size() == 1 &&
                  static_cast<long>(it->second.data.size()) == it->second.shape[0] &&
                  it->second.shape[0] <= kMaxDimension,
              "model state array '" + std::string(name) + "' must be a vector (with partial_fit_counters)");
      expected[name] = it->second.shape;
    }
  }
  for (const auto& kv : s.arrays) {
    if (kv.first == "validation_loss_curve" || kv.first == "validation_score_curve") {  // empty without validation
      const auto& a = kv.second;
      require(a.shape.size() == 1 && (a.shape[0] == 0 || a.shape[0] == epochs) &&
                  static_cast<long>(a.data.size()) == a.shape[0],
              "model state array '" + kv.first + "' must have 0 or n_epochs_run values");
      continue;
    }
    require(expected.count(kv.first) == 1, "model state has an unexpected array '" + kv.first +
                                               "' (it does not belong to a model with these params)");
  }
  for (const auto& kv : expected) {
    const NamedArray& a = s.require(kv.first, kv.second);
    for (double v : a.data) require(std::isfinite(v), "model state array '" + kv.first + "' holds NaN or infinity");
  }
  for (double v : s.arrays.at("input_scale").data)
    require(v > 0.0, "model state array 'input_scale' must be positive");
  require(s.arrays.at("target_scale").data[0] > 0.0, "model state array 'target_scale' must be positive");
  for (const char* name : {"validation_loss_curve", "validation_score_curve"})
    if (auto it = s.arrays.find(name); it != s.arrays.end())
      for (double v : it->second.data)
        require(!std::isnan(v), "model state array '" + std::string(name) + "' holds NaN");
}

}  // namespace scoresactivation
