// Rcpp translation layer of the attribution methods and metrics: conversions
// only, the maths lives in the core (deeplift.hpp, gradients.hpp,
// shapley.hpp, permutation_importance.hpp, metrics.hpp, consistency.hpp). R/explain.R and
// R/metrics.R check the arguments and turn targets and labels into the core's
// 0-based indices. Every function rebuilds the estimator from the fit's
// hyperparameters and state lists, as sa_predict does.
#include <Rcpp.h>

#include <cstdint>
#include <string>
#include <vector>

#include "rcpp_glue.h"
#include "scoresactivation/attribution_limits.hpp"
#include "scoresactivation/callbacks.hpp"
#include "scoresactivation/class_weight.hpp"
#include "scoresactivation/consistency.hpp"
#include "scoresactivation/deeplift.hpp"
#include "scoresactivation/explain.hpp"
#include "scoresactivation/explained_model.hpp"
#include "scoresactivation/gradients.hpp"
#include "scoresactivation/metrics.hpp"
#include "scoresactivation/permutation_importance.hpp"
#include "scoresactivation/shapley.hpp"

namespace sa = scoresactivation;
using namespace sa_r;


// explain(): the core's policy (explain.hpp) for every local method of a
// tabular model; R converts types only. options: a named list of
// ExplainOptions' fields (targets 0-based, exact -1 auto / 0 / 1). Returns
// list(values = list of (n, d) matrices, one per target, base_values =
// numeric, empty for the gradients, row_base_values). on_progress: NULL or
// an R function(done, total) the Shapley methods report to (progress_hook).
// [[Rcpp::export]]
Rcpp::List sa_explain(Rcpp::List params, Rcpp::List state, Rcpp::NumericMatrix x, Rcpp::List options,
                      SEXP on_progress) {
  const sa::Estimator estimator = estimator_from(params, state);
  const sa::ExplainOptions o = explain_options_from(options);
  const Eigen::MatrixXd xe = to_eigen(x);
  const sa::ProgressHook progress = progress_hook(on_progress);
  return explanation_to_r(
      interruptible([&] { return sa::explain(estimator, xe, o, r_interrupt_requested, progress); }));
}

// The rows' weights of a fit under class_weight (NULL, "balanced" or a
// named list class -> weight; class_weight.hpp). y: 0-based class indices.
// [[Rcpp::export]]
Rcpp::NumericVector sa_class_weighted(SEXP class_weight, Rcpp::CharacterVector labels, Rcpp::NumericVector y,
                                      Rcpp::NumericVector sample_weight) {
  return to_r_vector(sa::class_weighted(json_from_r(class_weight, 0, "class_weight"), strings_from(labels),
                                        to_vector(y), to_vector(sample_weight)));
}

// Whether explain() samples, so that R draws a seed only then (n_players:
// features, or a sequence model's channels).
// [[Rcpp::export]]
bool sa_explain_uses_seed(std::string method, int exact, int n_players) {
  sa::ExplainOptions o;
  o.method = method;
  o.exact = exact;
  return sa::explain_uses_seed(o, n_players);
}

// The local methods of a family ("tabular", "sequence", "senn"), the default first.
// [[Rcpp::export]]
std::vector<std::string> sa_explain_methods(std::string family) {
  return sa::explain_methods(sa::model_family_from_string(family));
}

// The options of explain() each method reads (an error for an unknown method).
// [[Rcpp::export]]
std::vector<std::string> sa_explain_method_options(std::string method, std::string family) {
  return sa::explain_method_options(method, sa::model_family_from_string(family));
}

// Permutation importance with the model's own loss; y holds class indices
// (0-based) or regression targets. Returns list(importances_mean,
// importances_std, importances (d, n_repeats), baseline_loss). on_progress:
// NULL or an R function(done, total) hearing the shuffles done.
// [[Rcpp::export]]
Rcpp::List sa_permutation_importance(Rcpp::List params, Rcpp::List state, Rcpp::NumericMatrix x,
                                     Rcpp::NumericVector y, Rcpp::NumericVector sample_weight, int n_repeats,
                                     double seed, int n_threads, SEXP on_progress) {
  const sa::Estimator estimator = estimator_from(params, state);
  const sa::ExplainedModel model(estimator);
  const std::uint64_t core_seed = seed_from_double(seed);
  const sa::PermutationImportance r = interruptible([&] {
    return sa::permutation_importance(model, to_eigen(x), to_vector(y), to_vector(sample_weight), n_repeats,
                                      core_seed, n_threads, r_interrupt_requested, progress_hook(on_progress));
  });
  return Rcpp::List::create(Rcpp::Named("importances_mean") = to_r_vector(r.importances_mean),
                            Rcpp::Named("importances_std") = to_r_vector(r.importances_std),
                            Rcpp::Named("importances") = to_r(r.importances),
                            Rcpp::Named("baseline_loss") = r.baseline_loss);
}

// Outputs (n, n_outputs) in original units: "raw" (logits or regression
// values) or "probability".
// [[Rcpp::export]]
Rcpp::NumericMatrix sa_model_outputs(Rcpp::List params, Rcpp::List state, Rcpp::NumericMatrix x, std::string output,
                                     int n_threads) {
  const sa::Estimator estimator = estimator_from(params, state);
  const sa::ExplainedModel model(estimator);
  estimator.check_input(to_eigen(x), "newdata");
  return to_r(model.outputs(to_eigen(x), sa::explained_output_from_string(output), n_threads));
}

// importances: a list of (runs, d) matrices, one per source.
// [[Rcpp::export]]
Rcpp::List sa_consistency(Rcpp::List importances, int top_k) {
  std::vector<Eigen::MatrixXd> sources;
  for (R_xlen_t i = 0; i < importances.size(); ++i)
    sources.push_back(to_eigen(Rcpp::NumericMatrix(importances[i])));
  const sa::ConsistencyReport r = sa::consistency(sources, top_k);
  return Rcpp::List::create(Rcpp::Named("spearman") = to_r(r.spearman), Rcpp::Named("kendall") = to_r(r.kendall),
                            Rcpp::Named("top_k_overlap") = to_r(r.top_k_overlap),
                            Rcpp::Named("mean_rank") = to_r(r.mean_rank),
                            Rcpp::Named("consensus_rank") = to_r_vector(r.consensus_rank),
                            Rcpp::Named("consensus_spread") = to_r_vector(r.consensus_spread),
                            Rcpp::Named("top_k") = static_cast<int>(r.top_k));
}

// [[Rcpp::export]]
double sa_spearman(Rcpp::NumericVector a, Rcpp::NumericVector b) { return sa::spearman(to_vector(a), to_vector(b)); }

// [[Rcpp::export]]
double sa_kendall_tau(Rcpp::NumericVector a, Rcpp::NumericVector b) {
  return sa::kendall_tau(to_vector(a), to_vector(b));
}

// relevant: 0-based feature indices.
// [[Rcpp::export]]
double sa_top_k_precision(Rcpp::NumericVector scores, Rcpp::IntegerVector relevant, int k) {
  const std::vector<long> rel(relevant.begin(), relevant.end());
  return sa::top_k_precision(to_vector(scores), rel, k);
}

// Deletion (insertion = FALSE) or insertion curve. Returns list(curves
// (n, d + 1), auc).
// [[Rcpp::export]]
Rcpp::List sa_deletion_curve(Rcpp::List params, Rcpp::List state, Rcpp::NumericMatrix x,
                             Rcpp::NumericMatrix attributions, Rcpp::NumericVector baseline, int target,
                             std::string output, bool insertion, int n_threads) {
  const sa::Estimator estimator = estimator_from(params, state);
  const sa::ExplainedModel model(estimator);
  const Eigen::RowVectorXd base = to_vector(baseline).transpose();
  const sa::ExplainedOutput out = sa::explained_output_from_string(output);
  const sa::PerturbationCurve c = interruptible([&] {
    return sa::deletion_curve(model, to_eigen(x), to_eigen(attributions), base, target, out, insertion, n_threads,
                              r_interrupt_requested);
  });
  return Rcpp::List::create(Rcpp::Named("curves") = to_r(c.curves), Rcpp::Named("auc") = c.auc);
}

// SENN's faithfulness (mean over rows of a Pearson correlation).
// [[Rcpp::export]]
double sa_faithfulness(Rcpp::List params, Rcpp::List state, Rcpp::NumericMatrix x, Rcpp::NumericMatrix attributions,
                       Rcpp::NumericVector reference, int target, std::string output, int n_threads) {
  const sa::Estimator estimator = estimator_from(params, state);
  const sa::ExplainedModel model(estimator);
  const Eigen::RowVectorXd ref = to_vector(reference).transpose();
  const sa::ExplainedOutput out = sa::explained_output_from_string(output);
  return interruptible([&] {
    return sa::faithfulness_correlation(model, to_eigen(x), to_eigen(attributions), ref, target, out, n_threads,
                                        r_interrupt_requested);
  });
}

// The same two measures of any model: output is an R function mapping a
// matrix of rows to one value per row (a SENN model's output).
sa::TargetOutput r_target_output(const Rcpp::Function& output) {
  return [&output](const Eigen::MatrixXd& rows) -> Eigen::VectorXd {
    return to_vector(Rcpp::as<Rcpp::NumericVector>(output(to_r(rows))));
  };
}

// [[Rcpp::export]]
Rcpp::List sa_deletion_curve_of(Rcpp::Function output, Rcpp::NumericMatrix x, Rcpp::NumericMatrix attributions,
                                Rcpp::NumericVector baseline, bool insertion) {
  const sa::PerturbationCurve c = sa::deletion_curve(r_target_output(output), to_eigen(x), to_eigen(attributions),
                                                     to_vector(baseline).transpose(), insertion);
  return Rcpp::List::create(Rcpp::Named("curves") = to_r(c.curves), Rcpp::Named("auc") = c.auc);
}

// [[Rcpp::export]]
double sa_faithfulness_of(Rcpp::Function output, Rcpp::NumericMatrix x, Rcpp::NumericMatrix attributions,
                          Rcpp::NumericVector reference) {
  return sa::faithfulness_correlation(r_target_output(output), to_eigen(x), to_eigen(attributions),
                                      to_vector(reference).transpose());
}

// Local Lipschitz estimate of an R function mapping a matrix of rows to a
// matrix with one row per input row. The core calls it twice, on this thread
// (R errors in it come back as C++ exceptions and end up as R errors).
// [[Rcpp::export]]
Rcpp::NumericVector sa_local_lipschitz(Rcpp::Function explain, Rcpp::NumericMatrix x,
                                       Rcpp::NumericVector feature_scale, double radius, int n_samples,
                                       double seed) {
  auto explain_rows = [&explain](const Eigen::MatrixXd& rows) -> Eigen::MatrixXd {
    Rcpp::NumericMatrix values = Rcpp::as<Rcpp::NumericMatrix>(explain(to_r(rows)));
    if (values.nrow() != rows.rows())
      throw std::invalid_argument("explain must return one row of attributions per input row");
    return to_eigen(values);
  };
  return to_r_vector(sa::local_lipschitz(explain_rows, to_eigen(x), to_vector(feature_scale), radius, n_samples,
                                         seed_from_double(seed)));
}

// The core's bounds of the counts (attribution_limits.hpp), so that R names
// them in its own checks before converting to C ints.
// [[Rcpp::export]]
Rcpp::NumericVector sa_max_counts() {
  return Rcpp::NumericVector::create(
      Rcpp::Named("n_permutations") = static_cast<double>(sa::kMaxShapleyPermutations),
      Rcpp::Named("n_steps") = static_cast<double>(sa::kMaxIntegrationSteps),
      Rcpp::Named("n_repeats") = static_cast<double>(sa::kMaxPermutationRepeats),
      Rcpp::Named("n_samples") = static_cast<double>(sa::kMaxLipschitzSamples));
}
