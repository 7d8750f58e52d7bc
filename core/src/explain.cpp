#include "scoresactivation/explain.hpp"

#include <algorithm>
#include <stdexcept>

#include "scoresactivation/attribution_limits.hpp"
#include "scoresactivation/deeplift.hpp"
#include "scoresactivation/explained_model.hpp"
#include "scoresactivation/gradients.hpp"
#include "scoresactivation/sequence_attribution.hpp"
#include "scoresactivation/sequence_deeplift.hpp"
#include "scoresactivation/shapley.hpp"

namespace scoresactivation {

namespace {

bool contains(const std::vector<std::string>& list, const std::string& name) {
  return std::find(list.begin(), list.end(), name) != list.end();
}

std::string joined(const std::vector<std::string>& names) {
  std::string out;
  for (std::size_t i = 0; i < names.size(); ++i) out += (i ? ", " : "") + names[i];
  return out;
}

void refuse_foreign_options(const ExplainOptions& o, ModelFamily family) {
  const std::vector<std::string>& own = explain_method_options(o.method, family);
  std::vector<std::string> foreign;
  for (const std::string& name : o.given)
    if (!contains(own, name)) foreign.push_back(name);
  if (!foreign.empty())
    throw std::invalid_argument(joined(foreign) + (foreign.size() == 1 ? " does" : " do") + " not apply to method = '" +
                                o.method + "' (its options: " + (own.empty() ? "none" : joined(own)) + ")");
  if (o.method == "shapley" && o.exact == 1 && contains(o.given, "n_permutations"))
    throw std::invalid_argument(
        "n_permutations does not apply to exact Shapley values (exact = TRUE/True); pass exact = FALSE/False to "
        "sample permutations");
}

// What every family checks before any work: the fit, the method and its
// options, the output, the targets, the threads and the counts.
void check_call(const ExplainOptions& o, ModelFamily family, bool fitted, bool classification, long n_outputs) {
  if (!fitted) throw std::logic_error("this estimator is not fitted yet; call fit first");
  refuse_foreign_options(o, family);
  const ExplainedOutput output = explained_output_from_string(o.output);
  if (output == ExplainedOutput::probability && o.method != "shapley")
    throw std::invalid_argument("output = 'probability' is available for method = 'shapley' only; the other methods "
                                "explain the logit (output = 'raw')");
  if (output == ExplainedOutput::probability && !classification)
    throw std::invalid_argument("output = 'probability' needs a classifier");
  if (o.targets.empty()) throw std::invalid_argument("explain needs at least one target output");
  for (long t : o.targets)
    if (t < 0 || t >= n_outputs)
      throw std::invalid_argument("target must be in [0, " + std::to_string(n_outputs) + "); got " +
                                  std::to_string(t));
  check_threads(o.n_threads);
  if (o.method == "shapley") check_count(o.n_permutations, 1, kMaxShapleyPermutations, "n_permutations");
  if (o.method == "integrated_gradients") check_count(o.n_steps, 1, kMaxIntegrationSteps, "n_steps");
}

bool exact_shapley(const ExplainOptions& o, long n_players) {
  return o.exact == -1 ? n_players <= kAutoExactShapleyMaxFeatures : o.exact == 1;
}

long length_of(const Eigen::VectorXd& lengths, long steps, long row) {
  return lengths.size() ? static_cast<long>(lengths[row]) : steps;
}

// Whole reference sequences, (r, steps * channels).
Eigen::MatrixXd reference_sequences(const SequenceEstimator& est, const ReferenceRows& reference, long steps,
                                    const std::string& name) {
  const long c = est.n_channels();
  if (reference.kind == "mean" && !est.params().standardize)
    throw std::invalid_argument(name + " = 'mean' needs the training mean, which a model fitted with standardize = "
                                "FALSE/False does not store; pass sequences instead (e.g. the training sequences' "
                                "mean)");
  if (reference.kind == "mean" || reference.kind == "zeros") return sequence_reference(est, steps, reference.kind);
  if (reference.kind != "rows") throw std::invalid_argument(name + " must be 'mean', 'zeros' or sequences");
  if (reference.rows.cols() != steps * c)
    throw std::invalid_argument(name + " must be sequences of " + std::to_string(steps) + " steps and " +
                                std::to_string(c) + " channels (those of the data), got " +
                                std::to_string(reference.rows.cols()) + " values per sequence");
  if (reference.rows.rows() == 0) throw std::invalid_argument(name + " has no sequences");
  if (!reference.rows.allFinite())
    throw std::invalid_argument(name + " contains NaN or infinity (it needs values at every step)");
  return reference.rows;
}

// The mean raw output of the references cut to each row's length: what a
// row's DeepLIFT and integrated gradients add up to, subtracted from f(x).
void sequence_base_values(const SequenceEstimator& est, const Eigen::MatrixXd& references, long steps,
                          const Eigen::VectorXd& lengths, long n, const std::vector<long>& targets, Explanation& out) {
  std::vector<long> distinct{steps};
  for (long i = 0; i < n; ++i) distinct.push_back(length_of(lengths, steps, i));
  std::sort(distinct.begin(), distinct.end());
  distinct.erase(std::unique(distinct.begin(), distinct.end()), distinct.end());
  Eigen::MatrixXd by_length(steps + 1, est.n_outputs());
  for (long length : distinct) {
    const Eigen::VectorXd cut = length == steps ? Eigen::VectorXd()
                                                : Eigen::VectorXd::Constant(references.rows(), static_cast<double>(length));
    by_length.row(length) = est.decision_function(references, steps, cut).colwise().mean();
  }
  for (long t : targets) {
    out.base_values.push_back(by_length(steps, t));
    Eigen::VectorXd rows(n);
    for (long i = 0; i < n; ++i) rows[i] = by_length(length_of(lengths, steps, i), t);
    out.row_base_values.push_back(rows);
  }
}

}  // namespace

const std::vector<std::string>& explain_methods(ModelFamily family) {
  static const std::vector<std::string> tabular = {"deeplift", "integrated_gradients", "gradient",
                                                   "gradient_times_input", "shapley"};
  // Integrated gradients first: the sequence models' default.
  static const std::vector<std::string> sequence = {"integrated_gradients", "deeplift", "gradient",
                                                    "gradient_times_input", "shapley"};
  static const std::vector<std::string> senn = {"theta", "contributions", "gradient", "shapley"};
  if (family == ModelFamily::sequence) return sequence;
  if (family == ModelFamily::senn) return senn;
  return tabular;
}

const std::vector<std::string>& explain_method_options(const std::string& method, ModelFamily family) {
  static const std::vector<std::string> deeplift = {"baseline", "rule"};
  static const std::vector<std::string> ig = {"baseline", "n_steps", "integration"};
  static const std::vector<std::string> none = {};
  static const std::vector<std::string> shapley = {"background", "exact", "n_permutations", "random_state"};
  if (!contains(explain_methods(family), method))
    throw std::invalid_argument("method must be one of " + joined(explain_methods(family)) + "; got '" + method + "'");
  if (method == "deeplift") return deeplift;
  if (method == "integrated_gradients") return ig;
  if (method == "shapley") return shapley;
  return none;
}

bool explain_uses_seed(const ExplainOptions& options, long n_players) {
  return options.method == "shapley" && !exact_shapley(options, n_players);
}

Eigen::MatrixXd reference_rows(const ReferenceRows& reference, const Eigen::VectorXd* training_mean, long n_features,
                               const std::string& name) {
  if (reference.kind == "mean") {
    if (training_mean == nullptr || training_mean->size() != n_features)
      throw std::invalid_argument(name + " = 'mean' needs the training mean, which a model fitted with standardize = "
                                  "FALSE/False does not store; pass the rows instead (e.g. the training data's "
                                  "column means)");
    return training_mean->transpose();
  }
  if (reference.kind == "zeros") return Eigen::MatrixXd::Zero(1, n_features);
  if (reference.kind != "rows") throw std::invalid_argument(name + " must be 'mean', 'zeros' or rows of data");
  if (reference.rows.cols() != n_features)
    throw std::invalid_argument(name + " must have " + std::to_string(n_features) + " columns (one per feature), got " +
                                std::to_string(reference.rows.cols()));
  if (reference.rows.rows() == 0) throw std::invalid_argument(name + " has no rows");
  if (!reference.rows.allFinite()) throw std::invalid_argument(name + " contains NaN or infinity");
  return reference.rows;
}

namespace {
// One target's progress as a share of every target's: rows done so far over
// n_targets * rows.
ProgressHook target_progress(const ProgressHook& progress, std::size_t k, std::size_t n_targets) {
  if (!progress) return nullptr;
  return [&progress, k, n_targets](long done, long total) {
    progress(static_cast<long>(k) * total + done, static_cast<long>(n_targets) * total);
  };
}
}  // namespace

Explanation explain(const Estimator& estimator, const Eigen::MatrixXd& x, const ExplainOptions& o,
                    const std::function<bool()>& interrupt_requested, const ProgressHook& progress) {
  const ExplainedModel model(estimator);
  check_call(o, ModelFamily::tabular, estimator.fitted(), model.classification(), estimator.n_outputs());
  const ExplainedOutput output = explained_output_from_string(o.output);
  const long d = estimator.n_features();
  const Eigen::VectorXd* mean = estimator.params().standardize ? &estimator.input_mean() : nullptr;

  Explanation out;
  if (o.method == "shapley") {
    const Eigen::MatrixXd background = reference_rows(o.background, mean, d, "background");
    const bool exact = exact_shapley(o, d);
    for (std::size_t k = 0; k < o.targets.size(); ++k) {
      const long t = o.targets[k];
      const ProgressHook hook = target_progress(progress, k, o.targets.size());
      const ShapleyResult r =
          exact ? shapley_exact(model, x, background, t, output, o.n_threads, interrupt_requested, hook)
                : shapley_sampled(model, x, background, t, output, o.n_permutations, o.seed, o.n_threads,
                                  interrupt_requested, hook);
      out.values.push_back(r.values);
      out.base_values.push_back(r.base_value);
    }
    return out;
  }
  if (o.method == "gradient" || o.method == "gradient_times_input") {
    for (long t : o.targets)
      out.values.push_back(o.method == "gradient"
                               ? input_gradient(model, x, t, o.n_threads, interrupt_requested)
                               : gradient_times_input(model, x, t, o.n_threads, interrupt_requested));
    return out;
  }
  const Eigen::MatrixXd reference = reference_rows(o.baseline, mean, d, "baseline");
  if (o.method == "deeplift") {
    const DeepLiftRule rule = deeplift_rule_from_string(o.rule);
    for (long t : o.targets) out.values.push_back(deeplift(model, x, reference, t, rule, o.n_threads, interrupt_requested));
  } else {
    const Quadrature quadrature = quadrature_from_string(o.integration);
    for (long t : o.targets)
      out.values.push_back(
          integrated_gradients(model, x, reference, t, o.n_steps, quadrature, o.n_threads, interrupt_requested));
  }
  // Both sum to f(x) - mean f(reference): the base value is that mean.
  const Eigen::MatrixXd reference_outputs = model.outputs(reference, ExplainedOutput::raw, o.n_threads);
  for (long t : o.targets) out.base_values.push_back(reference_outputs.col(t).mean());
  return out;
}

Explanation explain(const SequenceEstimator& estimator, const MatrixView& x, long steps,
                    const Eigen::VectorXd& lengths, const ExplainOptions& o,
                    const std::function<bool()>& interrupt_requested, const ProgressHook& progress) {
  check_call(o, ModelFamily::sequence, estimator.fitted(), estimator.task() == Task::classification, estimator.n_outputs());
  const long n = x.rows();
  Explanation out;
  if (o.method == "shapley") {
    const Eigen::MatrixXd background = reference_sequences(estimator, o.background, steps, "background");
    // The policy's rule (exact_shapley, as explain_uses_seed), not sequence_shapley's own "auto".
    const std::string how = exact_shapley(o, estimator.n_channels()) ? "exact" : "sampled";
    for (std::size_t k = 0; k < o.targets.size(); ++k) {
      const long t = o.targets[k];
      SequenceShapleyResult r =
          sequence_shapley(estimator, x, steps, lengths, background, t, explained_output_from_string(o.output), how,
                           o.n_permutations, o.seed, o.n_threads, interrupt_requested,
                           target_progress(progress, k, o.targets.size()));
      out.values.push_back(std::move(r.values));
      out.base_values.push_back(r.base_value);
      out.row_base_values.push_back(std::move(r.base_values));
    }
    return out;
  }
  if (o.method == "gradient" || o.method == "gradient_times_input") {
    for (long t : o.targets)
      out.values.push_back(sequence_input_gradient(estimator, x, steps, lengths, t, o.method == "gradient_times_input",
                                                   o.n_threads, interrupt_requested));
    return out;
  }
  const Eigen::MatrixXd references = reference_sequences(estimator, o.baseline, steps, "baseline");
  if (o.method == "deeplift") {
    if (o.rule != "rescale")
      throw std::invalid_argument("rule must be 'rescale' for sequence models (the rescale rule, with the product "
                                  "rule for the LSTM's gates); got '" + o.rule + "'");
    const Eigen::MatrixXd rows = x;
    for (long t : o.targets)
      out.values.push_back(
          sequence_deeplift(estimator, rows, steps, lengths, references, t, o.n_threads, interrupt_requested));
  } else {
    const Quadrature quadrature = quadrature_from_string(o.integration);
    for (long t : o.targets)
      out.values.push_back(sequence_integrated_gradients(estimator, x, steps, lengths, references, t, o.n_steps,
                                                         quadrature, o.n_threads, interrupt_requested));
  }
  sequence_base_values(estimator, references, steps, lengths, n, o.targets, out);
  return out;
}

Explanation explain(const SennEstimator& estimator, const MatrixView& x, const ExplainOptions& o,
                    const std::function<bool()>& interrupt_requested, const ProgressHook& progress) {
  check_call(o, ModelFamily::senn, estimator.fitted(), estimator.task() == Task::classification, estimator.n_outputs());
  if (explained_output_from_string(o.output) != ExplainedOutput::raw)
    throw std::invalid_argument("a SENN model's explanations are of the raw output (output = 'raw')");
  const long d = estimator.n_features();
  Explanation out;
  if (o.method == "shapley") {
    const Eigen::VectorXd* mean = estimator.params().standardize ? &estimator.input_mean() : nullptr;
    const Eigen::MatrixXd background = reference_rows(o.background, mean, d, "background");
    const Eigen::MatrixXd rows = x;
    const bool exact = exact_shapley(o, d);
    for (std::size_t k = 0; k < o.targets.size(); ++k) {
      const long t = o.targets[k];
      const TargetOutput output = [&](const Eigen::MatrixXd& r) -> Eigen::VectorXd {
        return estimator.decision_function(r).col(t);
      };
      ShapleyResult r = shapley_of(output, rows, background, exact, o.n_permutations, o.seed, interrupt_requested,
                                   target_progress(progress, k, o.targets.size()));
      out.values.push_back(std::move(r.values));
      out.base_values.push_back(r.base_value);
    }
    return out;
  }
  if (o.method == "gradient") {
    for (long t : o.targets) out.values.push_back(estimator.input_gradient(x, t));
    return out;
  }
  // theta and the contributions: (n, n_outputs * d), column t * d + i.
  const Eigen::MatrixXd all = o.method == "theta" ? estimator.relevances(x) : estimator.contributions(x);
  const Eigen::VectorXd intercepts = o.method == "contributions" ? estimator.base_values() : Eigen::VectorXd();
  for (long t : o.targets) {
    out.values.push_back(all.middleCols(t * d, d));
    if (o.method == "contributions") out.base_values.push_back(intercepts[t]);
  }
  return out;
}

}  // namespace scoresactivation
