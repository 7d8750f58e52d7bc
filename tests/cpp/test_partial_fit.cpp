// partial_fit: one pass of mini-batches per chunk through the shared
// training loop, carrying the optimiser's moments and the gate's noise
// stream; the first chunk fixes the scaling; a model saved mid-stream
// continues exactly; bad chunks are refused and leave the model unchanged.
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

#include "scoresactivation/estimator.hpp"
#include "test_helpers.hpp"

using namespace scoresactivation;
using sa_test::normal_matrix;

namespace {

// Class 1 when 2 x0 - x1 + noise > 0; x2, x3 are noise (test_helpers.hpp).
using Rows = sa_test::SignalRows;
Rows make_rows(long n, std::uint64_t seed) { return sa_test::signal_rows(n, seed, true); }

Params small() {
  Params p;
  p.hidden_layer_sizes = {8};
  p.batch_size = 32;
  p.random_state = 5;
  return p;
}

const Eigen::VectorXd kNone;

// Streams rows in chunks of `chunk` for `passes` passes over all of them.
void stream(Estimator& est, const Rows& r, long chunk, int passes) {
  for (int pass = 0; pass < passes; ++pass)
    for (long start = 0; start < r.x.rows(); start += chunk) {
      const long rows = std::min(chunk, r.x.rows() - start);
      est.partial_fit(r.x.middleRows(start, rows), r.y.segment(start, rows), kNone, 2);
    }
}

double accuracy(const Estimator& est, const Rows& r) {
  const Eigen::MatrixXd p = est.predict_proba(r.x);
  long right = 0;
  for (long i = 0; i < r.x.rows(); ++i) right += (p(i, 1) > 0.5) == (r.y[i] == 1.0);
  return static_cast<double>(right) / static_cast<double>(r.x.rows());
}

}  // namespace

TEST(PartialFit, StreamingChunksLearnsAndRecordsOnePassEach) {
  const Rows train = make_rows(1200, 1), test = make_rows(600, 2);
  Estimator est(small(), Task::classification);
  stream(est, train, 200, 4);
  EXPECT_EQ(est.partial_fit_passes(), 24);
  EXPECT_EQ(est.n_epochs_run(), 24);
  EXPECT_EQ(est.best_epoch(), 24);
  EXPECT_EQ(est.scores_history().rows(), 24);
  EXPECT_GT(accuracy(est, test), 0.9);
  EXPECT_LT(est.loss_curve().back(), est.loss_curve().front());
  // the relevant features lead the learned scores
  const Eigen::VectorXd w = est.scores();
  EXPECT_GT(std::min(w[0], w[1]), std::max(w[2], w[3]));
}

TEST(PartialFit, TheFirstChunkFixesTheScaling) {
  const Rows r = make_rows(400, 3);
  Estimator est(small(), Task::classification);
  est.partial_fit(r.x.topRows(100), r.y.head(100), kNone, 2);
  const Eigen::VectorXd mean = r.x.topRows(100).colwise().mean().transpose();
  EXPECT_TRUE(est.input_mean().isApprox(mean, 1e-12));
  const Eigen::VectorXd scale = est.input_scale();
  est.partial_fit(r.x.bottomRows(300) * 3.0, r.y.tail(300), kNone, 2);
  EXPECT_TRUE(est.input_mean().isApprox(mean, 1e-12));
  EXPECT_EQ(est.input_scale(), scale);
}

TEST(PartialFit, AModelSavedMidStreamContinuesExactly) {
  const Rows r = make_rows(600, 4);
  for (const char* solver : {"adam", "sgd"}) {
    Params p = small();
    p.solver = solver;
    Estimator straight(p, Task::classification);
    stream(straight, r, 200, 2);
    Estimator first(p, Task::classification);
    stream(first, r, 200, 1);
    const ModelState saved = first.state();
    ASSERT_EQ(saved.arrays.count("partial_fit_counters"), 1u);
    EXPECT_EQ(saved.arrays.at("partial_fit_counters").data[2], 3.0);
    Estimator resumed(p, saved);
    EXPECT_EQ(resumed.partial_fit_passes(), 3);
    stream(resumed, r, 200, 1);
    EXPECT_EQ(resumed.predict_proba(r.x), straight.predict_proba(r.x)) << solver;
    EXPECT_EQ(resumed.scores(), straight.scores()) << solver;
    // and the same seed gives the same stream
    Estimator again(p, Task::classification);
    stream(again, r, 200, 2);
    EXPECT_EQ(again.predict_proba(r.x), straight.predict_proba(r.x)) << solver;
  }
}

TEST(PartialFit, AChunkMayHoldOneClass) {
  const Rows r = make_rows(400, 5);
  Estimator est(small(), Task::classification);
  const Eigen::VectorXd zeros = Eigen::VectorXd::Zero(50);
  est.partial_fit(r.x.topRows(50), zeros, kNone, 2);
  EXPECT_EQ(est.n_outputs(), 2);
  est.partial_fit(r.x, r.y, kNone, 2);
  EXPECT_EQ(est.partial_fit_passes(), 2);
}

TEST(PartialFit, AfterFitItContinuesFromTheFittedWeights) {
  const Rows r = make_rows(500, 6);
  Params p = small();
  p.max_epochs = 5;
  Estimator est(p, Task::classification);
  est.fit(r.x, r.y, kNone, 2);
  const long epochs = est.n_epochs_run();
  ASSERT_FALSE(est.validation_loss_curve().empty());
  const Eigen::VectorXd mean = est.input_mean();
  est.partial_fit(r.x.topRows(100), r.y.head(100), kNone, 2);
  EXPECT_EQ(est.n_epochs_run(), epochs + 1);
  EXPECT_TRUE(est.validation_loss_curve().empty());  // they described the fitted model
  EXPECT_EQ(est.input_mean(), mean);
  const ModelState s = est.state();
  EXPECT_NO_THROW(Estimator(p, s));  // a consistent state: curves, history and counters agree
}

TEST(PartialFit, BadChunksAreRefusedAndTheModelIsUnchanged) {
  const Rows r = make_rows(300, 7);
  Estimator est(small(), Task::classification);
  est.partial_fit(r.x, r.y, kNone, 2);
  const Eigen::MatrixXd before = est.predict_proba(r.x);
  const Eigen::MatrixXd narrow = r.x.leftCols(3);
  EXPECT_THROW(est.partial_fit(narrow, r.y, kNone, 2), std::invalid_argument);
  EXPECT_THROW(est.partial_fit(r.x, r.y, kNone, 3), std::invalid_argument);
  Eigen::VectorXd bad = r.y;
  bad[0] = 2.0;  // not one of the model's classes
  EXPECT_THROW(est.partial_fit(r.x, bad, kNone, 2), std::invalid_argument);
  Eigen::MatrixXd nan = r.x;
  nan(3, 1) = std::numeric_limits<double>::quiet_NaN();
  EXPECT_THROW(est.partial_fit(nan, r.y, kNone, 2), std::invalid_argument);
  Callbacks stop;
  stop.interrupt_requested = [] { return true; };
  stop.on_epoch = [](const EpochReport&) {};
  Params slow = small();
  Estimator big(slow, Task::classification);
  big.partial_fit(r.x, r.y, kNone, 2);
  const Eigen::MatrixXd big_before = big.predict_proba(r.x);
  const Rows many = make_rows(2000, 8);
  EXPECT_THROW(big.partial_fit(many.x, many.y, kNone, 2, stop), Interrupted);
  EXPECT_EQ(big.predict_proba(r.x), big_before);
  EXPECT_EQ(big.partial_fit_passes(), 1);
  EXPECT_EQ(est.predict_proba(r.x), before);
  EXPECT_EQ(est.partial_fit_passes(), 1);
  Params boot = small();
  boot.n_bootstrap = 3;
  Estimator with_boot(boot, Task::classification);
  EXPECT_THROW(with_boot.partial_fit(r.x, r.y, kNone, 2), std::invalid_argument);
  EXPECT_FALSE(with_boot.fitted());
}

TEST(PartialFit, ARegressionTargetKeepsTheFirstChunksScale) {
  Random random(9);
  const Eigen::MatrixXd x = normal_matrix(random, 400, 3);
  const Eigen::VectorXd y = (100.0 + 20.0 * x.col(0).array()).matrix();
  Params p = small();
  Estimator est(p, Task::regression);
  for (int pass = 0; pass < 30; ++pass) {
    est.partial_fit(x.topRows(200), y.head(200), kNone, 0);
    est.partial_fit(x.bottomRows(200), y.tail(200), kNone, 0);
  }
  const double first_mean = y.head(200).mean();
  EXPECT_NEAR(est.target_mean(), first_mean, 1e-9);
  const Eigen::VectorXd predicted = est.decision_function(x).col(0);
  const double r2 = 1.0 - (predicted - y).squaredNorm() / (y.array() - y.mean()).square().sum();
  EXPECT_GT(r2, 0.9);
}

TEST(PartialFit, StateArraysAreCheckedWhenRead) {
  const Rows r = make_rows(200, 10);
  Estimator est(small(), Task::classification);
  est.partial_fit(r.x, r.y, kNone, 2);
  ModelState s = est.state();
  ModelState missing = s;
  missing.arrays.erase("optimizer_second_moment");
  EXPECT_THROW(Estimator(small(), missing), std::invalid_argument);
  ModelState short_moment = s;
  short_moment.arrays["optimizer_first_moment"] = to_named(std::vector<double>{1.0, 2.0});
  EXPECT_THROW(Estimator(small(), short_moment), std::invalid_argument);
  ModelState bad_counter = s;
  bad_counter.arrays["partial_fit_counters"].data[2] = 0.5;
  EXPECT_THROW(Estimator(small(), bad_counter), std::invalid_argument);
  ModelState stray = est.state();
  stray.arrays.erase("partial_fit_counters");
  EXPECT_THROW(Estimator(small(), stray), std::invalid_argument);  // moments without counters
}
