// Permutation importance (Breiman 2001; scikit-learn's definition with the
// model's own loss as the score): the increase of the loss when one column
// is shuffled, averaged over repeats. Loss: softmax cross-entropy for
// classification (y holds class indices), half squared error in the target's
// original units for regression; both weighted by sample_weight when given.
// Each (feature, repeat) draws its shuffle from its own seeded generator, so
// results do not depend on n_threads. The columns of a score group (the
// estimator's score_groups: a categorical variable) are shuffled together
// and get one importance: d is the number of groups.
#pragma once

#include <Eigen/Core>
#include <cstdint>
#include <functional>

#include "scoresactivation/attribution_limits.hpp"
#include "scoresactivation/explained_model.hpp"

namespace scoresactivation {

struct PermutationImportance {
  Eigen::VectorXd importances_mean;  // (d)
  Eigen::VectorXd importances_std;   // (d), population sd over repeats (as scikit-learn)
  Eigen::MatrixXd importances;       // (d, n_repeats)
  double baseline_loss = 0.0;
};

double model_loss(const ExplainedModel& model, const Eigen::MatrixXd& x, const Eigen::VectorXd& y,
                  const Eigen::VectorXd& sample_weight, int n_threads);

// n_repeats in [1, kMaxPermutationRepeats]; sample_weight empty or finite,
// >= 0 and not all zero. interrupt_requested (optional) is polled about every
// 0.1 s on the calling thread, also inside each shuffle's loss (blocks of
// rows); a true answer throws Interrupted. progress (optional) hears the
// (feature, repeat) shuffles done out of d * n_repeats.
PermutationImportance permutation_importance(const ExplainedModel& model, const Eigen::MatrixXd& x,
                                             const Eigen::VectorXd& y, const Eigen::VectorXd& sample_weight,
                                             long n_repeats, std::uint64_t seed, int n_threads,
                                             const std::function<bool()>& interrupt_requested = nullptr,
                                             const ProgressHook& progress = nullptr);

}  // namespace scoresactivation
