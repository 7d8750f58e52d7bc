// Shapley values of one output with an interventional value function:
// v(S) = mean over background rows b of f(x_S, b_rest), the definition of
// shap's ExactExplainer and PermutationExplainer with an independent masker.
//  - exact: all 2^d coalitions (d <= 16), no sampling error;
//  - sampled: random feature orders, each paired with its reverse
//    (antithetic), every marginal contribution averaged over the background;
//    the standard error is the spread of the pair means / sqrt(pairs).
// Values sum to f(x) - mean_b f(b) (exact: to rounding; sampled: exactly too,
// since every order telescopes).
// Coalitions are walked one feature at a time (Gray code for exact, the
// orders for sampled), updating the first layer's pre-activations by rank-1
// steps instead of re-running the whole network on masked rows.
#pragma once

#include <Eigen/Core>
#include <cstdint>
#include <functional>
#include <vector>

#include "scoresactivation/attribution_limits.hpp"
#include "scoresactivation/explained_model.hpp"

namespace scoresactivation {

struct ShapleyResult {
  Eigen::MatrixXd values;          // (n, d)
  Eigen::MatrixXd standard_error;  // (n, d), zeros for exact
  double base_value = 0.0;         // mean_b f(b)
  long evaluations_per_row = 0;    // model evaluations (rows through the network) per explained row
};

// interrupt_requested (optional) is polled about every 0.1 s on the calling
// thread; a true answer throws Interrupted. progress (optional) hears the
// rows done out of x's rows.

// Largest d for the exact method (2^d * background rows per explained row).
constexpr long kMaxExactShapleyFeatures = 16;

ShapleyResult shapley_exact(const ExplainedModel& model, const Eigen::MatrixXd& x, const Eigen::MatrixXd& background,
                            long target, ExplainedOutput output, int n_threads,
                            const std::function<bool()>& interrupt_requested = nullptr,
                            const ProgressHook& progress = nullptr);

// n_permutations, in [1, kMaxShapleyPermutations], is rounded up to an even
// number (pairs).
ShapleyResult shapley_sampled(const ExplainedModel& model, const Eigen::MatrixXd& x,
                              const Eigen::MatrixXd& background, long target, ExplainedOutput output,
                              long n_permutations, std::uint64_t seed, int n_threads,
                              const std::function<bool()>& interrupt_requested = nullptr,
                              const ProgressHook& progress = nullptr);

// Shapley values of any model (SENN, another library's) through its output
// function: every coalition is evaluated on the background rows with the
// coalition's features taken from x, one call of output per coalition (no
// rank-1 steps). exact needs d <= kMaxExactShapleyFeatures; otherwise
// n_permutations sampled orders in antithetic pairs, seeded per row from seed.
// Single-threaded (output may call into an interpreter).
ShapleyResult shapley_of(const TargetOutput& output, const Eigen::MatrixXd& x, const Eigen::MatrixXd& background,
                         bool exact, long n_permutations, std::uint64_t seed,
                         const std::function<bool()>& interrupt_requested = nullptr,
                         const ProgressHook& progress = nullptr);

// The coalition machinery every model family shares (the sequence models
// walk their coalitions by whole forward passes instead of rank-1 steps).
// A CoalitionWalk switches players toggles[0..n) in and out one at a time,
// starting from the empty coalition and emptying it again every
// restart_every steps, and writes v after each switch to values[0..n).
using CoalitionWalk = std::function<void(const long* toggles, long n, long restart_every, double* values)>;

// The Gray-code walk over all 2^d - 1 non-empty coalitions and the weights
// |S|! (d - |S| - 1)! / d!; d in [1, kMaxExactShapleyFeatures].
struct ExactShapleyPlan {
  long d = 0;
  std::vector<long> toggles;  // 2^d - 1
  std::vector<double> weight;  // by coalition size, d
  std::vector<int> sizes;      // by coalition bits, 2^d
};
ExactShapleyPlan exact_shapley_plan(long d);

// One row's exact values (d) from one walk of plan.toggles.
Eigen::RowVectorXd exact_shapley_row(const ExactShapleyPlan& plan, const CoalitionWalk& walk, double empty_value);

// One row's sampled values and standard errors (d each): n_pairs antithetic
// pairs of orders drawn from Random(row_seed), walked in groups so the
// buffers stay bounded whatever n_pairs; full_value is v of all players.
struct SampledShapleyRow {
  Eigen::RowVectorXd values, standard_error;
};
SampledShapleyRow sampled_shapley_row(long d, long n_pairs, std::uint64_t row_seed, const CoalitionWalk& walk,
                                      double empty_value, double full_value);

}  // namespace scoresactivation
