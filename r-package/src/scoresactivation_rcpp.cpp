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

// jsonlite::parse_json()'s result (named lists for objects, unnamed lists
// for arrays, length-1 vectors for scalars, NULL for null) -> the core's
// JsonValue, which the core validates.
sa::JsonValue json_from_r(SEXP x, int depth = 0) {
  if (depth > 64) throw std::invalid_argument("model document: nested too deeply");
  switch (TYPEOF(x)) {
    case NILSXP: return sa::JsonValue::null_value();
    case VECSXP: {
      const R_xlen_t n = Rf_xlength(x);
      SEXP names = Rf_getAttrib(x, R_NamesSymbol);
      sa::JsonValue out = names == R_NilValue ? sa::JsonValue::make_array() : sa::JsonValue::make_object();
      for (R_xlen_t i = 0; i < n; ++i) {
        sa::JsonValue item = json_from_r(VECTOR_ELT(x, i), depth + 1);
        if (names == R_NilValue) out.array.push_back(std::move(item));
        else out.object.emplace_back(std::string(Rf_translateCharUTF8(STRING_ELT(names, i))), std::move(item));
      }
      return out;
    }
    default: break;
  }
  // Atomic vectors: jsonlite gives length 1 for a scalar; longer ones (from
  // other callers) are arrays of their elements.
  const R_xlen_t n = Rf_xlength(x);
  auto element = [x](R_xlen_t i) -> sa::JsonValue {
    switch (TYPEOF(x)) {
      case LGLSXP:
        if (LOGICAL(x)[i] == NA_LOGICAL) return sa::JsonValue::null_value();
        return sa::JsonValue::of(LOGICAL(x)[i] != 0);
      case INTSXP:
        if (INTEGER(x)[i] == NA_INTEGER) return sa::JsonValue::null_value();
        return sa::JsonValue::of(static_cast<double>(INTEGER(x)[i]));
      case REALSXP: return sa::JsonValue::of(REAL(x)[i]);  // NA/NaN: non-finite, rejected by the validator
      case STRSXP:
        if (STRING_ELT(x, i) == NA_STRING) return sa::JsonValue::null_value();
        return sa::JsonValue::of(std::string(Rf_translateCharUTF8(STRING_ELT(x, i))));
      default: throw std::invalid_argument("model document: an R value of an unsupported type");
    }
  };
  if (n == 1) return element(0);
  sa::JsonValue out = sa::JsonValue::make_array();
  for (R_xlen_t i = 0; i < n; ++i) out.array.push_back(element(i));
  return out;
}

Rcpp::List params_to_list(const sa::Params& p) {
  Rcpp::List out;
  auto add = [&out](const char* name, SEXP value) { out[name] = value; };
  add("hidden_layer_sizes", Rcpp::wrap(std::vector<int>(p.hidden_layer_sizes.begin(), p.hidden_layer_sizes.end())));
  add("activation", Rcpp::wrap(p.activation));
  add("scores_layer", Rcpp::wrap(p.scores_layer));
  add("gate", Rcpp::wrap(p.gate));
  add("snr_budget", Rcpp::wrap(p.snr_budget));
  add("temperature", Rcpp::wrap(p.temperature));
  add("entropy_penalty", Rcpp::wrap(p.entropy_penalty));
  add("solver", Rcpp::wrap(p.solver));
  add("learning_rate", Rcpp::wrap(p.learning_rate));
  add("scores_learning_rate", Rcpp::wrap(p.scores_learning_rate));
  add("weight_decay", Rcpp::wrap(p.weight_decay));
  add("momentum", Rcpp::wrap(p.momentum));
  add("beta_1", Rcpp::wrap(p.beta_1));
  add("beta_2", Rcpp::wrap(p.beta_2));
  add("epsilon", Rcpp::wrap(p.epsilon));
  add("batch_size", Rcpp::wrap(static_cast<int>(std::min<long>(p.batch_size, 2147483647L))));
  add("max_epochs", Rcpp::wrap(static_cast<int>(p.max_epochs)));
  add("refine_epochs", Rcpp::wrap(static_cast<int>(p.refine_epochs)));
  add("n_bootstrap", Rcpp::wrap(static_cast<int>(p.n_bootstrap)));
  add("early_stopping", Rcpp::wrap(p.early_stopping));
  add("validation_fraction", Rcpp::wrap(p.validation_fraction));
  add("n_iter_no_change", Rcpp::wrap(static_cast<int>(p.n_iter_no_change)));
  add("tol", Rcpp::wrap(p.tol));
  add("standardize", Rcpp::wrap(p.standardize));
  add("random_state", Rcpp::wrap(static_cast<double>(p.random_state)));
  add("n_threads", Rcpp::wrap(p.n_threads));
  add("kernel", Rcpp::wrap(p.kernel));
  return out;
}

}  // namespace

// The core's default hyperparameters (params.hpp), the single source of the
// defaults that scores_activation() documents.
// [[Rcpp::export]]
Rcpp::List sa_default_params() { return params_to_list(sa::Params()); }

// Checks hyperparameters with the core's own rules (errors name the parameter).
// [[Rcpp::export]]
void sa_validate_params(Rcpp::List params) { params_from_list(params).validate(); }

// [[Rcpp::export]]
bool sa_avx2_available() { return sa::avx2_kernels_available(); }

// [[Rcpp::export]]
int sa_model_format_version() { return sa::kModelFormatVersion; }

// Thread counts above this (4 x the hardware threads) run on this many.
// [[Rcpp::export]]
int sa_thread_limit() { return sa::thread_limit(); }

// The core's check of a parsed model document (docs/model-format.md);
// returns list(format_version, task, params, seed, state, sequence,
// sequence_params, senn, senn_params), params being the core's (with what older versions
// imply). Errors name the key.
// [[Rcpp::export]]
Rcpp::List sa_read_model_document(SEXP document) {
  const sa::ModelDocument d = sa::read_model_document(json_from_r(document));
  return Rcpp::List::create(Rcpp::Named("format_version") = d.format_version, Rcpp::Named("task") = d.task,
                            Rcpp::Named("params") = params_to_list(d.core_params),
                            Rcpp::Named("seed") = static_cast<double>(d.seed),
                            Rcpp::Named("state") = state_to_list(d.state), Rcpp::Named("sequence") = d.sequence,
                            Rcpp::Named("sequence_params") = sequence_params_to_list(d.sequence_params),
                            Rcpp::Named("senn") = d.senn, Rcpp::Named("senn_params") = senn_params_to_list(d.senn_params));
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
