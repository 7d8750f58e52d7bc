// Rcpp translation layer of the SENN models (senn_estimator.hpp):
// conversions, progress output and interrupts only. As for the tabular
// models, every function takes the fitted state as a plain R list (with the
// hyperparameters and list(robustness_penalty)) and rebuilds the estimator
// from it, so a fit object is a list of R vectors that saveRDS() carries.
// R/senn.R checks the arguments; x is a double matrix (R/fit.R's
// .as_feature_matrix), read in place.
#include <Rcpp.h>

#include <string>
#include <vector>

#include "rcpp_glue.h"
#include "scoresactivation/senn_estimator.hpp"

namespace sa = scoresactivation;
using namespace sa_r;

namespace {

sa::SennEstimator senn_estimator_from(const Rcpp::List& params, const Rcpp::List& senn, const Rcpp::List& state) {
  return sa::SennEstimator(params_from_list(params), senn_params_from_list(senn), state_from_list(state));
}

}  // namespace

// Trains; returns list(interrupted, state, kernel). y holds class indices
// 0..n_classes-1 (classification) or targets (regression); validation NULL
// or the rows early stopping watches (rcpp_glue.h, ValidationArg).
// [[Rcpp::export]]
Rcpp::List sa_senn_fit(SEXP x, Rcpp::NumericVector y, Rcpp::NumericVector sample_weight, int n_classes,
                       std::string task, Rcpp::List params, Rcpp::List senn, SEXP on_epoch, SEXP validation) {
  sa::SennEstimator estimator(params_from_list(params), senn_params_from_list(senn), sa::task_from_string(task));
  const Eigen::Map<const Eigen::MatrixXd> xe = matrix_view(x, "x");
  const sa::Callbacks callbacks = fit_callbacks(on_epoch);
  const ValidationArg rows(validation);
  try {
    estimator.fit(xe, to_vector(y), to_vector(sample_weight), n_classes, callbacks, rows.get());
  } catch (const sa::Interrupted&) {
    return Rcpp::List::create(Rcpp::Named("interrupted") = true);
  }
  return Rcpp::List::create(Rcpp::Named("interrupted") = false, Rcpp::Named("state") = state_to_list(estimator.state()),
                            Rcpp::Named("kernel") = sa::to_string(estimator.kernel_path()));
}

// Rebuilds the estimator from its state; returns the kernel path it would use
// (and throws when the state does not fit the params).
// [[Rcpp::export]]
std::string sa_senn_check_state(Rcpp::List params, Rcpp::List senn, Rcpp::List state) {
  return sa::to_string(senn_estimator_from(params, senn, state).kernel_path());
}

// What one fitted SENN model computes on the rows x:
// "decision" (regression outputs or class logits, (n, n_outputs)), "proba",
// "theta" (relevances, (n, n_outputs * d), column k * d + i),
// "contributions" (theta * z in output units, same layout) or "robustness"
// (the per-row residual, (n, 1)).
// [[Rcpp::export]]
Rcpp::NumericMatrix sa_senn_predict(Rcpp::List params, Rcpp::List senn, Rcpp::List state, SEXP x, std::string type) {
  const sa::SennEstimator estimator = senn_estimator_from(params, senn, state);
  const Eigen::Map<const Eigen::MatrixXd> xe = matrix_view(x, "newdata");
  if (type == "decision") return to_r(estimator.decision_function(xe));
  if (type == "proba") return to_r(estimator.predict_proba(xe));
  if (type == "theta") return to_r(estimator.relevances(xe));
  if (type == "contributions") return to_r(estimator.contributions(xe));
  if (type == "robustness") return to_r(Eigen::MatrixXd(estimator.robustness_residual(xe)));
  throw std::invalid_argument("type must be 'decision', 'proba', 'theta', 'contributions' or 'robustness'");
}

// explain(): the core's policy (explain.hpp) for SENN models: theta,
// contributions, gradient, shapley. Returns as sa_explain (on_progress too).
// [[Rcpp::export]]
Rcpp::List sa_senn_explain(Rcpp::List params, Rcpp::List senn, Rcpp::List state, SEXP x, Rcpp::List options,
                           SEXP on_progress) {
  const sa::SennEstimator estimator = senn_estimator_from(params, senn, state);
  const Eigen::Map<const Eigen::MatrixXd> xe = matrix_view(x, "newdata");
  const sa::ExplainOptions o = explain_options_from(options);
  const sa::ProgressHook progress = progress_hook(on_progress);
  return explanation_to_r(
      interruptible([&] { return sa::explain(estimator, xe, o, r_interrupt_requested, progress); }));
}

// The intercepts b per output (logits), or the regression output where every
// contribution is 0 (target units).
// [[Rcpp::export]]
Rcpp::NumericVector sa_senn_base_values(Rcpp::List params, Rcpp::List senn, Rcpp::List state) {
  return to_r_vector(senn_estimator_from(params, senn, state).base_values());
}

// The importances w = softmax(s / T), in column order.
// [[Rcpp::export]]
Rcpp::NumericVector sa_senn_scores(Rcpp::List params, Rcpp::List senn, Rcpp::List state) {
  return to_r_vector(senn_estimator_from(params, senn, state).scores());
}
