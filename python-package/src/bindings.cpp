// pybind11 translation layer: no maths here, only conversions, the GIL and
// the callbacks that let Python print progress and stop a fit on Ctrl-C.
#include <pybind11/eigen.h>
#include <pybind11/functional.h>
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include "scoresactivation/deeplift.hpp"
#include "scoresactivation/estimator.hpp"
#include "scoresactivation/explained_model.hpp"
#include "scoresactivation/gradients.hpp"
#include "scoresactivation/metrics.hpp"
#include "scoresactivation/permutation_importance.hpp"
#include "scoresactivation/random.hpp"
#include "scoresactivation/shapley.hpp"

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

// Polled by the core on this (Python's main) thread: runs Python's signal
// handlers; on Ctrl-C the KeyboardInterrupt stays set for the caller.
bool python_interrupt_requested() {
  py::gil_scoped_acquire acquire;
  return PyErr_CheckSignals() != 0;
}

// Raises the pending KeyboardInterrupt (or a new one) after the core stopped.
[[noreturn]] void raise_keyboard_interrupt(const char* what) {
  if (!PyErr_Occurred()) PyErr_SetString(PyExc_KeyboardInterrupt, what);
  throw py::error_already_set();
}

// Fit with the GIL released; Python is only entered in the callbacks.
void fit(sa::Estimator& est, const Eigen::MatrixXd& x, const Eigen::VectorXd& y,
         const Eigen::VectorXd& sample_weight, long n_classes, py::object on_epoch) {
  sa::Callbacks callbacks;
  if (!on_epoch.is_none()) {
    callbacks.on_epoch = [&on_epoch](const sa::EpochReport& r) {
      py::gil_scoped_acquire acquire;
      py::object scores = py::none();
      if (r.scores != nullptr) scores = py::cast(Eigen::VectorXd(*r.scores));
      on_epoch(r.epoch, r.train_loss, r.validation_loss, r.improved, scores);
    };
  }
  callbacks.interrupt_requested = python_interrupt_requested;
  try {
    py::gil_scoped_release release;
    est.fit(x, y, sample_weight, n_classes, callbacks);
  } catch (const sa::Interrupted&) {
    raise_keyboard_interrupt("fit interrupted");
  }
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
      .def("fit", &fit, py::arg("X"), py::arg("y"), py::arg("sample_weight"), py::arg("n_classes"),
           py::arg("on_epoch") = py::none())
      .def("decision_function", &sa::Estimator::decision_function, py::arg("X"),
           py::call_guard<py::gil_scoped_release>())
      .def("predict_proba", &sa::Estimator::predict_proba, py::arg("X"),
           py::call_guard<py::gil_scoped_release>())
      .def("scores", &sa::Estimator::scores)
      .def_property_readonly("scores_history", &sa::Estimator::scores_history)
      .def_property_readonly("scores_bootstrap", &sa::Estimator::scores_bootstrap)
      .def_property_readonly("loss_curve", &sa::Estimator::loss_curve)
      .def_property_readonly("validation_loss_curve", &sa::Estimator::validation_loss_curve)
      .def_property_readonly("n_epochs_run", &sa::Estimator::n_epochs_run)
      .def_property_readonly("best_epoch", &sa::Estimator::best_epoch)
      .def_property_readonly("n_features", &sa::Estimator::n_features)
      .def_property_readonly("n_outputs", &sa::Estimator::n_outputs)
      .def_property_readonly("kernel", [](const sa::Estimator& e) { return sa::to_string(e.kernel_path()); })
      .def("state", [](const sa::Estimator& e) { return state_to_dict(e.state()); });

  // Attribution methods and metrics (the heavy work runs without the GIL).
  using Matrix = Eigen::MatrixXd;
  using sa::ExplainedModel;
  m.def(
      "deeplift",
      [](const sa::Estimator& est, const Matrix& x, const Matrix& baseline, long target, const std::string& rule,
         int n_threads) {
        py::gil_scoped_release release;
        return sa::deeplift(ExplainedModel(est), x, baseline, target, sa::deeplift_rule_from_string(rule), n_threads);
      },
      py::arg("estimator"), py::arg("X"), py::arg("baseline"), py::arg("target"), py::arg("rule"), py::arg("n_threads"));
  m.def(
      "integrated_gradients",
      [](const sa::Estimator& est, const Matrix& x, const Matrix& baseline, long target, long n_steps,
         const std::string& method, int n_threads) {
        py::gil_scoped_release release;
        return sa::integrated_gradients(ExplainedModel(est), x, baseline, target, n_steps,
                                        sa::quadrature_from_string(method), n_threads);
      },
      py::arg("estimator"), py::arg("X"), py::arg("baseline"), py::arg("target"), py::arg("n_steps"),
      py::arg("method"), py::arg("n_threads"));
  m.def(
      "gradient",
      [](const sa::Estimator& est, const Matrix& x, long target, bool times_input, int n_threads) {
        py::gil_scoped_release release;
        const ExplainedModel model(est);
        return times_input ? sa::gradient_times_input(model, x, target, n_threads)
                           : sa::input_gradient(model, x, target, n_threads);
      },
      py::arg("estimator"), py::arg("X"), py::arg("target"), py::arg("times_input"), py::arg("n_threads"));
  m.def(
      "shapley",
      [](const sa::Estimator& est, const Matrix& x, const Matrix& background, long target, const std::string& output,
         bool exact, long n_permutations, std::uint64_t seed, int n_threads) {
        sa::ShapleyResult r;
        try {
          py::gil_scoped_release release;
          const ExplainedModel model(est);
          const sa::ExplainedOutput out = sa::explained_output_from_string(output);
          r = exact ? sa::shapley_exact(model, x, background, target, out, n_threads, python_interrupt_requested)
                    : sa::shapley_sampled(model, x, background, target, out, n_permutations, seed, n_threads,
                                          python_interrupt_requested);
        } catch (const sa::Interrupted&) {
          raise_keyboard_interrupt("Shapley values interrupted");
        }
        py::dict d;
        d["values"] = r.values;
        d["standard_error"] = r.standard_error;
        d["base_value"] = r.base_value;
        d["evaluations_per_row"] = r.evaluations_per_row;
        return d;
      },
      py::arg("estimator"), py::arg("X"), py::arg("background"), py::arg("target"), py::arg("output"),
      py::arg("exact"), py::arg("n_permutations"), py::arg("seed"), py::arg("n_threads"));
  m.def(
      "permutation_importance",
      [](const sa::Estimator& est, const Matrix& x, const Eigen::VectorXd& y, const Eigen::VectorXd& sample_weight,
         long n_repeats, std::uint64_t seed, int n_threads) {
        sa::PermutationImportance r;
        try {
          py::gil_scoped_release release;
          r = sa::permutation_importance(ExplainedModel(est), x, y, sample_weight, n_repeats, seed, n_threads,
                                         python_interrupt_requested);
        } catch (const sa::Interrupted&) {
          raise_keyboard_interrupt("permutation importance interrupted");
        }
        py::dict d;
        d["importances_mean"] = r.importances_mean;
        d["importances_std"] = r.importances_std;
        d["importances"] = r.importances;
        d["baseline_loss"] = r.baseline_loss;
        return d;
      },
      py::arg("estimator"), py::arg("X"), py::arg("y"), py::arg("sample_weight"), py::arg("n_repeats"),
      py::arg("seed"), py::arg("n_threads"));
  m.def("model_outputs",
        [](const sa::Estimator& est, const Matrix& x, const std::string& output, int n_threads) {
          py::gil_scoped_release release;
          return ExplainedModel(est).outputs(x, sa::explained_output_from_string(output), n_threads);
        },
        py::arg("estimator"), py::arg("X"), py::arg("output"), py::arg("n_threads"));
  m.def("spearman", &sa::spearman, py::arg("a"), py::arg("b"));
  m.def("kendall_tau", &sa::kendall_tau, py::arg("a"), py::arg("b"));
  m.def("top_k_precision", &sa::top_k_precision, py::arg("scores"), py::arg("relevant"), py::arg("k"));
  m.def(
      "deletion_curve",
      [](const sa::Estimator& est, const Matrix& x, const Matrix& attributions, const Eigen::RowVectorXd& baseline,
         long target, const std::string& output, bool insertion, int n_threads) {
        sa::PerturbationCurve c;
        {
          py::gil_scoped_release release;
          c = sa::deletion_curve(ExplainedModel(est), x, attributions, baseline, target,
                                 sa::explained_output_from_string(output), insertion, n_threads);
        }
        return py::make_tuple(c.curves, c.auc);
      },
      py::arg("estimator"), py::arg("X"), py::arg("attributions"), py::arg("baseline"), py::arg("target"),
      py::arg("output"), py::arg("insertion"), py::arg("n_threads"));
  m.def(
      "faithfulness_correlation",
      [](const sa::Estimator& est, const Matrix& x, const Matrix& attributions, const Eigen::RowVectorXd& reference,
         long target, const std::string& output, int n_threads) {
        py::gil_scoped_release release;
        return sa::faithfulness_correlation(ExplainedModel(est), x, attributions, reference, target,
                                            sa::explained_output_from_string(output), n_threads);
      },
      py::arg("estimator"), py::arg("X"), py::arg("attributions"), py::arg("reference"), py::arg("target"),
      py::arg("output"), py::arg("n_threads"));
  m.def("local_lipschitz", &sa::local_lipschitz, py::arg("explain"), py::arg("X"), py::arg("feature_scale"),
        py::arg("radius"), py::arg("n_samples"), py::arg("seed"));

  m.def("avx2_kernels_available", &sa::avx2_kernels_available,
        "Whether this CPU and build run the AVX2+FMA matrix kernels.");
  m.attr("MODEL_FORMAT_VERSION") = sa::kModelFormatVersion;
}
