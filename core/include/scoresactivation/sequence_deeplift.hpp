// DeepLIFT through the sequence models (sequence_estimator.hpp), the
// counterpart of deeplift.hpp's rescale rule.
//
// Contributions C (n, steps * channels) of each input value to
// f(x) - mean_k f(x0_k) for the raw output of `target` (class logit, or
// regression value in the target's units), inputs and references in the
// user's units. Each reference row (r, steps * channels; finite at every
// step) is cut to the explained row's own length, and the contributions are
// averaged over the references, so row i sums to
// f(x_i) - mean_k f(x0_k cut to x_i's length) to rounding.
//  - linear maps (standardisation, the gate, the LSTM's input and recurrent
//    products, convolutions, dense layers, pooling) pass multipliers exactly;
//  - nonlinearities (the LSTM's sigmoid and tanh gates, the cell's tanh, the
//    conv and head activations): the rescale rule (f(z) - f(z0)) / (z - z0),
//    f'(z) where |z - z0| < 1e-10;
//  - the LSTM's products i g, f c_{t-1}, o tanh(c_t): the product rule
//    d(ab) = (b + b0) / 2 da + (a + a0) / 2 db, exact for products, so the
//    sum over the inputs equals the output's change.
// Padded steps (t >= length) keep the state frozen; their values are never
// read (NaN will do) and their contributions are exactly zero.
//
// Arguments are validated (std::invalid_argument naming the argument), the
// estimator must be fitted (std::logic_error), results do not depend on
// n_threads, and interrupt_requested (optional) is polled about every 0.1 s on
// the calling thread; a true answer throws Interrupted.
#pragma once

#include <Eigen/Core>
#include <functional>

#include "scoresactivation/sequence_estimator.hpp"

namespace scoresactivation {

Eigen::MatrixXd sequence_deeplift(const SequenceEstimator& est, const Eigen::MatrixXd& x, long steps,
                                  const Eigen::VectorXd& lengths, const Eigen::MatrixXd& references, long target,
                                  int n_threads, const std::function<bool()>& interrupt_requested = nullptr);

}  // namespace scoresactivation
