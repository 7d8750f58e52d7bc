// Analytic gradients against central finite differences, layer by layer and
// for the whole network (loss + entropy_penalty * H(w)), and known values of
// the forward computations.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <tuple>
#include <vector>

#include "scoresactivation/activation.hpp"
#include "scoresactivation/dense_layer.hpp"
#include "scoresactivation/kernels.hpp"
#include "scoresactivation/loss.hpp"
#include "scoresactivation/network.hpp"
#include "scoresactivation/scores_layer.hpp"
#include "test_helpers.hpp"

using namespace scoresactivation;
using sa_test::flat;
using sa_test::gradients_agree;
using sa_test::normal_matrix;
using sa_test::numeric_gradient;

namespace {

std::vector<KernelPath> available_paths() {
  std::vector<KernelPath> paths{KernelPath::portable};
  if (avx2_kernels_available()) paths.push_back(KernelPath::avx2);
  return paths;
}

}  // namespace

// ---------------------------------------------------------------- DenseLayer

TEST(DenseLayer, ForwardKnownValues) {
  DenseLayer layer(2, 3);
  layer.weight << 1, 2, 3,
                  4, 5, 6;
  layer.bias << 0.5, -1, 2;
  Eigen::MatrixXd input(2, 2);
  input << 1, -1,
           0.5, 2;
  for (KernelPath path : available_paths()) {
    Eigen::MatrixXd z;
    layer.forward(path, input, z);
    Eigen::MatrixXd expected(2, 3);
    expected << -2.5, -4, -1,
                9, 10, 15.5;
    EXPECT_TRUE(sa_test::bit_identical(z, expected)) << to_string(path);
  }
}

TEST(DenseLayer, InitialiseIsGlorotUniformWithZeroBias) {
  DenseLayer layer(30, 20);
  Random random(3);
  layer.initialise(random, false);
  const double bound = std::sqrt(6.0 / 50.0);
  EXPECT_LE(layer.weight.cwiseAbs().maxCoeff(), bound);
  EXPECT_GT(layer.weight.cwiseAbs().maxCoeff(), 0.9 * bound);
  EXPECT_NEAR(layer.weight.mean(), 0.0, 0.05);
  EXPECT_TRUE(layer.bias.isZero(0.0));
  // Row-major draw order from the given stream.
  Random replay(3);
  EXPECT_EQ(layer.weight(0, 0), replay.uniform(-bound, bound));
  EXPECT_EQ(layer.weight(0, 1), replay.uniform(-bound, bound));
  // Logistic: factor 2 instead of 6.
  DenseLayer logistic(30, 20);
  Random random2(3);
  logistic.initialise(random2, true);
  EXPECT_LE(logistic.weight.cwiseAbs().maxCoeff(), std::sqrt(2.0 / 50.0));
}

TEST(DenseLayer, BackwardMatchesFiniteDifferences) {
  for (KernelPath path : available_paths()) {
    SCOPED_TRACE(to_string(path));
    Random random(11);
    DenseLayer layer(5, 4);
    layer.weight = normal_matrix(random, 5, 4);
    layer.bias = normal_matrix(random, 4, 1);
    Eigen::MatrixXd input = normal_matrix(random, 7, 5);
    const Eigen::MatrixXd r = normal_matrix(random, 7, 4);
    // L = sum(r .* z) + 0.5 * sum(z^2): dL/dz = r + z.
    auto loss = [&]() {
      Eigen::MatrixXd z;
      layer.forward(path, input, z);
      return (r.array() * z.array()).sum() + 0.5 * z.squaredNorm();
    };
    Eigen::MatrixXd z;
    layer.forward(path, input, z);
    const Eigen::MatrixXd grad_z = r + z;
    Eigen::MatrixXd grad_weight, grad_input;
    Eigen::VectorXd grad_bias;
    layer.backward(path, input, grad_z, grad_weight, grad_bias, &grad_input);
    ASSERT_EQ(grad_weight.rows(), 5);
    ASSERT_EQ(grad_weight.cols(), 4);
    ASSERT_EQ(grad_bias.size(), 4);
    ASSERT_EQ(grad_input.rows(), 7);
    ASSERT_EQ(grad_input.cols(), 5);
    EXPECT_TRUE(gradients_agree(flat(grad_weight), numeric_gradient(loss, layer.weight.data(), layer.weight.size())));
    EXPECT_TRUE(gradients_agree(grad_bias, numeric_gradient(loss, layer.bias.data(), layer.bias.size())));
    EXPECT_TRUE(gradients_agree(flat(grad_input), numeric_gradient(loss, input.data(), input.size())));

    // Without grad_input the parameter gradients are the same.
    Eigen::MatrixXd grad_weight2;
    Eigen::VectorXd grad_bias2;
    layer.backward(path, input, grad_z, grad_weight2, grad_bias2, nullptr);
    EXPECT_TRUE(sa_test::bit_identical(grad_weight, grad_weight2));
    EXPECT_TRUE(sa_test::bit_identical(grad_bias, grad_bias2));
  }
}

// ---------------------------------------------------------------- activations

TEST(Activation, KnownValues) {
  Eigen::MatrixXd z(1, 4);
  z << -1.0, 0.0, 0.5, 2.0;
  Eigen::MatrixXd out;
  apply_activation(Activation::relu, z, out);
  EXPECT_EQ(out(0, 0), 0.0);
  EXPECT_EQ(out(0, 1), 0.0);
  EXPECT_EQ(out(0, 2), 0.5);
  EXPECT_EQ(out(0, 3), 2.0);
  apply_activation(Activation::tanh, z, out);
  EXPECT_NEAR(out(0, 0), -0.76159415595576485, 1e-15);
  EXPECT_EQ(out(0, 1), 0.0);
  EXPECT_NEAR(out(0, 2), 0.46211715726000974, 1e-15);
  apply_activation(Activation::logistic, z, out);
  EXPECT_NEAR(out(0, 0), 0.2689414213699951, 1e-15);
  EXPECT_EQ(out(0, 1), 0.5);
  EXPECT_NEAR(out(0, 3), 0.8807970779778823, 1e-15);
  apply_activation(Activation::identity, z, out);
  EXPECT_TRUE(sa_test::bit_identical(out, z));
}

TEST(Activation, NamesRoundTrip) {
  for (Activation a : {Activation::relu, Activation::tanh, Activation::logistic, Activation::identity})
    EXPECT_EQ(activation_from_string(to_string(a)), a);
  EXPECT_THROW(activation_from_string("softplus"), std::invalid_argument);
}

class ActivationDerivative : public ::testing::TestWithParam<Activation> {};

TEST_P(ActivationDerivative, MatchesFiniteDifferences) {
  const Activation activation = GetParam();
  Random random(5);
  Eigen::MatrixXd z = normal_matrix(random, 6, 5, 1.5);
  // relu: stay away from the kink at 0.
  for (long i = 0; i < z.size(); ++i)
    if (std::abs(z.data()[i]) < 0.1) z.data()[i] = z.data()[i] < 0 ? -0.1 - z.data()[i] : 0.1 + z.data()[i];
  const Eigen::MatrixXd r = normal_matrix(random, 6, 5);
  auto loss = [&]() {
    Eigen::MatrixXd a;
    apply_activation(activation, z, a);
    return (r.array() * a.array()).sum();
  };
  Eigen::MatrixXd a;
  apply_activation(activation, z, a);
  Eigen::MatrixXd grad = r;
  multiply_by_derivative(activation, a, grad);
  EXPECT_TRUE(gradients_agree(flat(grad), numeric_gradient(loss, z.data(), z.size())));
}

INSTANTIATE_TEST_SUITE_P(AllActivations, ActivationDerivative,
                         ::testing::Values(Activation::relu, Activation::tanh, Activation::logistic,
                                           Activation::identity),
                         [](const ::testing::TestParamInfo<Activation>& info) { return to_string(info.param); });

// ---------------------------------------------------------------- losses

TEST(Loss, SoftmaxRowsIsStableAndNormalised) {
  Eigen::MatrixXd logits(3, 3);
  logits << 1000, 1001, 999,
            -1000, -1000, -1000,
            0, std::log(2.0), std::log(5.0);
  Eigen::MatrixXd p;
  softmax_rows(logits, p);
  ASSERT_TRUE(p.allFinite());
  for (long i = 0; i < 3; ++i) EXPECT_NEAR(p.row(i).sum(), 1.0, 1e-15);
  EXPECT_NEAR(p(1, 0), 1.0 / 3.0, 1e-15);
  EXPECT_NEAR(p(2, 0), 0.125, 1e-15);
  EXPECT_NEAR(p(2, 1), 0.25, 1e-15);
  EXPECT_NEAR(p(2, 2), 0.625, 1e-15);
  EXPECT_NEAR(p(0, 1), 1.0 / (1.0 + std::exp(-1.0) + std::exp(-2.0)), 1e-15);
}

TEST(Loss, SoftmaxCrossEntropyKnownValues) {
  // Row 0: p = (1/2, 1/2), label 0, weight 2. Row 1: p = (3/4, 1/4), label 1,
  // weight 1. Normaliser 4: L = (2 ln 2 + ln 4) / 4 = ln 2.
  Eigen::MatrixXd logits(2, 2);
  logits << 0, 0,
            std::log(3.0), 0;
  Eigen::VectorXd labels(2), weights(2);
  labels << 0, 1;
  weights << 2, 1;
  Eigen::MatrixXd grad;
  const double loss = softmax_cross_entropy(logits, labels, weights, 4.0, &grad);
  EXPECT_NEAR(loss, std::log(2.0), 1e-15);
  Eigen::MatrixXd expected(2, 2);
  expected << -0.25, 0.25,
              0.1875, -0.1875;
  EXPECT_TRUE(grad.isApprox(expected, 1e-14)) << grad;
  EXPECT_EQ(softmax_cross_entropy(logits, labels, weights, 4.0, nullptr), loss);
  // A zero-weight row contributes nothing, to the loss or the gradient.
  weights << 2, 0;
  EXPECT_NEAR(softmax_cross_entropy(logits, labels, weights, 4.0, &grad), std::log(2.0) / 2.0, 1e-15);
  EXPECT_EQ(grad(1, 0), 0.0);
  EXPECT_EQ(grad(1, 1), 0.0);
}

TEST(Loss, SquaredErrorKnownValues) {
  // residual (2, -1), weight 2, normaliser 4: 0.5 * 5 * 2 / 4 = 1.25.
  Eigen::MatrixXd predictions(1, 2), targets(1, 2);
  predictions << 3, 0;
  targets << 1, 1;
  Eigen::VectorXd weights(1);
  weights << 2;
  Eigen::MatrixXd grad;
  EXPECT_DOUBLE_EQ(squared_error(predictions, targets, weights, 4.0, &grad), 1.25);
  EXPECT_DOUBLE_EQ(grad(0, 0), 1.0);
  EXPECT_DOUBLE_EQ(grad(0, 1), -0.5);
}

TEST(Loss, NonPositiveNormaliserThrows) {
  Eigen::MatrixXd m = Eigen::MatrixXd::Zero(2, 2);
  Eigen::VectorXd labels = Eigen::VectorXd::Zero(2), w = Eigen::VectorXd::Ones(2);
  EXPECT_THROW(softmax_cross_entropy(m, labels, w, 0.0, nullptr), std::invalid_argument);
  EXPECT_THROW(softmax_cross_entropy(m, labels, w, std::nan(""), nullptr), std::invalid_argument);
  EXPECT_THROW(squared_error(m, m, w, -1.0, nullptr), std::invalid_argument);
}

TEST(Loss, SoftmaxCrossEntropyGradientWithWeightsAndNormaliser) {
  Random random(21);
  Eigen::MatrixXd logits = normal_matrix(random, 8, 4, 2.0);
  Eigen::VectorXd labels(8), weights = sa_test::uniform_vector(random, 8, 0.1, 3.0);
  for (long i = 0; i < 8; ++i) labels[i] = static_cast<double>(random.uniform_index(4));
  const double normaliser = 1.7 * weights.sum();  // explicit, not the batch's total
  auto loss = [&]() { return softmax_cross_entropy(logits, labels, weights, normaliser, nullptr); };
  Eigen::MatrixXd grad;
  softmax_cross_entropy(logits, labels, weights, normaliser, &grad);
  EXPECT_TRUE(gradients_agree(flat(grad), numeric_gradient(loss, logits.data(), logits.size())));
  // Each row's gradient sums to zero (softmax shift invariance).
  for (long i = 0; i < 8; ++i) EXPECT_NEAR(grad.row(i).sum(), 0.0, 1e-15);
}

TEST(Loss, SquaredErrorGradientWithWeightsAndNormaliser) {
  Random random(22);
  Eigen::MatrixXd predictions = normal_matrix(random, 8, 3);
  const Eigen::MatrixXd targets = normal_matrix(random, 8, 3);
  const Eigen::VectorXd weights = sa_test::uniform_vector(random, 8, 0.1, 3.0);
  const double normaliser = 0.6 * weights.sum();
  auto loss = [&]() { return squared_error(predictions, targets, weights, normaliser, nullptr); };
  Eigen::MatrixXd grad;
  squared_error(predictions, targets, weights, normaliser, &grad);
  EXPECT_TRUE(gradients_agree(flat(grad), numeric_gradient(loss, predictions.data(), predictions.size())));
}

TEST(Loss, BlocksWithTheBatchNormaliserAddUp) {
  Random random(23);
  const Eigen::MatrixXd logits = normal_matrix(random, 10, 3);
  Eigen::VectorXd labels(10);
  for (long i = 0; i < 10; ++i) labels[i] = static_cast<double>(random.uniform_index(3));
  const Eigen::VectorXd weights = sa_test::uniform_vector(random, 10, 0.0, 2.0);
  const double total = weights.sum();
  Eigen::MatrixXd g_all, g_top, g_bottom;
  const double all = softmax_cross_entropy(logits, labels, weights, total, &g_all);
  const double top = softmax_cross_entropy(logits.topRows(4), labels.head(4), weights.head(4), total, &g_top);
  const double bottom =
      softmax_cross_entropy(logits.bottomRows(6), labels.tail(6), weights.tail(6), total, &g_bottom);
  EXPECT_NEAR(top + bottom, all, 1e-15 * 10);
  EXPECT_TRUE(sa_test::bit_identical(g_all.topRows(4), g_top));
  EXPECT_TRUE(sa_test::bit_identical(g_all.bottomRows(6), g_bottom));
}

// ---------------------------------------------------------------- ScoresLayer

TEST(ScoresLayer, WeightsAreSoftmaxOfScoresOverTemperature) {
  ScoresLayer layer(3, 2.0);
  layer.raw_scores() << 0.0, 2.0 * std::log(2.0), 2.0 * std::log(3.0);
  const Eigen::VectorXd w = layer.weights();
  EXPECT_NEAR(w[0], 1.0 / 6.0, 1e-15);
  EXPECT_NEAR(w[1], 2.0 / 6.0, 1e-15);
  EXPECT_NEAR(w[2], 3.0 / 6.0, 1e-15);
  EXPECT_NEAR(layer.gate()[2], 1.5, 1e-15);
  EXPECT_NEAR(layer.entropy(), -(1.0 / 6) * std::log(1.0 / 6) - (1.0 / 3) * std::log(1.0 / 3) - 0.5 * std::log(0.5),
              1e-15);
  // Large scores do not overflow.
  layer.raw_scores() << 1000.0, 0.0, -1000.0;
  EXPECT_TRUE(layer.weights().allFinite());
  EXPECT_NEAR(layer.weights().sum(), 1.0, 1e-15);
  EXPECT_TRUE(std::isfinite(layer.entropy()));
}

TEST(ScoresLayer, ZeroScoresAreTheIdentity) {
  ScoresLayer layer(4, 1.0);
  EXPECT_TRUE(layer.raw_scores().isZero(0.0));
  EXPECT_NEAR(layer.entropy(), std::log(4.0), 1e-15);
  Random random(1);
  const Eigen::MatrixXd x = normal_matrix(random, 5, 4);
  Eigen::MatrixXd out;
  layer.forward(x, out);
  EXPECT_TRUE(sa_test::bit_identical(out, x));
}

TEST(ScoresLayer, ForwardRescalesByDTimesW) {
  ScoresLayer layer(2, 1.0);
  layer.raw_scores() << std::log(3.0), 0.0;  // w = (3/4, 1/4), gate = (1.5, 0.5)
  Eigen::MatrixXd x(2, 2), out;
  x << 1, 2,
       -4, 8;
  layer.forward(x, out);
  Eigen::MatrixXd expected(2, 2);
  expected << 1.5, 1,
              -6, 4;
  EXPECT_TRUE(out.isApprox(expected, 1e-15)) << out;
}

TEST(ScoresLayer, WeightsGradientMatchesFiniteDifferencesInW) {
  // The data term as a function of w itself: x' = d * (w .* x).
  Random random(31);
  const long d = 5;
  ScoresLayer layer(d, 1.0);
  layer.raw_scores() = sa_test::uniform_vector(random, d, -1.0, 1.0);
  const Eigen::MatrixXd x = normal_matrix(random, 7, d);
  const Eigen::MatrixXd r = normal_matrix(random, 7, d);
  Eigen::VectorXd w = layer.weights();
  // Consistency of forward with the formula the check differentiates.
  Eigen::MatrixXd out;
  layer.forward(x, out);
  EXPECT_TRUE(out.isApprox(x * (static_cast<double>(d) * w).asDiagonal().toDenseMatrix(), 1e-14));
  auto loss = [&]() {
    const Eigen::MatrixXd gated = x * (static_cast<double>(d) * w).asDiagonal();
    return (r.array() * gated.array().tanh()).sum();
  };
  const Eigen::MatrixXd grad_out = (r.array() * (1.0 - out.array().tanh().square())).matrix();
  EXPECT_TRUE(gradients_agree(layer.weights_gradient(x, grad_out), numeric_gradient(loss, w.data(), d)));
}

TEST(ScoresLayer, SoftmaxBackwardMatchesFiniteDifferences) {
  Random random(32);
  const long d = 6;
  const double temperature = 0.7;
  Eigen::VectorXd s = sa_test::uniform_vector(random, d, -2.0, 2.0);
  const Eigen::VectorXd c = sa_test::uniform_vector(random, d, -1.0, 1.0);
  auto loss = [&]() {
    ScoresLayer layer(d, temperature);
    layer.raw_scores() = s;
    return c.dot(layer.weights());
  };
  ScoresLayer layer(d, temperature);
  layer.raw_scores() = s;
  EXPECT_TRUE(gradients_agree(ScoresLayer::softmax_backward(layer.weights(), temperature, c),
                              numeric_gradient(loss, s.data(), d)));
}

struct ScoresCase {
  double temperature;
  double entropy_penalty;
};

class ScoresGradient : public ::testing::TestWithParam<ScoresCase> {};

TEST_P(ScoresGradient, MatchesFiniteDifferencesOfDataTermPlusEntropy) {
  const ScoresCase c = GetParam();
  Random random(33);
  const long d = 6;
  ScoresLayer layer(d, c.temperature);
  layer.raw_scores() = sa_test::uniform_vector(random, d, -1.5, 1.5);
  const Eigen::MatrixXd x = normal_matrix(random, 9, d);
  const Eigen::MatrixXd r = normal_matrix(random, 9, d);
  // Total: sum(r .* tanh(x')) + lambda * H(w(s)).
  auto loss = [&]() {
    Eigen::MatrixXd out;
    layer.forward(x, out);
    return (r.array() * out.array().tanh()).sum() + c.entropy_penalty * layer.entropy();
  };
  Eigen::MatrixXd out;
  layer.forward(x, out);
  const Eigen::MatrixXd grad_out = (r.array() * (1.0 - out.array().tanh().square())).matrix();
  const Eigen::VectorXd g = layer.weights_gradient(x, grad_out);
  const Eigen::VectorXd analytic = layer.scores_gradient(g, c.entropy_penalty);
  EXPECT_TRUE(gradients_agree(analytic, numeric_gradient(loss, layer.raw_scores().data(), d)));
  // dL/ds sums to zero: softmax is invariant to a shift of all scores.
  EXPECT_NEAR(analytic.sum(), 0.0, 1e-12 * analytic.cwiseAbs().sum());
}

// Score groups (a categorical variable's one-hot columns share one score):
// each column gets its group's gate, d counts the groups, and dL/ds of the
// shared scores matches finite differences, for both gates and with the
// snr gate's training noise.
TEST(ScoresLayer, GroupedColumnsShareTheirScoreAndItsGradient) {
  const std::vector<long> groups = {1, 3, 1, 2};  // 7 columns, 4 scores
  for (GateKind kind : {GateKind::scale, GateKind::snr}) {
    Random random(35);
    ScoresLayer layer(7, 0.9, kind, 1.5, groups);
    ASSERT_EQ(layer.n_scores(), 4);
    ASSERT_EQ(layer.n_inputs(), 7);
    layer.raw_scores() = sa_test::uniform_vector(random, 4, -1.5, 1.5);
    const Eigen::VectorXd gate = layer.gate(), noise = layer.noise_scale();
    ASSERT_EQ(gate.size(), 7);
    EXPECT_EQ(gate[1], gate[2]);
    EXPECT_EQ(gate[2], gate[3]);
    EXPECT_EQ(gate[5], gate[6]);
    EXPECT_NE(gate[0], gate[1]);
    // The same gate as an ungrouped layer of 4 features with these scores, per group.
    ScoresLayer per_group(4, 0.9, kind, 1.5);
    per_group.raw_scores() = layer.raw_scores();
    EXPECT_DOUBLE_EQ(gate[4], per_group.gate()[2]);
    EXPECT_DOUBLE_EQ(gate[6], per_group.gate()[3]);
    const Eigen::MatrixXd x = normal_matrix(random, 9, 7), eps = normal_matrix(random, 9, 7), r = normal_matrix(random, 9, 7);
    const bool noisy = kind == GateKind::snr;
    auto loss = [&]() {
      Eigen::MatrixXd out = x * layer.gate().asDiagonal();
      if (noisy) out += eps * layer.noise_scale().asDiagonal();
      return (r.array() * out.array().tanh()).sum() + 0.05 * layer.entropy();
    };
    Eigen::MatrixXd out = x * gate.asDiagonal();
    if (noisy) out += eps * noise.asDiagonal();
    const Eigen::MatrixXd grad_out = (r.array() * (1.0 - out.array().tanh().square())).matrix();
    // Through the products the network forms (first layer = identity).
    const Eigen::MatrixXd identity = Eigen::MatrixXd::Identity(7, 7);
    const Eigen::MatrixXd input_times_grad = x.transpose() * grad_out, noise_times_grad = eps.transpose() * grad_out;
    const Eigen::VectorXd g =
        layer.weights_gradient_from_products(input_times_grad, identity, noisy ? &noise_times_grad : nullptr);
    ASSERT_EQ(g.size(), 4);
    if (!noisy) EXPECT_TRUE(g.isApprox(layer.weights_gradient(x, grad_out), 1e-12));
    EXPECT_TRUE(gradients_agree(layer.scores_gradient(g, 0.05), numeric_gradient(loss, layer.raw_scores().data(), 4)))
        << to_string(kind);
  }
  EXPECT_THROW(ScoresLayer(7, 1.0, GateKind::snr, 1.5, {1, 3, 1}), std::invalid_argument);  // sums to 5
  EXPECT_THROW(ScoresLayer(3, 1.0, GateKind::snr, 1.5, {0, 3}), std::invalid_argument);
  EXPECT_EQ(ScoresLayer(3, 1.0, GateKind::snr, 1.5, {1, 1, 1}).group_sizes().size(), 0u);  // the same as none
}

TEST(ScoresLayer, EntropyGradientAloneMatchesFiniteDifferences) {
  Random random(34);
  const long d = 5;
  ScoresLayer layer(d, 1.3);
  layer.raw_scores() = sa_test::uniform_vector(random, d, -2.0, 2.0);
  const double lambda = 0.25;
  auto loss = [&]() { return lambda * layer.entropy(); };
  const Eigen::VectorXd analytic = layer.scores_gradient(Eigen::VectorXd::Zero(d), lambda);
  EXPECT_TRUE(gradients_agree(analytic, numeric_gradient(loss, layer.raw_scores().data(), d)));
}

INSTANTIATE_TEST_SUITE_P(TemperatureAndPenalty, ScoresGradient,
                         ::testing::Values(ScoresCase{1.0, 0.0}, ScoresCase{1.0, 0.03}, ScoresCase{0.5, 0.2},
                                           ScoresCase{2.5, 0.0}, ScoresCase{3.0, 1.0}),
                         [](const ::testing::TestParamInfo<ScoresCase>& info) {
                           return "case" + std::to_string(info.index);
                         });

// ---------------------------------------------------------------- Network

namespace {

struct NetworkCase {
  Activation activation;
  bool scores_layer;
  KernelPath path;
  bool classification;
};

std::string case_name(const ::testing::TestParamInfo<NetworkCase>& info) {
  const NetworkCase& c = info.param;
  return to_string(c.activation) + (c.scores_layer ? "_scores_" : "_plain_") + to_string(c.path) +
         (c.classification ? "_classification" : "_regression");
}

std::vector<NetworkCase> all_network_cases() {
  std::vector<NetworkCase> cases;
  for (Activation a : {Activation::relu, Activation::tanh, Activation::logistic, Activation::identity})
    for (bool scores : {true, false})
      for (KernelPath path : {KernelPath::portable, KernelPath::avx2})
        for (bool classification : {true, false}) cases.push_back({a, scores, path, classification});
  return cases;
}

// A small network with every parameter away from its initial special values.
struct NetworkProblem {
  Network net;
  Eigen::MatrixXd x, targets;
  Eigen::VectorXd labels, weights;
  double normaliser = 1.0;
  double entropy_penalty = 0.07;
  bool classification = true;

  NetworkProblem(const NetworkCase& c, long d = 6, long n = 9) : classification(c.classification) {
    const long n_outputs = c.classification ? 3 : 2;
    net = Network(d, {5, 4}, n_outputs, c.activation, c.scores_layer, 0.8);
    Random random(1234);
    net.initialise(random);
    if (c.scores_layer) net.scores_layer().raw_scores() = sa_test::uniform_vector(random, d, -1.0, 1.0);
    for (DenseLayer& layer : net.layers()) layer.bias = sa_test::uniform_vector(random, layer.n_out(), -0.5, 0.5);
    x = normal_matrix(random, n, d);
    labels.resize(n);
    for (long i = 0; i < n; ++i) labels[i] = static_cast<double>(random.uniform_index(3));
    targets = normal_matrix(random, n, 2);
    weights = sa_test::uniform_vector(random, n, 0.2, 2.0);
    normaliser = 1.3 * weights.sum();
  }

  double data_loss(const Eigen::MatrixXd& output, const Eigen::MatrixXd& xb, long first_row, Eigen::MatrixXd* grad) const {
    const long rows = xb.rows();
    if (classification)
      return softmax_cross_entropy(output, labels.segment(first_row, rows), weights.segment(first_row, rows),
                                   normaliser, grad);
    return squared_error(output, targets.middleRows(first_row, rows), weights.segment(first_row, rows), normaliser,
                         grad);
  }

  double total_loss(KernelPath path) const {
    ForwardCache cache;
    net.forward(path, x, cache);
    double loss = data_loss(cache.output, x, 0, nullptr);
    if (net.has_scores_layer()) loss += entropy_penalty * net.scores_layer().entropy();
    return loss;
  }

  Gradients gradients(KernelPath path, long first_row, long rows) const {
    const Eigen::MatrixXd xb = x.middleRows(first_row, rows);
    ForwardCache cache;
    net.forward(path, xb, cache);
    Eigen::MatrixXd grad_output;
    data_loss(cache.output, xb, first_row, &grad_output);
    Gradients grads;
    net.backward(path, xb, cache, grad_output, grads);
    return grads;
  }
};

}  // namespace

class NetworkGradient : public ::testing::TestWithParam<NetworkCase> {
 protected:
  void SetUp() override {
    if (GetParam().path == KernelPath::avx2 && !avx2_kernels_available())
      GTEST_SKIP() << "AVX2+FMA kernels are not available on this CPU/build";
  }
};

TEST_P(NetworkGradient, BackwardMatchesFiniteDifferencesOfTotalLoss) {
  const NetworkCase c = GetParam();
  NetworkProblem problem(c);
  Network& net = problem.net;
  auto loss = [&]() { return problem.total_loss(c.path); };

  Gradients grads = problem.gradients(c.path, 0, problem.x.rows());
  net.finish_scores_gradient(problem.entropy_penalty, grads);

  ASSERT_EQ(grads.weights.size(), net.layers().size());
  ASSERT_EQ(grads.biases.size(), net.layers().size());
  for (std::size_t l = 0; l < net.layers().size(); ++l) {
    SCOPED_TRACE("layer " + std::to_string(l));
    DenseLayer& layer = net.layers()[l];
    ASSERT_EQ(grads.weights[l].rows(), layer.n_in());
    ASSERT_EQ(grads.weights[l].cols(), layer.n_out());
    EXPECT_TRUE(gradients_agree(flat(grads.weights[l]), numeric_gradient(loss, layer.weight.data(), layer.weight.size())));
    EXPECT_TRUE(gradients_agree(grads.biases[l], numeric_gradient(loss, layer.bias.data(), layer.bias.size())));
  }
  if (c.scores_layer) {
    Eigen::VectorXd& s = net.scores_layer().raw_scores();
    ASSERT_EQ(grads.scores.size(), s.size());
    EXPECT_TRUE(gradients_agree(grads.scores, numeric_gradient(loss, s.data(), s.size())));
    // gate_weights is the data term dL/dw; finish_scores_gradient is the
    // layer's scores_gradient of it.
    EXPECT_TRUE(grads.scores.isApprox(
        net.scores_layer().scores_gradient(grads.gate_weights, problem.entropy_penalty), 1e-15));
  } else {
    EXPECT_EQ(grads.gate_weights.size(), 0);
  }
}

TEST_P(NetworkGradient, BlocksAccumulateToTheWholeBatchGradient) {
  const NetworkCase c = GetParam();
  NetworkProblem problem(c, 6, 23);
  const Network& net = problem.net;
  Gradients whole = problem.gradients(c.path, 0, 23);
  net.finish_scores_gradient(problem.entropy_penalty, whole);

  Gradients sum = net.zero_gradients();
  for (long start : {0L, 8L, 16L}) Network::accumulate(sum, problem.gradients(c.path, start, std::min(8L, 23 - start)));
  net.finish_scores_gradient(problem.entropy_penalty, sum);

  for (std::size_t l = 0; l < net.layers().size(); ++l) {
    EXPECT_TRUE(sum.weights[l].isApprox(whole.weights[l], 1e-12)) << "layer " << l;
    EXPECT_TRUE(sum.biases[l].isApprox(whole.biases[l], 1e-12)) << "layer " << l;
  }
  if (c.scores_layer) {
    EXPECT_TRUE(sum.gate_weights.isApprox(whole.gate_weights, 1e-12));
    EXPECT_TRUE(sum.scores.isApprox(whole.scores, 1e-12));
  }
}

INSTANTIATE_TEST_SUITE_P(AllCases, NetworkGradient, ::testing::ValuesIn(all_network_cases()), case_name);

TEST(Network, ShapesAndZeroGradients) {
  Network net(7, {6, 5, 4}, 3, Activation::tanh, true, 1.0);
  EXPECT_EQ(net.n_features(), 7);
  EXPECT_EQ(net.n_outputs(), 3);
  ASSERT_EQ(net.layers().size(), 4u);
  EXPECT_EQ(net.layers()[0].n_in(), 7);
  EXPECT_EQ(net.layers()[2].n_out(), 4);
  EXPECT_EQ(net.layers()[3].n_in(), 4);
  const Gradients g = net.zero_gradients();
  EXPECT_EQ(g.gate_weights.size(), 7);
  EXPECT_EQ(g.scores.size(), 7);
  ASSERT_EQ(g.weights.size(), 4u);
  EXPECT_EQ(g.weights[1].rows(), 6);
  EXPECT_EQ(g.weights[1].cols(), 5);
  EXPECT_TRUE(g.weights[3].isZero(0.0));
  // No hidden layers: a linear model.
  Network linear(3, {}, 2, Activation::relu, false, 1.0);
  ASSERT_EQ(linear.layers().size(), 1u);
  EXPECT_EQ(linear.layers()[0].n_in(), 3);
  EXPECT_EQ(linear.n_outputs(), 2);
}

TEST(Network, ScoresLayerAtZeroGivesThePlainNetwork) {
  // At s = 0 the gate is the identity: the same dense weights give the same
  // outputs with and without the layer.
  Network with(5, {4}, 2, Activation::tanh, true, 1.0);
  Network without(5, {4}, 2, Activation::tanh, false, 1.0);
  Random r1(9), r2(9);
  with.initialise(r1);
  without.initialise(r2);
  Random random(10);
  const Eigen::MatrixXd x = normal_matrix(random, 6, 5);
  EXPECT_TRUE(sa_test::bit_identical(with.predict(KernelPath::portable, x), without.predict(KernelPath::portable, x)));
}

TEST(Network, SnrGateBackwardMatchesFiniteDifferencesWithFixedNoise) {
  // With the noise eps held fixed, x' = x sqrt(r / (1 + r)) + eps sqrt(1 / (1 + r)),
  // r = c d w, is a smooth function of every parameter.
  for (bool classification : {true, false}) {
    SCOPED_TRACE(classification ? "classification" : "regression");
    Random random(4321);
    const long d = 6, n = 11, n_outputs = classification ? 3 : 1;
    Network net(d, {5, 4}, n_outputs, Activation::tanh, true, 0.8, GateKind::snr, 1.7);
    net.initialise(random);
    net.scores_layer().raw_scores() = sa_test::uniform_vector(random, d, -1.5, 1.5);
    for (DenseLayer& layer : net.layers()) layer.bias = sa_test::uniform_vector(random, layer.n_out(), -0.5, 0.5);
    const Eigen::MatrixXd x = normal_matrix(random, n, d), noise = normal_matrix(random, n, d);
    Eigen::VectorXd labels(n);
    for (long i = 0; i < n; ++i) labels[i] = static_cast<double>(random.uniform_index(3));
    const Eigen::MatrixXd targets = normal_matrix(random, n, 1);
    const Eigen::VectorXd weights = sa_test::uniform_vector(random, n, 0.2, 2.0);
    const double entropy_penalty = 0.05;
    auto data_loss = [&](const Eigen::MatrixXd& output, Eigen::MatrixXd* grad) {
      return classification ? softmax_cross_entropy(output, labels, weights, weights.sum(), grad)
                            : squared_error(output, targets, weights, weights.sum(), grad);
    };
    auto loss = [&]() {
      ForwardCache cache;
      net.forward(KernelPath::portable, x, cache, &noise);
      return data_loss(cache.output, nullptr) + entropy_penalty * net.scores_layer().entropy();
    };
    ForwardCache cache;
    net.forward(KernelPath::portable, x, cache, &noise);
    Eigen::MatrixXd grad_output;
    data_loss(cache.output, &grad_output);
    Gradients grads;
    net.backward(KernelPath::portable, x, cache, grad_output, grads, &noise);
    net.finish_scores_gradient(entropy_penalty, grads);
    for (std::size_t l = 0; l < net.layers().size(); ++l) {
      SCOPED_TRACE("layer " + std::to_string(l));
      DenseLayer& layer = net.layers()[l];
      EXPECT_TRUE(gradients_agree(flat(grads.weights[l]), numeric_gradient(loss, layer.weight.data(), layer.weight.size())));
      EXPECT_TRUE(gradients_agree(grads.biases[l], numeric_gradient(loss, layer.bias.data(), layer.bias.size())));
    }
    Eigen::VectorXd& s = net.scores_layer().raw_scores();
    EXPECT_TRUE(gradients_agree(grads.scores, numeric_gradient(loss, s.data(), d)));
    // Prediction is the noise-free term.
    const Eigen::ArrayXd r = 1.7 * d * net.scores_layer().weights().array();
    EXPECT_TRUE(net.scores_layer().gate().isApprox((r / (1.0 + r)).sqrt().matrix(), 1e-15));
    ForwardCache clean;
    net.forward(KernelPath::portable, x, clean);
    EXPECT_TRUE(clean.gated_input.isApprox(x * net.scores_layer().gate().asDiagonal(), 1e-15));
  }
}
