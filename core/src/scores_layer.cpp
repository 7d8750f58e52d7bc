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

Eigen::VectorXd ScoresLayer::weights() const {
  const Eigen::VectorXd scaled = scores_ / temperature_;
  const double max = scaled.size() > 0 ? scaled.maxCoeff() : 0.0;
  Eigen::VectorXd w = (scaled.array() - max).exp().matrix();
  return w / w.sum();
}

Eigen::ArrayXd ScoresLayer::snr() const {
  const double d = static_cast<double>(n_features());
  // A weight that underflowed to 0 would make the derivatives 0 * inf.
  return (snr_budget_ * d * weights().array()).max(1e-300);
}

Eigen::VectorXd ScoresLayer::gate() const {
  if (kind_ == GateKind::scale) return static_cast<double>(n_features()) * weights();
  const Eigen::ArrayXd r = snr();
  return (r / (1.0 + r)).sqrt().matrix();
}

Eigen::VectorXd ScoresLayer::noise_scale() const {
  if (kind_ == GateKind::scale) return Eigen::VectorXd::Zero(n_features());
  return (1.0 + snr()).sqrt().inverse().matrix();
}

Eigen::VectorXd ScoresLayer::gate_derivative() const {
  const double d = static_cast<double>(n_features());
  if (kind_ == GateKind::scale) return Eigen::VectorXd::Constant(n_features(), d);
  // d/dr sqrt(r / (1 + r)) = 1 / (2 sqrt(r) (1 + r)^1.5), and dr/dw = c d.
  const Eigen::ArrayXd r = snr();
  return (snr_budget_ * d * 0.5 * r.sqrt().inverse() * (1.0 + r).pow(-1.5)).matrix();
}

Eigen::VectorXd ScoresLayer::noise_scale_derivative() const {
  const double d = static_cast<double>(n_features());
  if (kind_ == GateKind::scale) return Eigen::VectorXd::Zero(n_features());
  // d/dr (1 + r)^-0.5 = -0.5 (1 + r)^-1.5
  const Eigen::ArrayXd r = snr();
  return (-0.5 * snr_budget_ * d * (1.0 + r).pow(-1.5)).matrix();
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
  return (gate_derivative().array() * (grad_out.array() * x.array()).colwise().sum().transpose()).matrix();
}

Eigen::VectorXd ScoresLayer::weights_gradient_from_products(const Eigen::MatrixXd& input_times_grad,
                                                           const Eigen::MatrixXd& first_weight,
                                                           const Eigen::MatrixXd* noise_times_grad) const {
  Eigen::VectorXd g =
      (gate_derivative().array() * (input_times_grad.array() * first_weight.array()).rowwise().sum()).matrix();
  if (noise_times_grad != nullptr)
    g.array() += noise_scale_derivative().array() * (noise_times_grad->array() * first_weight.array()).rowwise().sum();
  return g;
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
