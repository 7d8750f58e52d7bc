#include "scoresactivation/explain.hpp"

#include <algorithm>
#include <stdexcept>

#include "scoresactivation/attribution_limits.hpp"
#include "scoresactivation/deeplift.hpp"
#include "scoresactivation/explained_model.hpp"
#include "scoresactivation/gradients.hpp"
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

void refuse_foreign_options(const ExplainOptions& o) {
  const std::vector<std::string>& own = explain_method_options(o.method);
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

void check_output(const ExplainOptions& o, const ExplainedModel& model) {
  const ExplainedOutput output = explained_output_from_string(o.output);
  if (output == ExplainedOutput::probability && o.method != "shapley")
    throw std::invalid_argument("output = 'probability' is available for method = 'shapley' only; the other methods "
                                "explain the logit (output = 'raw')");
  if (output == ExplainedOutput::probability && !model.classification())
    throw std::invalid_argument("output = 'probability' needs a classifier");
}

}  // namespace

const std::vector<std::string>& explain_methods() {
  static const std::vector<std::string> methods = {"deeplift", "integrated_gradients", "gradient",
                                                   "gradient_times_input", "shapley"};
  return methods;
}

const std::vector<std::string>& explain_method_options(const std::string& method) {
  static const std::vector<std::string> deeplift = {"baseline", "rule"};
  static const std::vector<std::string> ig = {"baseline", "n_steps", "integration"};
  static const std::vector<std::string> none = {};
  static const std::vector<std::string> shapley = {"background", "exact", "n_permutations", "random_state"};
  if (method == "deeplift") return deeplift;
  if (method == "integrated_gradients") return ig;
  if (method == "gradient" || method == "gradient_times_input") return none;
  if (method == "shapley") return shapley;
  throw std::invalid_argument("method must be one of " + joined(explain_methods()) + "; got '" + method + "'");
}

bool explain_uses_seed(const ExplainOptions& options, long n_features) {
  if (options.method != "shapley") return false;
  if (options.exact == -1) return n_features > kAutoExactShapleyMaxFeatures;
  return options.exact == 0;
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

Explanation explain(const Estimator& estimator, const Eigen::MatrixXd& x, const ExplainOptions& o,
                    const std::function<bool()>& interrupt_requested) {
  explain_method_options(o.method);  // an unknown method
  refuse_foreign_options(o);
  const ExplainedModel model(estimator);
  check_output(o, model);
  if (o.targets.empty()) throw std::invalid_argument("explain needs at least one target output");
  const ExplainedOutput output = explained_output_from_string(o.output);
  for (long t : o.targets) model.check_target(t, output);
  check_threads(o.n_threads);
  const long d = estimator.n_features();
  const Eigen::VectorXd* mean = estimator.params().standardize ? &estimator.input_mean() : nullptr;

  Explanation out;
  if (o.method == "shapley") {
    const Eigen::MatrixXd background = reference_rows(o.background, mean, d, "background");
    const bool exact = o.exact == -1 ? d <= kAutoExactShapleyMaxFeatures : o.exact == 1;
    check_count(o.n_permutations, 1, kMaxShapleyPermutations, "n_permutations");
    for (long t : o.targets) {
      const ShapleyResult r =
          exact ? shapley_exact(model, x, background, t, output, o.n_threads, interrupt_requested)
                : shapley_sampled(model, x, background, t, output, o.n_permutations, o.seed, o.n_threads,
                                  interrupt_requested);
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
    check_count(o.n_steps, 1, kMaxIntegrationSteps, "n_steps");
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

}  // namespace scoresactivation
