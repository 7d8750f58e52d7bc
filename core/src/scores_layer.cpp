#include "scoresactivation/scores_layer.hpp"

#include <cmath>
#include <stdexcept>

namespace scoresactivation {

GateKind gate_kind_from_string(const std::string& name) {
  if (name == "snr") return GateKind::snr;
  if (name == "scale") return GateKind::scale;
  throw std::invalid_argument("gate must be 'snr' or 'scale'; got '" + name + "'");
}

std::string to_string(GateKind kind) { return kind == GateKind::snr ? "snr" : "scale"; }

std::vector<long> check_score_groups(const std::vector<long>& group_sizes, long n_inputs, const char* name) {
  if (group_sizes.empty()) return {};
  long total = 0;
  bool all_single = true;
  for (long size : group_sizes) {
    if (size < 1 || size > n_inputs)
      throw std::invalid_argument(std::string(name) + " must be positive column counts; got " + std::to_string(size));
    total += size;
    all_single = all_single && size == 1;
  }
  if (total != n_inputs)
    throw std::invalid_argument(std::string(name) + " must sum to the " + std::to_string(n_inputs) +
                                " input columns; they sum to " + std::to_string(total));
  return all_single ? std::vector<long>() : group_sizes;
}

ScoresLayer::ScoresLayer(long n_inputs, double temperature, GateKind kind, double snr_budget,
                         const std::vector<long>& group_sizes)
    : temperature_(temperature),
      kind_(kind),
      snr_budget_(snr_budget),
      n_inputs_(n_inputs),
      group_sizes_(check_score_groups(group_sizes, n_inputs, "score_groups")) {
  scores_ = Eigen::VectorXd::Zero(group_sizes_.empty() ? n_inputs : static_cast<long>(group_sizes_.size()));
}

Eigen::VectorXd ScoresLayer::expand(const Eigen::VectorXd& per_score) const {
  if (group_sizes_.empty()) return per_score;
  Eigen::VectorXd out(n_inputs_);
  long column = 0;
  for (std::size_t g = 0; g < group_sizes_.size(); ++g) {
    out.segment(column, group_sizes_[g]).setConstant(per_score[static_cast<long>(g)]);
    column += group_sizes_[g];
  }
  return out;
}

Eigen::VectorXd ScoresLayer::collapse(const Eigen::VectorXd& per_column) const {
  if (group_sizes_.empty()) return per_column;
  Eigen::VectorXd out(n_scores());
  long column = 0;
  for (std::size_t g = 0; g < group_sizes_.size(); ++g) {
    out[static_cast<long>(g)] = per_column.segment(column, group_sizes_[g]).sum();
    column += group_sizes_[g];
  }
  return out;
}

Eigen::VectorXd ScoresLayer::weights() const {
  const Eigen::VectorXd scaled = scores_ / temperature_;
  const double max = scaled.size() > 0 ? scaled.maxCoeff() : 0.0;
  Eigen::VectorXd w = (scaled.array() - max).exp().matrix();
  return w / w.sum();
}

Eigen::ArrayXd ScoresLayer::snr() const {
  const double d = static_cast<double>(n_scores());
  // A weight that underflowed to 0 would make the derivatives 0 * inf.
  return (snr_budget_ * d * weights().array()).max(1e-300);
}

Eigen::VectorXd ScoresLayer::gate() const {
  if (kind_ == GateKind::scale) return expand(static_cast<double>(n_scores()) * weights());
  const Eigen::ArrayXd r = snr();
  return expand((r / (1.0 + r)).sqrt().matrix());
}

Eigen::VectorXd ScoresLayer::noise_scale() const {
  if (kind_ == GateKind::scale) return Eigen::VectorXd::Zero(n_inputs_);
  return expand((1.0 + snr()).sqrt().inverse().matrix());
}

Eigen::VectorXd ScoresLayer::gate_derivative() const {
  const double d = static_cast<double>(n_scores());
  if (kind_ == GateKind::scale) return Eigen::VectorXd::Constant(n_inputs_, d);
  // d/dr sqrt(r / (1 + r)) = 1 / (2 sqrt(r) (1 + r)^1.5), and dr/dw = c d.
  const Eigen::ArrayXd r = snr();
  return expand((snr_budget_ * d * 0.5 * r.sqrt().inverse() * (1.0 + r).pow(-1.5)).matrix());
}

Eigen::VectorXd ScoresLayer::noise_scale_derivative() const {
  const double d = static_cast<double>(n_scores());
  if (kind_ == GateKind::scale) return Eigen::VectorXd::Zero(n_inputs_);
  // d/dr (1 + r)^-0.5 = -0.5 (1 + r)^-1.5
  const Eigen::ArrayXd r = snr();
  return expand((-0.5 * snr_budget_ * d * (1.0 + r).pow(-1.5)).matrix());
}

void ScoresLayer::forward(const Eigen::MatrixXd& x, Eigen::MatrixXd& out) const {
  out = x * gate().asDiagonal();
}

Eigen::VectorXd ScoresLayer::softmax_backward(const Eigen::VectorXd& weights, double temperature,
                                              const Eigen::VectorXd& grad_weights) {
  const double mean = weights.dot(grad_weights);
  return (weights.array() * (grad_weights.array() - mean) / temperature).matrix();
}

Eigen::VectorXd ScoresLayer::weights_gradient(const Eigen::MatrixXd& x,
                                              const Eigen::MatrixXd& grad_out) const {
  return collapse((gate_derivative().array() * (grad_out.array() * x.array()).colwise().sum().transpose()).matrix());
}

Eigen::VectorXd ScoresLayer::weights_gradient_from_products(const Eigen::MatrixXd& input_times_grad,
                                                           const Eigen::MatrixXd& first_weight,
                                                           const Eigen::MatrixXd* noise_times_grad) const {
  Eigen::VectorXd g =
      (gate_derivative().array() * (input_times_grad.array() * first_weight.array()).rowwise().sum()).matrix();
  if (noise_times_grad != nullptr)
    g.array() += noise_scale_derivative().array() * (noise_times_grad->array() * first_weight.array()).rowwise().sum();
  return collapse(g);
}

Eigen::VectorXd ScoresLayer::scores_gradient(const Eigen::VectorXd& grad_weights,
                                             double entropy_penalty) const {
  const Eigen::VectorXd w = weights();
  Eigen::VectorXd total = grad_weights;
  // d/dw_i of -sum w log w is -(log w_i + 1)
  if (entropy_penalty != 0.0) total.array() -= entropy_penalty * (w.array().log() + 1.0);
  return softmax_backward(w, temperature_, total);
}

double ScoresLayer::entropy() const {
  const Eigen::VectorXd w = weights();
  double h = 0.0;
  for (long i = 0; i < w.size(); ++i)
    if (w[i] > 0.0) h -= w[i] * std::log(w[i]);
  return h;
}

}  // namespace scoresactivation
