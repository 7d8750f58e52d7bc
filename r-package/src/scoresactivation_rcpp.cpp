// Rcpp translation layer: conversions, progress output and interrupts only.
// The maths lives in the core (src/core -> ../../core/src). Every function
// here takes the fitted state as a plain R list and rebuilds the estimator,
// so a fit object is a list of R vectors that saveRDS() carries as it is.
//
// Arrays cross the boundary in the core's form: list(shape = integer,
// data = double, row-major). R/state.R turns them into R vectors/matrices.
#include <Rcpp.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "scoresactivation/estimator.hpp"
#include "scoresactivation/kernels.hpp"
#include "scoresactivation/model_document.hpp"
#include "scoresactivation/model_state.hpp"
#include "scoresactivation/parallel.hpp"
#include "scoresactivation/params.hpp"
#include "rcpp_glue.h"

namespace sa = scoresactivation;
using namespace sa_r;

namespace {

}  // namespace

// The core's table of a family's hyperparameters (param_spec.hpp): one
// list per parameter, defaults in their R types; the single source of the
// names, defaults and ranges that scores_activation() and friends take.
// [[Rcpp::export]]
Rcpp::List sa_param_spec(std::string family) {
  Rcpp::List out;
  for (const sa::ParamSpec& s : sa::param_spec(sa::model_family_from_string(family))) {
    Rcpp::List entry = Rcpp::List::create(
        Rcpp::Named("name") = s.name, Rcpp::Named("group") = sa::to_string(s.group),
        Rcpp::Named("type") = sa::to_string(s.type), Rcpp::Named("default") = r_value(s, s.default_value),
        Rcpp::Named("low") = s.low, Rcpp::Named("high") = s.high, Rcpp::Named("low_open") = s.low_open,
        Rcpp::Named("high_open") = s.high_open, Rcpp::Named("min_length") = static_cast<int>(s.min_length),
        Rcpp::Named("max_length") = static_cast<int>(s.max_length), Rcpp::Named("choices") = s.choices,
        Rcpp::Named("doc") = s.doc);
    out.push_back(entry, s.name);
  }
  return out;
}

// Checks a named list of a family's hyperparameters against the table (the
// core's rules; errors name the parameter) and returns the family's
// parameters in their R types, in the table's order (front-end ones, which R
// resolves itself, left out).
// [[Rcpp::export]]
Rcpp::List sa_check_params(Rcpp::List params, std::string family) {
  const sa::ModelFamily f = sa::model_family_from_string(family);
  sa::ParamSet set;
  sa::apply_params(json_from_r(params, 0, "params"), f, set);
  return params_list(set, f);
}

// The core's thread rule: NULL -> all `cores`, -n -> cores + 1 - n, capped.
// [[Rcpp::export]]
int sa_resolve_threads(SEXP n_threads, int cores) {
  return sa::resolve_threads(json_from_r(n_threads, 0, "n_threads"), cores);
}

// [[Rcpp::export]]
bool sa_avx2_available() { return sa::avx2_kernels_available(); }

// [[Rcpp::export]]
int sa_model_format_version() { return sa::kModelFormatVersion; }

// Thread counts above this (4 x the hardware threads) run on this many.
// [[Rcpp::export]]
int sa_thread_limit() { return sa::thread_limit(); }

// The core's check of a parsed model document (docs/model-format.md);
// returns list(format_version, task, params, seed, state, sequence, senn),
// params being the family's hyperparameters as the core read them (with what
// older versions imply; the front end's own are the document's). Errors name the key.
// [[Rcpp::export]]
Rcpp::List sa_read_model_document(SEXP document) {
  const sa::ModelDocument d = sa::read_model_document(json_from_r(document));
  return Rcpp::List::create(Rcpp::Named("format_version") = d.format_version, Rcpp::Named("task") = d.task,
                            Rcpp::Named("params") = params_list(sa::ParamSet{d.core_params, d.sequence_params, d.senn_params},
                                                                d.senn ? sa::ModelFamily::senn
                                                                : d.sequence ? sa::ModelFamily::sequence
                                                                             : sa::ModelFamily::tabular),
                            Rcpp::Named("seed") = static_cast<double>(d.seed),
                            Rcpp::Named("state") = state_to_list(d.state), Rcpp::Named("sequence") = d.sequence,
                            Rcpp::Named("senn") = d.senn);
}

// Trains; returns list(interrupted, state, kernel). y holds class indices
// 0..n_classes-1 (classification) or targets (regression).
// [[Rcpp::export]]
Rcpp::List sa_fit(SEXP x, Rcpp::NumericVector y, Rcpp::NumericVector sample_weight, int n_classes,
                  std::string task, Rcpp::List params, bool verbose, Rcpp::CharacterVector feature_names) {
  sa::Estimator estimator(params_from_list(params), sa::task_from_string(task));
  const Eigen::Map<const Eigen::MatrixXd> xe = matrix_view(x, "x");
  const Eigen::VectorXd ye = Eigen::Map<const Eigen::VectorXd>(y.begin(), y.size());
  const Eigen::VectorXd we = Eigen::Map<const Eigen::VectorXd>(sample_weight.begin(), sample_weight.size());
  const std::vector<std::string> names = strings_from(feature_names);
  const sa::Callbacks callbacks = fit_callbacks(estimator.params(), verbose, names);
  try {
    estimator.fit(xe, ye, we, n_classes, callbacks);
  } catch (const sa::Interrupted&) {
    return Rcpp::List::create(Rcpp::Named("interrupted") = true);
  }
  return Rcpp::List::create(Rcpp::Named("interrupted") = false, Rcpp::Named("state") = state_to_list(estimator.state()),
                            Rcpp::Named("kernel") = sa::to_string(estimator.kernel_path()));
}

// Rebuilds the estimator from its state; returns the kernel path it would use
// (and throws when the state does not fit the hyperparameters).
// [[Rcpp::export]]
std::string sa_check_state(Rcpp::List params, Rcpp::List state) {
  const sa::Estimator estimator(params_from_list(params), state_from_list(state));
  return sa::to_string(estimator.kernel_path());
}

// type: "decision" (regression outputs or class logits) or "proba".
// [[Rcpp::export]]
Rcpp::NumericMatrix sa_predict(Rcpp::List params, Rcpp::List state, SEXP x, std::string type) {
  const sa::Estimator estimator(params_from_list(params), state_from_list(state));
  const Eigen::Map<const Eigen::MatrixXd> xe = matrix_view(x, "newdata");
  if (type == "proba") return to_r(estimator.predict_proba(xe));
  if (type == "decision") return to_r(estimator.decision_function(xe));
  throw std::invalid_argument("type must be 'decision' or 'proba'");
}

// The importances w = softmax(s / T), in column order.
// [[Rcpp::export]]
Rcpp::NumericVector sa_scores(Rcpp::List params, Rcpp::List state) {
  const sa::Estimator estimator(params_from_list(params), state_from_list(state));
  const Eigen::VectorXd w = estimator.scores();
  return Rcpp::NumericVector(w.data(), w.data() + w.size());
}
