// SENN on the shared training seam: the exact gradient of data loss plus
// robustness penalty (the double backward) against finite differences, the
// residual the penalty measures against finite differences of grad_z f,
// exact decomposition of the outputs, ground truth, the penalty's effect,
// determinism, state round trips and errors.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <string>
#include <vector>

#include "scoresactivation/explain.hpp"
#include "scoresactivation/loss.hpp"
#include "scoresactivation/senn_estimator.hpp"
#include "test_helpers.hpp"

using namespace scoresactivation;
using sa_test::bit_identical;
using sa_test::gradients_agree;
using sa_test::normal_matrix;
using sa_test::numeric_gradient;

namespace {

struct GradientCase {
  Activation activation;
  std::vector<long> hidden;
  bool classification;
  int gate;  // 0: none, 1: scale, 2: snr with training noise
};

std::string describe(const GradientCase& c) {
  std::string s = to_string(c.activation) + " hidden";
  for (long h : c.hidden) s += " " + std::to_string(h);
  return s + (c.classification ? " classification" : " regression") + " gate " + std::to_string(c.gate);
}

Params training_params(long max_epochs = 60) {
  Params p;
  p.hidden_layer_sizes = {16};
  p.max_epochs = max_epochs;
  p.refine_epochs = 5;
  p.learning_rate = 1e-2;
  p.random_state = 3;
  return p;
}

struct Data {
  Eigen::MatrixXd x;
  Eigen::VectorXd y;
};

// y = 3 x0 - 2 x1 + x2 x3 (+ noise), two noise columns; classification: y > 0.
Data make_data(long n, std::uint64_t seed, bool classification) {
  Random random(seed);
  Data d{normal_matrix(random, n, 6), Eigen::VectorXd(n)};
  for (long i = 0; i < n; ++i) {
    const double v = 3.0 * d.x(i, 0) - 2.0 * d.x(i, 1) + d.x(i, 2) * d.x(i, 3) + 0.1 * random.normal();
    d.y[i] = classification ? (v > 0 ? 1.0 : 0.0) : v;
  }
  return d;
}

}  // namespace

// Every tensor's gradient of (data loss + lambda * penalty), and dL/ds
// through the gate, against central differences: the double backward is exact.
TEST(SennGradients, DataLossPlusPenaltyMatchFiniteDifferences) {
  const std::vector<GradientCase> cases = {
      {Activation::tanh, {5}, true, 0},        {Activation::tanh, {4, 3}, false, 2},
      {Activation::logistic, {5}, false, 1},   {Activation::logistic, {3, 4}, true, 2},
      {Activation::relu, {6}, true, 2},        {Activation::identity, {}, false, 1},
      {Activation::tanh, {}, true, 2},
  };
  for (const GradientCase& c : cases) {
    const long d = 4, rows = 6, outputs = c.classification ? 3 : 1;
    SennNetwork net(d, c.hidden, outputs, c.activation, c.gate > 0, 1.0, c.gate == 2 ? GateKind::snr : GateKind::scale,
                    1.5, 0.3);
    Random random(17);
    net.initialise(random);
    if (c.gate > 0) net.scores_layer().raw_scores() << 0.3, -0.2, 0.5, 0.1;
    net.output_bias().setConstant(0.2);
    const Eigen::MatrixXd x = normal_matrix(random, rows, d);
    const Eigen::MatrixXd noise = normal_matrix(random, rows, d);
    Eigen::VectorXd targets(rows), weights(rows);
    if (c.classification) {
      targets << 0, 1, 2, 1, 0, 2;
    } else {
      targets = normal_matrix(random, rows, 1);
    }
    weights << 1.0, 0.5, 2.0, 1.0, 0.0, 1.5;
    const double normaliser = weights.sum();
    const InputBlock block{x};
    const Eigen::MatrixXd* eps = c.gate == 2 ? &noise : nullptr;
    auto loss = [&]() {
      auto ws = net.new_workspace();
      const double data = prediction_loss(c.classification, net.forward_block(KernelPath::portable, block, eps, *ws),
                                          targets, weights, normaliser, nullptr);
      return data + net.penalty_block(KernelPath::portable, block, weights, normaliser, *ws);
    };
    auto ws = net.new_workspace();
    const Eigen::MatrixXd& out = net.forward_block(KernelPath::portable, block, eps, *ws);
    prediction_loss(c.classification, out, targets, weights, normaliser, &ws->grad_output);
    const double penalty = net.penalty_block(KernelPath::portable, block, weights, normaliser, *ws);
    EXPECT_GT(penalty, 0.0) << describe(c);
    net.backward_block(KernelPath::portable, block, eps, *ws);
    const std::vector<const double*> grads = net.gradients(*ws);
    std::vector<ParameterTensor> tensors = net.parameters();
    ASSERT_EQ(grads.size(), tensors.size());
    const std::size_t first = c.gate > 0 ? 1 : 0;
    for (std::size_t k = first; k < tensors.size(); ++k) {
      const Eigen::VectorXd numeric = numeric_gradient(loss, tensors[k].values, tensors[k].size);
      EXPECT_TRUE(gradients_agree(Eigen::Map<const Eigen::VectorXd>(grads[k], tensors[k].size), numeric, 1e-5, 1e-8))
          << describe(c) << " tensor " << k;
    }
    if (c.gate > 0) {
      const Eigen::VectorXd dscores =
          net.scores_layer().scores_gradient(Eigen::Map<const Eigen::VectorXd>(grads[0], d), 0.0);
      EXPECT_TRUE(gradients_agree(dscores, numeric_gradient(loss, tensors[0].values, d), 1e-5, 1e-8))
          << describe(c) << " scores";
    }
  }
}

// The residual is || grad_z f_k - theta_k ||^2 summed over outputs, with
// grad_z f from central differences of the network's own output.
TEST(SennGradients, ResidualIsGradientMinusTheta) {
  const long d = 3, outputs = 2;
  SennNetwork net(d, {5, 4}, outputs, Activation::tanh, true, 1.0, GateKind::snr, 1.5, 0.1);
  Random random(4);
  net.initialise(random);
  net.scores_layer().raw_scores() << 0.2, -0.4, 0.1;
  const Eigen::MatrixXd x = normal_matrix(random, 4, d);
  const Eigen::VectorXd residual = net.robustness_residual(KernelPath::portable, x);
  const Eigen::MatrixXd z = net.concepts(x);
  const Eigen::MatrixXd theta = net.relevances(KernelPath::portable, z);
  // f as a function of the concepts: theta(z) . z + b.
  auto f = [&](const Eigen::MatrixXd& concepts, long row, long k) {
    const Eigen::MatrixXd t = net.relevances(KernelPath::portable, concepts);
    return t.row(row).segment(k * d, d).dot(concepts.row(row)) + net.output_bias()[k];
  };
  for (long i = 0; i < x.rows(); ++i) {
    double expected = 0.0;
    for (long k = 0; k < outputs; ++k)
      for (long j = 0; j < d; ++j) {
        Eigen::MatrixXd plus = z, minus = z;
        plus(i, j) += 1e-6;
        minus(i, j) -= 1e-6;
        const double gradient = (f(plus, i, k) - f(minus, i, k)) / 2e-6;
        expected += std::pow(gradient - theta(i, k * d + j), 2);
      }
    EXPECT_NEAR(residual[i], expected, 1e-7 * std::max(1.0, expected)) << "row " << i;
  }
}

// ------------------------------------------------------------- estimator

TEST(SennEstimator, ContributionsAndBaseValuesSumToTheOutputs) {
  for (bool classification : {false, true}) {
    const Data d = make_data(300, 1, classification);
    SennEstimator est(training_params(20), SennParams(), classification ? Task::classification : Task::regression);
    est.fit(d.x, d.y, Eigen::VectorXd(), classification ? 2 : 0);
    const Eigen::MatrixXd c = est.contributions(d.x);
    const Eigen::MatrixXd out = est.decision_function(d.x);
    ASSERT_EQ(c.cols(), est.n_outputs() * 6);
    for (long k = 0; k < est.n_outputs(); ++k) {
      const Eigen::VectorXd total = c.middleCols(k * 6, 6).rowwise().sum().array() + est.base_values()[k];
      EXPECT_LT((total - out.col(k)).cwiseAbs().maxCoeff(), 1e-10 * (1.0 + out.cwiseAbs().maxCoeff()));
    }
    // contributions = theta * z, z the gated standardised input.
    const Eigen::MatrixXd theta = est.relevances(d.x);
    const Eigen::MatrixXd z = est.network().concepts(
        ((d.x.rowwise() - est.input_mean().transpose()).array().rowwise() / est.input_scale().transpose().array())
            .matrix());
    const double scale = classification ? 1.0 : est.target_scale();
    EXPECT_LT((c.leftCols(6) - Eigen::MatrixXd(theta.leftCols(6).array() * z.array() * scale)).cwiseAbs().maxCoeff(),
              1e-12 * (1.0 + c.cwiseAbs().maxCoeff()));
  }
}

TEST(SennEstimator, InputGradientMatchesFiniteDifferencesInTheUsersUnits) {
  Data d = make_data(200, 2, false);
  d.x.col(1) *= 50.0;  // a feature on another scale
  SennEstimator est(training_params(10), SennParams(), Task::regression);
  est.fit(d.x, d.y, Eigen::VectorXd(), 0);
  Eigen::MatrixXd rows = d.x.topRows(3);
  const Eigen::MatrixXd g = est.input_gradient(rows, 0);
  for (long i = 0; i < 3; ++i)
    for (long j = 0; j < 6; ++j) {
      const double h = 1e-5 * std::max(1.0, std::abs(rows(i, j)));
      Eigen::MatrixXd plus = rows, minus = rows;
      plus(i, j) += h;
      minus(i, j) -= h;
      const double expected = (est.decision_function(plus)(i, 0) - est.decision_function(minus)(i, 0)) / (2 * h);
      EXPECT_NEAR(g(i, j), expected, 1e-6 * std::max(1.0, std::abs(expected))) << i << "," << j;
    }
}

// Known truth: the scores put the two linear features first, and theta
// recovers their signs and their ratio where the target is linear in them.
TEST(SennEstimator, ScoresAndThetaRecoverTheTruth) {
  const Data train = make_data(1500, 5, false);
  SennParams senn;
  senn.robustness_penalty = 0.1;
  SennEstimator est(training_params(80), senn, Task::regression);
  est.fit(train.x, train.y, Eigen::VectorXd(), 0);
  const Data test = make_data(500, 6, false);
  const Eigen::MatrixXd prediction = est.decision_function(test.x);
  const double mse = (prediction.col(0) - test.y).squaredNorm() / 500.0;
  EXPECT_LT(mse, 0.15 * (test.y.array() - test.y.mean()).square().mean());
  const Eigen::VectorXd s = est.scores();
  for (long noise : {4L, 5L}) {
    EXPECT_GT(s[0], s[noise]);
    EXPECT_GT(s[1], s[noise]);
  }
  EXPECT_GT(s[0], s[1]);
  // Mean d prediction / d x over the rows: the coefficients 3 and -2.
  const Eigen::MatrixXd g = est.input_gradient(test.x, 0);
  EXPECT_NEAR(g.col(0).mean(), 3.0, 0.3);
  EXPECT_NEAR(g.col(1).mean(), -2.0, 0.3);
  // Mean |contribution| orders the linear features above the noise.
  const Eigen::VectorXd importance = est.contributions(test.x).cwiseAbs().colwise().mean();
  EXPECT_GT(importance[1], 3.0 * importance[4]);
  EXPECT_GT(importance[1], 3.0 * importance[5]);
}

// The paper's claim at small scale: the penalty makes theta the model's own
// gradient (lower residual) at little cost in accuracy.
TEST(SennEstimator, PenaltyMakesThetaALocalLinearExplanation) {
  const Data train = make_data(800, 7, true);
  const Data test = make_data(400, 8, true);
  Params p = training_params(60);
  p.hidden_layer_sizes = {16, 16};
  p.activation = "tanh";
  SennParams none, strong;
  none.robustness_penalty = 0.0;
  strong.robustness_penalty = 1.0;
  SennEstimator a(p, none, Task::classification), b(p, strong, Task::classification);
  a.fit(train.x, train.y, Eigen::VectorXd(), 2);
  b.fit(train.x, train.y, Eigen::VectorXd(), 2);
  const double residual_none = a.robustness_residual(test.x).mean();
  const double residual_strong = b.robustness_residual(test.x).mean();
  EXPECT_LT(residual_strong, 0.5 * residual_none) << residual_strong << " vs " << residual_none;
  auto accuracy = [&](const SennEstimator& est) {
    const Eigen::MatrixXd proba = est.predict_proba(test.x);
    long correct = 0;
    for (long i = 0; i < proba.rows(); ++i) correct += (proba(i, 1) > 0.5) == (test.y[i] > 0.5);
    return static_cast<double>(correct) / static_cast<double>(proba.rows());
  };
  EXPECT_GT(accuracy(b), 0.85);
  EXPECT_GT(accuracy(b), accuracy(a) - 0.05);
}

TEST(SennEstimator, SameBitsForAnyThreadCountAndAfterAStateRoundTrip) {
  const Data d = make_data(700, 9, true);
  Params p = training_params(5);
  p.batch_size = 600;  // several blocks per batch
  p.n_threads = 1;
  SennEstimator one(p, SennParams(), Task::classification);
  one.fit(d.x, d.y, Eigen::VectorXd(), 2);
  p.n_threads = 2;
  SennEstimator two(p, SennParams(), Task::classification);
  two.fit(d.x, d.y, Eigen::VectorXd(), 2);
  const Eigen::MatrixXd a = one.decision_function(d.x);
  EXPECT_TRUE(bit_identical(a, two.decision_function(d.x)));
  EXPECT_TRUE(bit_identical(one.scores(), two.scores()));
  EXPECT_TRUE(bit_identical(one.relevances(d.x), two.relevances(d.x)));
  const SennEstimator loaded(p, SennParams(), one.state());
  EXPECT_TRUE(bit_identical(a, loaded.decision_function(d.x)));
  EXPECT_TRUE(bit_identical(one.contributions(d.x), loaded.contributions(d.x)));
  EXPECT_TRUE(bit_identical(one.scores_history(), loaded.scores_history()));
}

TEST(SennEstimator, BootstrapScoresAreReproducible) {
  const Data d = make_data(150, 10, false);
  Params p = training_params(3);
  p.n_bootstrap = 3;
  p.n_threads = 2;
  SennEstimator a(p, SennParams(), Task::regression);
  a.fit(d.x, d.y, Eigen::VectorXd(), 0);
  ASSERT_EQ(a.scores_bootstrap().rows(), 3);
  p.n_threads = 1;
  SennEstimator b(p, SennParams(), Task::regression);
  b.fit(d.x, d.y, Eigen::VectorXd(), 0);
  EXPECT_TRUE(bit_identical(a.scores_bootstrap(), b.scores_bootstrap()));
}

// ------------------------------------------------------------- errors

TEST(SennErrors, BadInputIsRefusedByNameAndARefitFailureKeepsTheModel) {
  const Data d = make_data(80, 11, false);
  auto message = [](const std::function<void()>& f) {
    try {
      f();
    } catch (const std::exception& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  for (double bad : {-1.0, std::nan(""), 1e300}) {
    SennParams senn;
    senn.robustness_penalty = bad;
    EXPECT_NE(message([&] { SennEstimator(training_params(), senn, Task::regression); }).find("robustness_penalty"),
              std::string::npos);
  }
  SennEstimator est(training_params(2), SennParams(), Task::regression);
  EXPECT_NE(message([&] { est.relevances(d.x); }).find("not fitted"), std::string::npos);
  est.fit(d.x, d.y, Eigen::VectorXd(), 0);
  EXPECT_NE(message([&] { est.decision_function(d.x.leftCols(5)); }).find("features"), std::string::npos);
  EXPECT_NE(message([&] { est.input_gradient(d.x, 1); }).find("target"), std::string::npos);
  Eigen::MatrixXd with_nan = d.x;
  with_nan(0, 0) = std::nan("");
  EXPECT_NE(message([&] { est.contributions(with_nan); }).find("NaN"), std::string::npos);
  const Eigen::MatrixXd before = est.decision_function(d.x);
  EXPECT_THROW(est.fit(with_nan, d.y, Eigen::VectorXd(), 0), std::invalid_argument);
  EXPECT_TRUE(bit_identical(before, est.decision_function(d.x)));
  // theta's output n_outputs * d is bounded before anything is allocated.
  ModelState s = est.state();
  s.n_features = 1L << 21;
  EXPECT_NE(message([&] { SennEstimator(training_params(2), SennParams(), s); }).find("n_outputs * n_features"),
            std::string::npos);
}

TEST(SennErrors, StateWithWrongShapesIsRefused) {
  const Data d = make_data(80, 12, false);
  SennEstimator est(training_params(2), SennParams(), Task::regression);
  est.fit(d.x, d.y, Eigen::VectorXd(), 0);
  ModelState s = est.state();
  s.arrays["theta_1_weight"].shape = {16, 5};
  EXPECT_THROW(SennEstimator(training_params(2), SennParams(), s), std::invalid_argument);
  ModelState missing = est.state();
  missing.arrays.erase("output_bias");
  EXPECT_THROW(SennEstimator(training_params(2), SennParams(), missing), std::invalid_argument);
  // A tabular model's arrays are not a SENN's.
  Params other = training_params(2);
  other.hidden_layer_sizes = {8};
  EXPECT_THROW(SennEstimator(other, SennParams(), est.state()), std::invalid_argument);
}

// explain() (explain.hpp) for SENN models: theta, the contributions with the
// intercepts as base values, the input gradient and Shapley values of the
// raw output (exact: they add up to f(x) - mean f(background)).
TEST(SennExplainPolicy, MethodsAndBaseValues) {
  const Data d = make_data(200, 5, true);
  SennEstimator est(training_params(10), SennParams(), Task::classification);
  est.fit(d.x, d.y, Eigen::VectorXd(), 2);
  const Eigen::MatrixXd x = d.x.topRows(4);
  ExplainOptions o;
  o.method = "contributions";
  o.targets = {1};
  const Explanation c = explain(est, x, o);
  EXPECT_TRUE(c.values[0].isApprox(est.contributions(x).middleCols(6, 6)));
  EXPECT_EQ(c.base_values, std::vector<double>{est.base_values()[1]});
  o.method = "theta";
  const Explanation t = explain(est, x, o);
  EXPECT_TRUE(t.base_values.empty());
  EXPECT_TRUE(t.values[0].isApprox(est.relevances(x).middleCols(6, 6)));
  o.method = "gradient";
  EXPECT_TRUE(explain(est, x, o).values[0].isApprox(est.input_gradient(x, 1)));
  o.method = "shapley";
  o.background.kind = "rows";
  o.background.rows = d.x.bottomRows(5);
  const Explanation s = explain(est, x, o);
  const Eigen::MatrixXd out = est.decision_function(x);
  const double base = est.decision_function(o.background.rows).col(1).mean();
  EXPECT_NEAR(s.base_values[0], base, 1e-12);
  for (long i = 0; i < x.rows(); ++i) EXPECT_NEAR(s.values[0].row(i).sum() + base, out(i, 1), 1e-9);

  o.given = {"background"};
  o.method = "theta";
  EXPECT_THROW(explain(est, x, o), std::invalid_argument);
  o = ExplainOptions();
  o.method = "deeplift";
  o.targets = {0};
  EXPECT_THROW(explain(est, x, o), std::invalid_argument);  // not a SENN method
  o.method = "shapley";
  o.output = "probability";
  EXPECT_THROW(explain(est, x, o), std::invalid_argument);
}
