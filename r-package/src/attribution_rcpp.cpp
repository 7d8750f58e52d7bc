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
#include "scoresactivation/consistency.hpp"
#include "scoresactivation/deeplift.hpp"
#include "scoresactivation/explained_model.hpp"
#include "scoresactivation/gradients.hpp"
#include "scoresactivation/metrics.hpp"
#include "scoresactivation/permutation_importance.hpp"
#include "scoresactivation/shapley.hpp"

namespace sa = scoresactivation;
using namespace sa_r;


// DeepLIFT contributions (n, d) of the raw output `target` (0-based) against
// the rows of `references` (averaged); rule: "rescale" or "reveal_cancel".
// [[Rcpp::export]]
Rcpp::NumericMatrix sa_deeplift(Rcpp::List params, Rcpp::List state, Rcpp::NumericMatrix x,
                                Rcpp::NumericMatrix references, int target, std::string rule, int n_threads) {
  const sa::Estimator estimator = estimator_from(params, state);
  const sa::ExplainedModel model(estimator);
  const sa::DeepLiftRule how = sa::deeplift_rule_from_string(rule);
  return to_r(interruptible([&] {
    return sa::deeplift(model, to_eigen(x), to_eigen(references), target, how, n_threads, r_interrupt_requested);
  }));
}

// Integrated gradients (n, d) with n_steps points of the quadrature rule
// `integration` ("gausslegendre", "riemann_left", ...).
// [[Rcpp::export]]
Rcpp::NumericMatrix sa_integrated_gradients(Rcpp::List params, Rcpp::List state, Rcpp::NumericMatrix x,
                                            Rcpp::NumericMatrix references, int target, int n_steps,
                                            std::string integration, int n_threads) {
  const sa::Estimator estimator = estimator_from(params, state);
  const sa::ExplainedModel model(estimator);
  const sa::Quadrature quadrature = sa::quadrature_from_string(integration);
  return to_r(interruptible([&] {
    return sa::integrated_gradients(model, to_eigen(x), to_eigen(references), target, n_steps, quadrature, n_threads,
                                    r_interrupt_requested);
  }));
}

// df/dx (times_input = FALSE) or x * df/dx (TRUE), (n, d).
// [[Rcpp::export]]
Rcpp::NumericMatrix sa_gradient(Rcpp::List params, Rcpp::List state, Rcpp::NumericMatrix x, int target,
                                bool times_input, int n_threads) {
  const sa::Estimator estimator = estimator_from(params, state);
  const sa::ExplainedModel model(estimator);
  const Eigen::MatrixXd xe = to_eigen(x);
  return to_r(interruptible([&] {
    return times_input ? sa::gradient_times_input(model, xe, target, n_threads, r_interrupt_requested)
                       : sa::input_gradient(model, xe, target, n_threads, r_interrupt_requested);
  }));
}

// Interventional Shapley values over the background rows: exact (all
// coalitions) or sampled antithetic permutations. Returns list(values,
// standard_error, base_value, evaluations_per_row).
// [[Rcpp::export]]
Rcpp::List sa_shapley(Rcpp::List params, Rcpp::List state, Rcpp::NumericMatrix x, Rcpp::NumericMatrix background,
                      int target, std::string output, bool exact, int n_permutations, double seed, int n_threads) {
  const sa::Estimator estimator = estimator_from(params, state);
  const sa::ExplainedModel model(estimator);
  const sa::ExplainedOutput out = sa::explained_output_from_string(output);
  const Eigen::MatrixXd xe = to_eigen(x), be = to_eigen(background);
  const std::uint64_t core_seed = seed_from_double(seed);
  const sa::ShapleyResult r = interruptible([&] {
    return exact ? sa::shapley_exact(model, xe, be, target, out, n_threads, r_interrupt_requested)
                 : sa::shapley_sampled(model, xe, be, target, out, n_permutations, core_seed, n_threads,
                                       r_interrupt_requested);
  });
  return Rcpp::List::create(Rcpp::Named("values") = to_r(r.values),
                            Rcpp::Named("standard_error") = to_r(r.standard_error),
                            Rcpp::Named("base_value") = r.base_value,
                            Rcpp::Named("evaluations_per_row") = static_cast<double>(r.evaluations_per_row));
}

// Permutation importance with the model's own loss; y holds class indices
// (0-based) or regression targets. Returns list(importances_mean,
// importances_std, importances (d, n_repeats), baseline_loss).
// [[Rcpp::export]]
Rcpp::List sa_permutation_importance(Rcpp::List params, Rcpp::List state, Rcpp::NumericMatrix x,
                                     Rcpp::NumericVector y, Rcpp::NumericVector sample_weight, int n_repeats,
                                     double seed, int n_threads) {
  const sa::Estimator estimator = estimator_from(params, state);
  const sa::ExplainedModel model(estimator);
  const std::uint64_t core_seed = seed_from_double(seed);
  const sa::PermutationImportance r = interruptible([&] {
    return sa::permutation_importance(model, to_eigen(x), to_vector(y), to_vector(sample_weight), n_repeats,
                                      core_seed, n_threads, r_interrupt_requested);
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
Rcpp::List sa_shapley_of(Rcpp::Function output, Rcpp::NumericMatrix x, Rcpp::NumericMatrix background, bool exact,
                         int n_permutations, double seed) {
  const sa::ShapleyResult r = sa::shapley_of(r_target_output(output), to_eigen(x), to_eigen(background), exact,
                                             n_permutations, seed_from_double(seed));
  return Rcpp::List::create(Rcpp::Named("values") = to_r(r.values),
                            Rcpp::Named("standard_error") = to_r(r.standard_error),
                            Rcpp::Named("base_value") = r.base_value);
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
