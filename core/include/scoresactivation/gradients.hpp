// Gradient-based attributions of the raw output of one target (class logit
// or regression value, original units), all with respect to the inputs in
// their original units:
//  - gradient:              df/dx_i (saliency)
//  - gradient_times_input:  x_i * df/dx_i
//  - integrated_gradients:  (x_i - x0_i) * integral_0^1 df/dx_i(x0 + a (x - x0)) da
//    by Gauss-Legendre or a Riemann rule with n_steps points (Sundararajan
//    et al. 2017); sums to f(x) - f(x0) up to the quadrature error. With
//    several references the attributions are averaged.
#pragma once

#include <Eigen/Core>
#include <string>
#include <vector>

#include "scoresactivation/explained_model.hpp"

namespace scoresactivation {

enum class Quadrature { gauss_legendre, riemann_left, riemann_right, riemann_middle, riemann_trapezoid };
Quadrature quadrature_from_string(const std::string& name);

// Points in [0, 1] and weights summing to 1.
void quadrature_rule(Quadrature rule, long n_steps, std::vector<double>& points, std::vector<double>& weights);

Eigen::MatrixXd input_gradient(const ExplainedModel& model, const Eigen::MatrixXd& x, long target, int n_threads);

Eigen::MatrixXd gradient_times_input(const ExplainedModel& model, const Eigen::MatrixXd& x, long target,
                                     int n_threads);

Eigen::MatrixXd integrated_gradients(const ExplainedModel& model, const Eigen::MatrixXd& x,
                                     const Eigen::MatrixXd& references, long target, long n_steps,
                                     Quadrature rule, int n_threads);

}  // namespace scoresactivation
