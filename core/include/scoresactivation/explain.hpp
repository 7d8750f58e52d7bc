// explain(): the policy both front ends share for the local attributions of
// every model family (Python's est.explain(), R's explain()): which methods
// a family has and which options each reads (another method's option is an
// error), the defaults, the reference rows ("mean", "zeros" or given rows),
// the output rules, when Shapley values are exact, the loop over the
// explained outputs and the base values. The bindings only convert types:
// labels to output indices, data frames and 3-d arrays to matrices, and a
// seed drawn from the language's generator when explain_uses_seed() says one
// is needed.
#pragma once

#include <Eigen/Core>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "scoresactivation/estimator.hpp"
#include "scoresactivation/param_spec.hpp"
#include "scoresactivation/senn_estimator.hpp"
#include "scoresactivation/sequence_estimator.hpp"

namespace scoresactivation {

// Shapley values are exact (every coalition) up to this many players
// (features; channels of a sequence model) by default, sampled above.
constexpr long kAutoExactShapleyMaxFeatures = 12;

// Reference rows: the training mean (needs standardize), zeros, or given rows.
// Sequence models: "mean" is each channel's training mean at every step, and
// rows are whole sequences, (r, steps * channels) with column t * channels + c.
struct ReferenceRows {
  std::string kind = "mean";  // "mean", "zeros" or "rows"
  Eigen::MatrixXd rows;       // kind "rows": (r, d), averaged over
};

struct ExplainOptions {
  std::string method = "deeplift";  // one of explain_methods(family)
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
  // One matrix per target, in the order of options.targets: (n, d); for the
  // gradient methods of a sequence model (n, steps * channels), zero at the
  // padded steps; Shapley values of a sequence model (n, channels).
  std::vector<Eigen::MatrixXd> values;
  // One per target: the output the attributions are measured from (the mean
  // reference output; SENN contributions: the intercept). Empty where the
  // values do not add up to an output (gradients, SENN theta).
  std::vector<double> base_values;
  // Sequence models only, one (n) vector per target beside base_values: a
  // row's base value when it is shorter than the references (they are cut
  // to its length). base_values holds the full-length one.
  std::vector<Eigen::VectorXd> row_base_values;
};

// The methods of a family (tabular first: deeplift, the default), and the
// options each reads, in the order the docs list them.
const std::vector<std::string>& explain_methods(ModelFamily family = ModelFamily::tabular);
const std::vector<std::string>& explain_method_options(const std::string& method,
                                                       ModelFamily family = ModelFamily::tabular);

// Whether the call samples (Shapley values, not exact): only then does the
// front end need a seed (drawing one otherwise would move the user's
// generator). n_players: features, or a sequence model's channels.
bool explain_uses_seed(const ExplainOptions& options, long n_players);

// Throws std::invalid_argument naming the option for anything the policy
// refuses, before any work; Interrupted when interrupt_requested says so.
// progress (optional) hears the Shapley methods' rows done, over every
// target (the other methods are a few passes and report nothing).
Explanation explain(const Estimator& estimator, const Eigen::MatrixXd& x, const ExplainOptions& options,
                    const std::function<bool()>& interrupt_requested = nullptr,
                    const ProgressHook& progress = nullptr);

// A sequence model's local attributions of x (r, steps * channels), each row
// valid for its lengths entry (empty: every row is full length): DeepLIFT
// (rescale rule, the product rule for the LSTM's gates), integrated
// gradients and the gradients per step and channel; Shapley values with the
// channels as players.
Explanation explain(const SequenceEstimator& estimator, const MatrixView& x, long steps,
                    const Eigen::VectorXd& lengths, const ExplainOptions& options,
                    const std::function<bool()>& interrupt_requested = nullptr,
                    const ProgressHook& progress = nullptr);

// A SENN model's: theta(x), the contributions theta(x) z (base values: the
// intercepts), the input gradient, Shapley values of the raw output.
Explanation explain(const SennEstimator& estimator, const MatrixView& x, const ExplainOptions& options,
                    const std::function<bool()>& interrupt_requested = nullptr,
                    const ProgressHook& progress = nullptr);

// The reference rows of kind "mean"/"zeros"/"rows", checked (name: the
// option, for errors). Shared with the SENN estimators' Shapley values.
Eigen::MatrixXd reference_rows(const ReferenceRows& reference, const Eigen::VectorXd* training_mean, long n_features,
                               const std::string& name);

}  // namespace scoresactivation
