// Attribution methods and metrics: completeness, known values, and agreement
// between the exact and the sampled Shapley values.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <functional>
#include <numeric>

#include "scoresactivation/callbacks.hpp"
#include "scoresactivation/deeplift.hpp"
#include "scoresactivation/explain.hpp"
#include "scoresactivation/gradients.hpp"
#include "scoresactivation/metrics.hpp"
#include "scoresactivation/permutation_importance.hpp"
#include "scoresactivation/shapley.hpp"
#include "test_helpers.hpp"

using namespace scoresactivation;

namespace {

struct Fitted {
  Eigen::MatrixXd x;
  Eigen::VectorXd y;
  Estimator est;
};

// A 3-class model on 4 features (class driven by features 0 and 1).
Fitted fitted(const std::string& activation, Task task = Task::classification) {
  Random random(5);
  Eigen::MatrixXd x = sa_test::normal_matrix(random, 300, 4);
  Eigen::VectorXd y(300);
  for (long i = 0; i < 300; ++i)
    y[i] = task == Task::classification ? (x(i, 0) > 0.3 ? 2.0 : (x(i, 1) > 0 ? 1.0 : 0.0))
                                        : 2.0 * x(i, 0) - std::sin(x(i, 1)) + 5.0;
  Params p;
  p.hidden_layer_sizes = {12, 6};
  p.activation = activation;
  p.max_epochs = 40;
  p.random_state = 3;
  Estimator est(p, task);
  est.fit(x * 3.0, y, Eigen::VectorXd(), task == Task::classification ? 3 : 0);  // non-unit scale on purpose
  return {x * 3.0, y, est};
}

Eigen::VectorXd target_output(const ExplainedModel& model, const Eigen::MatrixXd& x, long target) {
  return model.outputs(x, ExplainedOutput::raw, 1).col(target);
}

}  // namespace

class DeepLiftRules : public ::testing::TestWithParam<std::tuple<std::string, DeepLiftRule>> {};

TEST_P(DeepLiftRules, SumsToTheOutputDifference) {
  const auto [activation, rule] = GetParam();
  Fitted f = fitted(activation);
  const ExplainedModel model(f.est);
  const Eigen::MatrixXd x = f.x.topRows(50);
  const Eigen::MatrixXd refs = f.x.middleRows(100, 3);
  for (long target = 0; target < 3; ++target) {
    const Eigen::MatrixXd c = deeplift(model, x, refs, target, rule, 2);
    const Eigen::VectorXd delta = target_output(model, x, target).array() - target_output(model, refs, target).mean();
    EXPECT_LT((c.rowwise().sum() - delta).cwiseAbs().maxCoeff(), 1e-8);
  }
}

INSTANTIATE_TEST_SUITE_P(AllActivations, DeepLiftRules,
                         ::testing::Combine(::testing::Values("relu", "tanh", "logistic"),
                                            ::testing::Values(DeepLiftRule::rescale, DeepLiftRule::reveal_cancel)));

TEST(DeepLift, RegressionContributionsAreInTargetUnits) {
  Fitted f = fitted("relu", Task::regression);
  const ExplainedModel model(f.est);
  const Eigen::MatrixXd refs = f.x.colwise().mean();
  const Eigen::MatrixXd c = deeplift(model, f.x.topRows(20), refs, 0, DeepLiftRule::rescale, 1);
  const Eigen::VectorXd delta = f.est.decision_function(f.x.topRows(20)).col(0).array() -
                                f.est.decision_function(refs)(0, 0);
  EXPECT_LT((c.rowwise().sum() - delta).cwiseAbs().maxCoeff(), 1e-8);
}

TEST(DeepLift, ReferenceEqualToInputGivesZero) {
  Fitted f = fitted("relu");
  const ExplainedModel model(f.est);
  const Eigen::MatrixXd c = deeplift(model, f.x.topRows(1), f.x.topRows(1), 0, DeepLiftRule::rescale, 1);
  EXPECT_EQ(c.cwiseAbs().maxCoeff(), 0.0);
}

TEST(DeepLift, LinearNetworkEqualsGradientTimesDelta) {
  // With identity activations every rule is exact: C = w_eff * (x - x0).
  Fitted f = fitted("identity");
  const ExplainedModel model(f.est);
  const Eigen::MatrixXd x = f.x.topRows(10);
  const Eigen::MatrixXd ref = Eigen::MatrixXd::Zero(1, 4);
  const Eigen::MatrixXd g = input_gradient(model, x, 1, 1);
  const Eigen::MatrixXd expected = g.cwiseProduct(x);
  for (DeepLiftRule rule : {DeepLiftRule::rescale, DeepLiftRule::reveal_cancel})
    EXPECT_LT((deeplift(model, x, ref, 1, rule, 1) - expected).cwiseAbs().maxCoeff(), 1e-10);
  const Eigen::MatrixXd ig = integrated_gradients(model, x, ref, 1, 1, Quadrature::gauss_legendre, 1);
  EXPECT_LT((ig - expected).cwiseAbs().maxCoeff(), 1e-10);
}

TEST(Quadrature, GaussLegendreKnownNodes) {
  std::vector<double> points, weights;
  quadrature_rule(Quadrature::gauss_legendre, 2, points, weights);
  std::vector<double> sorted = points;
  std::sort(sorted.begin(), sorted.end());
  EXPECT_NEAR(sorted[0], 0.5 - 0.5 / std::sqrt(3.0), 1e-15);
  EXPECT_NEAR(sorted[1], 0.5 + 0.5 / std::sqrt(3.0), 1e-15);
  EXPECT_NEAR(weights[0], 0.5, 1e-15);
  quadrature_rule(Quadrature::gauss_legendre, 3, points, weights);
  sorted = points;
  std::sort(sorted.begin(), sorted.end());
  EXPECT_NEAR(sorted[0], 0.5 - 0.5 * std::sqrt(0.6), 1e-15);
  EXPECT_NEAR(sorted[1], 0.5, 1e-15);
  EXPECT_NEAR(*std::max_element(weights.begin(), weights.end()), 4.0 / 9.0, 1e-15);
  // 20 nodes integrate x^39 exactly: 1/40
  quadrature_rule(Quadrature::gauss_legendre, 20, points, weights);
  double integral = 0.0;
  for (std::size_t k = 0; k < points.size(); ++k) integral += weights[k] * std::pow(points[k], 39);
  EXPECT_NEAR(integral, 1.0 / 40.0, 1e-14);
  quadrature_rule(Quadrature::riemann_trapezoid, 3, points, weights);
  EXPECT_EQ(points, (std::vector<double>{0.0, 0.5, 1.0}));
  EXPECT_EQ(weights, (std::vector<double>{0.25, 0.5, 0.25}));
  EXPECT_THROW(quadrature_rule(Quadrature::riemann_left, 0, points, weights), std::invalid_argument);
}

TEST(IntegratedGradients, ConvergesToCompletenessOnSmoothNetworks) {
  Fitted f = fitted("tanh");
  const ExplainedModel model(f.est);
  const Eigen::MatrixXd x = f.x.topRows(20);
  const Eigen::MatrixXd ref = f.x.colwise().mean();
  const Eigen::VectorXd delta = target_output(model, x, 2).array() - target_output(model, ref, 2)[0];
  const Eigen::MatrixXd ig = integrated_gradients(model, x, ref, 2, 64, Quadrature::gauss_legendre, 2);
  EXPECT_LT((ig.rowwise().sum() - delta).cwiseAbs().maxCoeff(), 1e-6);
}

TEST(Gradient, MatchesFiniteDifferences) {
  Fitted f = fitted("tanh");
  const ExplainedModel model(f.est);
  const Eigen::MatrixXd x = f.x.topRows(5);
  const Eigen::MatrixXd g = input_gradient(model, x, 0, 1);
  for (long j = 0; j < 4; ++j) {
    Eigen::MatrixXd plus = x, minus = x;
    plus.col(j).array() += 1e-6;
    minus.col(j).array() -= 1e-6;
    const Eigen::VectorXd numeric = (target_output(model, plus, 0) - target_output(model, minus, 0)) / 2e-6;
    EXPECT_LT((g.col(j) - numeric).cwiseAbs().maxCoeff(), 1e-6);
  }
}

// Shapley values by brute force: every order of the 4 features.
Eigen::RowVectorXd shapley_by_orders(const ExplainedModel& model, const Eigen::RowVectorXd& x,
                                     const Eigen::MatrixXd& background, long target) {
  std::vector<long> order{0, 1, 2, 3};
  Eigen::RowVectorXd phi = Eigen::RowVectorXd::Zero(4);
  long count = 0;
  auto value = [&](const std::vector<bool>& present) {
    Eigen::MatrixXd rows = background;
    for (long j = 0; j < 4; ++j)
      if (present[static_cast<std::size_t>(j)]) rows.col(j).setConstant(x[j]);
    return model.outputs(rows, ExplainedOutput::probability, 1).col(target).mean();
  };
  do {
    std::vector<bool> present(4, false);
    double previous = value(present);
    for (long j : order) {
      present[static_cast<std::size_t>(j)] = true;
      const double current = value(present);
      phi[j] += current - previous;
      previous = current;
    }
    ++count;
  } while (std::next_permutation(order.begin(), order.end()));
  return phi / static_cast<double>(count);
}

TEST(Shapley, ExactEqualsEnumerationOfAllOrders) {
  Fitted f = fitted("relu");
  const ExplainedModel model(f.est);
  const Eigen::MatrixXd background = f.x.middleRows(200, 7);
  const ShapleyResult r = shapley_exact(model, f.x.topRows(3), background, 1, ExplainedOutput::probability, 2);
  for (long i = 0; i < 3; ++i)
    EXPECT_LT((r.values.row(i) - shapley_by_orders(model, f.x.row(i), background, 1)).cwiseAbs().maxCoeff(), 1e-12);
  EXPECT_EQ(r.evaluations_per_row, (16 - 1) * 7);  // the empty coalition is shared by all rows
  EXPECT_EQ(r.standard_error.cwiseAbs().maxCoeff(), 0.0);
}

TEST(Shapley, SampledIsUnbiasedSumsExactlyAndIgnoresThreads) {
  Fitted f = fitted("relu");
  const ExplainedModel model(f.est);
  const Eigen::MatrixXd background = f.x.middleRows(200, 10);
  const Eigen::MatrixXd x = f.x.topRows(4);
  const ShapleyResult exact = shapley_exact(model, x, background, 2, ExplainedOutput::raw, 1);
  const ShapleyResult sampled = shapley_sampled(model, x, background, 2, ExplainedOutput::raw, 200, 11, 1);
  const ShapleyResult threaded = shapley_sampled(model, x, background, 2, ExplainedOutput::raw, 200, 11, 2);
  EXPECT_TRUE((sampled.values.array() == threaded.values.array()).all());
  EXPECT_LT((sampled.values.rowwise().sum() - exact.values.rowwise().sum()).cwiseAbs().maxCoeff(), 1e-10);
  // within 5 standard errors (plus rounding) of the exact values
  EXPECT_TRUE(((sampled.values - exact.values).cwiseAbs().array() <= 5.0 * sampled.standard_error.array() + 1e-9).all());
  const Eigen::VectorXd total = target_output(model, x, 2).array() - exact.base_value;
  EXPECT_LT((exact.values.rowwise().sum() - total).cwiseAbs().maxCoeff(), 1e-10);
}

// Any model through its output function: the same values as the network's
// own walk (exact and, with the same seed, sampled), on the model's outputs.
TEST(Shapley, OfAnyModelEqualsTheNetworksWalk) {
  Fitted f = fitted("tanh");
  const ExplainedModel model(f.est);
  const Eigen::MatrixXd background = f.x.middleRows(200, 6);
  const Eigen::MatrixXd x = f.x.topRows(3);
  const TargetOutput output = [&](const Eigen::MatrixXd& rows) -> Eigen::VectorXd {
    return model.outputs(rows, ExplainedOutput::probability, 1).col(1);
  };
  const ShapleyResult exact = shapley_exact(model, x, background, 1, ExplainedOutput::probability, 1);
  const ShapleyResult any = shapley_of(output, x, background, true, 0, 0);
  EXPECT_LT((any.values - exact.values).cwiseAbs().maxCoeff(), 1e-12);
  EXPECT_NEAR(any.base_value, exact.base_value, 1e-14);
  const ShapleyResult sampled = shapley_sampled(model, x, background, 1, ExplainedOutput::probability, 20, 5, 1);
  const ShapleyResult any_sampled = shapley_of(output, x, background, false, 20, 5);
  EXPECT_LT((any_sampled.values - sampled.values).cwiseAbs().maxCoeff(), 1e-12);
  EXPECT_LT((any_sampled.standard_error - sampled.standard_error).cwiseAbs().maxCoeff(), 1e-12);
  // Bad input and a bad output are refused.
  EXPECT_THROW(shapley_of(output, x, background.leftCols(3), true, 0, 0), std::invalid_argument);
  EXPECT_THROW(shapley_of(output, x, background, false, 0, 0), std::invalid_argument);
  const TargetOutput empty = [](const Eigen::MatrixXd&) -> Eigen::VectorXd { return Eigen::VectorXd(); };
  EXPECT_THROW(shapley_of(empty, x, background, true, 0, 0), std::invalid_argument);
}

TEST(Shapley, TooManyFeaturesForExactIsRefused) {
  Fitted f = fitted("relu");
  const ExplainedModel model(f.est);
  EXPECT_THROW(shapley_exact(model, f.x.topRows(1), f.x.topRows(1), 5, ExplainedOutput::raw, 1), std::invalid_argument);
}

TEST(PermutationImportance, RanksTheDrivingFeaturesFirstWhateverTheThreads) {
  Fitted f = fitted("relu");
  const ExplainedModel model(f.est);
  const PermutationImportance one = permutation_importance(model, f.x, f.y, Eigen::VectorXd(), 4, 9, 1);
  const PermutationImportance two = permutation_importance(model, f.x, f.y, Eigen::VectorXd(), 4, 9, 2);
  EXPECT_TRUE((one.importances.array() == two.importances.array()).all());
  EXPECT_GT(std::min(one.importances_mean[0], one.importances_mean[1]),
            std::max(one.importances_mean[2], one.importances_mean[3]));
  EXPECT_NEAR(one.baseline_loss, model_loss(model, f.x, f.y, Eigen::VectorXd(), 1), 0.0);
}

// The pairwise definition of tau-b, O(n^2): the reference for Knight's algorithm.
static double kendall_by_pairs(const Eigen::VectorXd& a, const Eigen::VectorXd& b) {
  double concordant = 0, discordant = 0, ties_a = 0, ties_b = 0;
  for (long i = 0; i < a.size(); ++i)
    for (long j = i + 1; j < a.size(); ++j) {
      const double da = a[i] - a[j], db = b[i] - b[j];
      if (da == 0 && db == 0) continue;
      if (da == 0) ties_a += 1;
      else if (db == 0) ties_b += 1;
      else if ((da > 0) == (db > 0)) concordant += 1;
      else discordant += 1;
    }
  return (concordant - discordant) / std::sqrt((concordant + discordant + ties_a) * (concordant + discordant + ties_b));
}

TEST(Metrics, KendallTauEqualsThePairwiseCountWithTies) {
  Random random(17);
  for (long n : {2L, 3L, 7L, 50L, 301L}) {
    for (int levels : {2, 5, 1000}) {
      Eigen::VectorXd a(n), b(n);
      for (long i = 0; i < n; ++i) {
        a[i] = static_cast<double>(random.uniform_index(static_cast<std::uint64_t>(levels)));
        b[i] = i % 3 == 0 ? a[i] : static_cast<double>(random.uniform_index(static_cast<std::uint64_t>(levels)));
      }
      if (a.minCoeff() == a.maxCoeff() || b.minCoeff() == b.maxCoeff()) continue;
      SCOPED_TRACE(std::to_string(n) + " values, " + std::to_string(levels) + " levels");
      EXPECT_NEAR(kendall_tau(a, b), kendall_by_pairs(a, b), 1e-13);
    }
  }
}

TEST(Metrics, KendallTauOfAMillionValuesIsQuick) {
  // O(n log n): the pairwise count would take minutes.
  const long n = 1000000;
  Eigen::VectorXd a(n), b(n);
  for (long i = 0; i < n; ++i) {
    a[i] = static_cast<double>(i);
    b[i] = static_cast<double>(i % 1000 == 0 ? n - i : i);
  }
  const auto start = std::chrono::steady_clock::now();
  const double tau = kendall_tau(a, b);
  EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(), 10.0);
  EXPECT_GT(tau, 0.99);
  EXPECT_LT(tau, 1.0);
}

TEST(Metrics, RankCorrelationsKnownValues) {
  Eigen::VectorXd a(4), b(4), tied(4);
  a << 1, 2, 3, 4;
  b << 1, 3, 2, 4;
  tied << 1, 2, 2, 4;
  EXPECT_NEAR(spearman(a, b), 0.8, 1e-15);
  EXPECT_NEAR(kendall_tau(a, b), 4.0 / 6.0, 1e-15);
  EXPECT_NEAR(spearman(a, -a), -1.0, 1e-15);
  Eigen::VectorXd ranks = average_ranks(tied), expected(4);
  expected << 1, 2.5, 2.5, 4;
  EXPECT_EQ(ranks, expected);
  // tau-b with one tie in the second vector: (5 - 0) / sqrt(6 * 5)
  EXPECT_NEAR(kendall_tau(a, tied), 5.0 / std::sqrt(30.0), 1e-15);
  EXPECT_TRUE(std::isnan(spearman(a, Eigen::VectorXd::Ones(4))));
  EXPECT_THROW(spearman(a, Eigen::VectorXd::Ones(3)), std::invalid_argument);
  Eigen::VectorXd scores(5);
  scores << 0.1, 0.5, 0.2, 0.15, 0.05;
  EXPECT_DOUBLE_EQ(top_k_precision(scores, {1, 2}, 2), 1.0);
  EXPECT_DOUBLE_EQ(top_k_precision(scores, {0, 4}, 2), 0.0);
  EXPECT_DOUBLE_EQ(top_k_precision(scores, {0, 3}, 4), 0.5);
}

TEST(Metrics, LocalLipschitzOfALinearMapIsItsLargestGain) {
  Eigen::MatrixXd a(2, 2);
  a << 3.0, 0.0, 0.0, 1.0;
  const auto linear = [&](const Eigen::MatrixXd& rows) -> Eigen::MatrixXd { return rows * a; };
  const Eigen::VectorXd estimate =
      local_lipschitz(linear, Eigen::MatrixXd::Ones(2, 2), Eigen::VectorXd::Ones(2), 0.5, 500, 1);
  EXPECT_TRUE((estimate.array() <= 3.0 + 1e-12).all());
  EXPECT_TRUE((estimate.array() > 2.9).all());
}

TEST(Metrics, DeletionCurveEndsAtTheBaseline) {
  Fitted f = fitted("relu");
  const ExplainedModel model(f.est);
  const Eigen::MatrixXd x = f.x.topRows(6);
  const Eigen::RowVectorXd baseline = f.x.colwise().mean();
  const Eigen::MatrixXd attributions = deeplift(model, x, baseline, 2, DeepLiftRule::rescale, 1);
  const PerturbationCurve deletion = deletion_curve(model, x, attributions, baseline, 2, ExplainedOutput::raw, false, 1);
  const PerturbationCurve insertion = deletion_curve(model, x, attributions, baseline, 2, ExplainedOutput::raw, true, 1);
  EXPECT_LT((deletion.curves.col(0) - target_output(model, x, 2)).cwiseAbs().maxCoeff(), 1e-12);
  EXPECT_LT((deletion.curves.col(4).array() - target_output(model, baseline, 2)[0]).abs().maxCoeff(), 1e-12);
  EXPECT_LT((insertion.curves.col(0) - deletion.curves.col(4)).cwiseAbs().maxCoeff(), 1e-12);
  // Removing the features DeepLIFT ranks first lowers the target more than
  // inserting them in that order raises it from the baseline: deletion AUC < insertion AUC.
  EXPECT_LT(deletion.auc, insertion.auc);
}

// Any model through an output function: known values on a linear model, the
// same numbers as the estimator's form, and a bad output is refused.
TEST(Metrics, PerturbationMeasuresOfAnyModel) {
  const Eigen::Vector3d w(3.0, -1.0, 0.5);
  const TargetOutput linear = [&](const Eigen::MatrixXd& rows) -> Eigen::VectorXd { return rows * w; };
  Random random(4);
  const Eigen::MatrixXd x = sa_test::normal_matrix(random, 5, 3);
  const Eigen::RowVectorXd reference = Eigen::RowVectorXd::Constant(3, 0.25);
  // Exact attributions of a linear model, w_j (x_j - r_j), are the drops themselves.
  const Eigen::MatrixXd exact = (x.rowwise() - reference).array().rowwise() * w.transpose().array();
  EXPECT_NEAR(faithfulness_correlation(linear, x, exact, reference), 1.0, 1e-12);
  EXPECT_NEAR(faithfulness_correlation(linear, x, -exact, reference), -1.0, 1e-12);
  // Deleting every feature ends at f(reference); the first column is f(x).
  const PerturbationCurve curve = deletion_curve(linear, x, exact, reference, false);
  EXPECT_LT((curve.curves.col(0) - x * w).cwiseAbs().maxCoeff(), 1e-12);
  EXPECT_LT((curve.curves.col(3).array() - reference.dot(w)).abs().maxCoeff(), 1e-12);
  // The estimator's form is this one with the estimator's output.
  Fitted f = fitted("tanh");
  const ExplainedModel model(f.est);
  const Eigen::MatrixXd rows = f.x.topRows(4);
  const Eigen::RowVectorXd mean = f.x.colwise().mean();
  const Eigen::MatrixXd attributions = deeplift(model, rows, mean, 1, DeepLiftRule::rescale, 1);
  const TargetOutput of_model = [&](const Eigen::MatrixXd& r) -> Eigen::VectorXd {
    return model.outputs(r, ExplainedOutput::raw, 1).col(1);
  };
  EXPECT_EQ(faithfulness_correlation(model, rows, attributions, mean, 1, ExplainedOutput::raw, 1),
            faithfulness_correlation(of_model, rows, attributions, mean));
  const TargetOutput short_output = [](const Eigen::MatrixXd& r) -> Eigen::VectorXd {
    return Eigen::VectorXd::Zero(r.rows() - 1);
  };
  EXPECT_THROW(faithfulness_correlation(short_output, x, exact, reference), std::invalid_argument);
  EXPECT_THROW(faithfulness_correlation(linear, x, exact, Eigen::RowVectorXd::Zero(2)), std::invalid_argument);
}

// A front end's interrupt check stops the long attribution loops with Interrupted.
TEST(Interrupts, StopSampledShapleyAndPermutationImportance) {
  Fitted f = fitted("relu");
  const ExplainedModel model(f.est);
  const Eigen::MatrixXd rows = f.x.topRows(40), background = f.x.topRows(30);
  long polls = 0;
  const std::function<bool()> stop = [&polls]() { return ++polls > 0; };
  for (int threads : {1, 2}) {
    polls = 0;
    // Seconds of work uninterrupted; polled after 0.1 s, then the rest is skipped.
    EXPECT_THROW(shapley_sampled(model, rows, background, 0, ExplainedOutput::raw, 40000, 1, threads, stop),
                 Interrupted);
    EXPECT_EQ(polls, 1);
    polls = 0;
    const Eigen::MatrixXd many = f.x.replicate(40, 1);
    const Eigen::VectorXd many_y = f.y.replicate(40, 1);
    EXPECT_THROW(permutation_importance(model, many, many_y, Eigen::VectorXd(), 200, 1, threads, stop), Interrupted);
    EXPECT_EQ(polls, 1);
  }
  // Never asked: the same call runs to the end.
  const std::function<bool()> never = []() { return false; };
  EXPECT_NO_THROW(shapley_sampled(model, rows.topRows(2), background, 0, ExplainedOutput::raw, 4, 1, 2, never));
}

// ------------------------------------------------------- explain() policy
// The one policy both front ends call (explain.hpp): the same numbers as the
// methods themselves, base values, exactness and the refusals.
TEST(ExplainPolicy, EqualsTheMethodsWithBaseValuesPerTarget) {
  Fitted f = fitted("tanh");
  const Eigen::MatrixXd rows = f.x.topRows(5) * 3.0;
  ExplainOptions o;
  o.method = "deeplift";
  o.targets = {0, 2};
  const Explanation e = explain(f.est, rows, o);
  const ExplainedModel model(f.est);
  const Eigen::MatrixXd mean = f.est.input_mean().transpose();
  ASSERT_EQ(e.values.size(), 2u);
  EXPECT_TRUE(e.values[1].isApprox(deeplift(model, rows, mean, 2, DeepLiftRule::rescale, 1)));
  const Eigen::MatrixXd mean_out = model.outputs(mean, ExplainedOutput::raw, 1);
  EXPECT_NEAR(e.base_values[1], mean_out(0, 2), 1e-12);
  // Completeness: values + base value = the output.
  const Eigen::MatrixXd out = model.outputs(rows, ExplainedOutput::raw, 1);
  for (long i = 0; i < rows.rows(); ++i) EXPECT_NEAR(e.values[0].row(i).sum() + e.base_values[0], out(i, 0), 1e-8);

  o.method = "gradient";
  const Explanation g = explain(f.est, rows, o);
  EXPECT_TRUE(g.base_values.empty());
  EXPECT_TRUE(g.values[0].isApprox(input_gradient(model, rows, 0, 1)));
}

TEST(ExplainPolicy, ShapleyIsExactUpToTwelveFeaturesAndDrawsASeedOnlyWhenSampling) {
  Fitted f = fitted("relu");
  ExplainOptions o;
  o.method = "shapley";
  EXPECT_FALSE(explain_uses_seed(o, 12));
  EXPECT_TRUE(explain_uses_seed(o, 13));
  o.exact = 0;
  EXPECT_TRUE(explain_uses_seed(o, 3));
  o.exact = -1;
  o.targets = {1};
  o.seed = 99;  // ignored: exact
  const Eigen::MatrixXd rows = f.x.topRows(3) * 3.0;
  const Explanation e = explain(f.est, rows, o);
  const ShapleyResult exact = shapley_exact(ExplainedModel(f.est), rows, f.est.input_mean().transpose(), 1,
                                            ExplainedOutput::raw, 1);
  EXPECT_TRUE(e.values[0].isApprox(exact.values));
  EXPECT_EQ(e.base_values[0], exact.base_value);
}

TEST(ExplainPolicy, RefusalsNameTheOption) {
  Fitted f = fitted("relu");
  const Eigen::MatrixXd rows = f.x.topRows(2);
  auto message = [&](ExplainOptions o) -> std::string {
    if (o.targets.empty()) o.targets = {0};
    try {
      explain(f.est, rows, o);
    } catch (const std::invalid_argument& e) {
      return e.what();
    }
    return "";
  };
  ExplainOptions o;
  o.given = {"n_steps"};
  EXPECT_EQ(message(o), "n_steps does not apply to method = 'deeplift' (its options: baseline, rule)");
  o.method = "gradient";
  o.given = {"baseline", "n_steps"};
  EXPECT_EQ(message(o), "baseline, n_steps do not apply to method = 'gradient' (its options: none)");
  o = ExplainOptions();
  o.method = "shapley";
  o.exact = 1;
  o.given = {"exact", "n_permutations"};
  EXPECT_NE(message(o).find("n_permutations does not apply to exact Shapley values"), std::string::npos);
  o = ExplainOptions();
  o.output = "probability";
  EXPECT_NE(message(o).find("available for method = 'shapley' only"), std::string::npos);
  o = ExplainOptions();
  o.baseline.kind = "rows";
  o.baseline.rows = Eigen::MatrixXd::Zero(1, 2);
  EXPECT_NE(message(o).find("baseline must have"), std::string::npos);
  o.baseline.rows = Eigen::MatrixXd::Constant(1, f.est.n_features(), std::nan(""));
  EXPECT_NE(message(o).find("baseline contains NaN"), std::string::npos);
  o = ExplainOptions();
  o.method = "magic";
  EXPECT_NE(message(o).find("method must be one of"), std::string::npos);
  o = ExplainOptions();
  o.targets = {7};
  EXPECT_NE(message(o), "");
}
