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
#include <optional>
#include <type_traits>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "scoresactivation/callbacks.hpp"
#include "scoresactivation/estimator.hpp"
#include "scoresactivation/explain.hpp"
#include "scoresactivation/model_state.hpp"
#include "scoresactivation/param_spec.hpp"
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

// jsonlite::parse_json()'s result (named lists for objects, unnamed lists
// for arrays, length-1 vectors for scalars, NULL for null), or a named list
// of hyperparameters -> the core's JsonValue, which the core validates.
inline sa::JsonValue json_from_r(SEXP x, int depth = 0, const char* context = "model document") {
  if (depth > 64) throw std::invalid_argument(std::string(context) + ": nested too deeply");
  switch (TYPEOF(x)) {
    case NILSXP: return sa::JsonValue::null_value();
    case VECSXP: {
      const R_xlen_t n = Rf_xlength(x);
      SEXP names = Rf_getAttrib(x, R_NamesSymbol);
      sa::JsonValue out = names == R_NilValue ? sa::JsonValue::make_array() : sa::JsonValue::make_object();
      for (R_xlen_t i = 0; i < n; ++i) {
        sa::JsonValue item = json_from_r(VECTOR_ELT(x, i), depth + 1, context);
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
  auto element = [x, context](R_xlen_t i) -> sa::JsonValue {
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
      default: throw std::invalid_argument(std::string(context) + ": an R value of an unsupported type");
    }
  };
  if (n == 1) return element(0);
  sa::JsonValue out = sa::JsonValue::make_array();
  for (R_xlen_t i = 0; i < n; ++i) out.array.push_back(element(i));
  return out;
}

// A checked value of the parameter table in its R type.
inline SEXP r_value(const sa::ParamSpec& spec, const sa::JsonValue& v) {
  if (v.is_null()) return R_NilValue;
  switch (spec.type) {
    case sa::ParamType::integer: return Rcpp::wrap(static_cast<int>(std::min(v.number, 2147483647.0)));
    case sa::ParamType::sizes: {
      std::vector<int> sizes;
      if (v.type == sa::JsonValue::Type::number) sizes.push_back(static_cast<int>(v.number));
      for (const auto& x : v.array) sizes.push_back(static_cast<int>(x.number));
      return Rcpp::wrap(sizes);
    }
    case sa::ParamType::boolean: return Rcpp::wrap(v.boolean);
    case sa::ParamType::string: return Rcpp::wrap(v.string);
    case sa::ParamType::verbosity:
      return v.type == sa::JsonValue::Type::boolean ? Rcpp::wrap(v.boolean) : Rcpp::wrap(v.number);
    case sa::ParamType::class_weight: {
      if (v.type == sa::JsonValue::Type::string) return Rcpp::wrap(v.string);
      Rcpp::NumericVector weights(static_cast<R_xlen_t>(v.object.size()));
      Rcpp::CharacterVector labels(static_cast<R_xlen_t>(v.object.size()));
      for (std::size_t i = 0; i < v.object.size(); ++i) {
        labels[static_cast<R_xlen_t>(i)] = v.object[i].first;
        weights[static_cast<R_xlen_t>(i)] = v.object[i].second.number;
      }
      weights.attr("names") = labels;
      return weights;  // a named numeric vector: class = weight
    }
    default: return Rcpp::wrap(v.number);  // numbers, seeds, thread counts
  }
}

// A family's hyperparameters of `set` as an R list in the table's order.
inline Rcpp::List params_list(const sa::ParamSet& set, sa::ModelFamily family) {
  const sa::JsonValue values = sa::params_to_json(set, family);
  Rcpp::List out;
  for (const sa::ParamSpec& spec : sa::param_spec(family)) {
    const sa::JsonValue* v = values.find(spec.name);
    if (v != nullptr) out.push_back(r_value(spec, *v), spec.name);
  }
  return out;
}

// A list of hyperparameters (R/params.R) checked against the family's table,
// without random_state and n_threads: R resolves those (the seed, the count).
inline sa::ParamSet param_set_from_list(const Rcpp::List& p, sa::ModelFamily family) {
  sa::JsonValue given = json_from_r(p, 0, "params");
  if (given.type != sa::JsonValue::Type::object) throw std::invalid_argument("params must be a named list");
  sa::JsonValue kept = sa::JsonValue::make_object();
  // The front end's own (resolved or applied by R: the seed, the threads,
  // class_weight through sa_class_weighted) are not the fit's.
  for (auto& kv : given.object)
    if (kv.first != "random_state" && kv.first != "n_threads" && kv.first != "class_weight")
      kept.object.push_back(std::move(kv));
  sa::ParamSet set;
  sa::apply_params(kept, family, set);
  return set;
}

// R list (as made by R/params.R: the seed as random_state, the resolved
// thread count as n_threads) -> core Params.
inline sa::Params params_from_list(const Rcpp::List& p) {
  sa::Params out = param_set_from_list(p, sa::ModelFamily::tabular).training;
  out.random_state = seed_from_double(scalar<double>(p, "random_state"));
  out.n_threads = scalar<int>(p, "n_threads");
  out.validate();
  return out;
}

// R list(architecture, units, kernel_size, pooling) (R/sequence.R) -> the
// core's SequenceParams.
inline sa::SequenceParams sequence_params_from_list(const Rcpp::List& p) {
  return param_set_from_list(p, sa::ModelFamily::sequence).sequence;
}

// R list(robustness_penalty) (R/senn.R) -> the core's SennParams.
inline sa::SennParams senn_params_from_list(const Rcpp::List& p) {
  return param_set_from_list(p, sa::ModelFamily::senn).senn;
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

// An R character vector as std::strings.
inline std::vector<std::string> strings_from(const Rcpp::CharacterVector& v) {
  std::vector<std::string> out;
  for (R_xlen_t j = 0; j < v.size(); ++j) out.push_back(Rcpp::as<std::string>(v[j]));
  return out;
}

// The core's per-epoch hook calls on_epoch (an R function, or NULL: none)
// with list(epoch, train_loss, validation_loss and validation_score (NA
// without validation rows: early stopping's split or validation_data),
// improved, scores (NULL without the gate)); R/progress.R builds it from
// verbose and the user's callbacks. An R error in it ends the fit.
inline sa::Callbacks fit_callbacks(SEXP on_epoch) {
  sa::Callbacks callbacks;
  if (!Rf_isNull(on_epoch)) {
    const Rcpp::Function hook(on_epoch);
    callbacks.on_epoch = [hook](const sa::EpochReport& r) {
      Rcpp::List info = Rcpp::List::create(
          Rcpp::Named("epoch") = static_cast<int>(r.epoch), Rcpp::Named("train_loss") = r.train_loss,
          Rcpp::Named("validation_loss") = r.validation_loss == r.validation_loss ? r.validation_loss : NA_REAL,
          Rcpp::Named("validation_score") = r.validation_score == r.validation_score ? r.validation_score : NA_REAL,
          Rcpp::Named("improved") = r.improved, Rcpp::Named("scores") = R_NilValue);
      if (r.scores != nullptr) info["scores"] = Rcpp::NumericVector(r.scores->data(), r.scores->data() + r.scores->size());
      hook(info);
    };
  }
  callbacks.interrupt_requested = r_interrupt_requested;
  return callbacks;
}

// A long computation's progress hook (Shapley values, permutation
// importance): calls on_progress (an R function of done and total, or NULL:
// none; R/progress.R, .run_progress) on R's thread, where the core's
// InterruptCheckpoint reports. The call runs in a top-level context, as
// checkUserInterrupt does, so an R error in it never jumps over the core's
// C++ frames: a display must not end the work it shows (R/progress.R also
// catches its own errors, so nothing is printed).
inline sa::ProgressHook progress_hook(SEXP on_progress) {
  if (Rf_isNull(on_progress)) return nullptr;
  if (!Rf_isFunction(on_progress)) throw std::invalid_argument("on_progress must be NULL or a function");
  return [on_progress](long done, long total) {
    struct Call {
      SEXP function;
      double done, total;
    } call{on_progress, static_cast<double>(done), static_cast<double>(total)};
    R_ToplevelExec(
        [](void* data) {
          const Call* c = static_cast<const Call*>(data);
          SEXP done_value = PROTECT(Rf_ScalarReal(c->done));
          SEXP total_value = PROTECT(Rf_ScalarReal(c->total));
          SEXP expr = PROTECT(Rf_lang3(c->function, done_value, total_value));
          Rf_eval(expr, R_GlobalEnv);
          UNPROTECT(3);
        },
        &call);
  };
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

// validation_data's rows as R/fit.R and R/sequence.R hand them over: NULL,
// or list(x = double matrix (tabular: the model's encoded columns; sequences:
// the (n, T * C) layout), lengths = numeric (numeric(0): all steps),
// y = class indices or targets, sample_weight = numeric (numeric(0): equal)),
// checked by R and again by the core (its errors start "validation_data: ").
// Owns the vectors the core's ValidationInput refers to; x is read in place
// (the list is an argument of the call, so R keeps it alive).
class ValidationArg {
 public:
  explicit ValidationArg(SEXP validation) {
    if (Rf_isNull(validation)) return;
    if (TYPEOF(validation) != VECSXP) throw std::invalid_argument("validation_data: expected NULL or a list");
    const Rcpp::List l(validation);
    for (const char* name : {"x", "lengths", "y", "sample_weight"})
      if (!l.containsElementNamed(name))
        throw std::invalid_argument(std::string("validation_data: the list lacks '") + name + "'");
    const SEXP x = l["x"];
    x_.emplace(matrix_view(x, "validation_data's x"));
    lengths_ = to_vector(Rcpp::NumericVector(l["lengths"]));
    y_ = to_vector(Rcpp::NumericVector(l["y"]));
    sample_weight_ = to_vector(Rcpp::NumericVector(l["sample_weight"]));
    input_.emplace(sa::ValidationInput{*x_, lengths_, y_, sample_weight_});
  }
  ValidationArg(const ValidationArg&) = delete;
  ValidationArg& operator=(const ValidationArg&) = delete;
  // The core's argument: null without validation rows.
  const sa::ValidationInput* get() const { return input_ ? &*input_ : nullptr; }

 private:
  std::optional<Eigen::Map<const Eigen::MatrixXd>> x_;
  Eigen::VectorXd lengths_, y_, sample_weight_;
  std::optional<sa::ValidationInput> input_;
};

// explain()'s options from a named list of ExplainOptions' fields (absent:
// the core's default); references as "<name>" (kind) and "<name>_rows".
inline sa::ExplainOptions explain_options_from(const Rcpp::List& l) {
  sa::ExplainOptions o;
  const auto has = [&](const char* key) { return l.containsElementNamed(key); };
  if (has("method")) o.method = Rcpp::as<std::string>(l["method"]);
  if (has("given")) o.given = strings_from(Rcpp::CharacterVector(l["given"]));
  if (has("baseline")) o.baseline.kind = Rcpp::as<std::string>(l["baseline"]);
  if (has("baseline_rows")) o.baseline.rows = to_eigen(Rcpp::NumericMatrix(l["baseline_rows"]));
  if (has("background")) o.background.kind = Rcpp::as<std::string>(l["background"]);
  if (has("background_rows")) o.background.rows = to_eigen(Rcpp::NumericMatrix(l["background_rows"]));
  if (has("targets")) {
    const Rcpp::IntegerVector t(l["targets"]);
    o.targets.assign(t.begin(), t.end());
  }
  if (has("output")) o.output = Rcpp::as<std::string>(l["output"]);
  if (has("rule")) o.rule = Rcpp::as<std::string>(l["rule"]);
  if (has("n_steps")) o.n_steps = Rcpp::as<long>(l["n_steps"]);
  if (has("integration")) o.integration = Rcpp::as<std::string>(l["integration"]);
  if (has("exact")) o.exact = Rcpp::as<int>(l["exact"]);
  if (has("n_permutations")) o.n_permutations = Rcpp::as<long>(l["n_permutations"]);
  if (has("seed")) o.seed = seed_from_double(Rcpp::as<double>(l["seed"]));
  if (has("n_threads")) o.n_threads = Rcpp::as<int>(l["n_threads"]);
  return o;
}

// list(values = list of matrices, base_values = numeric,
// row_base_values = list of numeric), one entry per target.
inline Rcpp::List explanation_to_r(const sa::Explanation& r) {
  Rcpp::List values, row_base_values;
  for (const Eigen::MatrixXd& v : r.values) values.push_back(to_r(v));
  for (const Eigen::VectorXd& v : r.row_base_values) row_base_values.push_back(to_r_vector(v));
  return Rcpp::List::create(Rcpp::Named("values") = values,
                            Rcpp::Named("base_values") = Rcpp::NumericVector(r.base_values.begin(), r.base_values.end()),
                            Rcpp::Named("row_base_values") = row_base_values);
}

}  // namespace sa_r
