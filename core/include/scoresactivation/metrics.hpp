// Measures of rankings and attributions, shared by the benchmarks and users
// (METHOD.md section 6; SENN's faithfulness and stability).
#pragma once

#include <Eigen/Core>
#include <cstdint>
#include <functional>
#include <vector>

#include "scoresactivation/attribution_limits.hpp"
#include "scoresactivation/explained_model.hpp"

namespace scoresactivation {

// Ranks 1..n (1 = smallest), ties get their average rank.
Eigen::VectorXd average_ranks(const Eigen::VectorXd& values);

// Spearman's rho: Pearson correlation of the average ranks. NaN when either
// vector is constant.
double spearman(const Eigen::VectorXd& a, const Eigen::VectorXd& b);

// Kendall's tau-b (ties corrected), O(n^2). NaN when either vector is constant.
double kendall_tau(const Eigen::VectorXd& a, const Eigen::VectorXd& b);

// Share of the k highest-scored features that are in `relevant` (indices).
double top_k_precision(const Eigen::VectorXd& scores, const std::vector<long>& relevant, long k);

// Deletion / insertion curves (Petsiuk et al. 2018): features are replaced
// by the baseline value (deletion) or revealed on top of the baseline
// (insertion) in order of decreasing attribution, one at a time, and the
// target output recorded after each step. curves: (n, d + 1); auc: mean over
// rows of the trapezoid area with the x axis scaled to [0, 1].
struct PerturbationCurve {
  Eigen::MatrixXd curves;
  double auc = 0.0;
};
// attributions: (n, d) per row, or (1, d) for one global ranking.
// interrupt_requested (optional, here and below) is polled about every 0.1 s
// on the calling thread; a true answer throws Interrupted.
PerturbationCurve deletion_curve(const ExplainedModel& model, const Eigen::MatrixXd& x,
                                 const Eigen::MatrixXd& attributions, const Eigen::RowVectorXd& baseline,
                                 long target, ExplainedOutput output, bool insertion, int n_threads,
                                 const std::function<bool()>& interrupt_requested = nullptr);

// SENN's faithfulness: per row, the Pearson correlation between the
// attributions and the drop of the target output when each feature alone is
// set to its reference value (the training median in the paper); the mean
// over rows (rows where either side is constant are skipped).
double faithfulness_correlation(const ExplainedModel& model, const Eigen::MatrixXd& x,
                                const Eigen::MatrixXd& attributions, const Eigen::RowVectorXd& reference,
                                long target, ExplainedOutput output, int n_threads,
                                const std::function<bool()>& interrupt_requested = nullptr);

// The same two measures for any model (SENN, another library's): output maps
// rows (in the units of x) to the explained output of each row. The caller
// checks x against its model; here x, attributions and the reference must be
// finite and consistent in shape, and output must return one finite value
// per row (TargetOutput: explained_model.hpp).
PerturbationCurve deletion_curve(const TargetOutput& output, const Eigen::MatrixXd& x,
                                 const Eigen::MatrixXd& attributions, const Eigen::RowVectorXd& baseline,
                                 bool insertion, const std::function<bool()>& interrupt_requested = nullptr);
double faithfulness_correlation(const TargetOutput& output, const Eigen::MatrixXd& x,
                                const Eigen::MatrixXd& attributions, const Eigen::RowVectorXd& reference,
                                const std::function<bool()>& interrupt_requested = nullptr);

// Local Lipschitz estimate (Alvarez-Melis & Jaakkola 2018): per row, the
// largest ||e(x) - e(x')||_2 / ||x - x'||_2 over n_samples points x' drawn
// uniformly from the box x +- radius * feature_scale. explain maps rows to
// attributions (one row per row, the same width for every call); n_samples in
// [1, kMaxLipschitzSamples]. Returns one estimate per row.
Eigen::VectorXd local_lipschitz(const std::function<Eigen::MatrixXd(const Eigen::MatrixXd&)>& explain,
                                const Eigen::MatrixXd& x, const Eigen::VectorXd& feature_scale, double radius,
                                long n_samples, std::uint64_t seed);

}  // namespace scoresactivation
