// A fully connected layer: z = a * W + 1 b^T, rows are samples.
#pragma once

#include <Eigen/Core>

#include "scoresactivation/kernels.hpp"
#include "scoresactivation/random.hpp"

namespace scoresactivation {

struct DenseLayer {
  Eigen::MatrixXd weight;  // (n_in, n_out)
  Eigen::VectorXd bias;    // (n_out)

  DenseLayer() = default;
  DenseLayer(long n_in, long n_out) : weight(n_in, n_out), bias(Eigen::VectorXd::Zero(n_out)) {}

  long n_in() const { return weight.rows(); }
  long n_out() const { return weight.cols(); }

  // Glorot/Xavier uniform, as scikit-learn's MLP (factor 2 for logistic),
  // row by row so the draw order is fixed. Biases start at zero.
  void initialise(Random& random, bool logistic_output);

  // z = input * weight + bias
  void forward(KernelPath path, const Eigen::MatrixXd& input, Eigen::MatrixXd& z) const;

  // Given dL/dz, the parameter gradients and (when wanted) dL/dinput.
  void backward(KernelPath path, const Eigen::MatrixXd& input, const Eigen::MatrixXd& grad_z,
                Eigen::MatrixXd& grad_weight, Eigen::VectorXd& grad_bias,
                Eigen::MatrixXd* grad_input) const;
};

}  // namespace scoresactivation
