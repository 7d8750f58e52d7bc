// Bad parameters and bad data are refused with std::invalid_argument naming
// the culprit; the callbacks are honoured (interrupt, per-epoch report).
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include "scoresactivation/callbacks.hpp"
#include "scoresactivation/estimator.hpp"
#include "test_helpers.hpp"

using namespace scoresactivation;

namespace {

const double kNaN = std::numeric_limits<double>::quiet_NaN();
const double kInf = std::numeric_limits<double>::infinity();

struct BadParam {
  std::string name;  // must appear in the message
  std::function<void(Params&)> spoil;
};

std::vector<BadParam> bad_params() {
  return {
      {"hidden_layer_sizes", [](Params& p) { p.hidden_layer_sizes = {8, 0}; }},
      {"hidden_layer_sizes", [](Params& p) { p.hidden_layer_sizes = {-3}; }},
      {"activation", [](Params& p) { p.activation = "gelu"; }},
      {"solver", [](Params& p) { p.solver = "lbfgs"; }},
      {"kernel", [](Params& p) { p.kernel = "cuda"; }},
      {"gate", [](Params& p) { p.gate = "noise"; }},
      {"snr_budget", [](Params& p) { p.snr_budget = 0.0; }},
      {"snr_budget", [](Params& p) { p.snr_budget = kNaN; }},
      {"snr_budget", [](Params& p) { p.snr_budget = kInf; }},
      {"snr_budget", [](Params& p) { p.snr_budget = 1e7; }},
      {"n_bootstrap", [](Params& p) { p.n_bootstrap = -1; }},
      {"n_bootstrap", [](Params& p) { p.n_bootstrap = 100001; }},
      {"refine_epochs", [](Params& p) { p.refine_epochs = -1; }},
      {"temperature", [](Params& p) { p.temperature = 0.0; }},
      {"temperature", [](Params& p) { p.temperature = -1.0; }},
      {"temperature", [](Params& p) { p.temperature = kNaN; }},
      {"temperature", [](Params& p) { p.temperature = kInf; }},
      {"entropy_penalty", [](Params& p) { p.entropy_penalty = -0.1; }},
      {"entropy_penalty", [](Params& p) { p.entropy_penalty = kNaN; }},
      {"learning_rate", [](Params& p) { p.learning_rate = 0.0; }},
      {"learning_rate", [](Params& p) { p.learning_rate = kNaN; }},
      {"scores_learning_rate", [](Params& p) { p.scores_learning_rate = -1e-2; }},
      {"weight_decay", [](Params& p) { p.weight_decay = -1.0; }},
      {"weight_decay", [](Params& p) { p.weight_decay = 1000.0; }},  // lr * wd = 1: shrinks to 0
      {"momentum", [](Params& p) { p.momentum = 1.0; }},
      {"momentum", [](Params& p) { p.momentum = -0.1; }},
      {"beta_1", [](Params& p) { p.beta_1 = 1.0; }},
      {"beta_2", [](Params& p) { p.beta_2 = -0.5; }},
      {"epsilon", [](Params& p) { p.epsilon = 0.0; }},
      {"batch_size", [](Params& p) { p.batch_size = 0; }},
      {"max_epochs", [](Params& p) { p.max_epochs = 0; }},
      {"validation_fraction", [](Params& p) { p.validation_fraction = 0.0; }},
      {"validation_fraction", [](Params& p) { p.validation_fraction = 1.0; }},
      {"validation_fraction", [](Params& p) { p.validation_fraction = kNaN; }},
      {"n_iter_no_change", [](Params& p) { p.n_iter_no_change = 0; }},
      {"tol", [](Params& p) { p.tol = -1e-4; }},
      {"n_threads", [](Params& p) { p.n_threads = 0; }},
  };
}

const sa_test::Dataset& data() {
  static const sa_test::Dataset d = sa_test::make_classification(200, 5, 3, 41);
  return d;
}

Params quick_params() {
  Params p;
  p.hidden_layer_sizes = {8};
  p.max_epochs = 3;
  p.random_state = 1;
  return p;
}

}  // namespace

TEST(Params, DefaultsAreValid) {
  EXPECT_NO_THROW(Params().validate());
  const Params p;
  EXPECT_EQ(p.hidden_layer_sizes, (std::vector<long>{64, 32}));
  EXPECT_EQ(p.gate, "snr");
  EXPECT_EQ(p.snr_budget, 1.5);
  EXPECT_EQ(p.temperature, 1.0);
  EXPECT_EQ(p.entropy_penalty, 0.0);
  EXPECT_EQ(p.learning_rate, 2e-3);
  EXPECT_EQ(p.scores_learning_rate, 1e-2);
  EXPECT_EQ(p.weight_decay, 0.1);
  EXPECT_EQ(p.n_iter_no_change, 15);
  EXPECT_EQ(p.refine_epochs, 20);
  Params empty_hidden;
  empty_hidden.hidden_layer_sizes.clear();  // a linear model is allowed
  EXPECT_NO_THROW(empty_hidden.validate());
}

TEST(Params, ValidateNamesTheBadParameter) {
  for (const BadParam& bad : bad_params()) {
    SCOPED_TRACE(bad.name);
    Params p;
    bad.spoil(p);
    try {
      p.validate();
      ADD_FAILURE() << "validate() accepted a bad " << bad.name;
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find(bad.name), std::string::npos) << e.what();
    }
    // The estimator refuses it at construction.
    EXPECT_THROW(Estimator(p, Task::classification), std::invalid_argument);
  }
}

TEST(Task, Names) {
  EXPECT_EQ(task_from_string("classification"), Task::classification);
  EXPECT_EQ(task_from_string("regression"), Task::regression);
  EXPECT_EQ(to_string(Task::regression), "regression");
  EXPECT_THROW(task_from_string("clustering"), std::invalid_argument);
}

TEST(FitErrors, NonFiniteX) {
  for (double bad : {kNaN, kInf, -kInf}) {
    Eigen::MatrixXd x = data().x;
    x(17, 2) = bad;
    Estimator est(quick_params(), Task::classification);
    EXPECT_THROW(est.fit(x, data().y, Eigen::VectorXd(), 2), std::invalid_argument);
    EXPECT_FALSE(est.fitted());
  }
}

TEST(FitErrors, NonFiniteY) {
  Eigen::VectorXd y = sa_test::make_regression(50, 3, 1).y;
  y[3] = kNaN;
  Estimator est(quick_params(), Task::regression);
  EXPECT_THROW(est.fit(Eigen::MatrixXd::Ones(50, 3), y, Eigen::VectorXd(), 0), std::invalid_argument);
}

TEST(FitErrors, MismatchedLengths) {
  Estimator est(quick_params(), Task::classification);
  EXPECT_THROW(est.fit(data().x, data().y.head(199), Eigen::VectorXd(), 2), std::invalid_argument);
  EXPECT_THROW(est.fit(data().x, data().y, Eigen::VectorXd::Ones(150), 2), std::invalid_argument);
  EXPECT_THROW(est.fit(Eigen::MatrixXd(0, 5), Eigen::VectorXd(0), Eigen::VectorXd(), 2), std::invalid_argument);
  EXPECT_THROW(est.fit(Eigen::MatrixXd(10, 0), Eigen::VectorXd::Zero(10), Eigen::VectorXd(), 2),
               std::invalid_argument);
}

TEST(FitErrors, OneClass) {
  Estimator est(quick_params(), Task::classification);
  EXPECT_THROW(est.fit(data().x, Eigen::VectorXd::Zero(200), Eigen::VectorXd(), 1), std::invalid_argument);
  try {
    est.fit(data().x, Eigen::VectorXd::Zero(200), Eigen::VectorXd(), 1);
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("class"), std::string::npos) << e.what();
  }
}

TEST(FitErrors, LabelsOutsideTheClassRange) {
  Estimator est(quick_params(), Task::classification);
  Eigen::VectorXd y = data().y;
  y[0] = 2.0;  // n_classes = 2
  EXPECT_THROW(est.fit(data().x, y, Eigen::VectorXd(), 2), std::invalid_argument);
  y[0] = -1.0;
  EXPECT_THROW(est.fit(data().x, y, Eigen::VectorXd(), 2), std::invalid_argument);
  y[0] = 0.5;
  EXPECT_THROW(est.fit(data().x, y, Eigen::VectorXd(), 2), std::invalid_argument);
}

TEST(FitErrors, BadSampleWeights) {
  Estimator est(quick_params(), Task::classification);
  Eigen::VectorXd w = Eigen::VectorXd::Ones(200);
  w[5] = -1.0;
  EXPECT_THROW(est.fit(data().x, data().y, w, 2), std::invalid_argument);
  w[5] = kNaN;
  EXPECT_THROW(est.fit(data().x, data().y, w, 2), std::invalid_argument);
  EXPECT_THROW(est.fit(data().x, data().y, Eigen::VectorXd::Zero(200), 2), std::invalid_argument);
}

TEST(FitErrors, EarlyStoppingNeedsTwoSamples) {
  Estimator est(quick_params(), Task::regression);
  EXPECT_THROW(est.fit(Eigen::MatrixXd::Ones(1, 2), Eigen::VectorXd::Ones(1), Eigen::VectorXd(), 0),
               std::invalid_argument);
}

TEST(PredictErrors, WrongColumnCountOrNonFinite) {
  Estimator est(quick_params(), Task::classification);
  est.fit(data().x, data().y, Eigen::VectorXd(), 2);
  EXPECT_THROW(est.decision_function(Eigen::MatrixXd::Zero(4, 4)), std::invalid_argument);
  EXPECT_THROW(est.predict_proba(Eigen::MatrixXd::Zero(4, 6)), std::invalid_argument);
  try {
    est.decision_function(Eigen::MatrixXd::Zero(4, 6));
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("6"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("5"), std::string::npos) << e.what();
  }
  Eigen::MatrixXd x = Eigen::MatrixXd::Zero(4, 5);
  x(1, 1) = kNaN;
  EXPECT_THROW(est.decision_function(x), std::invalid_argument);
  EXPECT_EQ(est.decision_function(Eigen::MatrixXd::Zero(0, 5)).rows(), 0);
}

TEST(Callbacks, InterruptRequestedThrowsInterrupted) {
  Params p = quick_params();
  p.max_epochs = 50;
  Estimator est(p, Task::classification);
  Callbacks callbacks;
  long epochs_seen = 0;
  callbacks.on_epoch = [&](const EpochReport&) { ++epochs_seen; };
  callbacks.interrupt_requested = [] { return true; };
  EXPECT_THROW(est.fit(data().x, data().y, Eigen::VectorXd(), 2, callbacks), Interrupted);
  EXPECT_FALSE(est.fitted());
  // Polled at the latest after the first epoch.
  EXPECT_LE(epochs_seen, 1);
}

TEST(Callbacks, InterruptAfterSomeEpochs) {
  Params p = quick_params();
  p.max_epochs = 50;
  p.n_iter_no_change = 50;
  Estimator est(p, Task::classification);
  Callbacks callbacks;
  long epochs_seen = 0;
  callbacks.on_epoch = [&](const EpochReport&) { ++epochs_seen; };
  callbacks.interrupt_requested = [&] { return epochs_seen >= 3; };
  EXPECT_THROW(est.fit(data().x, data().y, Eigen::VectorXd(), 2, callbacks), Interrupted);
  EXPECT_EQ(epochs_seen, 3);
  // Interrupted is a runtime_error with a message.
  const Interrupted interrupted;
  const std::runtime_error& base = interrupted;
  EXPECT_NE(std::string(base.what()).find("interrupt"), std::string::npos);
}

TEST(Callbacks, OnEpochOncePerEpochOneBased) {
  Params p = quick_params();
  p.max_epochs = 12;
  p.n_iter_no_change = 4;
  Estimator est(p, Task::classification);
  std::vector<EpochReport> reports;
  std::vector<Eigen::VectorXd> scores;
  Callbacks callbacks;
  callbacks.on_epoch = [&](const EpochReport& r) {
    reports.push_back(r);
    ASSERT_NE(r.scores, nullptr);
    scores.push_back(*r.scores);
  };
  est.fit(data().x, data().y, Eigen::VectorXd(), 2, callbacks);
  ASSERT_EQ(static_cast<long>(reports.size()), est.n_epochs_run());
  ASSERT_EQ(est.scores_history().rows(), est.n_epochs_run());
  double best = std::numeric_limits<double>::infinity();
  for (std::size_t i = 0; i < reports.size(); ++i) {
    EXPECT_EQ(reports[i].epoch, static_cast<long>(i) + 1);
    EXPECT_EQ(reports[i].train_loss, est.loss_curve()[i]);
    EXPECT_EQ(reports[i].validation_loss, est.validation_loss_curve()[i]);
    EXPECT_TRUE(sa_test::bit_identical(scores[i], est.scores_history().row(static_cast<long>(i)).transpose()));
    EXPECT_NEAR(scores[i].sum(), 1.0, 1e-12);
    EXPECT_EQ(reports[i].improved, reports[i].validation_loss < best - p.tol) << "epoch " << i + 1;
    best = std::min(best, reports[i].validation_loss);
  }
}

TEST(Callbacks, OnEpochWithoutScoresLayerOrEarlyStopping) {
  Params p = quick_params();
  p.scores_layer = false;
  p.early_stopping = false;
  p.max_epochs = 4;
  Estimator est(p, Task::classification);
  std::vector<long> epochs;
  Callbacks callbacks;
  callbacks.on_epoch = [&](const EpochReport& r) {
    epochs.push_back(r.epoch);
    EXPECT_EQ(r.scores, nullptr);
    EXPECT_TRUE(std::isnan(r.validation_loss));
  };
  est.fit(data().x, data().y, Eigen::VectorXd(), 2, callbacks);
  EXPECT_EQ(epochs, (std::vector<long>{1, 2, 3, 4}));
}

TEST(EarlyStopping, RestoresTheBestEpochsWeightsAndScoresTogether) {
  Params p = quick_params();
  p.max_epochs = 40;
  p.n_iter_no_change = 3;
  p.tol = 0.0;
  Estimator est(p, Task::classification);
  est.fit(data().x, data().y, Eigen::VectorXd(), 2);
  const auto& val = est.validation_loss_curve();
  ASSERT_EQ(static_cast<long>(val.size()), est.n_epochs_run());
  ASSERT_GE(est.best_epoch(), 1);
  const std::size_t best = static_cast<std::size_t>(est.best_epoch() - 1);
  for (double v : val) EXPECT_GE(v, val[best]);
  // Stopped n_iter_no_change epochs after the best one (or at max_epochs).
  if (est.n_epochs_run() < p.max_epochs) {
    EXPECT_EQ(est.n_epochs_run(), est.best_epoch() + p.n_iter_no_change);
  }
  // The scores kept are the best epoch's, not the last one's.
  EXPECT_TRUE(sa_test::bit_identical(est.scores(), est.scores_history().row(static_cast<long>(best)).transpose()));
}

// ---------------------------------------------------------------------------
// Regressions of two fixed core bugs.

// split_rows once wrapped group.size() - 1 to SIZE_MAX for a class with no
// sample (std::length_error, undefined behaviour).
TEST(Regression, ClassAbsentFromYWithEarlyStopping) {
  for (bool early_stopping : {true, false}) {
    SCOPED_TRACE(early_stopping ? "early_stopping" : "no early_stopping");
    Params p = quick_params();
    p.early_stopping = early_stopping;
    // Only one class present: refused like n_classes = 1.
    Estimator one(p, Task::classification);
    EXPECT_THROW(one.fit(data().x, Eigen::VectorXd::Zero(200), Eigen::VectorXd(), 2), std::invalid_argument);
    // Labels {0, 1} declared as 3 classes: fit, or refuse with invalid_argument.
    Estimator three(p, Task::classification);
    try {
      three.fit(data().x, data().y, Eigen::VectorXd(), 3);
    } catch (const std::invalid_argument&) {
    } catch (const std::exception& e) {
      ADD_FAILURE() << "unexpected exception: " << e.what();
    }
  }
}

// A refit that failed half-way (Interrupted, the early-stopping split,
// divergence) once left fitted() true over a half-built model; then it left
// an unfitted one. Now the previous model survives, whole.
TEST(Regression, InterruptedRefitKeepsThePreviousModel) {
  Params p = quick_params();
  p.max_epochs = 5;
  p.n_iter_no_change = 50;
  Estimator est(p, Task::classification);
  est.fit(data().x, data().y, Eigen::VectorXd(), 2);
  Callbacks callbacks;
  long seen = 0;
  callbacks.on_epoch = [&](const EpochReport&) { ++seen; };
  callbacks.interrupt_requested = [&] { return seen >= 2; };
  const Eigen::MatrixXd before = est.decision_function(data().x);
  const Eigen::VectorXd scores_before = est.scores();
  const long epochs_before = est.n_epochs_run();
  // Different data and classes: nothing of it may leak into the kept model.
  Eigen::VectorXd y3 = data().y;
  for (long i = 0; i < y3.size(); i += 3) y3[i] = 2;
  EXPECT_THROW(est.fit(data().x * 2.0, y3, Eigen::VectorXd(), 3, callbacks), Interrupted);
  ASSERT_TRUE(est.fitted());
  EXPECT_EQ(est.n_outputs(), 2);
  EXPECT_EQ(est.n_epochs_run(), epochs_before);
  EXPECT_TRUE(sa_test::bit_identical(est.decision_function(data().x), before));
  EXPECT_TRUE(sa_test::bit_identical(est.scores(), scores_before));
  Eigen::MatrixXd bad = data().x;
  bad(0, 0) = std::numeric_limits<double>::quiet_NaN();
  EXPECT_THROW(est.fit(bad, data().y, Eigen::VectorXd(), 2), std::invalid_argument);
  EXPECT_TRUE(sa_test::bit_identical(est.decision_function(data().x), before));
}
