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
#include <functional>
#include <string>
#include <vector>

#include "scoresactivation/attribution_limits.hpp"
#include "scoresactivation/explained_model.hpp"

namespace scoresactivation {

enum class Quadrature { gauss_legendre, riemann_left, riemann_right, riemann_middle, riemann_trapezoid };
Quadrature quadrature_from_string(const std::string& name);

// Points in [0, 1] (ascending) and weights summing to 1; n_steps in
// [1, kMaxIntegrationSteps]. Gauss-Legendre costs O(n_steps): Newton on the
// three-term recurrence for n_steps <= 100 and for the few nodes nearest the
// ends, Newton on Stieltjes' asymptotic expansion for the others.
void quadrature_rule(Quadrature rule, long n_steps, std::vector<double>& points, std::vector<double>& weights);

// interrupt_requested (optional) is polled about every 0.1 s on the calling
// thread; a true answer throws Interrupted.
Eigen::MatrixXd input_gradient(const ExplainedModel& model, const Eigen::MatrixXd& x, long target, int n_threads,
                               const std::function<bool()>& interrupt_requested = nullptr);

Eigen::MatrixXd gradient_times_input(const ExplainedModel& model, const Eigen::MatrixXd& x, long target,
                                     int n_threads, const std::function<bool()>& interrupt_requested = nullptr);

Eigen::MatrixXd integrated_gradients(const ExplainedModel& model, const Eigen::MatrixXd& x,
                                     const Eigen::MatrixXd& references, long target, long n_steps,
                                     Quadrature rule, int n_threads,
                                     const std::function<bool()>& interrupt_requested = nullptr);

}  // namespace scoresactivation
