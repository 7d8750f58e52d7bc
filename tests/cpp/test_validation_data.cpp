// Given validation rows (the front ends' validation_data): early stopping
// watches them instead of a validation_fraction split, on the training rows'
// scale; without early stopping they are only watched. The validation loss
// and score (accuracy, R^2) curves are those of the kept model at its best
// epoch, and bad validation rows are refused by name.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <stdexcept>
#include <string>

#include "scoresactivation/estimator.hpp"
#include "scoresactivation/senn_estimator.hpp"
#include "scoresactivation/sequence_estimator.hpp"
#include "test_helpers.hpp"

using namespace scoresactivation;
using sa_test::normal_matrix;

namespace {

using Rows = sa_test::SignalRows;
Rows make_rows(long n, std::uint64_t seed, bool classification) { return sa_test::signal_rows(n, seed, classification); }

Params small() {
  Params p;
  p.hidden_layer_sizes = {8};
  p.max_epochs = 30;
  p.refine_epochs = 0;  // the kept model is the best epoch's: its curves' values are checkable
  p.n_iter_no_change = 5;
  p.random_state = 3;
  return p;
}

const Eigen::VectorXd kNone;

double weighted_r2(const Eigen::VectorXd& y, const Eigen::VectorXd& predicted, const Eigen::VectorXd& w) {
  const double mean = w.dot(y) / w.sum();
  return 1.0 - w.dot((y - predicted).array().square().matrix()) / w.dot((y.array() - mean).square().matrix());
}

std::string message_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "no error";
}

}  // namespace

TEST(ValidationData, RegressionCurvesAreTheKeptModelsLossAndR2OnTheGivenRows) {
  const Rows train = make_rows(300, 1, false), val = make_rows(120, 2, false);
  Eigen::VectorXd w_val = Eigen::VectorXd::Ones(120);
  w_val.head(40).setConstant(3.0);
  const ValidationInput validation{val.x, kNone, val.y, w_val};
  Estimator est(small(), Task::regression);
  est.fit(train.x, train.y, kNone, 0, Callbacks(), {}, &validation);
  ASSERT_EQ(est.validation_loss_curve().size(), static_cast<std::size_t>(est.n_epochs_run()));
  ASSERT_EQ(est.validation_score_curve().size(), static_cast<std::size_t>(est.n_epochs_run()));
  const Eigen::VectorXd predicted = est.decision_function(val.x).col(0);
  const std::size_t best = static_cast<std::size_t>(est.best_epoch() - 1);
  EXPECT_NEAR(est.validation_score_curve()[best], weighted_r2(val.y, predicted, w_val), 1e-10);
  // Half the weighted mean squared error on the standardised target's scale.
  const double z = est.target_scale();
  const double half_mse = 0.5 * w_val.dot(((val.y - predicted) / z).array().square().matrix()) / w_val.sum();
  EXPECT_NEAR(est.validation_loss_curve()[best], half_mse, 1e-10);
  EXPECT_GT(est.validation_score_curve()[best], 0.8);  // the signal is learned
}

TEST(ValidationData, ClassificationScoreIsTheWeightedAccuracyOfTheKeptModel) {
  const Rows train = make_rows(300, 4, true), val = make_rows(150, 5, true);
  const ValidationInput validation{val.x, kNone, val.y, kNone};
  Estimator est(small(), Task::classification);
  est.fit(train.x, train.y, kNone, 2, Callbacks(), {}, &validation);
  const Eigen::MatrixXd proba = est.predict_proba(val.x);
  double right = 0.0, log_loss = 0.0;
  for (long i = 0; i < 150; ++i) {
    Eigen::Index k = 0;
    proba.row(i).maxCoeff(&k);
    right += static_cast<double>(k) == val.y[i];
    log_loss -= std::log(proba(i, static_cast<long>(val.y[i])));
  }
  const std::size_t best = static_cast<std::size_t>(est.best_epoch() - 1);
  EXPECT_NEAR(est.validation_score_curve()[best], right / 150.0, 1e-12);
  EXPECT_NEAR(est.validation_loss_curve()[best], log_loss / 150.0, 1e-9);
}

TEST(ValidationData, AllTrainingRowsTrainWhenValidationRowsAreGiven) {
  // Given validation rows, nothing is split off: the model equals the one
  // trained on every row without early stopping up to the same epoch.
  const Rows train = make_rows(200, 6, false), val = make_rows(80, 7, false);
  const ValidationInput validation{val.x, kNone, val.y, kNone};
  Params p = small();
  p.n_iter_no_change = 1000;  // never stops early: both run max_epochs
  Estimator with_val(p, Task::regression);
  with_val.fit(train.x, train.y, kNone, 0, Callbacks(), {}, &validation);
  p.early_stopping = false;
  Estimator plain(p, Task::regression);
  plain.fit(train.x, train.y, kNone, 0);
  // Same training trajectory: identical training losses per epoch.
  ASSERT_EQ(with_val.loss_curve().size(), plain.loss_curve().size());
  for (std::size_t e = 0; e < plain.loss_curve().size(); ++e)
    EXPECT_EQ(with_val.loss_curve()[e], plain.loss_curve()[e]) << "epoch " << e + 1;
}

TEST(ValidationData, WithoutEarlyStoppingTheRowsAreOnlyWatched) {
  const Rows train = make_rows(200, 8, false), val = make_rows(80, 9, false);
  const ValidationInput validation{val.x, kNone, val.y, kNone};
  Params p = small();
  p.early_stopping = false;
  Estimator watched(p, Task::regression), plain(p, Task::regression);
  watched.fit(train.x, train.y, kNone, 0, Callbacks(), {}, &validation);
  plain.fit(train.x, train.y, kNone, 0);
  EXPECT_EQ(plain.validation_loss_curve().size(), 0u);
  EXPECT_EQ(watched.validation_loss_curve().size(), static_cast<std::size_t>(watched.n_epochs_run()));
  EXPECT_EQ(watched.n_epochs_run(), plain.n_epochs_run());
  const Eigen::MatrixXd a = watched.decision_function(val.x), b = plain.decision_function(val.x);
  EXPECT_EQ((a - b).cwiseAbs().maxCoeff(), 0.0);  // watching changes nothing
  // The final model is kept: the last epoch's R^2 is its R^2.
  EXPECT_NEAR(watched.validation_score_curve().back(),
              weighted_r2(val.y, a.col(0), Eigen::VectorXd::Ones(80)), 1e-10);
}

TEST(ValidationData, TheEpochReportCarriesTheValidationScore) {
  const Rows train = make_rows(200, 10, true), val = make_rows(60, 11, true);
  const ValidationInput validation{val.x, kNone, val.y, kNone};
  std::vector<double> scores;
  Callbacks callbacks;
  callbacks.on_epoch = [&](const EpochReport& r) { scores.push_back(r.validation_score); };
  Estimator est(small(), Task::classification);
  est.fit(train.x, train.y, kNone, 2, callbacks, {}, &validation);
  EXPECT_EQ(scores, est.validation_score_curve());
  // Without validation rows the report's score is NaN.
  Params p = small();
  p.early_stopping = false;
  p.max_epochs = 2;
  scores.clear();
  Estimator none(p, Task::classification);
  none.fit(train.x, train.y, kNone, 2, callbacks);
  ASSERT_EQ(scores.size(), 2u);
  EXPECT_TRUE(std::isnan(scores[0]));
}

TEST(ValidationData, TheStateKeepsTheScoreCurve) {
  const Rows train = make_rows(150, 12, false), val = make_rows(50, 13, false);
  const ValidationInput validation{val.x, kNone, val.y, kNone};
  Estimator est(small(), Task::regression);
  est.fit(train.x, train.y, kNone, 0, Callbacks(), {}, &validation);
  const Estimator back(small(), est.state());
  EXPECT_EQ(back.validation_score_curve(), est.validation_score_curve());
  EXPECT_EQ(back.validation_loss_curve(), est.validation_loss_curve());
  // A state whose score curve has the wrong length is refused.
  ModelState s = est.state();
  s.arrays["validation_score_curve"] = NamedArray{{2}, {0.5, 0.6}};
  EXPECT_THROW(Estimator(small(), s), std::invalid_argument);
}

TEST(ValidationData, SequenceAndSennFitsWatchTheGivenRows) {
  // Sequences: ragged validation rows are scored with their own lengths.
  Random random(14);
  const long n = 120, steps = 5, channels = 2;
  Eigen::MatrixXd x = normal_matrix(random, n, steps * channels);
  Eigen::VectorXd y(n), lengths(n);
  for (long i = 0; i < n; ++i) {
    lengths[i] = 3 + (i % 3);
    y[i] = x(i, 0) + x(i, 2);
  }
  SequenceParams sp;
  sp.architecture = "conv";
  sp.units = {4};
  sp.kernel_size = 3;
  const Eigen::MatrixXd x_val = x.topRows(40);
  const Eigen::VectorXd y_val = y.head(40), lengths_val = lengths.head(40);
  const ValidationInput validation{x_val, lengths_val, y_val, kNone};
  SequenceEstimator seq(small(), sp, Task::regression);
  seq.fit(x.bottomRows(80), steps, lengths.tail(80), y.tail(80), kNone, 0, Callbacks(), &validation);
  const Eigen::VectorXd predicted = seq.decision_function(x_val, steps, lengths_val).col(0);
  EXPECT_NEAR(seq.validation_score_curve()[static_cast<std::size_t>(seq.best_epoch() - 1)],
              weighted_r2(y_val, predicted, Eigen::VectorXd::Ones(40)), 1e-10);

  const Rows train = make_rows(200, 15, true), val = make_rows(60, 16, true);
  const ValidationInput tabular{val.x, kNone, val.y, kNone};
  SennEstimator senn(small(), SennParams(), Task::classification);
  senn.fit(train.x, train.y, kNone, 2, Callbacks(), &tabular);
  EXPECT_EQ(senn.validation_score_curve().size(), static_cast<std::size_t>(senn.n_epochs_run()));
}

TEST(ValidationData, BootstrapRefitsWatchTheGivenRowsToo) {
  const Rows train = make_rows(150, 17, false), val = make_rows(40, 18, false);
  const ValidationInput validation{val.x, kNone, val.y, kNone};
  Params p = small();
  p.n_bootstrap = 2;
  Estimator est(p, Task::regression);
  // A bad validation row fails the main fit before any refit.
  Eigen::MatrixXd bad = val.x;
  bad(3, 1) = std::nan("");
  const ValidationInput broken{bad, kNone, val.y, kNone};
  EXPECT_NE(message_of([&] { est.fit(train.x, train.y, kNone, 0, Callbacks(), {}, &broken); }).find("validation_data"),
            std::string::npos);
  EXPECT_FALSE(est.fitted());
  est.fit(train.x, train.y, kNone, 0, Callbacks(), {}, &validation);
  EXPECT_EQ(est.scores_bootstrap().rows(), 2);
  EXPECT_TRUE(est.scores_bootstrap().allFinite());
}

TEST(ValidationData, BadRowsAreRefusedByName) {
  Rows train = make_rows(100, 19, true);
  const Rows val = make_rows(30, 20, true);
  train.x.col(3) *= 1e-150;  // a tiny scale: ordinary validation values overflow on it
  Estimator est(small(), Task::classification);
  auto refused = [&](const MatrixView& x, const Eigen::VectorXd& y, const Eigen::VectorXd& w) {
    const ValidationInput v{x, kNone, y, w};
    return message_of([&] { est.fit(train.x, train.y, kNone, 2, Callbacks(), {}, &v); });
  };
  const Eigen::MatrixXd narrow = val.x.leftCols(3), empty(0, 4);
  EXPECT_EQ(refused(narrow, val.y, kNone), "validation_data: X has 3 columns but the training X has 4");
  EXPECT_EQ(refused(empty, Eigen::VectorXd(), kNone), "validation_data: X has 0 samples; at least 1 is required");
  EXPECT_EQ(refused(val.x, val.y.head(10), kNone), "validation_data: y has 10 values but X has 30 rows");
  Eigen::VectorXd labels = val.y;
  labels[0] = 2.0;
  EXPECT_EQ(refused(val.x, labels, kNone), "validation_data: y must hold class indices 0..n_classes-1");
  EXPECT_EQ(refused(val.x, val.y, Eigen::VectorXd::Zero(30)), "validation_data: sample_weight sums to zero");
  EXPECT_EQ(refused(val.x, val.y, Eigen::VectorXd::Constant(30, -1.0)),
            "validation_data: sample_weight must be finite and non-negative");
  Eigen::MatrixXd far = val.x;
  far(0, 3) = 1e160;
  EXPECT_NE(refused(far, val.y, kNone).find("validation_data: X holds values too far"), std::string::npos);
  EXPECT_FALSE(est.fitted());
  // One class in the validation rows is fine (only the training rows need two).
  EXPECT_EQ(refused(val.x, Eigen::VectorXd::Zero(30), kNone), "no error");
}
