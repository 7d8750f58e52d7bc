// The sequence layers alone (LstmLayer, Conv1dLayer): known values, analytic
// gradients against central finite differences with and without lengths,
// padding that influences nothing, the frozen LSTM state, initialisation.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <stdexcept>
#include <vector>

#include "scoresactivation/conv1d_layer.hpp"
#include "scoresactivation/kernels.hpp"
#include "scoresactivation/lstm_layer.hpp"
#include "test_helpers.hpp"

using namespace scoresactivation;
using sa_test::bit_identical;
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

double logistic(double z) { return 1.0 / (1.0 + std::exp(-z)); }

// Rows of lengths 1, full, and in between.
Eigen::VectorXd mixed_lengths(long rows, long steps) {
  Eigen::VectorXd lengths(rows);
  for (long i = 0; i < rows; ++i) lengths[i] = static_cast<double>(1 + (i * (steps - 1)) / std::max(1L, rows - 1));
  lengths[0] = 1;
  lengths[rows - 1] = static_cast<double>(steps);
  return lengths;
}

bool is_padded(const Eigen::VectorXd* lengths, long row, long step) {
  return lengths != nullptr && step >= static_cast<long>((*lengths)[row]);
}

LstmLayer random_lstm(Random& random, long n_in, long h) {
  LstmLayer layer(n_in, h);
  layer.w_input = normal_matrix(random, n_in, 4 * h, 0.5);
  layer.w_recurrent = normal_matrix(random, h, 4 * h, 0.5);
  layer.bias = normal_matrix(random, 4 * h, 1, 0.5).col(0);
  return layer;
}

Conv1dLayer random_conv(Random& random, long n_in, long filters, long kernel_size) {
  Conv1dLayer layer(n_in, filters, kernel_size);
  layer.weight = normal_matrix(random, kernel_size * n_in, filters, 0.5);
  layer.bias = normal_matrix(random, filters, 1, 0.5).col(0);
  return layer;
}

struct LstmGradients {
  Eigen::MatrixXd hidden, w_input, w_recurrent, input;
  Eigen::VectorXd bias;
};

LstmGradients lstm_gradients(const LstmLayer& layer, KernelPath path, const Eigen::MatrixXd& x, long steps,
                             const Eigen::VectorXd* lengths, const Eigen::MatrixXd& weights) {
  LstmCache cache;
  LstmGradients g;
  layer.forward(path, x, steps, lengths, cache, g.hidden);
  layer.backward(path, x, steps, lengths, cache, weights, g.w_input, g.w_recurrent, g.bias, &g.input);
  return g;
}

struct ConvGradients {
  Eigen::MatrixXd output, weight, input;
  Eigen::VectorXd bias;
};

ConvGradients conv_gradients(const Conv1dLayer& layer, KernelPath path, const Eigen::MatrixXd& x, long steps,
                             const Eigen::VectorXd* lengths, const Eigen::MatrixXd& weights) {
  Conv1dCache cache;
  ConvGradients g;
  layer.forward(path, x, steps, lengths, cache, g.output);
  layer.backward(path, x, steps, lengths, cache, weights, g.weight, g.bias, &g.input);
  return g;
}

// The values at padded steps replaced by `value`.
Eigen::MatrixXd fill_padding(const Eigen::MatrixXd& x, long steps, const Eigen::VectorXd& lengths, double value) {
  Eigen::MatrixXd out = x;
  const long width = x.cols() / steps;
  for (long i = 0; i < x.rows(); ++i)
    for (long t = static_cast<long>(lengths[i]); t < steps; ++t) out.block(i, t * width, 1, width).setConstant(value);
  return out;
}

}  // namespace

// ---------------------------------------------------------------- LstmLayer

TEST(LstmLayer, OneStepKnownValues) {
  LstmLayer layer(1, 1);
  layer.w_input << 0.5, -1.0, 2.0, 0.25;  // i, f, g, o
  layer.w_recurrent << 3.0, 3.0, 3.0, 3.0;  // unused at step 0 (h_{-1} = 0)
  layer.bias << 0.1, 1.0, -0.2, 0.3;
  Eigen::MatrixXd x(1, 1);
  x << 0.8;
  // By hand: pre-activations 0.5, 0.2, 1.4, 0.5; c = σ(0.5) tanh(1.4) (c_{-1} = 0), h = σ(0.5) tanh(c).
  const double i = logistic(0.5), g = std::tanh(1.4), o = logistic(0.5);
  const double c = i * g, h = o * std::tanh(c);
  // σ(0.5) = 0.62245933, tanh(1.4) = 0.88535165, c = 0.55109539, h = 0.62245933 tanh(c)
  EXPECT_NEAR(h, 0.3120642198419493, 1e-15);
  for (KernelPath path : available_paths()) {
    LstmCache cache;
    Eigen::MatrixXd hidden;
    layer.forward(path, x, 1, nullptr, cache, hidden);
    ASSERT_EQ(hidden.rows(), 1);
    ASSERT_EQ(hidden.cols(), 1);
    EXPECT_NEAR(hidden(0, 0), h, 1e-14) << to_string(path);
  }
}

TEST(LstmLayer, TwoStepsKnownValues) {
  // The recurrence by hand: step 1 uses h_0 and c_0.
  LstmLayer layer(1, 1);
  layer.w_input << 0.5, -1.0, 2.0, 0.25;
  layer.w_recurrent << -0.3, 0.7, 1.1, 0.4;
  layer.bias << 0.1, 1.0, -0.2, 0.3;
  Eigen::MatrixXd x(1, 2);
  x << 0.8, -0.6;
  double c = 0.0, h = 0.0;
  std::vector<double> expected;
  for (long t = 0; t < 2; ++t) {
    const double xt = x(0, t);
    const double i = logistic(0.5 * xt - 0.3 * h + 0.1), f = logistic(-1.0 * xt + 0.7 * h + 1.0);
    const double g = std::tanh(2.0 * xt + 1.1 * h - 0.2), o = logistic(0.25 * xt + 0.4 * h + 0.3);
    c = f * c + i * g;
    h = o * std::tanh(c);
    expected.push_back(h);
  }
  LstmCache cache;
  Eigen::MatrixXd hidden;
  layer.forward(KernelPath::portable, x, 2, nullptr, cache, hidden);
  EXPECT_NEAR(hidden(0, 0), expected[0], 1e-14);
  EXPECT_NEAR(hidden(0, 1), expected[1], 1e-14);
}

TEST(LstmLayer, BackwardMatchesFiniteDifferences) {
  const long rows = 5, steps = 6, n_in = 3, h = 4;
  for (bool with_lengths : {false, true})
    for (KernelPath path : available_paths()) {
      SCOPED_TRACE(std::string(with_lengths ? "lengths, " : "full, ") + to_string(path));
      Random random(21);
      LstmLayer layer = random_lstm(random, n_in, h);
      Eigen::MatrixXd x = normal_matrix(random, rows, steps * n_in);
      const Eigen::MatrixXd weights = normal_matrix(random, rows, steps * h);  // loss = sum(hidden ⊙ weights)
      const Eigen::VectorXd lengths_storage = mixed_lengths(rows, steps);
      const Eigen::VectorXd* lengths = with_lengths ? &lengths_storage : nullptr;
      const LstmGradients g = lstm_gradients(layer, path, x, steps, lengths, weights);
      auto loss = [&]() {
        LstmCache cache;
        Eigen::MatrixXd hidden;
        layer.forward(path, x, steps, lengths, cache, hidden);
        return hidden.cwiseProduct(weights).sum();
      };
      EXPECT_TRUE(gradients_agree(flat(g.w_input), numeric_gradient(loss, layer.w_input.data(), layer.w_input.size()),
                                  1e-5, 1e-8));
      EXPECT_TRUE(gradients_agree(flat(g.w_recurrent),
                                  numeric_gradient(loss, layer.w_recurrent.data(), layer.w_recurrent.size()), 1e-5,
                                  1e-8));
      EXPECT_TRUE(gradients_agree(g.bias, numeric_gradient(loss, layer.bias.data(), layer.bias.size()), 1e-5, 1e-8));
      EXPECT_TRUE(gradients_agree(flat(g.input), numeric_gradient(loss, x.data(), x.size()), 1e-5, 1e-8));
    }
}

TEST(LstmLayer, LongerSequenceGradientsWithLengths) {
  // Enough steps for the gradient to travel through many frozen and live steps.
  const long rows = 3, steps = 15, n_in = 2, h = 3;
  Random random(5);
  LstmLayer layer = random_lstm(random, n_in, h);
  Eigen::MatrixXd x = normal_matrix(random, rows, steps * n_in);
  const Eigen::MatrixXd weights = normal_matrix(random, rows, steps * h);
  Eigen::VectorXd lengths(rows);
  lengths << 1, 9, 15;
  for (KernelPath path : available_paths()) {
    SCOPED_TRACE(to_string(path));
    const LstmGradients g = lstm_gradients(layer, path, x, steps, &lengths, weights);
    auto loss = [&]() {
      LstmCache cache;
      Eigen::MatrixXd hidden;
      layer.forward(path, x, steps, &lengths, cache, hidden);
      return hidden.cwiseProduct(weights).sum();
    };
    EXPECT_TRUE(gradients_agree(flat(g.w_recurrent),
                                numeric_gradient(loss, layer.w_recurrent.data(), layer.w_recurrent.size()), 1e-5,
                                1e-8));
    EXPECT_TRUE(gradients_agree(flat(g.input), numeric_gradient(loss, x.data(), x.size()), 1e-5, 1e-8));
  }
}

TEST(LstmLayer, PaddingInfluencesNothing) {
  const long rows = 4, steps = 7, n_in = 3, h = 5;
  Random random(8);
  const LstmLayer layer = random_lstm(random, n_in, h);
  const Eigen::MatrixXd x = normal_matrix(random, rows, steps * n_in);
  const Eigen::MatrixXd weights = normal_matrix(random, rows, steps * h);
  const Eigen::VectorXd lengths = mixed_lengths(rows, steps);
  for (KernelPath path : available_paths()) {
    SCOPED_TRACE(to_string(path));
    const LstmGradients reference = lstm_gradients(layer, path, fill_padding(x, steps, lengths, 0.0), steps,
                                                   &lengths, weights);
    for (double value : {1e300, -1e300, std::numeric_limits<double>::infinity(),
                         std::numeric_limits<double>::quiet_NaN(), 3.0}) {
      SCOPED_TRACE(value);
      const LstmGradients g = lstm_gradients(layer, path, fill_padding(x, steps, lengths, value), steps, &lengths,
                                             weights);
      EXPECT_TRUE(bit_identical(g.hidden, reference.hidden));
      EXPECT_TRUE(bit_identical(g.w_input, reference.w_input));
      EXPECT_TRUE(bit_identical(g.w_recurrent, reference.w_recurrent));
      EXPECT_TRUE(bit_identical(g.bias, reference.bias));
      EXPECT_TRUE(bit_identical(g.input, reference.input));
      for (long i = 0; i < rows; ++i)
        for (long t = static_cast<long>(lengths[i]); t < steps; ++t)
          for (long c = 0; c < n_in; ++c) {
            EXPECT_EQ(g.input(i, t * n_in + c), 0.0);
            EXPECT_FALSE(std::signbit(g.input(i, t * n_in + c)));
          }
    }
  }
}

TEST(LstmLayer, StateIsFrozenPastTheLength) {
  const long rows = 3, steps = 6, n_in = 2, h = 3;
  Random random(9);
  const LstmLayer layer = random_lstm(random, n_in, h);
  const Eigen::MatrixXd x = normal_matrix(random, rows, steps * n_in);
  Eigen::VectorXd lengths(rows);
  lengths << 2, 6, 1;
  LstmCache cache;
  Eigen::MatrixXd hidden;
  layer.forward(KernelPath::portable, x, steps, &lengths, cache, hidden);
  for (long i = 0; i < rows; ++i) {
    const long last = static_cast<long>(lengths[i]) - 1;
    for (long t = last; t < steps; ++t)
      EXPECT_TRUE(bit_identical(hidden.block(i, t * h, 1, h), hidden.block(i, last * h, 1, h)))
          << "row " << i << " step " << t;
  }
  // Each row equals itself run alone on its valid steps: other rows and the
  // padding do not leak in.
  for (long i = 0; i < rows; ++i) {
    const long length = static_cast<long>(lengths[i]);
    LstmCache alone_cache;
    Eigen::MatrixXd alone;
    layer.forward(KernelPath::portable, x.block(i, 0, 1, length * n_in), length, nullptr, alone_cache, alone);
    EXPECT_LE((alone - hidden.block(i, 0, 1, length * h)).cwiseAbs().maxCoeff(), 1e-14) << "row " << i;
  }
}

TEST(LstmLayer, KernelPathsAgreeAndCacheIsReused) {
  const long rows = 40, steps = 12, n_in = 6, h = 16;
  Random random(10);
  const LstmLayer layer = random_lstm(random, n_in, h);
  const Eigen::MatrixXd x = normal_matrix(random, rows, steps * n_in);
  const Eigen::MatrixXd weights = normal_matrix(random, rows, steps * h);
  const Eigen::VectorXd lengths = mixed_lengths(rows, steps);
  const LstmGradients portable = lstm_gradients(layer, KernelPath::portable, x, steps, &lengths, weights);
  for (KernelPath path : available_paths()) {
    const LstmGradients g = lstm_gradients(layer, path, x, steps, &lengths, weights);
    EXPECT_LE((g.hidden - portable.hidden).cwiseAbs().maxCoeff(), 1e-12);
    EXPECT_LE((g.w_recurrent - portable.w_recurrent).cwiseAbs().maxCoeff(), 1e-10);
    EXPECT_LE((g.input - portable.input).cwiseAbs().maxCoeff(), 1e-10);
  }
  // One cache through a smaller block and back: same bits.
  LstmCache cache;
  LstmGradients g;
  layer.forward(KernelPath::portable, x.topRows(3), steps, nullptr, cache, g.hidden);
  layer.forward(KernelPath::portable, x, steps, &lengths, cache, g.hidden);
  layer.backward(KernelPath::portable, x, steps, &lengths, cache, weights, g.w_input, g.w_recurrent, g.bias, &g.input);
  EXPECT_TRUE(bit_identical(g.hidden, portable.hidden));
  EXPECT_TRUE(bit_identical(g.w_input, portable.w_input));
  EXPECT_TRUE(bit_identical(g.w_recurrent, portable.w_recurrent));
  EXPECT_TRUE(bit_identical(g.bias, portable.bias));
  EXPECT_TRUE(bit_identical(g.input, portable.input));
  // Calls of the same size keep every buffer (no allocation once sized).
  const std::vector<const double*> buffers{cache.joint.data(),      cache.weights.data(),    cache.gates.data(),
                                        cache.cells.data(),      cache.tanh_cells.data(), cache.grad_gates.data(),
                                        cache.grad_joint.data(), cache.grad_state.data(), cache.grad_weights.data(),
                                        g.hidden.data(),         g.input.data()};
  layer.forward(KernelPath::portable, x, steps, &lengths, cache, g.hidden);
  layer.backward(KernelPath::portable, x, steps, &lengths, cache, weights, g.w_input, g.w_recurrent, g.bias, &g.input);
  const std::vector<const double*> again{cache.joint.data(),      cache.weights.data(),    cache.gates.data(),
                                      cache.cells.data(),      cache.tanh_cells.data(), cache.grad_gates.data(),
                                      cache.grad_joint.data(), cache.grad_state.data(), cache.grad_weights.data(),
                                      g.hidden.data(),         g.input.data()};
  EXPECT_EQ(again, buffers);
}

TEST(LstmLayer, ParameterGradientsWithoutInputGradient) {
  // Without grad_input the time loop multiplies by w_recurrent alone.
  const long rows = 6, steps = 9, n_in = 3, h = 5;
  Random random(14);
  const LstmLayer layer = random_lstm(random, n_in, h);
  const Eigen::MatrixXd x = normal_matrix(random, rows, steps * n_in);
  const Eigen::MatrixXd weights = normal_matrix(random, rows, steps * h);
  const Eigen::VectorXd lengths = mixed_lengths(rows, steps);
  for (bool with_lengths : {false, true})
    for (KernelPath path : available_paths()) {
      const Eigen::VectorXd* len = with_lengths ? &lengths : nullptr;
      const LstmGradients full = lstm_gradients(layer, path, x, steps, len, weights);
      LstmCache cache;
      LstmGradients g;
      layer.forward(path, x, steps, len, cache, g.hidden);
      layer.backward(path, x, steps, len, cache, weights, g.w_input, g.w_recurrent, g.bias, nullptr);
      EXPECT_LE((g.w_input - full.w_input).cwiseAbs().maxCoeff(), 1e-13);
      EXPECT_LE((g.w_recurrent - full.w_recurrent).cwiseAbs().maxCoeff(), 1e-13);
      EXPECT_LE((g.bias - full.bias).cwiseAbs().maxCoeff(), 1e-13);
    }
}

TEST(LstmLayer, InitialiseIsPyTorchUniformWithOpenForgetGate) {
  const long n_in = 7, h = 25;
  LstmLayer layer(n_in, h);
  Random random(4);
  layer.initialise(random);
  const double k = 1.0 / std::sqrt(static_cast<double>(h));
  EXPECT_LE(layer.w_input.cwiseAbs().maxCoeff(), k);
  EXPECT_LE(layer.w_recurrent.cwiseAbs().maxCoeff(), k);
  EXPECT_GT(layer.w_recurrent.cwiseAbs().maxCoeff(), 0.95 * k);
  EXPECT_NEAR(layer.w_recurrent.mean(), 0.0, 0.05);
  EXPECT_TRUE(layer.bias.head(h).isZero(0.0));
  EXPECT_TRUE(layer.bias.segment(h, h).isOnes(0.0));
  EXPECT_TRUE(layer.bias.tail(2 * h).isZero(0.0));
  // w_input row by row, then w_recurrent row by row, from the given stream.
  Random replay(4);
  EXPECT_EQ(layer.w_input(0, 0), replay.uniform(-k, k));
  EXPECT_EQ(layer.w_input(0, 1), replay.uniform(-k, k));
  for (long skipped = 2; skipped < n_in * 4 * h; ++skipped) replay.uniform();
  EXPECT_EQ(layer.w_recurrent(0, 0), replay.uniform(-k, k));
  EXPECT_EQ(layer.w_recurrent(0, 1), replay.uniform(-k, k));
  // Same seed, same bits.
  LstmLayer again(n_in, h);
  Random random_again(4);
  again.initialise(random_again);
  EXPECT_TRUE(bit_identical(again.w_input, layer.w_input));
  EXPECT_TRUE(bit_identical(again.w_recurrent, layer.w_recurrent));
  EXPECT_TRUE(bit_identical(again.bias, layer.bias));
}

TEST(LstmLayer, RejectsBadBlocks) {
  Random random(1);
  const LstmLayer layer = random_lstm(random, 2, 3);
  const Eigen::MatrixXd x = normal_matrix(random, 2, 8);
  LstmCache cache;
  Eigen::MatrixXd hidden;
  EXPECT_THROW(layer.forward(KernelPath::portable, x, 3, nullptr, cache, hidden), std::invalid_argument);
  EXPECT_THROW(layer.forward(KernelPath::portable, x, 0, nullptr, cache, hidden), std::invalid_argument);
  for (double bad : {0.0, 5.0, 2.5, std::numeric_limits<double>::quiet_NaN()}) {
    Eigen::VectorXd lengths(2);
    lengths << 4, bad;
    EXPECT_THROW(layer.forward(KernelPath::portable, x, 4, &lengths, cache, hidden), std::invalid_argument) << bad;
  }
  Eigen::VectorXd short_lengths(1);
  short_lengths << 4;
  EXPECT_THROW(layer.forward(KernelPath::portable, x, 4, &short_lengths, cache, hidden), std::invalid_argument);
  // Backward needs forward's block and lengths.
  layer.forward(KernelPath::portable, x, 4, nullptr, cache, hidden);
  Eigen::MatrixXd gw, gu, gx;
  Eigen::VectorXd gb;
  Eigen::VectorXd lengths(2);
  lengths << 4, 2;
  EXPECT_THROW(layer.backward(KernelPath::portable, x, 4, &lengths, cache, hidden, gw, gu, gb, &gx),
               std::invalid_argument);
  EXPECT_THROW(layer.backward(KernelPath::portable, x.topRows(1), 4, nullptr, cache, hidden.topRows(1), gw, gu, gb,
                              &gx),
               std::invalid_argument);
  EXPECT_THROW(layer.backward(KernelPath::portable, x, 4, nullptr, cache, hidden.leftCols(3), gw, gu, gb, &gx),
               std::invalid_argument);
  EXPECT_NO_THROW(layer.backward(KernelPath::portable, x, 4, nullptr, cache, hidden, gw, gu, gb, &gx));
}

// ---------------------------------------------------------------- Conv1dLayer

TEST(Conv1dLayer, KnownValues) {
  // One channel, k = 3: out_t = b + w0 x_{t-1} + w1 x_t + w2 x_{t+1}.
  Conv1dLayer layer(1, 1, 3);
  layer.weight << 1, 10, 100;
  layer.bias << 0.5;
  Eigen::MatrixXd x(2, 4);
  x << 1, 2, 3, 4,
       1, 2, 3, 999;  // the second row has length 3
  Eigen::VectorXd lengths(2);
  lengths << 4, 3;
  Eigen::MatrixXd expected(2, 4);
  expected << 0.5 + 10 + 200, 0.5 + 1 + 20 + 300, 0.5 + 2 + 30 + 400, 0.5 + 3 + 40,
              0.5 + 10 + 200, 0.5 + 1 + 20 + 300, 0.5 + 2 + 30, 0;
  for (KernelPath path : available_paths()) {
    Conv1dCache cache;
    Eigen::MatrixXd out;
    layer.forward(path, x, 4, &lengths, cache, out);
    EXPECT_TRUE(bit_identical(out, expected)) << to_string(path);
  }
}

TEST(Conv1dLayer, KnownValuesTwoChannelsTwoFilters) {
  // Weight row j * n_in + c is tap j of channel c.
  Conv1dLayer layer(2, 2, 3);
  layer.weight << 1, 0,     // tap 0 (step t-1), channel 0
                  0, 0,     // tap 0, channel 1
                  0, 2,     // tap 1 (step t), channel 0
                  10, 0,    // tap 1, channel 1
                  0, 0,     // tap 2 (step t+1), channel 0
                  0, -100;  // tap 2, channel 1
  layer.bias << 0, 1;
  Eigen::MatrixXd x(1, 6);  // three steps of (channel 0, channel 1)
  x << 1, 2, 3, 4, 5, 6;
  // filter 0: x_{t-1,0} + 10 x_{t,1}; filter 1: 1 + 2 x_{t,0} - 100 x_{t+1,1}
  Eigen::MatrixXd expected(1, 6);
  expected << 0 + 20, 1 + 2 - 400,
              1 + 40, 1 + 6 - 600,
              3 + 60, 1 + 10 - 0;
  Conv1dCache cache;
  Eigen::MatrixXd out;
  layer.forward(KernelPath::portable, x, 3, nullptr, cache, out);
  EXPECT_TRUE(bit_identical(out, expected));
}

TEST(Conv1dLayer, BackwardMatchesFiniteDifferences) {
  const long rows = 4, steps = 6, n_in = 2, filters = 3;
  for (long kernel_size : {1L, 3L, 5L, 9L})
    for (bool with_lengths : {false, true})
      for (KernelPath path : available_paths()) {
        SCOPED_TRACE("k=" + std::to_string(kernel_size) + (with_lengths ? ", lengths, " : ", full, ") +
                     to_string(path));
        Random random(31 + static_cast<std::uint64_t>(kernel_size));
        Conv1dLayer layer = random_conv(random, n_in, filters, kernel_size);
        Eigen::MatrixXd x = normal_matrix(random, rows, steps * n_in);
        const Eigen::MatrixXd weights = normal_matrix(random, rows, steps * filters);
        const Eigen::VectorXd lengths_storage = mixed_lengths(rows, steps);
        const Eigen::VectorXd* lengths = with_lengths ? &lengths_storage : nullptr;
        const ConvGradients g = conv_gradients(layer, path, x, steps, lengths, weights);
        // A smooth loss, so the check also covers how outputs mix.
        auto loss = [&]() {
          Conv1dCache cache;
          Eigen::MatrixXd out;
          layer.forward(path, x, steps, lengths, cache, out);
          return out.cwiseProduct(weights).sum();
        };
        EXPECT_TRUE(gradients_agree(flat(g.weight), numeric_gradient(loss, layer.weight.data(), layer.weight.size()),
                                    1e-6, 1e-8));
        EXPECT_TRUE(gradients_agree(g.bias, numeric_gradient(loss, layer.bias.data(), layer.bias.size()), 1e-6, 1e-8));
        EXPECT_TRUE(gradients_agree(flat(g.input), numeric_gradient(loss, x.data(), x.size()), 1e-6, 1e-8));
        for (long i = 0; i < rows; ++i)
          for (long t = 0; t < steps; ++t)
            if (is_padded(lengths, i, t)) {
              EXPECT_EQ(g.output.block(i, t * filters, 1, filters).cwiseAbs().maxCoeff(), 0.0);
            }
      }
}

TEST(Conv1dLayer, PaddingInfluencesNothing) {
  const long rows = 5, steps = 8, n_in = 3, filters = 4, kernel_size = 5;
  Random random(12);
  const Conv1dLayer layer = random_conv(random, n_in, filters, kernel_size);
  const Eigen::MatrixXd x = normal_matrix(random, rows, steps * n_in);
  const Eigen::MatrixXd weights = normal_matrix(random, rows, steps * filters);
  const Eigen::VectorXd lengths = mixed_lengths(rows, steps);
  for (KernelPath path : available_paths()) {
    SCOPED_TRACE(to_string(path));
    const ConvGradients reference = conv_gradients(layer, path, fill_padding(x, steps, lengths, 0.0), steps,
                                                   &lengths, weights);
    for (double value : {1e300, -1e300, std::numeric_limits<double>::infinity(),
                         std::numeric_limits<double>::quiet_NaN(), 3.0}) {
      SCOPED_TRACE(value);
      const ConvGradients g = conv_gradients(layer, path, fill_padding(x, steps, lengths, value), steps, &lengths,
                                             weights);
      EXPECT_TRUE(bit_identical(g.output, reference.output));
      EXPECT_TRUE(bit_identical(g.weight, reference.weight));
      EXPECT_TRUE(bit_identical(g.bias, reference.bias));
      EXPECT_TRUE(bit_identical(g.input, reference.input));
      for (long i = 0; i < rows; ++i)
        for (long t = static_cast<long>(lengths[i]); t < steps; ++t)
          for (long c = 0; c < n_in; ++c) {
            EXPECT_EQ(g.input(i, t * n_in + c), 0.0);
            EXPECT_FALSE(std::signbit(g.input(i, t * n_in + c)));
          }
    }
    // Each row equals itself convolved alone over its valid steps.
    for (long i = 0; i < rows; ++i) {
      const long length = static_cast<long>(lengths[i]);
      Conv1dCache cache;
      Eigen::MatrixXd alone;
      layer.forward(path, x.block(i, 0, 1, length * n_in), length, nullptr, cache, alone);
      EXPECT_LE((alone - reference.output.block(i, 0, 1, length * filters)).cwiseAbs().maxCoeff(), 1e-13);
    }
  }
}

TEST(Conv1dLayer, InitialiseIsGlorotUniformWithZeroBias) {
  const long n_in = 6, filters = 20, kernel_size = 5;
  Conv1dLayer layer(n_in, filters, kernel_size);
  EXPECT_EQ(layer.n_in(), n_in);
  EXPECT_EQ(layer.n_filters(), filters);
  EXPECT_EQ(layer.kernel_size(), kernel_size);
  Random random(6);
  layer.initialise(random);
  const double bound = std::sqrt(6.0 / static_cast<double>(kernel_size * n_in + filters));
  EXPECT_LE(layer.weight.cwiseAbs().maxCoeff(), bound);
  EXPECT_GT(layer.weight.cwiseAbs().maxCoeff(), 0.95 * bound);
  EXPECT_NEAR(layer.weight.mean(), 0.0, 0.05);
  EXPECT_TRUE(layer.bias.isZero(0.0));
  Random replay(6);
  EXPECT_EQ(layer.weight(0, 0), replay.uniform(-bound, bound));
  EXPECT_EQ(layer.weight(0, 1), replay.uniform(-bound, bound));
  Conv1dLayer again(n_in, filters, kernel_size);
  Random random_again(6);
  again.initialise(random_again);
  EXPECT_TRUE(bit_identical(again.weight, layer.weight));
}

TEST(Conv1dLayer, RejectsBadShapes) {
  EXPECT_THROW(Conv1dLayer(2, 3, 4), std::invalid_argument);
  EXPECT_THROW(Conv1dLayer(2, 3, 0), std::invalid_argument);
  Random random(2);
  const Conv1dLayer layer = random_conv(random, 2, 3, 3);
  const Eigen::MatrixXd x = normal_matrix(random, 2, 8);
  Conv1dCache cache;
  Eigen::MatrixXd out;
  EXPECT_THROW(layer.forward(KernelPath::portable, x, 3, nullptr, cache, out), std::invalid_argument);
  Eigen::VectorXd lengths(2);
  lengths << 0, 4;
  EXPECT_THROW(layer.forward(KernelPath::portable, x, 4, &lengths, cache, out), std::invalid_argument);
  layer.forward(KernelPath::portable, x, 4, nullptr, cache, out);
  Eigen::MatrixXd gw, gx;
  Eigen::VectorXd gb;
  EXPECT_THROW(layer.backward(KernelPath::portable, x, 4, nullptr, cache, out.leftCols(6), gw, gb, &gx),
               std::invalid_argument);
  EXPECT_NO_THROW(layer.backward(KernelPath::portable, x, 4, nullptr, cache, out, gw, gb, &gx));
}
