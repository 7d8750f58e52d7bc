// Uncertainty of the learned scores: refits on bootstrap resamples.
//
// Each replicate b draws n rows with replacement (its own stream, seeded from
// random_state and b) and fits the same estimator on them with its own seed,
// through Estimator::fit: the same training, not a second copy of it.
// Replicates run in parallel (n_threads), one thread each, so the result does
// not depend on the thread count.
#pragma once

#include <Eigen/Core>

#include "scoresactivation/callbacks.hpp"
#include "scoresactivation/estimator.hpp"
#include "scoresactivation/params.hpp"

namespace scoresactivation {


// (n_replicates, d): the scores of each replicate's fit. params.n_bootstrap
// is ignored (the replicates fit none of their own). interrupt_requested is
// polled on the calling thread only; on_epoch is not called.
Eigen::MatrixXd bootstrap_scores(const Params& params, Task task, const MatrixView& x, const Eigen::VectorXd& y,
                                 const Eigen::VectorXd& sample_weight, long n_classes, long n_replicates,
                                 const Callbacks& callbacks = Callbacks());

}  // namespace scoresactivation
