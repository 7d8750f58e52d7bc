// Conversions between R values and the core's types, shared by the Rcpp
// files of this package (scoresactivation_rcpp.cpp: fit and predict;
// attribution_rcpp.cpp: attributions and metrics; sequence_rcpp.cpp: the
// sequence models and their attributions; senn_rcpp.cpp: the SENN models).
#pragma once

#include <Rcpp.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdint>
#include <limits>
#include <type_traits>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "scoresactivation/callbacks.hpp"
#include "scoresactivation/estimator.hpp"
#include "scoresactivation/model_state.hpp"
#include "scoresactivation/params.hpp"
#include "scoresactivation/senn_network.hpp"
#include "scoresactivation/sequence_estimator.hpp"

namespace sa_r {

namespace sa = scoresactivation;

// The core's interrupt check, called on R's thread only. checkUserInterrupt
// runs R's check in a top-level context and throws instead of jumping, so no
// C++ frame is skipped.
inline bool r_interrupt_requested() {
  try {
    Rcpp::checkUserInterrupt();
  } catch (Rcpp::internal::InterruptedException&) {
    return true;
  }
  return false;
}

// Seeds are whole numbers in [0, 2^53) on the R side (doubles), uint64 here.
inline std::uint64_t seed_from_double(double seed) {
  if (!(seed >= 0.0) || seed >= 9007199254740992.0 || seed != static_cast<double>(static_cast<std::uint64_t>(seed)))
    throw std::invalid_argument("random_state must be a whole number >= 0");
  return static_cast<std::uint64_t>(seed);
}

template <typename T>
inline T scalar(const Rcpp::List& list, const char* name) {
  if (!list.containsElementNamed(name)) throw std::invalid_argument(std::string("params lacks '") + name + "'");
  SEXP value = list[name];
  if (Rf_length(value) != 1) throw std::invalid_argument(std::string(name) + " must be a single value");
  if constexpr (std::is_integral<T>::value && !std::is_same<T, bool>::value) {
    // A double outside the integer's range would be undefined behaviour to cast.
    const double v = Rcpp::as<double>(value);
    if (!(v == std::floor(v)) || v < -4e18 || v > 4e18 ||
        v < static_cast<double>(std::numeric_limits<T>::min()) || v > static_cast<double>(std::numeric_limits<T>::max()))
      throw std::invalid_argument(std::string(name) + " must be a whole number in range");
  }
  return Rcpp::as<T>(value);
}

// R list (as made by R/params.R) -> core Params.
inline sa::Params params_from_list(const Rcpp::List& p) {
  sa::Params out;
  if (!p.containsElementNamed("hidden_layer_sizes"))
    throw std::invalid_argument("params lacks 'hidden_layer_sizes'");
  Rcpp::IntegerVector sizes = Rcpp::as<Rcpp::IntegerVector>(p["hidden_layer_sizes"]);
  out.hidden_layer_sizes.assign(sizes.begin(), sizes.end());
  out.activation = scalar<std::string>(p, "activation");
  out.scores_layer = scalar<bool>(p, "scores_layer");
  out.gate = scalar<std::string>(p, "gate");
  out.snr_budget = scalar<double>(p, "snr_budget");
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
  out.refine_epochs = scalar<long>(p, "refine_epochs");
  out.n_bootstrap = scalar<long>(p, "n_bootstrap");
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

// R list(architecture, units, kernel_size, pooling) (R/sequence.R) <-> the
// core's SequenceParams.
inline sa::SequenceParams sequence_params_from_list(const Rcpp::List& p) {
  sa::SequenceParams out;
  out.architecture = scalar<std::string>(p, "architecture");
  if (!p.containsElementNamed("units")) throw std::invalid_argument("sequence params lack 'units'");
  Rcpp::IntegerVector units = Rcpp::as<Rcpp::IntegerVector>(p["units"]);
  out.units.assign(units.begin(), units.end());
  out.kernel_size = scalar<long>(p, "kernel_size");
  out.pooling = scalar<std::string>(p, "pooling");
  return out;
}

inline Rcpp::List sequence_params_to_list(const sa::SequenceParams& p) {
  return Rcpp::List::create(
      Rcpp::Named("architecture") = p.architecture,
      Rcpp::Named("units") = Rcpp::wrap(std::vector<int>(p.units.begin(), p.units.end())),
      Rcpp::Named("kernel_size") = static_cast<int>(p.kernel_size), Rcpp::Named("pooling") = p.pooling);
}

// R list(robustness_penalty) (R/senn.R) <-> the core's SennParams.
inline sa::SennParams senn_params_from_list(const Rcpp::List& p) {
  sa::SennParams out;
  out.robustness_penalty = scalar<double>(p, "robustness_penalty");
  return out;
}

inline Rcpp::List senn_params_to_list(const sa::SennParams& p) {
  return Rcpp::List::create(Rcpp::Named("robustness_penalty") = p.robustness_penalty);
}

inline sa::ModelState state_from_list(const Rcpp::List& l) {
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

// R's memory of a double matrix, read in place (no copy; R/fit.R makes it double).
inline Eigen::Map<const Eigen::MatrixXd> matrix_view(SEXP x, const char* name) {
  if (TYPEOF(x) != REALSXP || !Rf_isMatrix(x)) throw std::invalid_argument(std::string(name) + " must be a double matrix");
  return Eigen::Map<const Eigen::MatrixXd>(REAL(x), Rf_nrows(x), Rf_ncols(x));
}

inline Eigen::MatrixXd to_eigen(const Rcpp::NumericMatrix& x) {
  return Eigen::Map<const Eigen::MatrixXd>(x.begin(), x.nrow(), x.ncol());
}

inline Rcpp::NumericMatrix to_r(const Eigen::MatrixXd& m) {
  Rcpp::NumericMatrix out(static_cast<int>(m.rows()), static_cast<int>(m.cols()));
  Eigen::Map<Eigen::MatrixXd>(out.begin(), m.rows(), m.cols()) = m;
  return out;
}

// The fitted estimator, rebuilt from the hyperparameters and state lists.
inline sa::Estimator estimator_from(const Rcpp::List& params, const Rcpp::List& state) {
  return sa::Estimator(params_from_list(params), state_from_list(state));
}

// The fitted state as the list R/state.R reads: arrays as list(shape, data),
// data row-major.
inline Rcpp::List state_to_list(const sa::ModelState& s) {
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

// One progress line per epoch, as the Python package prints it.
inline std::string progress_line(const sa::EpochReport& r, long max_epochs, const std::vector<std::string>& names) {
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

inline std::vector<std::string> strings_from(const Rcpp::CharacterVector& v) {
  std::vector<std::string> out;
  for (R_xlen_t j = 0; j < v.size(); ++j) out.push_back(Rcpp::as<std::string>(v[j]));
  return out;
}

// A fit's callbacks: progress lines when verbose (names: the features or
// channels, which must outlive the fit) and R's interrupt poll.
inline sa::Callbacks fit_callbacks(const sa::Params& p, bool verbose, const std::vector<std::string>& names) {
  sa::Callbacks callbacks;
  const long max_epochs = p.max_epochs + (p.scores_layer ? p.refine_epochs : 0);  // at most
  if (verbose) {
    callbacks.on_epoch = [&names, max_epochs](const sa::EpochReport& r) {
      Rcpp::Rcout << progress_line(r, max_epochs, names) << std::endl;
    };
  }
  callbacks.interrupt_requested = r_interrupt_requested;
  return callbacks;
}

// Runs a core call that polls r_interrupt_requested; the core's Interrupted
// becomes Rcpp's, which its wrapper turns into R's interrupt condition.
template <typename Call>
auto interruptible(Call&& call) -> decltype(call()) {
  try {
    return call();
  } catch (const sa::Interrupted&) {
    throw Rcpp::internal::InterruptedException();
  }
}

// An R numeric vector as an Eigen vector (a copy).
inline Eigen::VectorXd to_vector(const Rcpp::NumericVector& v) {
  return Eigen::Map<const Eigen::VectorXd>(v.begin(), v.size());
}

inline Rcpp::NumericVector to_r_vector(const Eigen::VectorXd& v) {
  return Rcpp::NumericVector(v.data(), v.data() + v.size());
}

}  // namespace sa_r
