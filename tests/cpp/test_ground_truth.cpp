// Ground truth, quick: on a make_classification-like set whose label depends
// on features 0-4 only, the default Params must rank those five on top
// (METHOD.md section 1: 10/10 seeds in the prototype).
#include <gtest/gtest.h>

#include <algorithm>
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
