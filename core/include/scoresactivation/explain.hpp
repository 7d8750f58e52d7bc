// explain(): the policy both front ends share for the local attributions of
// a tabular model (Python's est.explain(), R's explain()): which options
// each method reads (another method's option is an error), the defaults, the
// reference rows ("mean", "zeros" or given rows), the output rules, when
// Shapley values are exact, the loop over the explained outputs and the base
// values. The bindings only convert types: labels to output indices, data
// frames to matrices, and a seed drawn from the language's generator when
// explain_uses_seed() says one is needed.
#pragma once

#include <Eigen/Core>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "scoresactivation/estimator.hpp"

namespace scoresactivation {

// Shapley values are exact (every coalition) up to this many features by
// default, sampled above.
constexpr long kAutoExactShapleyMaxFeatures = 12;

// Reference rows: the training mean (needs standardize), zeros, or given rows.
struct ReferenceRows {
  std::string kind = "mean";  // "mean", "zeros" or "rows"
  Eigen::MatrixXd rows;       // kind "rows": (r, d), averaged over
};

struct ExplainOptions {
  std::string method = "deeplift";  // deeplift, integrated_gradients, gradient, gradient_times_input, shapley
  std::vector<std::string> given;   // the options the caller passed
  ReferenceRows baseline;           // deeplift, integrated_gradients
  ReferenceRows background;         // shapley
  std::vector<long> targets;        // output indices to explain (class indices; {0} for a regressor)
  std::string output = "raw";       // raw (logit / value) or probability (Shapley values of a classifier)
  std::string rule = "rescale";     // deeplift
  long n_steps = 50;                // integrated_gradients
  std::string integration = "gausslegendre";
  int exact = -1;                   // shapley: -1 auto (d <= 12), 0 sampled, 1 exact
  long n_permutations = 64;         // sampled shapley
  std::uint64_t seed = 0;           // sampled shapley
  int n_threads = 1;
};

struct Explanation {
  std::vector<Eigen::MatrixXd> values;  // one (n, d) per target, in the order of options.targets
  std::vector<double> base_values;      // one per target: the mean reference output (empty for the gradients)
};

// The methods, and the options each reads (in the order the docs list them).
const std::vector<std::string>& explain_methods();
const std::vector<std::string>& explain_method_options(const std::string& method);

// Whether the call samples (Shapley values, not exact): only then does the
// front end need a seed (drawing one otherwise would move the user's generator).
bool explain_uses_seed(const ExplainOptions& options, long n_features);

// Throws std::invalid_argument naming the option for anything the policy
// refuses, before any work; Interrupted when interrupt_requested says so.
Explanation explain(const Estimator& estimator, const Eigen::MatrixXd& x, const ExplainOptions& options,
                    const std::function<bool()>& interrupt_requested = nullptr);

// The reference rows of kind "mean"/"zeros"/"rows", checked (name: the
// option, for errors). Shared with the SENN estimators' Shapley values.
Eigen::MatrixXd reference_rows(const ReferenceRows& reference, const Eigen::VectorXd* training_mean, long n_features,
                               const std::string& name);

}  // namespace scoresactivation
