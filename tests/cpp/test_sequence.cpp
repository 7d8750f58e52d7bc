// The sequence family on the shared training seam: whole-network gradients
// against finite differences (both encoders, with lengths and the gate's
// noise), ground truth (the scores find the relevant channels), determinism
// across thread counts, state round trips, padding invariance and errors.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>
#include <vector>

#include "scoresactivation/loss.hpp"
#include "scoresactivation/sequence_estimator.hpp"
#include "test_helpers.hpp"

using namespace scoresactivation;
using sa_test::bit_identical;
using sa_test::gradients_agree;
using sa_test::normal_matrix;
using sa_test::numeric_gradient;

namespace {

SequenceParams sequence_params(const std::string& architecture, std::vector<long> units = {6}) {
  SequenceParams p;
  p.architecture = architecture;
  p.units = std::move(units);
  p.kernel_size = 3;
  return p;
}

// y = mean_t x[:, t, 0] + 0.8 * mean over steps 4..7 of x[:, t, 2] (+ noise; the window is
// clipped to the last steps of shorter rows);
// channels 1 and 3 are noise. The steps are smoothed so the means carry signal.
struct SequenceData {
  Eigen::MatrixXd x;  // (n, steps * channels)
  Eigen::VectorXd y, lengths;
  long steps, channels;
};

SequenceData make_sequences(long n, long steps, std::uint64_t seed, bool classification = false) {
  const long c = 4;
  Random random(seed);
  SequenceData d{normal_matrix(random, n, steps * c), Eigen::VectorXd(n), Eigen::VectorXd(), steps, c};
  for (long i = 0; i < n; ++i) {
    double level0 = 0.0, window2 = 0.0;
    for (long t = 0; t < steps; ++t) level0 += d.x(i, t * c + 0) / steps;
    // Short sequences (the error and determinism tests) keep the window inside the row.
    const long first = std::min<long>(4, steps - 1), last = std::min<long>(8, steps);
    for (long t = first; t < last; ++t) window2 += d.x(i, t * c + 2) / 4.0;
    const double signal = 2.0 * level0 * std::sqrt(static_cast<double>(steps)) + 1.6 * window2 * 2.0 + 0.1 * random.normal();
    d.y[i] = classification ? (signal > 0 ? 1.0 : 0.0) : signal;
  }
  return d;
}

Params training_params(long max_epochs = 40) {
  Params p;
  p.hidden_layer_sizes = {};
  p.max_epochs = max_epochs;
  p.refine_epochs = 5;
  p.learning_rate = 1e-2;
  p.random_state = 7;
  return p;
}

std::vector<long> top_two(const Eigen::VectorXd& scores) {
  std::vector<long> order(static_cast<std::size_t>(scores.size()));
  std::iota(order.begin(), order.end(), 0L);
  std::sort(order.begin(), order.end(), [&](long a, long b) { return scores[a] > scores[b]; });
  std::vector<long> top(order.begin(), order.begin() + 2);
  std::sort(top.begin(), top.end());
  return top;
}

class BothArchitectures : public ::testing::TestWithParam<std::string> {};

}  // namespace

// ------------------------------------------------------------- gradients

// Every tensor's gradient from backward_block, and dL/ds through the gate,
// against central differences of the block's loss.
TEST_P(BothArchitectures, WholeNetworkGradientsMatchFiniteDifferences) {
  for (bool ragged : {false, true}) {
    for (bool noisy : {false, true}) {
      SequenceParams sp = sequence_params(GetParam(), {4, 3});
      SequenceNetwork net(3, sp, {5}, 2, Activation::tanh, true, 1.0, GateKind::snr, 1.5);
      Random random(11);
      net.initialise(random);
      net.scores_layer().raw_scores() << 0.3, -0.2, 0.5;
      const long rows = 5, steps = 4;
      const Eigen::MatrixXd x = normal_matrix(random, rows, steps * 3);
      const Eigen::MatrixXd noise = normal_matrix(random, rows, steps * 3);
      Eigen::VectorXd lengths(rows);
      lengths << 4, 1, 3, 2, 4;
      Eigen::VectorXd labels(rows);
      labels << 0, 1, 1, 0, 1;
      const Eigen::VectorXd weights = Eigen::VectorXd::Ones(rows);
      Eigen::MatrixXd xz = x;  // padded values are zero in the loop's blocks
      if (ragged)
        for (long i = 0; i < rows; ++i) xz.row(i).tail((steps - static_cast<long>(lengths[i])) * 3).setZero();
      const InputBlock block{xz, steps, ragged ? &lengths : nullptr};
      const Eigen::MatrixXd* eps = noisy ? &noise : nullptr;
      auto ws = net.new_workspace();
      auto loss = [&]() {
        auto scratch = net.new_workspace();
        return prediction_loss(true, net.forward_block(KernelPath::portable, block, eps, *scratch), labels, weights,
                               static_cast<double>(rows), nullptr);
      };
      const Eigen::MatrixXd& out = net.forward_block(KernelPath::portable, block, eps, *ws);
      prediction_loss(true, out, labels, weights, static_cast<double>(rows), &ws->grad_output);
      net.backward_block(KernelPath::portable, block, eps, *ws);
      const std::vector<const double*> grads = net.gradients(*ws);
      std::vector<ParameterTensor> tensors = net.parameters();
      ASSERT_EQ(grads.size(), tensors.size());
      for (std::size_t k = 1; k < tensors.size(); ++k) {
        const Eigen::VectorXd numeric = numeric_gradient(loss, tensors[k].values, tensors[k].size);
        EXPECT_TRUE(gradients_agree(Eigen::Map<const Eigen::VectorXd>(grads[k], tensors[k].size), numeric, 1e-5, 1e-8))
            << GetParam() << " tensor " << k << " ragged " << ragged << " noisy " << noisy;
      }
      const Eigen::VectorXd dscores =
          net.scores_layer().scores_gradient(Eigen::Map<const Eigen::VectorXd>(grads[0], 3), 0.0);
      const Eigen::VectorXd numeric = numeric_gradient(loss, tensors[0].values, 3);
      EXPECT_TRUE(gradients_agree(dscores, numeric, 1e-5, 1e-8)) << GetParam() << " scores";
    }
  }
}

TEST_P(BothArchitectures, InputGradientMatchesFiniteDifferences) {
  SequenceNetwork net(3, sequence_params(GetParam()), {}, 1, Activation::relu, true, 1.0, GateKind::snr, 1.5);
  Random random(5);
  net.initialise(random);
  net.scores_layer().raw_scores() << 0.1, 0.4, -0.3;
  Eigen::MatrixXd x = normal_matrix(random, 3, 5 * 3);
  Eigen::VectorXd lengths(3);
  lengths << 5, 2, 4;
  for (long i = 0; i < 3; ++i) x.row(i).tail((5 - static_cast<long>(lengths[i])) * 3).setZero();
  const InputBlock block{x, 5, &lengths};
  const Eigen::MatrixXd g = net.input_gradient(KernelPath::portable, block, 0);
  for (long i = 0; i < 3; ++i) {
    auto f = [&]() { return net.predict_block(KernelPath::portable, block)(i, 0); };
    for (long j = 0; j < x.cols(); ++j) {
      const double original = x(i, j), h = 1e-6;
      x(i, j) = original + h;
      const double plus = f();
      x(i, j) = original - h;
      const double minus = f();
      x(i, j) = original;
      const double expected = j < static_cast<long>(lengths[i]) * 3 ? (plus - minus) / (2 * h) : 0.0;
      EXPECT_NEAR(g(i, j), expected, 1e-6 * std::max(1.0, std::abs(expected))) << GetParam() << " " << i << "," << j;
    }
  }
}

// ------------------------------------------------------------ estimators

TEST_P(BothArchitectures, ScoresFindTheRelevantChannels) {
  const SequenceData train = make_sequences(400, 10, 3);
  for (std::uint64_t seed : {1u, 2u}) {
    Params p = training_params();
    p.random_state = seed;
    SequenceEstimator est(p, sequence_params(GetParam(), {8}), Task::regression);
    est.fit(train.x, train.steps, train.lengths, train.y, Eigen::VectorXd(), 0);
    EXPECT_EQ(top_two(est.scores()), (std::vector<long>{0, 2})) << GetParam() << " seed " << seed << "\n"
                                                                 << est.scores().transpose();
    EXPECT_NEAR(est.scores().sum(), 1.0, 1e-12);
    const SequenceData test = make_sequences(200, 10, 99);
    const Eigen::VectorXd pred = est.decision_function(test.x, test.steps, test.lengths).col(0);
    const double r2 = 1.0 - (pred - test.y).squaredNorm() / (test.y.array() - test.y.mean()).square().sum();
    // Mean pooling knows no absolute time, so the conv model only half sees the window.
    EXPECT_GT(r2, GetParam() == "lstm" ? 0.7 : 0.5) << GetParam();
  }
}

TEST_P(BothArchitectures, ClassifierLearns) {
  const SequenceData train = make_sequences(400, 10, 4, true);
  SequenceEstimator est(training_params(), sequence_params(GetParam(), {8}), Task::classification);
  est.fit(train.x, train.steps, train.lengths, train.y, Eigen::VectorXd(), 2);
  const SequenceData test = make_sequences(300, 10, 98, true);
  const Eigen::MatrixXd proba = est.predict_proba(test.x, test.steps, test.lengths);
  long correct = 0;
  for (long i = 0; i < proba.rows(); ++i) correct += (proba(i, 1) > 0.5) == (test.y[i] > 0.5);
  EXPECT_GT(correct, 0.8 * proba.rows()) << GetParam();
  EXPECT_TRUE(proba.rowwise().sum().isApproxToConstant(1.0, 1e-12));
}

TEST_P(BothArchitectures, SameBitsForAnyThreadCountAndAfterAStateRoundTrip) {
  const SequenceData d = make_sequences(300, 6, 5);
  Params p = training_params(6);
  p.batch_size = 300;  // several blocks per batch
  p.n_threads = 1;
  SequenceEstimator one(p, sequence_params(GetParam()), Task::regression);
  one.fit(d.x, d.steps, d.lengths, d.y, Eigen::VectorXd(), 0);
  p.n_threads = 2;
  SequenceEstimator two(p, sequence_params(GetParam()), Task::regression);
  two.fit(d.x, d.steps, d.lengths, d.y, Eigen::VectorXd(), 0);
  const Eigen::MatrixXd a = one.decision_function(d.x, d.steps, d.lengths);
  EXPECT_TRUE(bit_identical(a, two.decision_function(d.x, d.steps, d.lengths)));
  EXPECT_TRUE(bit_identical(one.scores(), two.scores()));
  const SequenceEstimator loaded(p, sequence_params(GetParam()), one.state());
  EXPECT_TRUE(bit_identical(a, loaded.decision_function(d.x, d.steps, d.lengths)));
  EXPECT_TRUE(bit_identical(one.scores_history(), loaded.scores_history()));
}

TEST_P(BothArchitectures, PaddedValuesChangeNothing) {
  SequenceData d = make_sequences(200, 8, 6);
  d.lengths = Eigen::VectorXd(200);
  for (long i = 0; i < 200; ++i) d.lengths[i] = 3 + i % 6;
  Eigen::MatrixXd wild = d.x;
  for (long i = 0; i < 200; ++i)
    for (long j = static_cast<long>(d.lengths[i]) * d.channels; j < wild.cols(); ++j)
      wild(i, j) = i % 2 ? 1e300 : std::nan("");
  Params p = training_params(4);
  SequenceEstimator a(p, sequence_params(GetParam()), Task::regression), b(p, sequence_params(GetParam()), Task::regression);
  a.fit(d.x, d.steps, d.lengths, d.y, Eigen::VectorXd(), 0);
  b.fit(wild, d.steps, d.lengths, d.y, Eigen::VectorXd(), 0);
  EXPECT_TRUE(bit_identical(a.scores(), b.scores()));
  EXPECT_TRUE(bit_identical(a.decision_function(d.x, d.steps, d.lengths), b.decision_function(wild, d.steps, d.lengths)));
  // A sequence predicts the same alone at its own length.
  const Eigen::MatrixXd first = a.decision_function(d.x.topRows(1).leftCols(3 * d.channels), 3, Eigen::VectorXd());
  EXPECT_NEAR(first(0, 0), a.decision_function(d.x, d.steps, d.lengths)(0, 0), 1e-12);
}

TEST_P(BothArchitectures, BootstrapScoresAreReproducible) {
  const SequenceData d = make_sequences(150, 6, 8);
  Params p = training_params(3);
  p.n_bootstrap = 3;
  p.n_threads = 2;
  SequenceEstimator a(p, sequence_params(GetParam()), Task::regression);
  a.fit(d.x, d.steps, d.lengths, d.y, Eigen::VectorXd(), 0);
  ASSERT_EQ(a.scores_bootstrap().rows(), 3);
  p.n_threads = 1;
  SequenceEstimator b(p, sequence_params(GetParam()), Task::regression);
  b.fit(d.x, d.steps, d.lengths, d.y, Eigen::VectorXd(), 0);
  EXPECT_TRUE(bit_identical(a.scores_bootstrap(), b.scores_bootstrap()));
  EXPECT_TRUE(a.scores_bootstrap().rowwise().sum().isApproxToConstant(1.0, 1e-12));
}

INSTANTIATE_TEST_SUITE_P(Sequence, BothArchitectures, ::testing::Values("lstm", "conv"));

// ----------------------------------------------------------------- errors

TEST(SequenceErrors, BadInputIsRefusedByName) {
  const SequenceData d = make_sequences(60, 5, 9);
  SequenceEstimator est(training_params(2), sequence_params("lstm"), Task::regression);
  est.fit(d.x, d.steps, d.lengths, d.y, Eigen::VectorXd(), 0);
  auto message = [](const std::function<void()>& f) {
    try {
      f();
    } catch (const std::exception& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_NE(message([&] { est.decision_function(d.x.leftCols(15), 5, Eigen::VectorXd()); }).find("channels"), std::string::npos);
  Eigen::VectorXd bad = Eigen::VectorXd::Constant(60, 6);
  EXPECT_NE(message([&] { est.decision_function(d.x, 5, bad); }).find("lengths"), std::string::npos);
  EXPECT_NE(message([&] { est.decision_function(d.x, 5, Eigen::VectorXd::Constant(3, 2)); }).find("lengths"),
            std::string::npos);
  Eigen::MatrixXd with_nan = d.x;
  with_nan(0, 0) = std::nan("");
  EXPECT_NE(message([&] { est.decision_function(with_nan, 5, Eigen::VectorXd()); }).find("NaN"), std::string::npos);
  SequenceEstimator fresh(training_params(2), sequence_params("lstm"), Task::regression);
  EXPECT_NE(message([&] { fresh.fit(d.x, 0, Eigen::VectorXd(), d.y, Eigen::VectorXd(), 0); }).find("time step"),
            std::string::npos);
  // A failed refit keeps the fitted model.
  const Eigen::MatrixXd before = est.decision_function(d.x, 5, Eigen::VectorXd());
  EXPECT_THROW(est.fit(with_nan, 5, Eigen::VectorXd(), d.y, Eigen::VectorXd(), 0), std::invalid_argument);
  EXPECT_TRUE(bit_identical(before, est.decision_function(d.x, 5, Eigen::VectorXd())));
  SequenceParams even = sequence_params("conv");
  even.kernel_size = 4;
  EXPECT_NE(message([&] { SequenceEstimator(training_params(), even, Task::regression); }).find("kernel_size"),
            std::string::npos);
  SequenceParams bad_arch = sequence_params("gru");
  EXPECT_NE(message([&] { SequenceEstimator(training_params(), bad_arch, Task::regression); }).find("architecture"),
            std::string::npos);
  SequenceParams no_units = sequence_params("lstm", {});
  EXPECT_NE(message([&] { SequenceEstimator(training_params(), no_units, Task::regression); }).find("units"),
            std::string::npos);
}

TEST(SequenceErrors, StateWithWrongShapesIsRefused) {
  const SequenceData d = make_sequences(60, 5, 10);
  SequenceEstimator est(training_params(2), sequence_params("lstm"), Task::regression);
  est.fit(d.x, d.steps, d.lengths, d.y, Eigen::VectorXd(), 0);
  ModelState s = est.state();
  s.arrays["lstm_0_w_recurrent"].shape = {7, 24};
  EXPECT_THROW(SequenceEstimator(training_params(2), sequence_params("lstm"), s), std::invalid_argument);
  // A conv model's params do not fit an LSTM's arrays.
  EXPECT_THROW(SequenceEstimator(training_params(2), sequence_params("conv"), est.state()), std::invalid_argument);
}
