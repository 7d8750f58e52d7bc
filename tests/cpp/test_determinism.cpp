// Fits are functions of (data, params): the same seed gives the same bits,
// whatever the number of threads; a different seed gives a different model.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "scoresactivation/estimator.hpp"
#include "test_helpers.hpp"

using namespace scoresactivation;
using sa_test::bit_identical;

namespace {

const sa_test::Dataset& classification_data() {
  static const sa_test::Dataset data = sa_test::make_classification(1200, 8, 4, 17, 3);
  return data;
}

const sa_test::Dataset& regression_data() {
  static const sa_test::Dataset data = sa_test::make_regression(1100, 6, 18);
  return data;
}

// batch_size 512 over >= 1000 training rows: each batch has several
// 128-row blocks, so the blocked, threaded gradient path is exercised.
Params base_params(std::uint64_t seed, int threads) {
  Params p;
  p.hidden_layer_sizes = {32, 16};
  p.batch_size = 512;
  p.max_epochs = 6;
  p.refine_epochs = 2;  // the snr gate's noisy phase, then the clean refinement
  p.n_iter_no_change = 100;
  p.random_state = seed;
  p.n_threads = threads;
  return p;
}

Estimator fit(const Params& params, Task task, const Eigen::VectorXd& sample_weight = Eigen::VectorXd()) {
  Estimator est(params, task);
  const sa_test::Dataset& data = task == Task::classification ? classification_data() : regression_data();
  est.fit(data.x, data.y, sample_weight, task == Task::classification ? data.n_classes : 0);
  return est;
}

::testing::AssertionResult same_model(const Estimator& a, const Estimator& b, const Eigen::MatrixXd& x) {
  if (a.network().has_scores_layer()) {
    auto r = bit_identical(a.network().scores_layer().raw_scores(), b.network().scores_layer().raw_scores());
    if (!r) return r << " (raw scores)";
    r = bit_identical(a.scores(), b.scores());
    if (!r) return r << " (scores)";
    r = bit_identical(a.scores_history(), b.scores_history());
    if (!r) return r << " (scores history)";
  }
  for (std::size_t l = 0; l < a.network().layers().size(); ++l) {
    auto r = bit_identical(a.network().layers()[l].weight, b.network().layers()[l].weight);
    if (!r) return r << " (weight of layer " << l << ")";
    r = bit_identical(a.network().layers()[l].bias, b.network().layers()[l].bias);
    if (!r) return r << " (bias of layer " << l << ")";
  }
  if (a.loss_curve() != b.loss_curve()) return ::testing::AssertionFailure() << "loss curves differ";
  if (a.validation_loss_curve() != b.validation_loss_curve())
    return ::testing::AssertionFailure() << "validation loss curves differ";
  if (a.best_epoch() != b.best_epoch()) return ::testing::AssertionFailure() << "best epochs differ";
  auto r = bit_identical(a.decision_function(x), b.decision_function(x));
  if (!r) return r << " (decision_function)";
  return ::testing::AssertionSuccess();
}

}  // namespace

TEST(Determinism, SameSeedGivesBitIdenticalClassifier) {
  const Estimator a = fit(base_params(5, 1), Task::classification);
  const Estimator b = fit(base_params(5, 1), Task::classification);
  ASSERT_EQ(a.n_epochs_run(), 8);
  EXPECT_TRUE(same_model(a, b, classification_data().x));
  EXPECT_TRUE(bit_identical(a.predict_proba(classification_data().x), b.predict_proba(classification_data().x)));
}

TEST(Determinism, OneAndTwoThreadsGiveBitIdenticalClassifier) {
  const Estimator one = fit(base_params(5, 1), Task::classification);
  const Estimator two = fit(base_params(5, 2), Task::classification);
  EXPECT_TRUE(same_model(one, two, classification_data().x));
}

TEST(Determinism, OneAndTwoThreadsGiveBitIdenticalRegressorWithSampleWeights) {
  Random random(3);
  const Eigen::VectorXd w = sa_test::uniform_vector(random, regression_data().x.rows(), 0.0, 2.0);
  const Estimator one = fit(base_params(9, 1), Task::regression, w);
  const Estimator two = fit(base_params(9, 2), Task::regression, w);
  EXPECT_TRUE(same_model(one, two, regression_data().x));
}

TEST(Determinism, OneAndTwoThreadsWithoutScoresLayerOrEarlyStopping) {
  Params p1 = base_params(4, 1), p2 = base_params(4, 2);
  for (Params* p : {&p1, &p2}) {
    p->scores_layer = false;
    p->early_stopping = false;
    p->kernel = "portable";
  }
  const Estimator one = fit(p1, Task::classification);
  const Estimator two = fit(p2, Task::classification);
  EXPECT_TRUE(same_model(one, two, classification_data().x));
}

TEST(Determinism, PredictionIsThreadIndependentAcrossRowBlocks) {
  // decision_function works in 1024-row blocks; 2500 rows make three.
  const Estimator one = fit(base_params(5, 1), Task::classification);
  const Estimator two(base_params(5, 2), one.state());
  Random random(12);
  const Eigen::MatrixXd x = sa_test::normal_matrix(random, 2500, 8);
  EXPECT_TRUE(bit_identical(one.decision_function(x), two.decision_function(x)));
  // A row's output depends on the other rows of its block only through the
  // GEMM's blocking (rounding), not in value.
  const Eigen::MatrixXd all = one.decision_function(x);
  EXPECT_TRUE(one.decision_function(x.middleRows(1000, 100)).isApprox(all.middleRows(1000, 100), 1e-12));
}

TEST(Determinism, DifferentSeedsGiveDifferentModels) {
  const Estimator a = fit(base_params(5, 1), Task::classification);
  const Estimator b = fit(base_params(6, 1), Task::classification);
  EXPECT_FALSE(same_model(a, b, classification_data().x));
  EXPECT_NE((a.scores() - b.scores()).cwiseAbs().maxCoeff(), 0.0);
  EXPECT_NE((a.network().layers()[0].weight - b.network().layers()[0].weight).cwiseAbs().maxCoeff(), 0.0);
  const Eigen::MatrixXd pa = a.decision_function(classification_data().x);
  const Eigen::MatrixXd pb = b.decision_function(classification_data().x);
  EXPECT_GT((pa - pb).cwiseAbs().maxCoeff(), 1e-6);
}

TEST(Determinism, KernelPathsAgreeClosely) {
  if (!avx2_kernels_available()) GTEST_SKIP() << "AVX2+FMA kernels are not available";
  // Not bit-identical (FMA rounds differently), but a short fit stays close.
  Params pp = base_params(5, 1), pa = base_params(5, 1);
  pp.kernel = "portable";
  pa.kernel = "avx2";
  pp.max_epochs = pa.max_epochs = 2;
  const Estimator portable = fit(pp, Task::classification);
  const Estimator avx2 = fit(pa, Task::classification);
  EXPECT_EQ(portable.kernel_path(), KernelPath::portable);
  EXPECT_EQ(avx2.kernel_path(), KernelPath::avx2);
  EXPECT_LT((portable.scores() - avx2.scores()).cwiseAbs().maxCoeff(), 1e-6);
  const Eigen::MatrixXd a = portable.predict_proba(classification_data().x);
  const Eigen::MatrixXd b = avx2.predict_proba(classification_data().x);
  EXPECT_LT((a - b).cwiseAbs().maxCoeff(), 1e-6);
}
