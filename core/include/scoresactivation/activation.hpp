// Element-wise activation functions of the hidden layers.
#pragma once

#include <Eigen/Core>
#include <string>

namespace scoresactivation {

enum class Activation { relu, tanh, logistic, identity };

Activation activation_from_string(const std::string& name);
std::string to_string(Activation activation);

// out = f(z), element-wise.
void apply_activation(Activation activation, const Eigen::MatrixXd& z, Eigen::MatrixXd& out);

// grad <- grad * f'(z), written with the activation output a = f(z) where that
// is cheaper (relu, tanh, logistic only need a).
void multiply_by_derivative(Activation activation, const Eigen::MatrixXd& activated,
                            Eigen::MatrixXd& grad);

// f'(z) and f''(z) element-wise, from a = f(z) (relu: 1[a > 0] and 0), for
// passes that differentiate a backward pass again (SENN's robustness penalty).
Eigen::MatrixXd derivative_from_output(Activation activation, const Eigen::MatrixXd& activated);
Eigen::MatrixXd second_derivative_from_output(Activation activation, const Eigen::MatrixXd& activated);

}  // namespace scoresactivation
