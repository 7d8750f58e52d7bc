// DeepLIFT through the sequence models (sequence_deeplift.hpp): summation to
// delta for both encoders, both tasks, with and without lengths and with
// several references; agreement with gradient x delta where the model is
// affine and in the limit of a near reference; thread-count and padding
// invariance; interrupts and bad arguments.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <ostream>
#include <string>
#include <vector>

#include "scoresactivation/sequence_attribution.hpp"
#include "scoresactivation/sequence_deeplift.hpp"
#include "test_helpers.hpp"

using namespace scoresactivation;
using sa_test::bit_identical;
using sa_test::normal_matrix;

namespace {

constexpr long kChannels = 3;

struct SequenceData {
  Eigen::MatrixXd x;  // (n, steps * channels)
  Eigen::VectorXd y;
  long steps;
};

// y from channel 0's mean and channel 1's early steps; channel 2 is noise.
SequenceData make_sequences(long n, long steps, std::uint64_t seed, bool classification) {
  Random random(seed);
  SequenceData d{normal_matrix(random, n, steps * kChannels), Eigen::VectorXd(n), steps};
  for (long i = 0; i < n; ++i) {
    double signal = 0.0;
    for (long t = 0; t < steps; ++t) signal += d.x(i, t * kChannels) / steps;
    signal = 2.0 * signal + d.x(i, std::min<long>(1, steps - 1) * kChannels + 1) - 0.5 * d.x(i, 1) + 0.1 * random.normal();
    d.y[i] = classification ? (signal > 0 ? 1.0 : 0.0) : signal;
  }
  return d;
}

Eigen::VectorXd ragged(long n, long steps) {
  Eigen::VectorXd lengths(n);
  for (long i = 0; i < n; ++i) lengths[i] = static_cast<double>(1 + (i * 5) % steps);
  return lengths;
}

Eigen::MatrixXd with_padding(Eigen::MatrixXd x, const Eigen::VectorXd& lengths, bool wild) {
  for (long i = 0; i < x.rows(); ++i)
    for (long j = static_cast<long>(lengths[i]) * kChannels; j < x.cols(); ++j)
      x(i, j) = !wild ? 0.0 : (i % 2 ? 1e300 : std::numeric_limits<double>::quiet_NaN());
  return x;
}

struct Model {
  std::string architecture;
  long layers;
  std::string activation;
  Task task;
  std::string pooling;
};

// Readable names in failure messages.
void PrintTo(const Model& m, std::ostream* os) {
  *os << m.architecture << " x" << m.layers << " " << m.activation << " "
      << (m.task == Task::classification ? "classification" : "regression") << " pooling=" << m.pooling;
}

SequenceEstimator fit(const Model& m, const SequenceData& d, const Eigen::VectorXd& lengths,
                      std::vector<long> hidden = {5}) {
  Params p;
  p.hidden_layer_sizes = hidden;
  p.max_epochs = 4;
  p.refine_epochs = 2;
  p.learning_rate = 1e-2;
  p.random_state = 3;
  p.activation = m.activation;
  SequenceParams s;
  s.architecture = m.architecture;
  s.units = std::vector<long>(static_cast<std::size_t>(m.layers), 6);
  s.kernel_size = 3;
  s.pooling = m.pooling;
  SequenceEstimator est(p, s, m.task);
  est.fit(d.x, d.steps, lengths, d.y, Eigen::VectorXd(), m.task == Task::classification ? 2 : 0);
  return est;
}

std::string message_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "(no std::invalid_argument)";
}

// f(x_i) - mean_k f(x0_k cut to x_i's length), the target's raw output.
Eigen::VectorXd expected_delta(const SequenceEstimator& est, const Eigen::MatrixXd& x, long steps,
                               const Eigen::VectorXd& lengths, const Eigen::MatrixXd& refs, long target) {
  Eigen::VectorXd delta = est.decision_function(x, steps, lengths).col(target);
  for (long k = 0; k < refs.rows(); ++k) {
    const Eigen::MatrixXd ref = refs.row(k).replicate(x.rows(), 1);
    delta -= est.decision_function(ref, steps, lengths).col(target) / static_cast<double>(refs.rows());
  }
  return delta;
}

class SequenceDeepLiftCompleteness : public ::testing::TestWithParam<Model> {};

TEST_P(SequenceDeepLiftCompleteness, SumsToTheOutputChange) {
  const Model m = GetParam();
  const long steps = 7, n = 40;
  const SequenceData d = make_sequences(n, steps, 21, m.task == Task::classification);
  Random random(5);
  const Eigen::MatrixXd refs = normal_matrix(random, 3, steps * kChannels);
  for (bool with_lengths : {false, true}) {
    const Eigen::VectorXd lengths = with_lengths ? ragged(n, steps) : Eigen::VectorXd();
    const SequenceEstimator est = fit(m, d, lengths);
    const Eigen::MatrixXd x = with_lengths ? with_padding(d.x, lengths, true) : d.x;
    for (long target = 0; target < est.n_outputs(); ++target) {
      const Eigen::MatrixXd c = sequence_deeplift(est, x, steps, lengths, refs, target, 2);
      ASSERT_EQ(c.rows(), n);
      ASSERT_EQ(c.cols(), steps * kChannels);
      ASSERT_TRUE(c.allFinite());
      const Eigen::VectorXd delta = expected_delta(est, x, steps, lengths, refs, target);
      const Eigen::VectorXd sums = c.rowwise().sum();
      for (long i = 0; i < n; ++i)
        EXPECT_NEAR(sums[i], delta[i], 1e-8 * std::max(1.0, std::abs(delta[i])))
            << m.architecture << " lengths=" << with_lengths << " target=" << target << " row " << i;
      // Not trivially zero: the model reads its inputs.
      EXPECT_GT(c.cwiseAbs().maxCoeff(), 1e-6);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(
    Models, SequenceDeepLiftCompleteness,
    ::testing::Values(Model{"lstm", 1, "tanh", Task::regression, "auto"},
                      Model{"lstm", 1, "relu", Task::classification, "auto"},
                      Model{"lstm", 2, "tanh", Task::regression, "mean"},
                      Model{"lstm", 2, "logistic", Task::classification, "auto"},
                      Model{"conv", 1, "relu", Task::regression, "auto"},
                      Model{"conv", 2, "tanh", Task::classification, "auto"},
                      Model{"conv", 2, "logistic", Task::regression, "last"}));

// An affine model (identity activations, conv): DeepLIFT is gradient x delta.
TEST(SequenceDeepLift, AffineModelIsGradientTimesDelta) {
  const long steps = 6, n = 20;
  const SequenceData d = make_sequences(n, steps, 8, false);
  const Eigen::VectorXd lengths = ragged(n, steps);
  const SequenceEstimator est = fit(Model{"conv", 2, "identity", Task::regression, "mean"}, d, lengths, {4});
  Random random(9);
  const Eigen::MatrixXd ref = normal_matrix(random, 1, steps * kChannels);
  const Eigen::MatrixXd c = sequence_deeplift(est, d.x, steps, lengths, ref, 0, 1);
  const Eigen::MatrixXd grad = sequence_input_gradient(est, d.x, steps, lengths, 0, false, 1);
  const Eigen::MatrixXd delta = with_padding(d.x - ref.replicate(n, 1), lengths, false);
  const Eigen::MatrixXd expected = grad.cwiseProduct(delta);
  EXPECT_LT((c - expected).cwiseAbs().maxCoeff(), 1e-10 * std::max(1.0, expected.cwiseAbs().maxCoeff()));
}

// A single-step LSTM is not affine (its gates are sigmoids), so DeepLIFT is
// gradient x delta only in the limit of a near reference: element by element
// within O(|delta|), which checks every multiplier of the backward pass.
TEST(SequenceDeepLift, NearReferenceIsGradientTimesDelta) {
  for (long steps : {1L, 5L}) {
    const long n = 15;
    const SequenceData d = make_sequences(n, steps, 4, false);
    const Eigen::VectorXd lengths = steps > 1 ? ragged(n, steps) : Eigen::VectorXd();
    const SequenceEstimator est = fit(Model{"lstm", 2, "tanh", Task::regression, "auto"}, d, lengths);
    const Eigen::MatrixXd grad = sequence_input_gradient(est, d.x, steps, lengths, 0, false, 1);
    Random random(2);
    for (long i = 0; i < n; ++i) {
      const Eigen::MatrixXd row = d.x.row(i);
      const Eigen::VectorXd len = lengths.size() ? Eigen::VectorXd::Constant(1, lengths[i]) : Eigen::VectorXd();
      const Eigen::MatrixXd ref = row + 1e-6 * normal_matrix(random, 1, row.cols());
      const Eigen::MatrixXd c = sequence_deeplift(est, row, steps, len, ref, 0, 1);
      const Eigen::MatrixXd expected = grad.row(i).cwiseProduct(row - ref);
      const Eigen::MatrixXd e = lengths.size() ? with_padding(expected, len, false) : expected;
      EXPECT_LT((c - e).cwiseAbs().maxCoeff(), 1e-4 * e.cwiseAbs().maxCoeff()) << "steps " << steps << " row " << i;
    }
  }
}

TEST(SequenceDeepLift, ZeroForTheReferenceItself) {
  const long steps = 5, n = 10;
  const SequenceData d = make_sequences(n, steps, 6, true);
  const SequenceEstimator est = fit(Model{"lstm", 1, "tanh", Task::classification, "auto"}, d, Eigen::VectorXd());
  const Eigen::MatrixXd c = sequence_deeplift(est, d.x.topRows(1), steps, Eigen::VectorXd(), d.x.topRows(1), 1, 1);
  EXPECT_EQ(c.cwiseAbs().maxCoeff(), 0.0);
}

TEST(SequenceDeepLift, ThreadCountChangesNothing) {
  // Over 256 rows, so there are several blocks.
  const long steps = 6, n = 300;
  for (const std::string& architecture : {std::string("lstm"), std::string("conv")}) {
    const SequenceData d = make_sequences(n, steps, 13, false);
    const Eigen::VectorXd lengths = ragged(n, steps);
    const SequenceEstimator est = fit(Model{architecture, 2, "tanh", Task::regression, "auto"}, d, lengths);
    const Eigen::MatrixXd refs = d.x.topRows(2);
    const Eigen::MatrixXd one = sequence_deeplift(est, d.x, steps, lengths, refs, 0, 1);
    EXPECT_TRUE(bit_identical(one, sequence_deeplift(est, d.x, steps, lengths, refs, 0, 2))) << architecture;
    EXPECT_TRUE(bit_identical(one, sequence_deeplift(est, d.x, steps, lengths, refs, 0, 3))) << architecture;
  }
}

TEST(SequenceDeepLift, PaddedValuesChangeNothingAndGetZero) {
  const long steps = 6, n = 30;
  for (const std::string& architecture : {std::string("lstm"), std::string("conv")}) {
    const SequenceData d = make_sequences(n, steps, 17, true);
    const Eigen::VectorXd lengths = ragged(n, steps);
    const SequenceEstimator est = fit(Model{architecture, 2, "relu", Task::classification, "auto"}, d, lengths);
    Random random(1);
    const Eigen::MatrixXd refs = normal_matrix(random, 2, steps * kChannels);
    const Eigen::MatrixXd zeros = sequence_deeplift(est, with_padding(d.x, lengths, false), steps, lengths, refs, 1, 1);
    const Eigen::MatrixXd wild = sequence_deeplift(est, with_padding(d.x, lengths, true), steps, lengths, refs, 1, 1);
    EXPECT_TRUE(bit_identical(zeros, wild)) << architecture;
    for (long i = 0; i < n; ++i)
      for (long j = static_cast<long>(lengths[i]) * kChannels; j < wild.cols(); ++j) {
        EXPECT_EQ(wild(i, j), 0.0);
        EXPECT_FALSE(std::signbit(wild(i, j)));
      }
  }
}

TEST(SequenceDeepLift, Interrupts) {
  const long steps = 6;
  const SequenceData d = make_sequences(40, steps, 3, false);
  const SequenceEstimator est = fit(Model{"lstm", 1, "tanh", Task::regression, "auto"}, d, Eigen::VectorXd());
  long polls = 0;
  const std::function<bool()> stop = [&polls]() { return ++polls > 0; };
  // Seconds of work uninterrupted (many references); stopped after the first 0.1 s poll.
  const Eigen::MatrixXd refs = d.x.replicate(100, 1);
  EXPECT_THROW(sequence_deeplift(est, d.x.replicate(8, 1), steps, Eigen::VectorXd(), refs, 0, 2, stop), Interrupted);
  EXPECT_EQ(polls, 1);
}

TEST(SequenceDeepLift, BadArgumentsNameTheArgument) {
  const long steps = 5, n = 12;
  const SequenceData d = make_sequences(n, steps, 19, true);
  const SequenceEstimator est = fit(Model{"conv", 1, "relu", Task::classification, "auto"}, d, Eigen::VectorXd());
  const Eigen::MatrixXd& x = d.x;
  const Eigen::VectorXd none;
  const Eigen::MatrixXd ref = x.topRows(1);
  auto contains = [](const std::string& text, const std::string& word) {
    return ::testing::AssertionResult(text.find(word) != std::string::npos) << "'" << text << "' lacks '" << word << "'";
  };
  EXPECT_TRUE(contains(message_of([&] { sequence_deeplift(est, x, steps, none, ref, 2, 1); }), "target"));
  EXPECT_TRUE(contains(message_of([&] { sequence_deeplift(est, x, steps, none, ref, -1, 1); }), "target"));
  EXPECT_TRUE(contains(message_of([&] { sequence_deeplift(est, x.leftCols(x.cols() - 1), steps, none, ref, 0, 1); }),
                       "X"));
  EXPECT_TRUE(contains(message_of([&] { sequence_deeplift(est, x, steps, none, ref.leftCols(ref.cols() - 1), 0, 1); }),
                       "references"));
  EXPECT_TRUE(contains(message_of([&] {
    sequence_deeplift(est, x, steps, none, Eigen::MatrixXd(0, x.cols()), 0, 1);
  }), "references"));
  Eigen::MatrixXd nan_ref = ref;
  nan_ref(0, nan_ref.cols() - 1) = std::numeric_limits<double>::quiet_NaN();
  EXPECT_TRUE(contains(message_of([&] { sequence_deeplift(est, x, steps, none, nan_ref, 0, 1); }), "references"));
  EXPECT_TRUE(contains(message_of([&] {
    sequence_deeplift(est, x, steps, Eigen::VectorXd::Constant(n, 9), ref, 0, 1);
  }), "lengths"));
  EXPECT_TRUE(contains(message_of([&] { sequence_deeplift(est, x, steps, none, ref, 0, 0); }), "n_threads"));
  const SequenceEstimator unfitted(Params(), SequenceParams(), Task::regression);
  EXPECT_THROW(sequence_deeplift(unfitted, x, steps, none, ref, 0, 1), std::logic_error);
}

}  // namespace
