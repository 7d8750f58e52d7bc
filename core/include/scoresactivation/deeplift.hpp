// DeepLIFT (Shrikumar et al., arXiv 1605.01713 and 1704.02685).
//
// Contributions C (n, d) of each input feature to target(x) - target(x0)
// for the raw output (class logit or regression value, original units):
// sum_i C_i = f(x) - f(x0) (summation to delta). Dense layers use the linear
// rule, the ScoresActivation gate and the standardisation are fixed
// element-wise scales, activations use the chosen rule:
//  - rescale: multiplier (f(z) - f(z0)) / (z - z0), the gradient where |z - z0| < 1e-10;
//  - reveal_cancel: positive and negative parts of z - z0 propagate
//    separately, each nonlinearity splits its output change into the two
//    orders' average (1704.02685, section 3.5.3).
// With several references (rows of `references`), contributions are averaged,
// so they sum to f(x) - mean f(x0).
#pragma once

#include <Eigen/Core>
#include <functional>
#include <string>

#include "scoresactivation/explained_model.hpp"

namespace scoresactivation {

enum class DeepLiftRule { rescale, reveal_cancel };
DeepLiftRule deeplift_rule_from_string(const std::string& name);

// interrupt_requested (optional) is polled about every 0.1 s on the calling
// thread; a true answer throws Interrupted.
Eigen::MatrixXd deeplift(const ExplainedModel& model, const Eigen::MatrixXd& x, const Eigen::MatrixXd& references,
                         long target, DeepLiftRule rule, int n_threads,
                         const std::function<bool()>& interrupt_requested = nullptr);

}  // namespace scoresactivation
