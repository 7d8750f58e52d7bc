// The fitted state as named arrays: a rebuilt estimator is the same model,
// and a damaged state is refused with std::invalid_argument.
#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>
#include <string>

#include "scoresactivation/estimator.hpp"
#include "test_helpers.hpp"

using namespace scoresactivation;
using sa_test::bit_identical;

namespace {

Params small_params(bool scores_layer, bool early_stopping) {
  Params p;
  p.hidden_layer_sizes = {12, 6};
  p.batch_size = 64;
  p.max_epochs = 5;
  p.scores_layer = scores_layer;
  p.early_stopping = early_stopping;
  p.random_state = 3;
  return p;
}

const sa_test::Dataset& classification_data() {
  static const sa_test::Dataset data = sa_test::make_classification(300, 6, 3, 31, 3);
  return data;
}

const sa_test::Dataset& regression_data() {
  static const sa_test::Dataset data = sa_test::make_regression(300, 5, 32);
  return data;
}

Estimator fitted(const Params& p, Task task) {
  Estimator est(p, task);
  const sa_test::Dataset& data = task == Task::classification ? classification_data() : regression_data();
  est.fit(data.x, data.y, Eigen::VectorXd(), data.n_classes);
  return est;
}

void expect_same_model(const Estimator& original, const Estimator& rebuilt, const Eigen::MatrixXd& x) {
  ASSERT_TRUE(rebuilt.fitted());
  EXPECT_EQ(rebuilt.task(), original.task());
  EXPECT_EQ(rebuilt.n_features(), original.n_features());
  EXPECT_EQ(rebuilt.n_outputs(), original.n_outputs());
  EXPECT_EQ(rebuilt.n_epochs_run(), original.n_epochs_run());
  EXPECT_EQ(rebuilt.best_epoch(), original.best_epoch());
  EXPECT_EQ(rebuilt.loss_curve(), original.loss_curve());
  EXPECT_TRUE(bit_identical(rebuilt.input_mean(), original.input_mean()));
  EXPECT_TRUE(bit_identical(rebuilt.input_scale(), original.input_scale()));
  // The NaN-free curves compare with ==.
  ASSERT_EQ(rebuilt.validation_loss_curve().size(), original.validation_loss_curve().size());
  for (std::size_t i = 0; i < original.validation_loss_curve().size(); ++i)
    EXPECT_EQ(rebuilt.validation_loss_curve()[i], original.validation_loss_curve()[i]);
  EXPECT_TRUE(bit_identical(rebuilt.decision_function(x), original.decision_function(x)));
  if (original.task() == Task::classification) {
    EXPECT_TRUE(bit_identical(rebuilt.predict_proba(x), original.predict_proba(x)));
  }
  if (original.network().has_scores_layer()) {
    EXPECT_TRUE(bit_identical(rebuilt.scores(), original.scores()));
    EXPECT_TRUE(bit_identical(rebuilt.scores_history(), original.scores_history()));
  }
}

}  // namespace

TEST(StateRoundTrip, ClassifierWithScoresLayer) {
  const Params p = small_params(true, true);
  const Estimator est = fitted(p, Task::classification);
  const ModelState state = est.state();
  EXPECT_EQ(state.task, "classification");
  EXPECT_EQ(state.n_features, 6);
  EXPECT_EQ(state.n_outputs, 3);
  EXPECT_EQ(state.n_epochs_run, est.n_epochs_run());
  EXPECT_EQ(state.best_epoch, est.best_epoch());
  EXPECT_EQ(state.arrays.at("scores").shape, (std::vector<long>{6}));
  EXPECT_EQ(state.arrays.at("scores_history").shape, (std::vector<long>{est.n_epochs_run(), 6}));
  EXPECT_EQ(state.arrays.at("dense_0_weight").shape, (std::vector<long>{6, 12}));
  EXPECT_EQ(state.arrays.at("dense_2_bias").shape, (std::vector<long>{3}));
  // Row-major (C order) data.
  const NamedArray& w0 = state.arrays.at("dense_0_weight");
  EXPECT_EQ(w0.data[1], est.network().layers()[0].weight(0, 1));
  EXPECT_EQ(w0.data[12], est.network().layers()[0].weight(1, 0));
  const Estimator rebuilt(p, state);
  expect_same_model(est, rebuilt, classification_data().x);
}

TEST(StateRoundTrip, RegressorKeepsTargetScaling) {
  const Params p = small_params(true, true);
  const Estimator est = fitted(p, Task::regression);
  const ModelState state = est.state();
  EXPECT_EQ(state.task, "regression");
  // The targets have mean about 11 and sd about 3.7: not the identity scaling.
  EXPECT_GT(state.arrays.at("target_mean").data[0], 5.0);
  EXPECT_GT(state.arrays.at("target_scale").data[0], 1.5);
  const Estimator rebuilt(p, state);
  expect_same_model(est, rebuilt, regression_data().x);
  EXPECT_THROW(rebuilt.predict_proba(regression_data().x), std::logic_error);
}

TEST(StateRoundTrip, PlainNetworkWithoutEarlyStopping) {
  const Params p = small_params(false, false);
  const Estimator est = fitted(p, Task::classification);
  const ModelState state = est.state();
  EXPECT_EQ(state.arrays.count("scores"), 0u);
  EXPECT_EQ(state.arrays.count("scores_history"), 0u);
  EXPECT_TRUE(est.validation_loss_curve().empty());
  EXPECT_EQ(est.best_epoch(), est.n_epochs_run());
  const Estimator rebuilt(p, state);
  expect_same_model(est, rebuilt, classification_data().x);
  EXPECT_THROW(rebuilt.scores(), std::logic_error);
}

TEST(StateRoundTrip, StateOfAnUnfittedEstimatorThrows) {
  const Estimator est(small_params(true, true), Task::classification);
  EXPECT_FALSE(est.fitted());
  EXPECT_THROW(est.state(), std::logic_error);
  EXPECT_THROW(est.decision_function(Eigen::MatrixXd::Zero(2, 6)), std::logic_error);
  EXPECT_THROW(est.scores(), std::logic_error);
}

TEST(ModelState, RequireChecksPresenceAndShape) {
  ModelState s;
  s.arrays["a"] = NamedArray{{2, 3}, std::vector<double>(6, 1.0)};
  s.arrays["short"] = NamedArray{{2, 3}, std::vector<double>(5, 1.0)};
  EXPECT_EQ(&s.require("a", {2, 3}), &s.arrays.at("a"));
  EXPECT_THROW(s.require("missing", {2, 3}), std::invalid_argument);
  EXPECT_THROW(s.require("a", {3, 2}), std::invalid_argument);
  EXPECT_THROW(s.require("a", {6}), std::invalid_argument);
  EXPECT_THROW(s.require("a", {2, 3, 1}), std::invalid_argument);
  EXPECT_THROW(s.require("short", {2, 3}), std::invalid_argument);  // data shorter than the shape
  try {
    s.require("a", {3, 2});
    FAIL() << "no exception";
  } catch (const std::invalid_argument& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("'a'"), std::string::npos) << message;
    EXPECT_NE(message.find("[2, 3]"), std::string::npos) << message;
    EXPECT_NE(message.find("[3, 2]"), std::string::npos) << message;
  }
  try {
    s.require("missing", {1});
    FAIL() << "no exception";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("missing"), std::string::npos) << e.what();
  }
}

TEST(ModelState, DamagedStateIsRefused) {
  const Params p = small_params(true, true);
  const ModelState good = fitted(p, Task::classification).state();
  for (const char* name : {"input_mean", "input_scale", "target_mean", "target_scale", "scores", "scores_history",
                           "dense_0_weight", "dense_1_bias", "dense_2_weight", "loss_curve"}) {
    SCOPED_TRACE(name);
    ModelState missing = good;
    ASSERT_EQ(missing.arrays.erase(name), 1u);
    EXPECT_THROW(Estimator(p, missing), std::invalid_argument);
    ModelState misshaped = good;
    NamedArray& a = misshaped.arrays.at(name);
    a.data.push_back(0.0);
    a.shape.back() += 1;
    EXPECT_THROW(Estimator(p, misshaped), std::invalid_argument);
  }
  // Params that do not describe the stored network.
  Params wider = p;
  wider.hidden_layer_sizes = {13, 6};
  EXPECT_THROW(Estimator(wider, good), std::invalid_argument);
  Params deeper = p;
  deeper.hidden_layer_sizes = {12, 6, 4};
  EXPECT_THROW(Estimator(deeper, good), std::invalid_argument);
  // Bad header fields.
  ModelState bad_task = good;
  bad_task.task = "ranking";
  EXPECT_THROW(Estimator(p, bad_task), std::invalid_argument);
  ModelState no_epochs = good;
  no_epochs.n_epochs_run = 0;
  EXPECT_THROW(Estimator(p, no_epochs), std::invalid_argument);
  ModelState one_output = good;
  one_output.n_outputs = 1;
  EXPECT_THROW(Estimator(p, one_output), std::invalid_argument);
}
