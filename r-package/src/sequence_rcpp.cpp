// Rcpp translation layer of the sequence models (sequence_estimator.hpp) and
// their attributions (sequence_attribution.hpp, sequence_deeplift.hpp): conversions, progress
// output and interrupts only. R/sequence.R checks the arguments and turns an
// R array x of dim c(n, T, C) into the core's (n, T * C) matrix, column
// t * C + c holding channel c at step t (0-based), by
// matrix(aperm(x, c(1, 3, 2)), nrow = n); lengths are numeric(0) (every
// sequence has all T steps) or n whole numbers in 1..T. As for the tabular
// models, every function takes the fitted state as a plain R list and
// rebuilds the estimator from it.
#include <Rcpp.h>

#include <cstdint>
#include <string>
#include <vector>

#include "rcpp_glue.h"
#include "scoresactivation/sequence_attribution.hpp"
#include "scoresactivation/sequence_deeplift.hpp"
#include "scoresactivation/sequence_estimator.hpp"

namespace sa = scoresactivation;
using namespace sa_r;

namespace {

sa::SequenceEstimator sequence_estimator_from(const Rcpp::List& params, const Rcpp::List& sequence,
                                              const Rcpp::List& state) {
  return sa::SequenceEstimator(params_from_list(params), sequence_params_from_list(sequence), state_from_list(state));
}

}  // namespace

// The pooling "auto" resolves to ("last" or "mean").
// [[Rcpp::export]]
std::string sa_resolved_pooling(Rcpp::List sequence) {
  return sa::to_string(sequence_params_from_list(sequence).resolved_pooling());
}

// Trains; returns list(interrupted, state, kernel). x: (n, steps * channels);
// y: class indices 0..n_classes-1 or regression targets; validation NULL or
// the sequences early stopping watches, x in the same layout with the same
// steps (rcpp_glue.h, ValidationArg).
// [[Rcpp::export]]
Rcpp::List sa_sequence_fit(SEXP x, int steps, Rcpp::NumericVector lengths, Rcpp::NumericVector y,
                           Rcpp::NumericVector sample_weight, int n_classes, std::string task, Rcpp::List params,
                           Rcpp::List sequence, SEXP on_epoch, SEXP validation) {
  sa::SequenceEstimator estimator(params_from_list(params), sequence_params_from_list(sequence),
                                  sa::task_from_string(task));
  const Eigen::Map<const Eigen::MatrixXd> xe = matrix_view(x, "x");
  const sa::Callbacks callbacks = fit_callbacks(on_epoch);
  const ValidationArg rows(validation);
  try {
    estimator.fit(xe, steps, to_vector(lengths), to_vector(y), to_vector(sample_weight), n_classes, callbacks,
                  rows.get());
  } catch (const sa::Interrupted&) {
    return Rcpp::List::create(Rcpp::Named("interrupted") = true);
  }
  return Rcpp::List::create(Rcpp::Named("interrupted") = false, Rcpp::Named("state") = state_to_list(estimator.state()),
                            Rcpp::Named("kernel") = sa::to_string(estimator.kernel_path()));
}

// Rebuilds the estimator from its state; returns the kernel path it would use
// (and throws when the state does not fit the params).
// [[Rcpp::export]]
std::string sa_sequence_check_state(Rcpp::List params, Rcpp::List sequence, Rcpp::List state) {
  return sa::to_string(sequence_estimator_from(params, sequence, state).kernel_path());
}

// type: "decision" (regression outputs or class logits) or "proba".
// [[Rcpp::export]]
Rcpp::NumericMatrix sa_sequence_predict(Rcpp::List params, Rcpp::List sequence, Rcpp::List state, SEXP x, int steps,
                                        Rcpp::NumericVector lengths, std::string type) {
  const sa::SequenceEstimator estimator = sequence_estimator_from(params, sequence, state);
  const Eigen::Map<const Eigen::MatrixXd> xe = matrix_view(x, "newdata");
  const Eigen::VectorXd le = to_vector(lengths);
  if (type == "proba") return to_r(estimator.predict_proba(xe, steps, le));
  if (type == "decision") return to_r(estimator.decision_function(xe, steps, le));
  throw std::invalid_argument("type must be 'decision' or 'proba'");
}

// The channel importances w = softmax(s / T).
// [[Rcpp::export]]
Rcpp::NumericVector sa_sequence_scores(Rcpp::List params, Rcpp::List sequence, Rcpp::List state) {
  return to_r_vector(sequence_estimator_from(params, sequence, state).scores());
}

// ------------------------------------------------------------ attributions

// DeepACTIF: one importance per channel (not normalised).
// [[Rcpp::export]]
Rcpp::NumericVector sa_sequence_deepactif(Rcpp::List params, Rcpp::List sequence, Rcpp::List state, SEXP x,
                                          int steps, Rcpp::NumericVector lengths, std::string hook,
                                          std::string aggregation, int n_threads) {
  const sa::SequenceEstimator estimator = sequence_estimator_from(params, sequence, state);
  sa::DeepActifOptions options;
  options.hook = hook;
  options.aggregation = aggregation;
  const Eigen::Map<const Eigen::MatrixXd> xe = matrix_view(x, "newdata");
  const Eigen::VectorXd le = to_vector(lengths);
  return to_r_vector(interruptible(
      [&] { return sa::deepactif(estimator, xe, steps, le, options, n_threads, r_interrupt_requested); }));
}

// explain(): the core's policy (explain.hpp) for sequence models; x and
// reference rows are (rows, steps * channels). Returns as sa_explain, with
// row_base_values (a row's base value at its own length); on_progress as
// sa_explain's.
// [[Rcpp::export]]
Rcpp::List sa_sequence_explain(Rcpp::List params, Rcpp::List sequence, Rcpp::List state, SEXP x, int steps,
                               Rcpp::NumericVector lengths, Rcpp::List options, SEXP on_progress) {
  const sa::SequenceEstimator estimator = sequence_estimator_from(params, sequence, state);
  const Eigen::Map<const Eigen::MatrixXd> xe = matrix_view(x, "newdata");
  const Eigen::VectorXd le = to_vector(lengths);
  const sa::ExplainOptions o = explain_options_from(options);
  const sa::ProgressHook progress = progress_hook(on_progress);
  return explanation_to_r(
      interruptible([&] { return sa::explain(estimator, xe, steps, le, o, r_interrupt_requested, progress); }));
}

// Permutation importance per channel; y: class indices or targets. Returns
// list(importances_mean, importances_std, importances (channels, n_repeats),
// baseline_loss); on_progress as sa_permutation_importance's.
// [[Rcpp::export]]
Rcpp::List sa_sequence_permutation_importance(Rcpp::List params, Rcpp::List sequence, Rcpp::List state, SEXP x,
                                              int steps, Rcpp::NumericVector lengths, Rcpp::NumericVector y,
                                              Rcpp::NumericVector sample_weight, int n_repeats, double seed,
                                              int n_threads, SEXP on_progress) {
  const sa::SequenceEstimator estimator = sequence_estimator_from(params, sequence, state);
  const Eigen::Map<const Eigen::MatrixXd> xe = matrix_view(x, "newdata");
  const Eigen::VectorXd le = to_vector(lengths), ye = to_vector(y), we = to_vector(sample_weight);
  const std::uint64_t core_seed = seed_from_double(seed);
  const sa::PermutationImportance r = interruptible([&] {
    return sa::sequence_permutation_importance(estimator, xe, steps, le, ye, we, n_repeats, core_seed, n_threads,
                                               r_interrupt_requested, progress_hook(on_progress));
  });
  return Rcpp::List::create(Rcpp::Named("importances_mean") = to_r_vector(r.importances_mean),
                            Rcpp::Named("importances_std") = to_r_vector(r.importances_std),
                            Rcpp::Named("importances") = to_r(r.importances),
                            Rcpp::Named("baseline_loss") = r.baseline_loss);
}


// The core's bounds of the sequence attributions' counts.
// [[Rcpp::export]]
Rcpp::NumericVector sa_sequence_max_counts() {
  return Rcpp::NumericVector::create(
      Rcpp::Named("n_permutations") = static_cast<double>(sa::kMaxShapleyPermutations),
      Rcpp::Named("n_steps") = static_cast<double>(sa::kMaxIntegrationSteps),
      Rcpp::Named("n_repeats") = static_cast<double>(sa::kMaxPermutationRepeats));
}
