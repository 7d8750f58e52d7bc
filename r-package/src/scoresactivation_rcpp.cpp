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
#include "scoresactivation/version.hpp"

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

// The core's version (version.hpp), which DESCRIPTION must repeat.
// [[Rcpp::export]]
std::string sa_library_version() { return sa::kLibraryVersion; }

// [[Rcpp::export]]
bool sa_avx2_available() { return sa::avx2_kernels_available(); }

// Thread counts above this (4 x the hardware threads) run on this many.
// [[Rcpp::export]]
int sa_thread_limit() { return sa::thread_limit(); }

namespace {

// The core's JsonValue -> what jsonlite writes back as that JSON (with
// R/model_io.R's .json_ready, which writes the numbers exactly): objects as
// named lists, arrays of numbers as numeric vectors of class "sa_numbers",
// other arrays as unnamed lists, a number as a numeric of class "sa_number".
SEXP r_json(const sa::JsonValue& v) {
  switch (v.type) {
    case sa::JsonValue::Type::null: return R_NilValue;
    case sa::JsonValue::Type::boolean: return Rcpp::wrap(v.boolean);
    case sa::JsonValue::Type::string: return Rcpp::wrap(v.string);
    case sa::JsonValue::Type::number: {
      Rcpp::NumericVector x = Rcpp::NumericVector::create(v.number);
      x.attr("class") = "sa_number";
      return x;
    }
    case sa::JsonValue::Type::array: {
      const bool numbers = !v.array.empty() && std::all_of(v.array.begin(), v.array.end(), [](const sa::JsonValue& e) {
        return e.type == sa::JsonValue::Type::number;
      });
      if (numbers) {
        Rcpp::NumericVector x(v.array.size());
        for (std::size_t i = 0; i < v.array.size(); ++i) x[i] = v.array[i].number;
        x.attr("class") = "sa_numbers";
        return x;
      }
      Rcpp::List out(v.array.size());
      for (std::size_t i = 0; i < v.array.size(); ++i) out[i] = r_json(v.array[i]);
      return out;
    }
    case sa::JsonValue::Type::object: {
      Rcpp::List out(v.object.size());
      Rcpp::CharacterVector names(v.object.size());
      for (std::size_t i = 0; i < v.object.size(); ++i) {
        out[i] = r_json(v.object[i].second);
        names[i] = v.object[i].first;
      }
      out.attr("names") = names;
      return out;
    }
  }
  return R_NilValue;
}

}  // namespace

// The model document (docs/model-format.md) laid out and checked by the
// core: params (the family's hyperparameters, as R/params.R keeps them),
// front_end (random_state, n_threads as given), labels as lists.
// [[Rcpp::export]]
SEXP sa_write_model_document(std::string family, Rcpp::List params, Rcpp::List front_end, double seed,
                             Rcpp::List state, SEXP feature_names, SEXP classes, std::string library_version,
                             SEXP variables, SEXP formula) {
  sa::ModelDocumentParts parts;
  parts.family = sa::model_family_from_string(family);
  parts.params = param_set_from_list(params, parts.family);
  parts.front_end_params = json_from_r(front_end, 0, "params");
  parts.seed = seed_from_double(seed);
  parts.state = state_from_list(state);
  parts.feature_names = json_from_r(feature_names, 0, "feature_names");
  parts.classes = json_from_r(classes, 0, "classes");
  parts.variables = json_from_r(variables, 0, "variables");
  parts.formula = json_from_r(formula, 0, "formula");
  parts.library_version = library_version;
  return r_json(sa::write_model_document(parts));
}

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
// 0..n_classes-1 (classification) or targets (regression); score_groups the
// column counts of the variables that share one score (empty: one per column);
// validation NULL or the rows early stopping watches (rcpp_glue.h, ValidationArg).
// [[Rcpp::export]]
Rcpp::List sa_fit(SEXP x, Rcpp::NumericVector y, Rcpp::NumericVector sample_weight, int n_classes,
                  std::string task, Rcpp::List params, SEXP on_epoch,
                  Rcpp::IntegerVector score_groups, SEXP validation) {
  sa::Estimator estimator(params_from_list(params), sa::task_from_string(task));
  const Eigen::Map<const Eigen::MatrixXd> xe = matrix_view(x, "x");
  const Eigen::VectorXd ye = Eigen::Map<const Eigen::VectorXd>(y.begin(), y.size());
  const Eigen::VectorXd we = Eigen::Map<const Eigen::VectorXd>(sample_weight.begin(), sample_weight.size());
  const sa::Callbacks callbacks = fit_callbacks(on_epoch);
  const ValidationArg rows(validation);
  try {
    const std::vector<long> groups(score_groups.begin(), score_groups.end());
    estimator.fit(xe, ye, we, n_classes, callbacks, groups, rows.get());
  } catch (const sa::Interrupted&) {
    return Rcpp::List::create(Rcpp::Named("interrupted") = true);
  }
  return Rcpp::List::create(Rcpp::Named("interrupted") = false, Rcpp::Named("state") = state_to_list(estimator.state()),
                            Rcpp::Named("kernel") = sa::to_string(estimator.kernel_path()));
}

// One partial_fit pass (sa::Estimator::partial_fit): state NULL starts a new
// model of task, else the pass continues the model state describes. Returns
// as sa_fit.
// [[Rcpp::export]]
Rcpp::List sa_partial_fit(SEXP x, Rcpp::NumericVector y, Rcpp::NumericVector sample_weight, int n_classes,
                          std::string task, Rcpp::List params, SEXP state, SEXP on_epoch,
                          Rcpp::IntegerVector score_groups) {
  sa::Estimator estimator = Rf_isNull(state) ? sa::Estimator(params_from_list(params), sa::task_from_string(task))
                                             : estimator_from(params, Rcpp::List(state));
  const Eigen::Map<const Eigen::MatrixXd> xe = matrix_view(x, "x");
  const Eigen::VectorXd ye = Eigen::Map<const Eigen::VectorXd>(y.begin(), y.size());
  const Eigen::VectorXd we = Eigen::Map<const Eigen::VectorXd>(sample_weight.begin(), sample_weight.size());
  const sa::Callbacks callbacks = fit_callbacks(on_epoch);
  try {
    const std::vector<long> groups(score_groups.begin(), score_groups.end());
    estimator.partial_fit(xe, ye, we, n_classes, callbacks, groups);
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
