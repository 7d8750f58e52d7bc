// Uncertainty of the learned scores: refits on bootstrap resamples.
//
// Each replicate b draws n rows with replacement (its own stream, seeded from
// random_state and b) and fits the same estimator on them with its own seed,
// through the estimator's own fit: the same training, not a second copy of
// it. Replicates run in parallel (n_threads), one thread each, so the result
// does not depend on the thread count.
#pragma once

#include <Eigen/Core>
#include <functional>
#include <vector>

#include "scoresactivation/callbacks.hpp"
#include "scoresactivation/params.hpp"

namespace scoresactivation {

// Fits the family on the given rows of its data (indices, with repeats)
// with params (its own seed, one thread, no bootstrap of its own) and
// returns the replicate's scores.
using ReplicateFit =
    std::function<Eigen::VectorXd(const std::vector<long>& rows, const Params& params, const Callbacks& callbacks)>;

// A resample's rows of x (rows may repeat) and of a per-row vector (empty
// stays empty), for the families' ReplicateFit.
Eigen::MatrixXd take_rows(const Eigen::Ref<const Eigen::MatrixXd, 0, Eigen::Stride<Eigen::Dynamic, Eigen::Dynamic>>& x,
                          const std::vector<long>& rows);
Eigen::VectorXd take_values(const Eigen::VectorXd& values, const std::vector<long>& rows);

// (n_replicates, n_features): the scores of each replicate's fit.
// interrupt_requested is polled on the calling thread only; on_epoch is not
// called. A replicate's std::invalid_argument (a resample that lost a class)
// comes back naming n_bootstrap.
Eigen::MatrixXd bootstrap_scores(const Params& params, long n_rows, long n_features, long n_replicates,
                                 const ReplicateFit& fit_replicate, const Callbacks& callbacks = Callbacks());

}  // namespace scoresactivation
