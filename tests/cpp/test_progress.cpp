// Progress of the long computations (Shapley values, permutation
// importance): the hook hears non-decreasing counts on the calling thread,
// ends at done == total with the right total, and changes no result.
#include <gtest/gtest.h>

#include <thread>
#include <utility>
#include <vector>

#include "scoresactivation/estimator.hpp"
#include "scoresactivation/explain.hpp"
#include "scoresactivation/explained_model.hpp"
#include "scoresactivation/interrupt_checkpoint.hpp"
#include "scoresactivation/permutation_importance.hpp"
#include "scoresactivation/sequence_attribution.hpp"
#include "scoresactivation/sequence_estimator.hpp"
#include "scoresactivation/shapley.hpp"
#include "test_helpers.hpp"

using namespace scoresactivation;
using sa_test::normal_matrix;

namespace {

struct Recorder {
  std::vector<std::pair<long, long>> calls;
  std::thread::id caller = std::this_thread::get_id();
  bool other_thread = false;
  ProgressHook hook() {
    return [this](long done, long total) {
      if (std::this_thread::get_id() != caller) other_thread = true;
      calls.emplace_back(done, total);
    };
  }
  // Non-decreasing, one total throughout, ending at done == total.
  ::testing::AssertionResult ends_at(long total) const {
    if (calls.empty()) return ::testing::AssertionFailure() << "no call";
    if (other_thread) return ::testing::AssertionFailure() << "called from a worker thread";
    for (std::size_t k = 0; k < calls.size(); ++k) {
      if (calls[k].second != total) return ::testing::AssertionFailure() << "total " << calls[k].second;
      if (k > 0 && calls[k].first < calls[k - 1].first) return ::testing::AssertionFailure() << "went back";
    }
    if (calls.back().first != total) return ::testing::AssertionFailure() << "ended at " << calls.back().first;
    return ::testing::AssertionSuccess();
  }
};

Estimator fitted_classifier(const Eigen::MatrixXd& x, Eigen::VectorXd& y) {
  y.resize(x.rows());
  for (long i = 0; i < x.rows(); ++i) y[i] = x(i, 0) + 0.5 * x(i, 1) > 0 ? 1.0 : 0.0;
  Params p;
  p.hidden_layer_sizes = {8};
  p.max_epochs = 5;
  p.random_state = 1;
  Estimator est(p, Task::classification);
  est.fit(x, y, Eigen::VectorXd(), 2);
  return est;
}

}  // namespace

TEST(Progress, ShapleyReportsRowsAndChangesNothing) {
  Random random(2);
  const Eigen::MatrixXd x = normal_matrix(random, 40, 5);
  Eigen::VectorXd y;
  const Estimator est = fitted_classifier(x, y);
  const ExplainedModel model(est);
  const Eigen::MatrixXd background = x.topRows(10);
  for (int n_threads : {1, 2}) {
    Recorder sampled, exact;
    const ShapleyResult a = shapley_sampled(model, x, background, 1, ExplainedOutput::raw, 16, 7, n_threads,
                                            nullptr, sampled.hook());
    const ShapleyResult b = shapley_sampled(model, x, background, 1, ExplainedOutput::raw, 16, 7, n_threads);
    EXPECT_EQ(a.values, b.values);
    EXPECT_TRUE(sampled.ends_at(40));
    shapley_exact(model, x, background, 0, ExplainedOutput::raw, n_threads, nullptr, exact.hook());
    EXPECT_TRUE(exact.ends_at(40));
  }
}

TEST(Progress, PermutationImportanceReportsShuffles) {
  Random random(3);
  const Eigen::MatrixXd x = normal_matrix(random, 60, 4);
  Eigen::VectorXd y;
  const Estimator est = fitted_classifier(x, y);
  const ExplainedModel model(est);
  Recorder recorder;
  const PermutationImportance a =
      permutation_importance(model, x, y, Eigen::VectorXd(), 3, 5, 2, nullptr, recorder.hook());
  const PermutationImportance b = permutation_importance(model, x, y, Eigen::VectorXd(), 3, 5, 2);
  EXPECT_EQ(a.importances, b.importances);
  EXPECT_TRUE(recorder.ends_at(4 * 3));
}

TEST(Progress, ExplainCountsEveryTargetsRows) {
  Random random(4);
  const Eigen::MatrixXd x = normal_matrix(random, 30, 3);
  Eigen::VectorXd y;
  const Estimator est = fitted_classifier(x, y);
  ExplainOptions o;
  o.method = "shapley";
  o.targets = {0, 1};
  o.background.kind = "rows";
  o.background.rows = x.topRows(5);
  Recorder recorder;
  explain(est, x, o, nullptr, recorder.hook());
  EXPECT_TRUE(recorder.ends_at(2 * 30));
  // Methods of a few passes report nothing.
  Recorder quiet;
  o.method = "deeplift";
  o.baseline.kind = "mean";
  explain(est, x, o, nullptr, quiet.hook());
  EXPECT_TRUE(quiet.calls.empty());
}

TEST(Progress, SequenceShapleyAndPermutationImportanceReport) {
  Random random(5);
  const long n = 24, steps = 4, c = 3;
  const Eigen::MatrixXd x = normal_matrix(random, n, steps * c);
  Eigen::VectorXd y(n);
  for (long i = 0; i < n; ++i) y[i] = x(i, 0) + x(i, 3);
  Params p;
  p.max_epochs = 3;
  p.random_state = 2;
  SequenceParams sp;
  sp.architecture = "conv";
  sp.units = {4};
  sp.kernel_size = 3;
  SequenceEstimator est(p, sp, Task::regression);
  est.fit(x, steps, Eigen::VectorXd(), y, Eigen::VectorXd(), 0);
  Recorder shapley, permutation;
  sequence_shapley(est, x, steps, Eigen::VectorXd(), x.topRows(4), 0, ExplainedOutput::raw, "sampled", 8, 1, 2,
                   nullptr, shapley.hook());
  EXPECT_TRUE(shapley.ends_at(n));
  sequence_permutation_importance(est, x, steps, Eigen::VectorXd(), y, Eigen::VectorXd(), 2, 1, 2, nullptr,
                                  permutation.hook());
  EXPECT_TRUE(permutation.ends_at(c * 2));
}

TEST(Progress, TheCheckpointReportsAtItsPollsAndStopsReportingWhenInterrupted) {
  std::vector<std::pair<long, long>> calls;
  bool interrupt = false;
  InterruptCheckpoint checkpoint([&] { return interrupt; }, [&](long d, long t) { calls.emplace_back(d, t); }, 10);
  checkpoint.advance(3);
  std::this_thread::sleep_for(std::chrono::milliseconds(120));
  EXPECT_FALSE(checkpoint.check());
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0], std::make_pair(3L, 10L));
  interrupt = true;
  std::this_thread::sleep_for(std::chrono::milliseconds(120));
  EXPECT_TRUE(checkpoint.check());
  checkpoint.finish();  // an interrupted run does not claim to be complete
  EXPECT_EQ(calls.back().first, 3);
}
