// pybind11 translation layer: no maths here, only conversions, the GIL and
// the callbacks that let Python print progress and stop a fit on Ctrl-C.
#include <pybind11/eigen.h>
// (pybind11 first: it includes Python.h)
#include <pybind11/functional.h>
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include "scoresactivation/deeplift.hpp"
#include "scoresactivation/estimator.hpp"
#include "scoresactivation/explain.hpp"
#include "scoresactivation/explained_model.hpp"
#include "scoresactivation/gradients.hpp"
#include "scoresactivation/metrics.hpp"
#include "scoresactivation/class_weight.hpp"
#include "scoresactivation/consistency.hpp"
#include "scoresactivation/model_document.hpp"
#include "scoresactivation/param_spec.hpp"
#include "scoresactivation/senn_estimator.hpp"
#include "scoresactivation/parallel.hpp"
#include "scoresactivation/permutation_importance.hpp"
#include "scoresactivation/random.hpp"
#include "scoresactivation/sequence_attribution.hpp"
#include "scoresactivation/sequence_deeplift.hpp"
#include "scoresactivation/sequence_estimator.hpp"
#include "scoresactivation/shapley.hpp"
#include "scoresactivation/version.hpp"

#include <cmath>
#include <limits>
#include <optional>

namespace py = pybind11;
namespace sa = scoresactivation;

namespace {

py::array_t<double> to_numpy(const sa::NamedArray& a) {
  std::vector<py::ssize_t> shape(a.shape.begin(), a.shape.end());
  py::array_t<double> out(shape);
  std::copy(a.data.begin(), a.data.end(), out.mutable_data());
  return out;
}

sa::NamedArray from_numpy(const py::handle& obj) {
  auto arr = py::array_t<double, py::array::c_style | py::array::forcecast>::ensure(obj);
  if (!arr) throw std::invalid_argument("model state arrays must be numeric");
  sa::NamedArray a;
  for (py::ssize_t i = 0; i < arr.ndim(); ++i) a.shape.push_back(static_cast<long>(arr.shape(i)));
  a.data.assign(arr.data(), arr.data() + arr.size());
  return a;
}

py::dict state_to_dict(const sa::ModelState& s) {
  py::dict arrays;
  for (const auto& kv : s.arrays) arrays[py::str(kv.first)] = to_numpy(kv.second);
  py::dict d;
  d["task"] = s.task;
  d["n_features"] = s.n_features;
  d["n_outputs"] = s.n_outputs;
  d["n_epochs_run"] = s.n_epochs_run;
  d["best_epoch"] = s.best_epoch;
  d["arrays"] = arrays;
  return d;
}

sa::ModelState state_from_dict(const py::dict& d) {
  sa::ModelState s;
  s.task = d["task"].cast<std::string>();
  s.n_features = d["n_features"].cast<long>();
  s.n_outputs = d["n_outputs"].cast<long>();
  s.n_epochs_run = d["n_epochs_run"].cast<long>();
  s.best_epoch = d["best_epoch"].cast<long>();
  for (auto item : d["arrays"].cast<py::dict>())
    s.arrays[item.first.cast<std::string>()] = from_numpy(item.second);
  return s;
}

// ------------------------------------------------------- model documents
// A parsed JSON document (dicts, lists, str, int, float, bool, None, as
// json.load returns them) -> the core's JsonValue, which the core validates.
// A str as UTF-8; json accepts lone surrogates ("\ud800"), which have none.
std::string utf8_of(const py::handle& s) {
  Py_ssize_t size = 0;
  const char* data = PyUnicode_AsUTF8AndSize(s.ptr(), &size);
  if (data == nullptr) {
    PyErr_Clear();
    throw std::invalid_argument("model document: a string is not valid Unicode (a lone surrogate)");
  }
  return std::string(data, static_cast<std::size_t>(size));
}

sa::JsonValue json_from_python(const py::handle& obj, int depth = 0, const char* context = "model document") {
  if (depth > 64) throw std::invalid_argument(std::string(context) + ": nested too deeply");
  if (obj.is_none()) return sa::JsonValue::null_value();
  if (py::isinstance<py::bool_>(obj)) return sa::JsonValue::of(obj.cast<bool>());
  if (py::isinstance<py::str>(obj)) return sa::JsonValue::of(utf8_of(obj));
  if (py::isinstance<py::int_>(obj)) {
    // Beyond a double's range (10**400): infinite, which the validator rejects.
    const double x = PyLong_AsDouble(obj.ptr());
    if (x == -1.0 && PyErr_Occurred()) {
      PyErr_Clear();
      return sa::JsonValue::of(std::numeric_limits<double>::infinity());
    }
    return sa::JsonValue::of_integer(x);
  }
  if (py::isinstance<py::float_>(obj)) return sa::JsonValue::of(obj.cast<double>());
  if (py::isinstance<py::dict>(obj)) {
    sa::JsonValue out = sa::JsonValue::make_object();
    for (auto item : obj.cast<py::dict>()) {
      if (!py::isinstance<py::str>(item.first))
        throw std::invalid_argument(std::string(context) + ": object keys must be strings");
      out.object.emplace_back(utf8_of(item.first), json_from_python(item.second, depth + 1, context));
    }
    return out;
  }
  if (py::isinstance<py::list>(obj) || py::isinstance<py::tuple>(obj)) {
    sa::JsonValue out = sa::JsonValue::make_array();
    const py::sequence seq = obj.cast<py::sequence>();
    out.array.reserve(seq.size());
    for (auto item : seq) out.array.push_back(json_from_python(item, depth + 1, context));
    return out;
  }
  throw std::invalid_argument(std::string(context) + ": a value of type " +
                              std::string(py::str(obj.get_type().attr("__name__"))) + " is not JSON");
}

// The core's JsonValue -> the Python values json.load would give (integers
// as int, other numbers as float).
py::object json_to_python(const sa::JsonValue& v) {
  switch (v.type) {
    case sa::JsonValue::Type::null: return py::none();
    case sa::JsonValue::Type::boolean: return py::bool_(v.boolean);
    case sa::JsonValue::Type::number:
      if (v.integer && std::abs(v.number) < 9007199254740992.0) return py::int_(static_cast<long long>(v.number));
      return py::float_(v.number);
    case sa::JsonValue::Type::string: return py::str(v.string);
    case sa::JsonValue::Type::array: {
      py::list out;
      for (const auto& x : v.array) out.append(json_to_python(x));
      return std::move(out);
    }
    case sa::JsonValue::Type::object: {
      py::dict out;
      for (const auto& kv : v.object) out[py::str(kv.first)] = json_to_python(kv.second);
      return std::move(out);
    }
  }
  return py::none();
}

// ------------------------------------------------------- parameter table
py::list param_spec_of(const std::string& family) {
  py::list out;
  for (const sa::ParamSpec& s : sa::param_spec(sa::model_family_from_string(family))) {
    py::dict d;
    d["name"] = s.name;
    d["group"] = sa::to_string(s.group);
    d["type"] = sa::to_string(s.type);
    d["default"] = json_to_python(s.default_value);
    d["low"] = s.low;
    d["high"] = s.high;
    d["low_open"] = s.low_open;
    d["high_open"] = s.high_open;
    d["min_length"] = s.min_length;
    d["max_length"] = s.max_length;
    d["choices"] = s.choices;
    d["doc"] = s.doc;
    out.append(d);
  }
  return out;
}

// The estimator's arguments (name -> value) checked against the table ->
// the core's three parameter structs (ValueError naming the parameter).
py::tuple make_params(const py::dict& given, const std::string& family) {
  sa::ParamSet set;
  sa::apply_params(json_from_python(given, 0, "params"), sa::model_family_from_string(family), set);
  return py::make_tuple(set.training, set.sequence, set.senn);
}

// The document the core lays out (model_document.hpp), as the dict json.dump writes.
py::object write_model_document(const std::string& family, const sa::Params& params,
                                const sa::SequenceParams& sequence, const sa::SennParams& senn,
                                const py::dict& front_end_params, std::uint64_t seed, const py::dict& state,
                                const py::object& feature_names, const py::object& classes,
                                const std::string& library_version, const py::object& variables,
                                const py::object& formula) {
  sa::ModelDocumentParts parts;
  parts.family = sa::model_family_from_string(family);
  parts.params = sa::ParamSet{params, sequence, senn};
  parts.front_end_params = json_from_python(front_end_params, 0, "params");
  parts.seed = seed;
  parts.state = state_from_dict(state);
  parts.feature_names = json_from_python(feature_names, 0, "feature_names");
  parts.classes = json_from_python(classes, 0, "classes");
  parts.variables = json_from_python(variables, 0, "variables");
  parts.formula = json_from_python(formula, 0, "formula");
  parts.library_version = library_version;
  return json_to_python(sa::write_model_document(parts));
}

py::dict read_model_document(const py::object& doc) {
  // Checked here; the caller takes labels, names and its own params
  // (random_state, n_threads, verbose) from its dict, in their Python types.
  const sa::ModelDocument d = sa::read_model_document(json_from_python(doc));
  py::dict out;
  out["format_version"] = d.format_version;
  out["task"] = d.task;
  out["estimator"] = d.estimator;
  out["library_version"] = d.library_version;
  out["core_params"] = d.core_params;
  out["seed"] = d.seed;
  out["state"] = state_to_dict(d.state);
  out["sequence"] = d.sequence;                // a sequence model (format version 3 on)
  out["sequence_params"] = d.sequence_params;  // its own params (defaults for a tabular one)
  out["senn"] = d.senn;                        // a SENN model (format version 4 on)
  out["senn_params"] = d.senn_params;
  // The family's hyperparameters as the table lists them (numbers as float).
  const sa::ModelFamily family = d.senn ? sa::ModelFamily::senn : d.sequence ? sa::ModelFamily::sequence
                                                                             : sa::ModelFamily::tabular;
  out["family"] = d.senn ? "senn" : d.sequence ? "sequence" : "tabular";
  out["params"] = json_to_python(sa::params_to_json(sa::ParamSet{d.core_params, d.sequence_params, d.senn_params}, family));
  return out;
}

// A float64 (n, d) numpy array as the core's MatrixView: no copy for C- or
// F-ordered arrays or strided views; other layouts are copied once.
using StridedMap = Eigen::Map<const Eigen::MatrixXd, 0, Eigen::Stride<Eigen::Dynamic, Eigen::Dynamic>>;
struct MatrixArg {
  py::array_t<double> array;
  StridedMap map{nullptr, 0, 0, Eigen::Stride<Eigen::Dynamic, Eigen::Dynamic>(0, 0)};
};
MatrixArg matrix_arg(const py::array_t<double, py::array::forcecast>& input, const char* name) {
  if (input.ndim() != 2) throw std::invalid_argument(std::string(name) + " must be a 2-d array");
  MatrixArg a;
  a.array = input;
  const auto usable = [](py::ssize_t stride) { return stride > 0 && stride % static_cast<py::ssize_t>(sizeof(double)) == 0; };
  if (!usable(a.array.strides(0)) || !usable(a.array.strides(1)))
    a.array = py::array_t<double, py::array::c_style | py::array::forcecast>::ensure(input);
  const py::ssize_t row = a.array.strides(0) / static_cast<py::ssize_t>(sizeof(double));
  const py::ssize_t col = a.array.strides(1) / static_cast<py::ssize_t>(sizeof(double));
  new (&a.map) StridedMap(a.array.data(), a.array.shape(0), a.array.shape(1),
                          Eigen::Stride<Eigen::Dynamic, Eigen::Dynamic>(col, row));
  return a;
}

// Polled by the core on this (Python's main) thread: runs Python's signal
// handlers; on Ctrl-C the KeyboardInterrupt stays set for the caller.
bool python_interrupt_requested() {
  py::gil_scoped_acquire acquire;
  return PyErr_CheckSignals() != 0;
}

// progress(done, total) from Python (None: no hook), entered with the GIL on
// the calling thread. An error in it is reported as unraisable, not thrown:
// the core may call it inside an OpenMP region, which no exception may leave.
sa::ProgressHook python_progress(const py::object& progress) {
  if (progress.is_none()) return nullptr;
  return [&progress](long done, long total) {
    py::gil_scoped_acquire acquire;
    try {
      progress(done, total);
    } catch (py::error_already_set& e) {
      e.discard_as_unraisable("scoresactivation progress hook");
    }
  };
}

// Raises the pending KeyboardInterrupt (or a new one) after the core stopped.
[[noreturn]] void raise_keyboard_interrupt(const char* what) {
  if (!PyErr_Occurred()) PyErr_SetString(PyExc_KeyboardInterrupt, what);
  throw py::error_already_set();
}

// Runs the core's work without the GIL; an interrupt the core reports (it
// polls python_interrupt_requested) becomes Python's KeyboardInterrupt.
template <typename Work>
auto without_gil(const char* what, Work&& work) -> decltype(work()) {
  try {
    py::gil_scoped_release release;
    return work();
  } catch (const sa::Interrupted&) {
    raise_keyboard_interrupt(what);
  }
}

// explain()'s options from a dict of ExplainOptions' fields; an absent key
// keeps the core's default. References: "<name>" (kind) and "<name>_rows".
sa::ExplainOptions explain_options(const py::dict& d) {
  sa::ExplainOptions o;
  const auto read = [&](const char* key, auto& field) {
    if (d.contains(key)) field = d[key].cast<std::decay_t<decltype(field)>>();
  };
  read("method", o.method);
  read("given", o.given);
  read("baseline", o.baseline.kind);
  read("baseline_rows", o.baseline.rows);
  read("background", o.background.kind);
  read("background_rows", o.background.rows);
  read("targets", o.targets);
  read("output", o.output);
  read("rule", o.rule);
  read("n_steps", o.n_steps);
  read("integration", o.integration);
  read("exact", o.exact);
  read("n_permutations", o.n_permutations);
  read("seed", o.seed);
  read("n_threads", o.n_threads);
  return o;
}

py::dict explanation_dict(const sa::Explanation& r) {
  py::dict d;
  d["values"] = r.values;
  d["base_values"] = r.base_values;
  d["row_base_values"] = r.row_base_values;
  return d;
}

// A Python callable rows -> one value per row as the core's model-agnostic
// output (called with the GIL held; output must outlive the result).
sa::TargetOutput target_output_of(const py::function& output) {
  return [&output](const Eigen::MatrixXd& rows) { return output(rows).cast<Eigen::VectorXd>(); };
}

// decision_function / predict_proba: numpy X read in place, without the GIL.
// (Any tabular family: Estimator, SennEstimator.)
template <class TabularEstimator, class Result>
auto predict_with(Result (TabularEstimator::*method)(const sa::MatrixView&) const) {
  return [method](const TabularEstimator& e, const py::array_t<double, py::array::forcecast>& x_in) {
    const MatrixArg x = matrix_arg(x_in, "X");
    py::gil_scoped_release release;
    return (e.*method)(x.map);
  };
}

// A fit's callbacks: on_epoch (None, or a Python callable that must outlive
// the fit) entered with the GIL, and the Ctrl-C poll.
sa::Callbacks fit_callbacks(const py::object& on_epoch) {
  sa::Callbacks callbacks;
  if (!on_epoch.is_none()) {
    callbacks.on_epoch = [&on_epoch](const sa::EpochReport& r) {
      py::gil_scoped_acquire acquire;
      py::object scores = py::none();
      if (r.scores != nullptr) scores = py::cast(Eigen::VectorXd(*r.scores));
      on_epoch(r.epoch, r.train_loss, r.validation_loss, r.validation_score, r.improved, scores);
    };
  }
  callbacks.interrupt_requested = python_interrupt_requested;
  return callbacks;
}

// validation_data's rows, as the Python layer hands them over: None, or a
// tuple (X, lengths, y, sample_weight) with empty lengths/sample_weight for
// none. Owns the data the core's ValidationInput refers to (so it is not
// copied).
class ValidationArg {
 public:
  explicit ValidationArg(const py::object& validation) {
    if (validation.is_none()) return;
    const py::tuple parts = validation.cast<py::tuple>();
    if (parts.size() != 4) throw std::invalid_argument("validation: expected (X, lengths, y, sample_weight)");
    x_.emplace(matrix_arg(parts[0].cast<py::array_t<double, py::array::forcecast>>(), "validation_data's X"));
    lengths_ = parts[1].cast<Eigen::VectorXd>();
    y_ = parts[2].cast<Eigen::VectorXd>();
    sample_weight_ = parts[3].cast<Eigen::VectorXd>();
    input_.emplace(sa::ValidationInput{x_->map, lengths_, y_, sample_weight_});
  }
  ValidationArg(const ValidationArg&) = delete;
  ValidationArg& operator=(const ValidationArg&) = delete;
  // The core's argument: null without validation rows.
  const sa::ValidationInput* get() const { return input_ ? &*input_ : nullptr; }

 private:
  std::optional<MatrixArg> x_;
  Eigen::VectorXd lengths_, y_, sample_weight_;
  std::optional<sa::ValidationInput> input_;
};

// Fit with the GIL released; Python is only entered in the callbacks.
void fit_senn(sa::SennEstimator& est, const py::array_t<double, py::array::forcecast>& x_in, const Eigen::VectorXd& y,
              const Eigen::VectorXd& sample_weight, long n_classes, py::object on_epoch, const py::object& validation) {
  const MatrixArg x = matrix_arg(x_in, "X");
  const ValidationArg rows(validation);
  const sa::Callbacks callbacks = fit_callbacks(on_epoch);
  without_gil("fit interrupted",
              [&] { est.fit(x.map, y, sample_weight, n_classes, callbacks, rows.get()); });
}

// The tabular network's fit also takes its score groups (the columns of
// each categorical variable; empty: one score per column).
void fit_tabular(sa::Estimator& est, const py::array_t<double, py::array::forcecast>& x_in, const Eigen::VectorXd& y,
                 const Eigen::VectorXd& sample_weight, long n_classes, py::object on_epoch,
                 const std::vector<long>& score_groups, const py::object& validation) {
  const MatrixArg x = matrix_arg(x_in, "X");
  const ValidationArg rows(validation);
  const sa::Callbacks callbacks = fit_callbacks(on_epoch);
  without_gil("fit interrupted", [&] {
    est.fit(x.map, y, sample_weight, n_classes, callbacks, score_groups, rows.get());
  });
}

// One pass over a chunk (sa::Estimator::partial_fit); the estimator stays as
// it was when the pass throws.
void partial_fit_tabular(sa::Estimator& est, const py::array_t<double, py::array::forcecast>& x_in,
                         const Eigen::VectorXd& y, const Eigen::VectorXd& sample_weight, long n_classes,
                         py::object on_epoch, const std::vector<long>& score_groups) {
  const MatrixArg x = matrix_arg(x_in, "X");
  const sa::Callbacks callbacks = fit_callbacks(on_epoch);
  without_gil("partial_fit interrupted", [&] {
    est.partial_fit(x.map, y, sample_weight, n_classes, callbacks, score_groups);
  });
}

// ------------------------------------------------------- sequence models
// Sequences come as X (n, steps * channels), column t * channels + c holding
// channel c at step t: a numpy (n, steps, channels) array reshaped to 2-d,
// read in place like any matrix (no copy for a C-contiguous float64 array).
// lengths: empty (every sequence has all steps) or n whole numbers in 1..steps.
void fit_sequences(sa::SequenceEstimator& est, const py::array_t<double, py::array::forcecast>& x_in, long steps,
                   const Eigen::VectorXd& lengths, const Eigen::VectorXd& y, const Eigen::VectorXd& sample_weight,
                   long n_classes, py::object on_epoch, const py::object& validation) {
  const MatrixArg x = matrix_arg(x_in, "X");
  const ValidationArg rows(validation);
  const sa::Callbacks callbacks = fit_callbacks(on_epoch);
  without_gil("fit interrupted", [&] {
    est.fit(x.map, steps, lengths, y, sample_weight, n_classes, callbacks, rows.get());
  });
}

using SequencePredictMethod = Eigen::MatrixXd (sa::SequenceEstimator::*)(const sa::MatrixView&, long,
                                                                         const Eigen::VectorXd&) const;
auto sequence_predict_with(SequencePredictMethod method) {
  return [method](const sa::SequenceEstimator& e, const py::array_t<double, py::array::forcecast>& x_in, long steps,
                  const Eigen::VectorXd& lengths) {
    const MatrixArg x = matrix_arg(x_in, "X");
    py::gil_scoped_release release;
    return (e.*method)(x.map, steps, lengths);
  };
}

}  // namespace

PYBIND11_MODULE(_core, m) {
  m.doc() = "C++ core of scoresactivation (use the estimators in scoresactivation instead)";

  py::class_<sa::Params>(m, "Params")
      .def(py::init<>())
      .def_readwrite("hidden_layer_sizes", &sa::Params::hidden_layer_sizes)
      .def_readwrite("activation", &sa::Params::activation)
      .def_readwrite("scores_layer", &sa::Params::scores_layer)
      .def_readwrite("gate", &sa::Params::gate)
      .def_readwrite("snr_budget", &sa::Params::snr_budget)
      .def_readwrite("temperature", &sa::Params::temperature)
      .def_readwrite("entropy_penalty", &sa::Params::entropy_penalty)
      .def_readwrite("solver", &sa::Params::solver)
      .def_readwrite("learning_rate", &sa::Params::learning_rate)
      .def_readwrite("scores_learning_rate", &sa::Params::scores_learning_rate)
      .def_readwrite("weight_decay", &sa::Params::weight_decay)
      .def_readwrite("momentum", &sa::Params::momentum)
      .def_readwrite("beta_1", &sa::Params::beta_1)
      .def_readwrite("beta_2", &sa::Params::beta_2)
      .def_readwrite("epsilon", &sa::Params::epsilon)
      .def_readwrite("batch_size", &sa::Params::batch_size)
      .def_readwrite("max_epochs", &sa::Params::max_epochs)
      .def_readwrite("refine_epochs", &sa::Params::refine_epochs)
      .def_readwrite("n_bootstrap", &sa::Params::n_bootstrap)
      .def_readwrite("early_stopping", &sa::Params::early_stopping)
      .def_readwrite("validation_fraction", &sa::Params::validation_fraction)
      .def_readwrite("n_iter_no_change", &sa::Params::n_iter_no_change)
      .def_readwrite("tol", &sa::Params::tol)
      .def_readwrite("standardize", &sa::Params::standardize)
      .def_readwrite("random_state", &sa::Params::random_state)
      .def_readwrite("n_threads", &sa::Params::n_threads)
      .def_readwrite("kernel", &sa::Params::kernel)
      .def("validate", &sa::Params::validate);

  py::class_<sa::Estimator>(m, "Estimator")
      .def(py::init([](const sa::Params& p, const std::string& task) {
             return sa::Estimator(p, sa::task_from_string(task));
           }),
           py::arg("params"), py::arg("task"))
      .def_static(
          "from_state",
          [](const sa::Params& p, const py::dict& state) { return sa::Estimator(p, state_from_dict(state)); },
          py::arg("params"), py::arg("state"))
      .def("fit", &fit_tabular, py::arg("X"), py::arg("y"), py::arg("sample_weight"), py::arg("n_classes"),
           py::arg("on_epoch") = py::none(), py::arg("score_groups") = std::vector<long>(),
           py::arg("validation") = py::none())
      .def("partial_fit", &partial_fit_tabular, py::arg("X"), py::arg("y"), py::arg("sample_weight"),
           py::arg("n_classes"), py::arg("on_epoch") = py::none(), py::arg("score_groups") = std::vector<long>())
      .def_property_readonly("partial_fit_passes", &sa::Estimator::partial_fit_passes)
      .def("__copy__", [](const sa::Estimator& e) { return sa::Estimator(e); })
      .def_property_readonly("score_groups", &sa::Estimator::score_groups)
      .def("decision_function", predict_with(&sa::Estimator::decision_function), py::arg("X"))
      .def("predict_proba", predict_with(&sa::Estimator::predict_proba), py::arg("X"))
      .def("scores", &sa::Estimator::scores)
      .def_property_readonly("scores_history", &sa::Estimator::scores_history)
      .def_property_readonly("scores_bootstrap", &sa::Estimator::scores_bootstrap)
      .def_property_readonly("loss_curve", &sa::Estimator::loss_curve)
      .def_property_readonly("validation_loss_curve", &sa::Estimator::validation_loss_curve)
      .def_property_readonly("validation_score_curve", &sa::Estimator::validation_score_curve)
      .def_property_readonly("n_epochs_run", &sa::Estimator::n_epochs_run)
      .def_property_readonly("best_epoch", &sa::Estimator::best_epoch)
      .def_property_readonly("max_epochs_reached", &sa::Estimator::max_epochs_reached)
      .def_property_readonly("n_features", &sa::Estimator::n_features)
      .def_property_readonly("n_outputs", &sa::Estimator::n_outputs)
      .def_property_readonly("kernel", [](const sa::Estimator& e) { return sa::to_string(e.kernel_path()); })
      .def("input_mean", [](const sa::Estimator& e) { return Eigen::VectorXd(e.input_mean()); })
      .def("state", [](const sa::Estimator& e) { return state_to_dict(e.state()); });

  py::class_<sa::SequenceParams>(m, "SequenceParams")
      .def(py::init<>())
      .def_readwrite("architecture", &sa::SequenceParams::architecture)
      .def_readwrite("units", &sa::SequenceParams::units)
      .def_readwrite("kernel_size", &sa::SequenceParams::kernel_size)
      .def_readwrite("pooling", &sa::SequenceParams::pooling)
      .def("validate", &sa::SequenceParams::validate)
      .def("resolved_pooling", [](const sa::SequenceParams& p) { return sa::to_string(p.resolved_pooling()); });

  py::class_<sa::SequenceEstimator>(m, "SequenceEstimator")
      .def(py::init([](const sa::Params& p, const sa::SequenceParams& sequence, const std::string& task) {
             return sa::SequenceEstimator(p, sequence, sa::task_from_string(task));
           }),
           py::arg("params"), py::arg("sequence_params"), py::arg("task"))
      .def_static(
          "from_state",
          [](const sa::Params& p, const sa::SequenceParams& sequence, const py::dict& state) {
            return sa::SequenceEstimator(p, sequence, state_from_dict(state));
          },
          py::arg("params"), py::arg("sequence_params"), py::arg("state"))
      .def("fit", &fit_sequences, py::arg("X"), py::arg("steps"), py::arg("lengths"), py::arg("y"),
           py::arg("sample_weight"), py::arg("n_classes"), py::arg("on_epoch") = py::none(),
           py::arg("validation") = py::none())
      .def("decision_function", sequence_predict_with(&sa::SequenceEstimator::decision_function), py::arg("X"),
           py::arg("steps"), py::arg("lengths"))
      .def("predict_proba", sequence_predict_with(&sa::SequenceEstimator::predict_proba), py::arg("X"),
           py::arg("steps"), py::arg("lengths"))
      .def("scores", &sa::SequenceEstimator::scores)
      .def_property_readonly("scores_history", &sa::SequenceEstimator::scores_history)
      .def_property_readonly("scores_bootstrap", &sa::SequenceEstimator::scores_bootstrap)
      .def_property_readonly("loss_curve", &sa::SequenceEstimator::loss_curve)
      .def_property_readonly("validation_loss_curve", &sa::SequenceEstimator::validation_loss_curve)
      .def_property_readonly("validation_score_curve", &sa::SequenceEstimator::validation_score_curve)
      .def_property_readonly("n_epochs_run", &sa::SequenceEstimator::n_epochs_run)
      .def_property_readonly("best_epoch", &sa::SequenceEstimator::best_epoch)
      .def_property_readonly("max_epochs_reached", &sa::SequenceEstimator::max_epochs_reached)
      .def_property_readonly("n_channels", &sa::SequenceEstimator::n_channels)
      .def_property_readonly("n_outputs", &sa::SequenceEstimator::n_outputs)
      .def_property_readonly("kernel", [](const sa::SequenceEstimator& e) { return sa::to_string(e.kernel_path()); })
      .def("input_mean", [](const sa::SequenceEstimator& e) { return Eigen::VectorXd(e.input_mean()); })
      .def("state", [](const sa::SequenceEstimator& e) { return state_to_dict(e.state()); });

  py::class_<sa::SennParams>(m, "SennParams")
      .def(py::init<>())
      .def_readwrite("robustness_penalty", &sa::SennParams::robustness_penalty)
      .def("validate", &sa::SennParams::validate);

  py::class_<sa::SennEstimator>(m, "SennEstimator")
      .def(py::init([](const sa::Params& p, const sa::SennParams& senn, const std::string& task) {
             return sa::SennEstimator(p, senn, sa::task_from_string(task));
           }),
           py::arg("params"), py::arg("senn_params"), py::arg("task"))
      .def_static(
          "from_state",
          [](const sa::Params& p, const sa::SennParams& senn, const py::dict& state) {
            return sa::SennEstimator(p, senn, state_from_dict(state));
          },
          py::arg("params"), py::arg("senn_params"), py::arg("state"))
      .def("fit", &fit_senn, py::arg("X"), py::arg("y"), py::arg("sample_weight"), py::arg("n_classes"),
           py::arg("on_epoch") = py::none(), py::arg("validation") = py::none())
      .def("decision_function", predict_with(&sa::SennEstimator::decision_function), py::arg("X"))
      .def("predict_proba", predict_with(&sa::SennEstimator::predict_proba), py::arg("X"))
      .def("relevances", predict_with(&sa::SennEstimator::relevances), py::arg("X"))
      .def("contributions", predict_with(&sa::SennEstimator::contributions), py::arg("X"))
      .def("robustness_residual", predict_with(&sa::SennEstimator::robustness_residual), py::arg("X"))
      .def(
          "input_gradient",
          [](const sa::SennEstimator& e, const py::array_t<double, py::array::forcecast>& x_in, long target) {
            const MatrixArg x = matrix_arg(x_in, "X");
            py::gil_scoped_release release;
            return e.input_gradient(x.map, target);
          },
          py::arg("X"), py::arg("target"))
      .def("base_values", &sa::SennEstimator::base_values)
      .def("scores", &sa::SennEstimator::scores)
      .def_property_readonly("scores_history", &sa::SennEstimator::scores_history)
      .def_property_readonly("scores_bootstrap", &sa::SennEstimator::scores_bootstrap)
      .def_property_readonly("loss_curve", &sa::SennEstimator::loss_curve)
      .def_property_readonly("validation_loss_curve", &sa::SennEstimator::validation_loss_curve)
      .def_property_readonly("validation_score_curve", &sa::SennEstimator::validation_score_curve)
      .def_property_readonly("n_epochs_run", &sa::SennEstimator::n_epochs_run)
      .def_property_readonly("best_epoch", &sa::SennEstimator::best_epoch)
      .def_property_readonly("max_epochs_reached", &sa::SennEstimator::max_epochs_reached)
      .def_property_readonly("n_features", &sa::SennEstimator::n_features)
      .def_property_readonly("n_outputs", &sa::SennEstimator::n_outputs)
      .def_property_readonly("kernel", [](const sa::SennEstimator& e) { return sa::to_string(e.kernel_path()); })
      .def("input_mean", [](const sa::SennEstimator& e) { return Eigen::VectorXd(e.input_mean()); })
      .def("state", [](const sa::SennEstimator& e) { return state_to_dict(e.state()); });

  // Attribution methods and metrics (the heavy work runs without the GIL).
  using Matrix = Eigen::MatrixXd;
  using sa::ExplainedModel;
  // explain(): the core's policy (explain.hpp) for each family; Python
  // converts types only. options: a dict of ExplainOptions' fields (absent:
  // the core's default), references as kind + rows.
  m.def(
      "explain",
      [](const sa::Estimator& est, const Matrix& x, const py::dict& options, const py::object& progress) {
        const sa::ExplainOptions o = explain_options(options);
        return explanation_dict(without_gil("explain interrupted", [&] {
          return sa::explain(est, x, o, python_interrupt_requested, python_progress(progress));
        }));
      },
      py::arg("estimator"), py::arg("X"), py::arg("options"), py::arg("progress") = py::none());
  m.def(
      "explain",
      [](const sa::SequenceEstimator& est, const py::array_t<double, py::array::forcecast>& x_in, long steps,
         const Eigen::VectorXd& lengths, const py::dict& options, const py::object& progress) {
        const MatrixArg x = matrix_arg(x_in, "X");
        const sa::ExplainOptions o = explain_options(options);
        return explanation_dict(without_gil("explain interrupted", [&] {
          return sa::explain(est, x.map, steps, lengths, o, python_interrupt_requested, python_progress(progress));
        }));
      },
      py::arg("estimator"), py::arg("X"), py::arg("steps"), py::arg("lengths"), py::arg("options"),
      py::arg("progress") = py::none());
  m.def(
      "explain",
      [](const sa::SennEstimator& est, const py::array_t<double, py::array::forcecast>& x_in,
         const py::dict& options, const py::object& progress) {
        const MatrixArg x = matrix_arg(x_in, "X");
        const sa::ExplainOptions o = explain_options(options);
        return explanation_dict(without_gil("explain interrupted", [&] {
          return sa::explain(est, x.map, o, python_interrupt_requested, python_progress(progress));
        }));
      },
      py::arg("estimator"), py::arg("X"), py::arg("options"), py::arg("progress") = py::none());
  m.def(
      "class_weighted",
      [](const py::object& class_weight, const std::vector<std::string>& labels, const Eigen::VectorXd& y,
         const Eigen::VectorXd& sample_weight) {
        return sa::class_weighted(json_from_python(class_weight, 0, "class_weight"), labels, y, sample_weight);
      },
      py::arg("class_weight"), py::arg("labels"), py::arg("y"), py::arg("sample_weight"),
      "The rows' weights of a fit under class_weight (class_weight.hpp).");
  m.def(
      "explain_methods",
      [](const std::string& family) { return sa::explain_methods(sa::model_family_from_string(family)); },
      py::arg("family") = "tabular", "The local methods of explain() for a model family, the default first.");
  m.def(
      "explain_method_options",
      [](const std::string& method, const std::string& family) {
        return sa::explain_method_options(method, sa::model_family_from_string(family));
      },
      py::arg("method"), py::arg("family") = "tabular",
      "The options of explain() a method reads (ValueError for an unknown method).");
  m.def(
      "explain_uses_seed",
      [](const std::string& method, int exact, long n_players) {
        sa::ExplainOptions o;
        o.method = method;
        o.exact = exact;
        return sa::explain_uses_seed(o, n_players);
      },
      py::arg("method"), py::arg("exact"), py::arg("n_players"));
  m.attr("AUTO_EXACT_SHAPLEY_MAX_FEATURES") = sa::kAutoExactShapleyMaxFeatures;
  m.def(
      "permutation_importance",
      [](const sa::Estimator& est, const Matrix& x, const Eigen::VectorXd& y, const Eigen::VectorXd& sample_weight,
         long n_repeats, std::uint64_t seed, int n_threads, const py::object& progress) {
        const sa::PermutationImportance r = without_gil("permutation importance interrupted", [&] {
          return sa::permutation_importance(ExplainedModel(est), x, y, sample_weight, n_repeats, seed, n_threads,
                                            python_interrupt_requested, python_progress(progress));
        });
        py::dict d;
        d["importances_mean"] = r.importances_mean;
        d["importances_std"] = r.importances_std;
        d["importances"] = r.importances;
        d["baseline_loss"] = r.baseline_loss;
        return d;
      },
      py::arg("estimator"), py::arg("X"), py::arg("y"), py::arg("sample_weight"), py::arg("n_repeats"),
      py::arg("seed"), py::arg("n_threads"), py::arg("progress") = py::none());
  m.def("model_outputs",
        [](const sa::Estimator& est, const Matrix& x, const std::string& output, int n_threads) {
          py::gil_scoped_release release;
          return ExplainedModel(est).outputs(x, sa::explained_output_from_string(output), n_threads);
        },
        py::arg("estimator"), py::arg("X"), py::arg("output"), py::arg("n_threads"));
  // Sequence attributions (sequence_attribution.hpp): X, references and
  // background as (rows, steps * channels) matrices read in place.
  using Array = py::array_t<double, py::array::forcecast>;
  m.def(
      "sequence_deepactif",
      [](const sa::SequenceEstimator& est, const Array& x_in, long steps, const Eigen::VectorXd& lengths,
         const std::string& hook, const std::string& aggregation, long block_rows, int n_threads) {
        const MatrixArg x = matrix_arg(x_in, "X");
        sa::DeepActifOptions options;
        options.hook = hook;
        options.aggregation = aggregation;
        options.block_rows = block_rows;
        return without_gil("DeepACTIF interrupted", [&] {
          return sa::deepactif(est, x.map, steps, lengths, options, n_threads, python_interrupt_requested);
        });
      },
      py::arg("estimator"), py::arg("X"), py::arg("steps"), py::arg("lengths"), py::arg("hook"),
      py::arg("aggregation"), py::arg("block_rows"), py::arg("n_threads"));
  m.def(
      "sequence_permutation_importance",
      [](const sa::SequenceEstimator& est, const Array& x_in, long steps, const Eigen::VectorXd& lengths,
         const Eigen::VectorXd& y, const Eigen::VectorXd& sample_weight, long n_repeats, std::uint64_t seed,
         int n_threads, const py::object& progress) {
        const MatrixArg x = matrix_arg(x_in, "X");
        const sa::PermutationImportance r = without_gil("permutation importance interrupted", [&] {
          return sa::sequence_permutation_importance(est, x.map, steps, lengths, y, sample_weight, n_repeats, seed,
                                                     n_threads, python_interrupt_requested, python_progress(progress));
        });
        py::dict d;
        d["importances_mean"] = r.importances_mean;
        d["importances_std"] = r.importances_std;
        d["importances"] = r.importances;
        d["baseline_loss"] = r.baseline_loss;
        return d;
      },
      py::arg("estimator"), py::arg("X"), py::arg("steps"), py::arg("lengths"), py::arg("y"),
      py::arg("sample_weight"), py::arg("n_repeats"), py::arg("seed"), py::arg("n_threads"),
      py::arg("progress") = py::none());
  m.attr("MAX_DEEPACTIF_BLOCK_ROWS") = sa::kMaxDeepActifBlockRows;
  m.attr("AUTO_EXACT_SEQUENCE_SHAPLEY_CHANNELS") = sa::kAutoExactSequenceShapleyChannels;
  m.def("spearman", &sa::spearman, py::arg("a"), py::arg("b"));
  m.def("kendall_tau", &sa::kendall_tau, py::arg("a"), py::arg("b"));
  m.def("top_k_precision", &sa::top_k_precision, py::arg("scores"), py::arg("relevant"), py::arg("k"));
  m.def(
      "consistency",
      [](const std::vector<Eigen::MatrixXd>& importances, long top_k) {
        const sa::ConsistencyReport r = sa::consistency(importances, top_k);
        py::dict out;
        out["spearman"] = r.spearman;
        out["kendall"] = r.kendall;
        out["top_k_overlap"] = r.top_k_overlap;
        out["mean_rank"] = r.mean_rank;
        out["consensus_rank"] = r.consensus_rank;
        out["consensus_spread"] = r.consensus_spread;
        out["top_k"] = r.top_k;
        return out;
      },
      py::arg("importances"), py::arg("top_k"));
  m.def(
      "deletion_curve",
      [](const sa::Estimator& est, const Matrix& x, const Matrix& attributions, const Eigen::RowVectorXd& baseline,
         long target, const std::string& output, bool insertion, int n_threads) {
        const sa::PerturbationCurve c = without_gil("deletion curve interrupted", [&] {
          return sa::deletion_curve(ExplainedModel(est), x, attributions, baseline, target,
                                    sa::explained_output_from_string(output), insertion, n_threads,
                                    python_interrupt_requested);
        });
        return py::make_tuple(c.curves, c.auc);
      },
      py::arg("estimator"), py::arg("X"), py::arg("attributions"), py::arg("baseline"), py::arg("target"),
      py::arg("output"), py::arg("insertion"), py::arg("n_threads"));
  m.def(
      "faithfulness_correlation",
      [](const sa::Estimator& est, const Matrix& x, const Matrix& attributions, const Eigen::RowVectorXd& reference,
         long target, const std::string& output, int n_threads) {
        return without_gil("faithfulness interrupted", [&] {
          return sa::faithfulness_correlation(ExplainedModel(est), x, attributions, reference, target,
                                              sa::explained_output_from_string(output), n_threads,
                                              python_interrupt_requested);
        });
      },
      py::arg("estimator"), py::arg("X"), py::arg("attributions"), py::arg("reference"), py::arg("target"),
      py::arg("output"), py::arg("n_threads"));
  // The same for any model: output(rows) -> one value per row (called with the GIL held).
  m.def(
      "faithfulness_correlation_of",
      [](const py::function& output, const Matrix& x, const Matrix& attributions, const Eigen::RowVectorXd& reference) {
        const sa::TargetOutput f = target_output_of(output);
        return sa::faithfulness_correlation(f, x, attributions, reference, python_interrupt_requested);
      },
      py::arg("output"), py::arg("X"), py::arg("attributions"), py::arg("reference"));
  m.def(
      "deletion_curve_of",
      [](const py::function& output, const Matrix& x, const Matrix& attributions, const Eigen::RowVectorXd& baseline,
         bool insertion) {
        const sa::TargetOutput f = target_output_of(output);
        const sa::PerturbationCurve c = sa::deletion_curve(f, x, attributions, baseline, insertion,
                                                           python_interrupt_requested);
        return py::make_tuple(c.curves, c.auc);
      },
      py::arg("output"), py::arg("X"), py::arg("attributions"), py::arg("baseline"), py::arg("insertion"));
  m.def("local_lipschitz", &sa::local_lipschitz, py::arg("explain"), py::arg("X"), py::arg("feature_scale"),
        py::arg("radius"), py::arg("n_samples"), py::arg("seed"));
  // The core's bounds of the counts, so that Python names them in its own checks.
  m.attr("MAX_N_PERMUTATIONS") = sa::kMaxShapleyPermutations;
  m.attr("MAX_N_STEPS") = sa::kMaxIntegrationSteps;
  m.attr("MAX_N_REPEATS") = sa::kMaxPermutationRepeats;
  m.attr("MAX_N_SAMPLES") = sa::kMaxLipschitzSamples;

  m.def("avx2_kernels_available", &sa::avx2_kernels_available,
        "Whether this CPU and build run the AVX2+FMA matrix kernels.");
  m.attr("MODEL_FORMAT_VERSION") = sa::kModelFormatVersion;
  m.attr("__version__") = sa::kLibraryVersion;
  m.def("param_spec", &param_spec_of, py::arg("family") = "tabular",
        "The table of hyperparameters of a family ('tabular', 'sequence', 'senn'): one dict per parameter.");
  {
    py::dict table;
    for (const char* family : {"tabular", "sequence", "senn"}) table[family] = param_spec_of(family);
    m.attr("PARAM_SPEC") = table;
  }
  m.def("make_params", &make_params, py::arg("params"), py::arg("family"),
        "(Params, SequenceParams, SennParams) from a dict of hyperparameters, checked against the table.");
  m.def(
      "resolve_threads",
      [](const py::object& requested, int cores) {
        return sa::resolve_threads(json_from_python(requested, 0, "n_threads"), cores);
      },
      py::arg("n_threads"), py::arg("cores"), "The core's thread rule: None -> cores, -n -> cores + 1 - n, capped.");
  m.def("thread_limit", &sa::thread_limit, "Thread counts above this (4 x the hardware threads) run on this many.");
  m.def("write_model_document", &write_model_document, py::arg("family"), py::arg("params"),
        py::arg("sequence_params"), py::arg("senn_params"), py::arg("front_end_params"), py::arg("seed"),
        py::arg("state"), py::arg("feature_names"), py::arg("classes"), py::arg("library_version"),
        py::arg("variables") = py::none(), py::arg("formula") = py::none(),
        "The model document (docs/model-format.md) as a dict, laid out and checked by the core.");
  m.def("read_model_document", &read_model_document, py::arg("document"),
        "Validates a parsed model document (docs/model-format.md); raises ValueError naming the key.");
}
