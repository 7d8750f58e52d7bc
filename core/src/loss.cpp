#include "scoresactivation/loss.hpp"

#include <cmath>
#include <limits>
#include <stdexcept>

namespace scoresactivation {

void softmax_rows(const Eigen::MatrixXd& logits, Eigen::MatrixXd& probabilities) {
  probabilities = logits;
  for (long i = 0; i < logits.rows(); ++i) {
    const double max = logits.row(i).maxCoeff();
    probabilities.row(i) = (logits.row(i).array() - max).exp().matrix();
    probabilities.row(i) /= probabilities.row(i).sum();
  }
}

double softmax_cross_entropy(const Eigen::MatrixXd& logits, const Eigen::VectorXd& labels,
                             const Eigen::VectorXd& sample_weight, double normaliser,
                             Eigen::MatrixXd* grad) {
  if (!(normaliser > 0.0)) throw std::invalid_argument("loss normaliser must be positive");
  Eigen::MatrixXd probabilities;
  softmax_rows(logits, probabilities);
  double loss = 0.0;
  constexpr double tiny = std::numeric_limits<double>::min();
  for (long i = 0; i < logits.rows(); ++i) {
    const long label = static_cast<long>(labels[i]);
    loss -= sample_weight[i] * std::log(std::max(probabilities(i, label), tiny));
  }
  if (grad != nullptr) {
    *grad = probabilities;
    for (long i = 0; i < logits.rows(); ++i) {
      (*grad)(i, static_cast<long>(labels[i])) -= 1.0;
      grad->row(i) *= sample_weight[i] / normaliser;
    }
  }
  return loss / normaliser;
}

double squared_error(const Eigen::MatrixXd& predictions, const Eigen::MatrixXd& targets,
                     const Eigen::VectorXd& sample_weight, double normaliser, Eigen::MatrixXd* grad) {
  if (!(normaliser > 0.0)) throw std::invalid_argument("loss normaliser must be positive");
  const Eigen::MatrixXd residual = predictions - targets;
  const double loss =
      0.5 * (residual.array().square().rowwise().sum() * sample_weight.array()).sum() / normaliser;
  if (grad != nullptr) *grad = residual.array().colwise() * (sample_weight.array() / normaliser);
  return loss;
}

double prediction_loss(bool classification, const Eigen::MatrixXd& outputs, const Eigen::VectorXd& targets,
                       const Eigen::VectorXd& sample_weight, double normaliser, Eigen::MatrixXd* grad) {
  return classification ? softmax_cross_entropy(outputs, targets, sample_weight, normaliser, grad)
                        : squared_error(outputs, targets, sample_weight, normaliser, grad);
}

}  // namespace scoresactivation
