// Hooks the front ends supply: the core never prints and never polls signals.
#pragma once

#include <Eigen/Core>
#include <functional>
#include <stdexcept>

namespace scoresactivation {

struct EpochReport {
  long epoch = 0;  // 1-based
  double train_loss = 0.0;
  double validation_loss = 0.0;   // NaN without validation rows (early stopping's or given)
  double validation_score = 0.0;  // accuracy or R^2 on them; NaN without
  bool improved = false;
  const Eigen::VectorXd* scores = nullptr;  // current w, null without the layer
};

struct Callbacks {
  // Called after every epoch (progress, logging).
  std::function<void(const EpochReport&)> on_epoch;
  // Polled about every 0.1 s during fit; returning true aborts with Interrupted.
  std::function<bool()> interrupt_requested;
};

// A long computation's progress (Shapley values, permutation importance):
// work items done out of total, called on the caller's thread at most about
// every 0.1 s while it runs, and with done == total when it completes.
using ProgressHook = std::function<void(long done, long total)>;

// Thrown when interrupt_requested() returned true.
class Interrupted : public std::runtime_error {
 public:
  Interrupted() : std::runtime_error("interrupted by the user") {}
};

}  // namespace scoresactivation
