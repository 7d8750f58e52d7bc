// Ground truth, quick: on a make_classification-like set whose label depends
// on features 0-4 only, the default Params must rank those five on top
// (METHOD.md section 1: 10/10 seeds in the prototype).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <set>
#include <vector>

#include "scoresactivation/estimator.hpp"
#include "test_helpers.hpp"

using namespace scoresactivation;

namespace {

std::vector<long> ranking(const Eigen::VectorXd& scores) {
  std::vector<long> order(static_cast<std::size_t>(scores.size()));
  std::iota(order.begin(), order.end(), 0L);
  std::stable_sort(order.begin(), order.end(), [&](long a, long b) { return scores[a] > scores[b]; });
  return order;
}

}  // namespace

TEST(GroundTruth, DefaultParamsRankTheFiveInformativeFeaturesFirst) {
  // 2000 rows, 10 features, 5 informative (0-4) and 5 pure noise (5-9),
  // 2 classes, 2 clusters per class, class_sep 1, 1 % label noise.
  const sa_test::Dataset data = sa_test::make_classification(2000, 10, 5, 2024);
  Params params;  // defaults, only the seed fixed
  params.random_state = 0;
  Estimator est(params, Task::classification);
  est.fit(data.x, data.y, Eigen::VectorXd(), 2);

  const Eigen::VectorXd w = est.scores();
  ASSERT_EQ(w.size(), 10);
  EXPECT_NEAR(w.sum(), 1.0, 1e-12);
  const std::vector<long> order = ranking(w);
  const std::set<long> top5(order.begin(), order.begin() + 5);
  EXPECT_EQ(top5, (std::set<long>{0, 1, 2, 3, 4}))
      << "scores: " << w.transpose() << "\nepochs run " << est.n_epochs_run() << ", best " << est.best_epoch();
  // Every informative feature outweighs every noise feature.
  EXPECT_GT(w.head(5).minCoeff(), w.tail(5).maxCoeff()) << w.transpose();

  // The model has learnt the task (a sanity bound, not a benchmark).
  const Eigen::MatrixXd p = est.predict_proba(data.x);
  long correct = 0;
  for (long i = 0; i < data.x.rows(); ++i) correct += (p(i, 1) > 0.5) == (data.y[i] > 0.5);
  EXPECT_GT(correct / 2000.0, 0.8);
}

TEST(GroundTruth, DefaultParamsFindFiveRelevantAmongSixteen) {
  // The abstract's harder set: 16 features, 5 informative, 11 noise.
  const sa_test::Dataset data = sa_test::make_classification(2000, 16, 5, 2025);
  Params params;
  params.random_state = 1;
  Estimator est(params, Task::classification);
  est.fit(data.x, data.y, Eigen::VectorXd(), 2);
  const Eigen::VectorXd w = est.scores();
  const std::vector<long> order = ranking(w);
  EXPECT_EQ(std::set<long>(order.begin(), order.begin() + 5), (std::set<long>{0, 1, 2, 3, 4})) << w.transpose();
}

TEST(GroundTruth, DefaultParamsRankFriedmanOneRelevantFeaturesFirst) {
  // Friedman #1: y = 10 sin(pi x0 x1) + 20 (x2 - 1/2)^2 + 10 x3 + 5 x4 + N(0, 1),
  // x ~ U(0, 1)^10; features 5-9 do not enter y.
  Random random(11);
  const long n = 2000, d = 10;
  Eigen::MatrixXd x(n, d);
  Eigen::VectorXd y(n);
  const double pi = 3.14159265358979323846;
  for (long i = 0; i < n; ++i) {
    for (long j = 0; j < d; ++j) x(i, j) = random.uniform();
    y[i] = 10.0 * std::sin(pi * x(i, 0) * x(i, 1)) + 20.0 * (x(i, 2) - 0.5) * (x(i, 2) - 0.5) + 10.0 * x(i, 3) +
           5.0 * x(i, 4) + random.normal();
  }
  Params params;
  params.random_state = 0;
  Estimator est(params, Task::regression);
  est.fit(x, y, Eigen::VectorXd(), 0);
  const Eigen::VectorXd w = est.scores();
  EXPECT_GT(w.head(5).minCoeff(), w.tail(5).maxCoeff()) << w.transpose();
  // R^2 on the training data: the fit is real.
  const Eigen::VectorXd pred = est.decision_function(x).col(0);
  const double r2 = 1.0 - (pred - y).squaredNorm() / (y.array() - y.mean()).square().sum();
  EXPECT_GT(r2, 0.8);
}
