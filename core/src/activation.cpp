#include "scoresactivation/activation.hpp"

#include <stdexcept>

namespace scoresactivation {

Activation activation_from_string(const std::string& name) {
  if (name == "relu") return Activation::relu;
  if (name == "tanh") return Activation::tanh;
  if (name == "logistic") return Activation::logistic;
  if (name == "identity") return Activation::identity;
  throw std::invalid_argument("activation must be one of 'relu', 'tanh', 'logistic', 'identity'; got '" +
                              name + "'");
}

std::string to_string(Activation activation) {
  switch (activation) {
    case Activation::relu: return "relu";
    case Activation::tanh: return "tanh";
    case Activation::logistic: return "logistic";
    case Activation::identity: return "identity";
  }
  return "relu";
}

void apply_activation(Activation activation, const Eigen::MatrixXd& z, Eigen::MatrixXd& out) {
  switch (activation) {
    case Activation::relu: out = z.cwiseMax(0.0); break;
    case Activation::tanh: out = z.array().tanh().matrix(); break;
    case Activation::logistic: out = (1.0 / (1.0 + (-z.array()).exp())).matrix(); break;
    case Activation::identity: out = z; break;
  }
}

void multiply_by_derivative(Activation activation, const Eigen::MatrixXd& activated,
                            Eigen::MatrixXd& grad) {
  switch (activation) {
    case Activation::relu:
      grad = (activated.array() > 0.0).select(grad, 0.0);
      break;
    case Activation::tanh:
      grad.array() *= 1.0 - activated.array().square();
      break;
    case Activation::logistic:
      grad.array() *= activated.array() * (1.0 - activated.array());
      break;
    case Activation::identity:
      break;
  }
}

Eigen::MatrixXd derivative_from_output(Activation activation, const Eigen::MatrixXd& activated) {
  Eigen::MatrixXd derivative = Eigen::MatrixXd::Ones(activated.rows(), activated.cols());
  multiply_by_derivative(activation, activated, derivative);  // the one place f' is written
  return derivative;
}

Eigen::MatrixXd second_derivative_from_output(Activation activation, const Eigen::MatrixXd& activated) {
  const auto a = activated.array();
  switch (activation) {
    case Activation::tanh: return (-2.0 * a * (1.0 - a.square())).matrix();
    case Activation::logistic: return (a * (1.0 - a) * (1.0 - 2.0 * a)).matrix();
    case Activation::relu:
    case Activation::identity: break;
  }
  return Eigen::MatrixXd::Zero(activated.rows(), activated.cols());
}

}  // namespace scoresactivation
