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
#include "scoresactivation/model_state.hpp"
#include "scoresactivation/params.hpp"

namespace sa = scoresactivation;

namespace {

// Seeds are whole numbers in [0, 2^53) on the R side (doubles), uint64 here.
std::uint64_t seed_from_double(double seed) {
  if (!(seed >= 0.0) || seed >= 9007199254740992.0 || seed != static_cast<double>(static_cast<std::uint64_t>(seed)))
    throw std::invalid_argument("random_state must be a whole number >= 0");
  return static_cast<std::uint64_t>(seed);
}

template <typename T>
T scalar(const Rcpp::List& list, const char* name) {
  if (!list.containsElementNamed(name)) throw std::invalid_argument(std::string("params lacks '") + name + "'");
  SEXP value = list[name];
  if (Rf_length(value) != 1) throw std::invalid_argument(std::string(name) + " must be a single value");
  return Rcpp::as<T>(value);
}

// R list (as made by R/params.R) -> core Params.
sa::Params params_from_list(const Rcpp::List& p) {
  sa::Params out;
  if (!p.containsElementNamed("hidden_layer_sizes"))
    throw std::invalid_argument("params lacks 'hidden_layer_sizes'");
  Rcpp::IntegerVector sizes = Rcpp::as<Rcpp::IntegerVector>(p["hidden_layer_sizes"]);
  out.hidden_layer_sizes.assign(sizes.begin(), sizes.end());
  out.activation = scalar<std::string>(p, "activation");
  out.scores_layer = scalar<bool>(p, "scores_layer");
  out.temperature = scalar<double>(p, "temperature");
  out.entropy_penalty = scalar<double>(p, "entropy_penalty");
  out.solver = scalar<std::string>(p, "solver");
  out.learning_rate = scalar<double>(p, "learning_rate");
  out.scores_learning_rate = scalar<double>(p, "scores_learning_rate");
  out.weight_decay = scalar<double>(p, "weight_decay");
  out.momentum = scalar<double>(p, "momentum");
  out.beta_1 = scalar<double>(p, "beta_1");
  out.beta_2 = scalar<double>(p, "beta_2");
  out.epsilon = scalar<double>(p, "epsilon");
  out.batch_size = scalar<long>(p, "batch_size");
  out.max_epochs = scalar<long>(p, "max_epochs");
  out.early_stopping = scalar<bool>(p, "early_stopping");
  out.validation_fraction = scalar<double>(p, "validation_fraction");
  out.n_iter_no_change = scalar<long>(p, "n_iter_no_change");
  out.tol = scalar<double>(p, "tol");
  out.standardize = scalar<bool>(p, "standardize");
  out.random_state = seed_from_double(scalar<double>(p, "random_state"));
  out.n_threads = scalar<int>(p, "n_threads");
  out.kernel = scalar<std::string>(p, "kernel");
  return out;
}

Rcpp::List state_to_list(const sa::ModelState& s) {
  Rcpp::List arrays;
  for (const auto& kv : s.arrays) {
    Rcpp::IntegerVector shape(kv.second.shape.begin(), kv.second.shape.end());
    Rcpp::NumericVector data(kv.second.data.begin(), kv.second.data.end());
    arrays[kv.first] = Rcpp::List::create(Rcpp::Named("shape") = shape, Rcpp::Named("data") = data);
  }
  return Rcpp::List::create(Rcpp::Named("task") = s.task, Rcpp::Named("n_features") = static_cast<double>(s.n_features),
                            Rcpp::Named("n_outputs") = static_cast<double>(s.n_outputs),
                            Rcpp::Named("n_epochs_run") = static_cast<double>(s.n_epochs_run),
                            Rcpp::Named("best_epoch") = static_cast<double>(s.best_epoch),
                            Rcpp::Named("arrays") = arrays);
}

sa::ModelState state_from_list(const Rcpp::List& l) {
  sa::ModelState s;
  s.task = scalar<std::string>(l, "task");
  s.n_features = scalar<long>(l, "n_features");
  s.n_outputs = scalar<long>(l, "n_outputs");
  s.n_epochs_run = scalar<long>(l, "n_epochs_run");
  s.best_epoch = scalar<long>(l, "best_epoch");
  if (!l.containsElementNamed("arrays")) throw std::invalid_argument("model state lacks 'arrays'");
  Rcpp::List arrays = Rcpp::as<Rcpp::List>(l["arrays"]);
  Rcpp::CharacterVector names = arrays.names();
  for (R_xlen_t i = 0; i < arrays.size(); ++i) {
    Rcpp::List entry = Rcpp::as<Rcpp::List>(arrays[i]);
    Rcpp::IntegerVector shape = Rcpp::as<Rcpp::IntegerVector>(entry["shape"]);
    Rcpp::NumericVector data = Rcpp::as<Rcpp::NumericVector>(entry["data"]);
    sa::NamedArray a;
    a.shape.assign(shape.begin(), shape.end());
    a.data.assign(data.begin(), data.end());
    s.arrays[Rcpp::as<std::string>(names[i])] = std::move(a);
  }
  return s;
}

Eigen::MatrixXd to_eigen(const Rcpp::NumericMatrix& x) {
  return Eigen::Map<const Eigen::MatrixXd>(x.begin(), x.nrow(), x.ncol());
}

Rcpp::NumericMatrix to_r(const Eigen::MatrixXd& m) {
  Rcpp::NumericMatrix out(static_cast<int>(m.rows()), static_cast<int>(m.cols()));
  Eigen::Map<Eigen::MatrixXd>(out.begin(), m.rows(), m.cols()) = m;
  return out;
}

// One progress line per epoch, as the Python package prints it.
std::string progress_line(const sa::EpochReport& r, long max_epochs, const std::vector<std::string>& names) {
  char buffer[128];
  std::snprintf(buffer, sizeof buffer, "epoch %4ld/%ld  loss %.5f", r.epoch, max_epochs, r.train_loss);
  std::string line = buffer;
  if (r.validation_loss == r.validation_loss) {  // not NaN
    std::snprintf(buffer, sizeof buffer, "  validation %.5f%s", r.validation_loss, r.improved ? " *" : "");
    line += buffer;
  }
  if (r.scores != nullptr) {
    const Eigen::VectorXd& w = *r.scores;
    std::vector<long> order(static_cast<std::size_t>(w.size()));
    for (long j = 0; j < w.size(); ++j) order[static_cast<std::size_t>(j)] = j;
    std::stable_sort(order.begin(), order.end(), [&w](long a, long b) { return w[a] > w[b]; });
    line += "  top:";
    for (std::size_t k = 0; k < order.size() && k < 5; ++k) {
      const long j = order[k];
      const std::string name = static_cast<std::size_t>(j) < names.size() ? names[static_cast<std::size_t>(j)]
                                                                           : "x" + std::to_string(j + 1);
      std::snprintf(buffer, sizeof buffer, " %.3f", w[j]);
      line += (k ? ", " : " ") + name + buffer;
    }
  }
  return line;
}

}  // namespace

// The core's default hyperparameters (params.hpp), the single source of the
// defaults that scores_activation() documents.
// [[Rcpp::export]]
Rcpp::List sa_default_params() {
  const sa::Params p;
  Rcpp::List out;
  auto add = [&out](const char* name, SEXP value) { out[name] = value; };
  add("hidden_layer_sizes", Rcpp::wrap(std::vector<int>(p.hidden_layer_sizes.begin(), p.hidden_layer_sizes.end())));
  add("activation", Rcpp::wrap(p.activation));
  add("scores_layer", Rcpp::wrap(p.scores_layer));
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
  add("batch_size", Rcpp::wrap(static_cast<int>(p.batch_size)));
  add("max_epochs", Rcpp::wrap(static_cast<int>(p.max_epochs)));
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

// Checks hyperparameters with the core's own rules (errors name the parameter).
// [[Rcpp::export]]
void sa_validate_params(Rcpp::List params) { params_from_list(params).validate(); }

// [[Rcpp::export]]
bool sa_avx2_available() { return sa::avx2_kernels_available(); }

// [[Rcpp::export]]
int sa_model_format_version() { return sa::kModelFormatVersion; }

// Trains; returns list(interrupted, state, kernel). y holds class indices
// 0..n_classes-1 (classification) or targets (regression).
// [[Rcpp::export]]
Rcpp::List sa_fit(Rcpp::NumericMatrix x, Rcpp::NumericVector y, Rcpp::NumericVector sample_weight, int n_classes,
                  std::string task, Rcpp::List params, bool verbose, Rcpp::CharacterVector feature_names) {
  sa::Estimator estimator(params_from_list(params), sa::task_from_string(task));
  const Eigen::MatrixXd xe = to_eigen(x);
  const Eigen::VectorXd ye = Eigen::Map<const Eigen::VectorXd>(y.begin(), y.size());
  const Eigen::VectorXd we = Eigen::Map<const Eigen::VectorXd>(sample_weight.begin(), sample_weight.size());
  std::vector<std::string> names;
  for (R_xlen_t j = 0; j < feature_names.size(); ++j) names.push_back(Rcpp::as<std::string>(feature_names[j]));

  sa::Callbacks callbacks;
  const long max_epochs = estimator.params().max_epochs;
  if (verbose) {
    callbacks.on_epoch = [&names, max_epochs](const sa::EpochReport& r) {
      Rcpp::Rcout << progress_line(r, max_epochs, names) << std::endl;
    };
  }
  // Called on this (R's) thread only. checkUserInterrupt runs R's check in a
  // top-level context and throws instead of jumping, so no C++ frame is skipped.
  callbacks.interrupt_requested = []() {
    try {
      Rcpp::checkUserInterrupt();
    } catch (Rcpp::internal::InterruptedException&) {
      return true;
    }
    return false;
  };
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
Rcpp::NumericMatrix sa_predict(Rcpp::List params, Rcpp::List state, Rcpp::NumericMatrix x, std::string type) {
  const sa::Estimator estimator(params_from_list(params), state_from_list(state));
  const Eigen::MatrixXd xe = to_eigen(x);
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
