#include "scoresactivation/scores_layer.hpp"

#include <cmath>

namespace scoresactivation {

Eigen::VectorXd ScoresLayer::weights() const {
  const Eigen::VectorXd scaled = scores_ / temperature_;
  const double max = scaled.size() > 0 ? scaled.maxCoeff() : 0.0;
  Eigen::VectorXd w = (scaled.array() - max).exp().matrix();
  return w / w.sum();
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
  const double d = static_cast<double>(n_features());
  return d * (grad_out.array() * x.array()).colwise().sum().transpose().matrix();
}

Eigen::VectorXd ScoresLayer::weights_gradient_from_products(const Eigen::MatrixXd& input_times_grad,
                                                           const Eigen::MatrixXd& first_weight) const {
  const double d = static_cast<double>(n_features());
  return d * (input_times_grad.array() * first_weight.array()).rowwise().sum().matrix();
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
