#include "scoresactivation/dense_layer.hpp"

#include <cmath>

namespace scoresactivation {

void DenseLayer::initialise(Random& random, bool logistic_output) {
  const double factor = logistic_output ? 2.0 : 6.0;
  const double bound = std::sqrt(factor / static_cast<double>(n_in() + n_out()));
  for (long i = 0; i < n_in(); ++i)
    for (long j = 0; j < n_out(); ++j) weight(i, j) = random.uniform(-bound, bound);
  bias.setZero();
}

void DenseLayer::forward(KernelPath path, const Eigen::MatrixXd& input, Eigen::MatrixXd& z) const {
  matmul(path, input, false, weight, false, z);
  z.rowwise() += bias.transpose();
}

void DenseLayer::backward(KernelPath path, const Eigen::MatrixXd& input, const Eigen::MatrixXd& grad_z,
                          Eigen::MatrixXd& grad_weight, Eigen::VectorXd& grad_bias,
                          Eigen::MatrixXd* grad_input) const {
  matmul(path, input, true, grad_z, false, grad_weight);
  grad_bias = grad_z.colwise().sum().transpose();
  if (grad_input != nullptr) matmul(path, grad_z, false, weight, true, *grad_input);
}

}  // namespace scoresactivation
