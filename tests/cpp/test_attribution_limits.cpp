// Hardening of the attribution methods and metrics: bounded counts, hostile
// but well-typed inputs that must give std::invalid_argument (never UB),
// interrupts inside long work items, and the O(n) Gauss-Legendre rule.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <string>
#include <thread>
#include <vector>

#include "scoresactivation/attribution_limits.hpp"
#include "scoresactivation/callbacks.hpp"
#include "scoresactivation/deeplift.hpp"
#include "scoresactivation/gradients.hpp"
#include "scoresactivation/metrics.hpp"
#include "scoresactivation/permutation_importance.hpp"
#include "scoresactivation/shapley.hpp"
#include "test_helpers.hpp"

using namespace scoresactivation;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr long kHuge = 1L << 62;

struct Fitted {
  Eigen::MatrixXd x;
  Eigen::VectorXd y;
  Estimator est;
};

// A 3-class model on 4 features.
const Fitted& fitted() {
  static const Fitted f = [] {
    Random random(5);
    Eigen::MatrixXd x = sa_test::normal_matrix(random, 300, 4);
    Eigen::VectorXd y(300);
    for (long i = 0; i < 300; ++i) y[i] = x(i, 0) > 0.3 ? 2.0 : (x(i, 1) > 0 ? 1.0 : 0.0);
    Params p;
    p.hidden_layer_sizes = {12, 6};
    p.max_epochs = 30;
    p.random_state = 3;
    Estimator est(p, Task::classification);
    est.fit(x, y, Eigen::VectorXd(), 3);
    return Fitted{x, y, est};
  }();
  return f;
}

// Runs call, expecting std::invalid_argument whose message contains `needle`.
::testing::AssertionResult refused(const std::function<void()>& call, const std::string& needle) {
  try {
    call();
  } catch (const std::invalid_argument& e) {
    if (std::string(e.what()).find(needle) != std::string::npos) return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure() << "message '" << e.what() << "' lacks '" << needle << "'";
  } catch (const std::exception& e) {
    return ::testing::AssertionFailure() << "threw another exception: " << e.what();
  }
  return ::testing::AssertionFailure() << "did not throw";
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

// ---------------------------------------------------------------- counts

struct CountCase {
  const char* name;
  std::function<void(const ExplainedModel&, const Fitted&)> call;
  const char* message;
};

class CountLimits : public ::testing::TestWithParam<CountCase> {};

TEST_P(CountLimits, AreRefusedWithTheArgumentsName) {
  const Fitted& f = fitted();
  const ExplainedModel model(f.est);
  EXPECT_TRUE(refused([&] { GetParam().call(model, f); }, GetParam().message));
}

const Eigen::MatrixXd& rows2() {
  static const Eigen::MatrixXd r = fitted().x.topRows(2);
  return r;
}

INSTANTIATE_TEST_SUITE_P(
    AllMethods, CountLimits,
    ::testing::Values(
        // 2^62 orders once computed 2 * n_pairs * d toggles, which wrapped
        // around: a small buffer, then writes past it.
        CountCase{"PermutationsHuge",
                  [](const ExplainedModel& m, const Fitted&) {
                    shapley_sampled(m, rows2(), rows2(), 0, ExplainedOutput::raw, kHuge, 1, 1);
                  },
                  "n_permutations must be an integer in [1, 10000000]; got 4611686018427387904"},
        CountCase{"PermutationsAboveLimit",
                  [](const ExplainedModel& m, const Fitted&) {
                    shapley_sampled(m, rows2(), rows2(), 0, ExplainedOutput::raw, kMaxShapleyPermutations + 1, 1, 1);
                  },
                  "n_permutations must be an integer in [1, 10000000]"},
        CountCase{"PermutationsZero",
                  [](const ExplainedModel& m, const Fitted&) {
                    shapley_sampled(m, rows2(), rows2(), 0, ExplainedOutput::raw, 0, 1, 1);
                  },
                  "n_permutations"},
        CountCase{"StepsHuge",
                  [](const ExplainedModel& m, const Fitted&) {
                    integrated_gradients(m, rows2(), rows2(), 0, kHuge, Quadrature::gauss_legendre, 1);
                  },
                  "n_steps must be an integer in [1, 1000000]"},
        CountCase{"StepsAboveLimit",
                  [](const ExplainedModel& m, const Fitted&) {
                    integrated_gradients(m, rows2(), rows2(), 0, kMaxIntegrationSteps + 1, Quadrature::riemann_left, 1);
                  },
                  "n_steps must be an integer in [1, 1000000]"},
        CountCase{"StepsNegative",
                  [](const ExplainedModel& m, const Fitted&) {
                    integrated_gradients(m, rows2(), rows2(), 0, -5, Quadrature::gauss_legendre, 1);
                  },
                  "n_steps"},
        CountCase{"TrapezoidOneStep",
                  [](const ExplainedModel& m, const Fitted&) {
                    integrated_gradients(m, rows2(), rows2(), 0, 1, Quadrature::riemann_trapezoid, 1);
                  },
                  "n_steps must be at least 2"},
        CountCase{"RepeatsHuge",
                  [](const ExplainedModel& m, const Fitted& f) {
                    permutation_importance(m, f.x, f.y, Eigen::VectorXd(), kHuge, 1, 1);
                  },
                  "n_repeats must be an integer in [1, 100000]"},
        CountCase{"RepeatsZero",
                  [](const ExplainedModel& m, const Fitted& f) {
                    permutation_importance(m, f.x, f.y, Eigen::VectorXd(), 0, 1, 1);
                  },
                  "n_repeats"},
        CountCase{"LipschitzSamplesHuge",
                  [](const ExplainedModel&, const Fitted&) {
                    local_lipschitz([](const Eigen::MatrixXd& r) { return r; }, rows2(), Eigen::VectorXd::Ones(4), 0.1,
                                    kHuge, 1);
                  },
                  "n_samples must be an integer in [1, 100000]"},
        CountCase{"LipschitzSamplesZero",
                  [](const ExplainedModel&, const Fitted&) {
                    local_lipschitz([](const Eigen::MatrixXd& r) { return r; }, rows2(), Eigen::VectorXd::Ones(4), 0.1, 0,
                                    1);
                  },
                  "n_samples"},
        CountCase{"LipschitzInfiniteRadius",
                  [](const ExplainedModel&, const Fitted&) {
                    local_lipschitz([](const Eigen::MatrixXd& r) { return r; }, rows2(), Eigen::VectorXd::Ones(4),
                                    std::numeric_limits<double>::infinity(), 5, 1);
                  },
                  "radius"},
        CountCase{"QuadratureHuge",
                  [](const ExplainedModel&, const Fitted&) {
                    std::vector<double> p, w;
                    quadrature_rule(Quadrature::gauss_legendre, kHuge, p, w);
                  },
                  "n_steps must be an integer in [1, 1000000]"}),
    [](const ::testing::TestParamInfo<CountCase>& info) { return std::string(info.param.name); });

TEST(CheckedProduct, RefusesProductsThatWouldOverflow) {
  EXPECT_EQ(checked_product(3, 4, "x"), 12);
  EXPECT_EQ(checked_product(0, kHuge, "x"), 0);
  EXPECT_TRUE(refused([] { checked_product(kHuge, 4, "the buffer"); }, "the buffer would need more than"));
  EXPECT_TRUE(refused([] { checked_product(1L << 20, 1L << 20, "y"); }, "68719476736"));
  EXPECT_TRUE(refused([] { checked_product(-1, 2, "z"); }, "negative"));
}

// ------------------------------------------------------- hostile inputs

// Every method against every kind of bad input it can receive: each must
// throw std::invalid_argument naming the problem.
struct HostileCase {
  const char* name;
  std::function<void(const ExplainedModel&, const Fitted&)> call;
  const char* message;
};

class HostileInputs : public ::testing::TestWithParam<HostileCase> {};

TEST_P(HostileInputs, GiveAClearError) {
  const Fitted& f = fitted();
  const ExplainedModel model(f.est);
  EXPECT_TRUE(refused([&] { GetParam().call(model, f); }, GetParam().message));
}

namespace {
using M = Eigen::MatrixXd;
const M& none() {
  static const M m(0, 4);
  return m;
}
const M& narrow() {
  static const M m = M::Zero(2, 3);
  return m;
}
M with_nan(const M& m) {
  M out = m;
  out(out.rows() - 1, 1) = kNaN;
  return out;
}
const M& x3() {
  static const M m = fitted().x.topRows(3);
  return m;
}
const Eigen::RowVectorXd& mean_row() {
  static const Eigen::RowVectorXd r = fitted().x.colwise().mean();
  return r;
}
const M& attributions3() {
  static const M m = M::Ones(3, 4);
  return m;
}
constexpr ExplainedOutput kRaw = ExplainedOutput::raw;
constexpr ExplainedOutput kProb = ExplainedOutput::probability;
}  // namespace

// clang-format off
INSTANTIATE_TEST_SUITE_P(
    AllMethods, HostileInputs,
    ::testing::Values(
        // DeepLIFT
        HostileCase{"DeepLiftNoRows", [](const ExplainedModel& m, const Fitted&) { deeplift(m, none(), x3(), 0, DeepLiftRule::rescale, 1); }, "X has no rows"},
        HostileCase{"DeepLiftNarrowX", [](const ExplainedModel& m, const Fitted&) { deeplift(m, narrow(), x3(), 0, DeepLiftRule::rescale, 1); }, "X has 3 features"},
        HostileCase{"DeepLiftNarrowBaseline", [](const ExplainedModel& m, const Fitted&) { deeplift(m, x3(), narrow(), 0, DeepLiftRule::rescale, 1); }, "baseline has 3 features"},
        HostileCase{"DeepLiftEmptyBaseline", [](const ExplainedModel& m, const Fitted&) { deeplift(m, x3(), none(), 0, DeepLiftRule::reveal_cancel, 1); }, "baseline needs at least one row"},
        HostileCase{"DeepLiftTargetAbove", [](const ExplainedModel& m, const Fitted&) { deeplift(m, x3(), x3(), 3, DeepLiftRule::rescale, 1); }, "target must be in [0, 3)"},
        HostileCase{"DeepLiftTargetNegative", [](const ExplainedModel& m, const Fitted&) { deeplift(m, x3(), x3(), -1, DeepLiftRule::rescale, 1); }, "target"},
        HostileCase{"DeepLiftNaNX", [](const ExplainedModel& m, const Fitted&) { deeplift(m, with_nan(x3()), x3(), 0, DeepLiftRule::rescale, 1); }, "X contains NaN"},
        HostileCase{"DeepLiftNaNBaseline", [](const ExplainedModel& m, const Fitted&) { deeplift(m, x3(), with_nan(x3()), 0, DeepLiftRule::rescale, 1); }, "baseline contains NaN"},
        HostileCase{"DeepLiftNoThreads", [](const ExplainedModel& m, const Fitted&) { deeplift(m, x3(), x3(), 0, DeepLiftRule::rescale, 0); }, "n_threads must be a positive integer"},
        // Integrated gradients
        HostileCase{"IGNoRows", [](const ExplainedModel& m, const Fitted&) { integrated_gradients(m, none(), x3(), 0, 8, Quadrature::gauss_legendre, 1); }, "X has no rows"},
        HostileCase{"IGNarrowBaseline", [](const ExplainedModel& m, const Fitted&) { integrated_gradients(m, x3(), narrow(), 0, 8, Quadrature::gauss_legendre, 1); }, "baseline has 3 features"},
        HostileCase{"IGEmptyBaseline", [](const ExplainedModel& m, const Fitted&) { integrated_gradients(m, x3(), none(), 0, 8, Quadrature::gauss_legendre, 1); }, "baseline needs at least one row"},
        HostileCase{"IGTarget", [](const ExplainedModel& m, const Fitted&) { integrated_gradients(m, x3(), x3(), 7, 8, Quadrature::gauss_legendre, 1); }, "target must be in [0, 3)"},
        HostileCase{"IGNaNX", [](const ExplainedModel& m, const Fitted&) { integrated_gradients(m, with_nan(x3()), x3(), 0, 8, Quadrature::gauss_legendre, 1); }, "X contains NaN"},
        HostileCase{"IGNaNBaseline", [](const ExplainedModel& m, const Fitted&) { integrated_gradients(m, x3(), with_nan(x3()), 0, 8, Quadrature::gauss_legendre, 1); }, "baseline contains NaN"},
        HostileCase{"IGNegativeThreads", [](const ExplainedModel& m, const Fitted&) { integrated_gradients(m, x3(), x3(), 0, 8, Quadrature::gauss_legendre, -3); }, "n_threads"},
        // Gradients
        HostileCase{"GradientNoRows", [](const ExplainedModel& m, const Fitted&) { input_gradient(m, none(), 0, 1); }, "X has no rows"},
        HostileCase{"GradientNarrowX", [](const ExplainedModel& m, const Fitted&) { input_gradient(m, narrow(), 0, 1); }, "X has 3 features"},
        HostileCase{"GradientTarget", [](const ExplainedModel& m, const Fitted&) { input_gradient(m, x3(), 3, 1); }, "target must be in [0, 3)"},
        HostileCase{"GradientNaNX", [](const ExplainedModel& m, const Fitted&) { gradient_times_input(m, with_nan(x3()), 0, 1); }, "X contains NaN"},
        HostileCase{"GradientNoThreads", [](const ExplainedModel& m, const Fitted&) { gradient_times_input(m, x3(), 0, 0); }, "n_threads"},
        // Shapley values
        HostileCase{"ExactNoRows", [](const ExplainedModel& m, const Fitted&) { shapley_exact(m, none(), x3(), 0, kRaw, 1); }, "X has no rows"},
        HostileCase{"ExactEmptyBackground", [](const ExplainedModel& m, const Fitted&) { shapley_exact(m, x3(), none(), 0, kRaw, 1); }, "background needs at least one row"},
        HostileCase{"ExactNarrowBackground", [](const ExplainedModel& m, const Fitted&) { shapley_exact(m, x3(), narrow(), 0, kRaw, 1); }, "background has 3 features"},
        HostileCase{"ExactNaNBackground", [](const ExplainedModel& m, const Fitted&) { shapley_exact(m, x3(), with_nan(x3()), 0, kProb, 1); }, "background contains NaN"},
        HostileCase{"ExactTarget", [](const ExplainedModel& m, const Fitted&) { shapley_exact(m, x3(), x3(), 3, kProb, 1); }, "target must be in [0, 3)"},
        HostileCase{"SampledNoRows", [](const ExplainedModel& m, const Fitted&) { shapley_sampled(m, none(), x3(), 0, kRaw, 4, 1, 1); }, "X has no rows"},
        HostileCase{"SampledEmptyBackground", [](const ExplainedModel& m, const Fitted&) { shapley_sampled(m, x3(), none(), 0, kRaw, 4, 1, 1); }, "background needs at least one row"},
        HostileCase{"SampledNaNX", [](const ExplainedModel& m, const Fitted&) { shapley_sampled(m, with_nan(x3()), x3(), 0, kRaw, 4, 1, 1); }, "X contains NaN"},
        HostileCase{"SampledTarget", [](const ExplainedModel& m, const Fitted&) { shapley_sampled(m, x3(), x3(), -2, kRaw, 4, 1, 1); }, "target"},
        HostileCase{"SampledNoThreads", [](const ExplainedModel& m, const Fitted&) { shapley_sampled(m, x3(), x3(), 0, kRaw, 4, 1, 0); }, "n_threads"},
        // Permutation importance
        HostileCase{"PermutationOneRow", [](const ExplainedModel& m, const Fitted& f) { permutation_importance(m, f.x.topRows(1), f.y.head(1), Eigen::VectorXd(), 2, 1, 1); }, "at least 2 rows"},
        HostileCase{"PermutationNaNX", [](const ExplainedModel& m, const Fitted& f) { permutation_importance(m, with_nan(f.x), f.y, Eigen::VectorXd(), 2, 1, 1); }, "X contains NaN"},
        HostileCase{"PermutationShortY", [](const ExplainedModel& m, const Fitted& f) { permutation_importance(m, f.x, f.y.head(5), Eigen::VectorXd(), 2, 1, 1); }, "y has 5 values"},
        HostileCase{"PermutationLabelOutOfRange", [](const ExplainedModel& m, const Fitted& f) { Eigen::VectorXd y = f.y; y[0] = 3; permutation_importance(m, f.x, y, Eigen::VectorXd(), 2, 1, 1); }, "class indices"},
        HostileCase{"PermutationNaNWeight", [](const ExplainedModel& m, const Fitted& f) { Eigen::VectorXd w = Eigen::VectorXd::Ones(f.x.rows()); w[2] = kNaN; permutation_importance(m, f.x, f.y, w, 2, 1, 1); }, "sample_weight must be finite"},
        HostileCase{"PermutationNegativeWeight", [](const ExplainedModel& m, const Fitted& f) { Eigen::VectorXd w = Eigen::VectorXd::Ones(f.x.rows()); w[2] = -1; permutation_importance(m, f.x, f.y, w, 2, 1, 1); }, "sample_weight must be finite and >= 0"},
        HostileCase{"PermutationZeroWeights", [](const ExplainedModel& m, const Fitted& f) { permutation_importance(m, f.x, f.y, Eigen::VectorXd::Zero(f.x.rows()), 2, 1, 1); }, "all zero"},
        HostileCase{"PermutationNoThreads", [](const ExplainedModel& m, const Fitted& f) { permutation_importance(m, f.x, f.y, Eigen::VectorXd(), 2, 1, 0); }, "n_threads"},
        HostileCase{"LossNoRows", [](const ExplainedModel& m, const Fitted&) { model_loss(m, none(), Eigen::VectorXd(), Eigen::VectorXd(), 1); }, "X has no rows"},
        // Deletion / insertion curves and faithfulness
        HostileCase{"DeletionNoRows", [](const ExplainedModel& m, const Fitted&) { deletion_curve(m, none(), M::Ones(1, 4), mean_row(), 0, kRaw, false, 1); }, "X has no rows"},
        HostileCase{"DeletionNarrowBaseline", [](const ExplainedModel& m, const Fitted&) { deletion_curve(m, x3(), attributions3(), Eigen::RowVectorXd::Zero(3), 0, kRaw, false, 1); }, "baseline must have one value per feature"},
        HostileCase{"DeletionNaNBaseline", [](const ExplainedModel& m, const Fitted&) { Eigen::RowVectorXd b = mean_row(); b[1] = kNaN; deletion_curve(m, x3(), attributions3(), b, 0, kRaw, true, 1); }, "baseline contains NaN"},
        HostileCase{"DeletionNaNX", [](const ExplainedModel& m, const Fitted&) { deletion_curve(m, with_nan(x3()), attributions3(), mean_row(), 0, kRaw, false, 1); }, "X contains NaN"},
        HostileCase{"DeletionAttributionRows", [](const ExplainedModel& m, const Fitted&) { deletion_curve(m, x3(), M::Ones(2, 4), mean_row(), 0, kRaw, false, 1); }, "attributions must have shape"},
        HostileCase{"DeletionTarget", [](const ExplainedModel& m, const Fitted&) { deletion_curve(m, x3(), attributions3(), mean_row(), 3, kProb, false, 1); }, "target must be in [0, 3)"},
        HostileCase{"DeletionNoThreads", [](const ExplainedModel& m, const Fitted&) { deletion_curve(m, x3(), attributions3(), mean_row(), 0, kRaw, false, 0); }, "n_threads"},
        HostileCase{"FaithfulnessNaNAttributions", [](const ExplainedModel& m, const Fitted&) { faithfulness_correlation(m, x3(), with_nan(attributions3()), mean_row(), 0, kRaw, 1); }, "attributions contain NaN"},
        HostileCase{"FaithfulnessNaNReference", [](const ExplainedModel& m, const Fitted&) { Eigen::RowVectorXd r = mean_row(); r[0] = kNaN; faithfulness_correlation(m, x3(), attributions3(), r, 0, kRaw, 1); }, "reference contains NaN"},
        HostileCase{"FaithfulnessNoRows", [](const ExplainedModel& m, const Fitted&) { faithfulness_correlation(m, none(), M(0, 4), mean_row(), 0, kRaw, 1); }, "X has no rows"},
        HostileCase{"FaithfulnessTarget", [](const ExplainedModel& m, const Fitted&) { faithfulness_correlation(m, x3(), attributions3(), mean_row(), -1, kRaw, 1); }, "target"},
        // Outputs (called directly by the front ends) and the shared backpropagation
        HostileCase{"OutputsNarrowX", [](const ExplainedModel& m, const Fitted&) { m.outputs(narrow(), kRaw, 1); }, "X has 3 features"},
        HostileCase{"OutputsNoThreads", [](const ExplainedModel& m, const Fitted&) { m.outputs(x3(), kRaw, 0); }, "n_threads"},
        HostileCase{"NetworkInputNarrow", [](const ExplainedModel& m, const Fitted&) { m.network_input(narrow()); }, "X has 3 columns"},
        HostileCase{"TraceNarrow", [](const ExplainedModel& m, const Fitted&) { m.trace(narrow()); }, "the network input has 3 columns"},
        HostileCase{"BackpropagationTarget", [](const ExplainedModel& m, const Fitted&) { backpropagate_multipliers(m.estimator().network(), m.trace(m.network_input(x3())), nullptr, 3, MultiplierRule::gradient); }, "target must be in [0, 3)"},
        HostileCase{"BackpropagationNoReference", [](const ExplainedModel& m, const Fitted&) { backpropagate_multipliers(m.estimator().network(), m.trace(m.network_input(x3())), nullptr, 0, MultiplierRule::rescale); }, "reference"},
        // local_lipschitz: the explanation is the caller's and may return anything
        HostileCase{"LipschitzTooFewRows", [](const ExplainedModel&, const Fitted&) { local_lipschitz([](const M& r) { return M(r.topRows(1)); }, x3(), Eigen::VectorXd::Ones(4), 0.1, 5, 1); }, "one row of attributions per input row"},
        HostileCase{"LipschitzWidthChanges", [](const ExplainedModel&, const Fitted&) { local_lipschitz([](const M& r) { return M(M::Zero(r.rows(), r.rows() == 3 ? 4 : 2)); }, x3(), Eigen::VectorXd::Ones(4), 0.1, 5, 1); }, "same number of attributions"},
        HostileCase{"LipschitzNaNX", [](const ExplainedModel&, const Fitted&) { local_lipschitz([](const M& r) { return r; }, with_nan(x3()), Eigen::VectorXd::Ones(4), 0.1, 5, 1); }, "X contains NaN"},
        HostileCase{"LipschitzScaleWidth", [](const ExplainedModel&, const Fitted&) { local_lipschitz([](const M& r) { return r; }, x3(), Eigen::VectorXd::Ones(3), 0.1, 5, 1); }, "feature_scale must have one value per feature"}),
    [](const ::testing::TestParamInfo<HostileCase>& info) { return std::string(info.param.name); });
// clang-format on

// ------------------------------------------------------------- interrupts

namespace {
// An interrupt check that answers yes from its first call and records
// whether it was ever called off the thread that made it.
struct StopAtOnce {
  std::thread::id owner = std::this_thread::get_id();
  long calls = 0;
  bool off_thread = false;
  std::function<bool()> check() {
    return [this] {
      if (std::this_thread::get_id() != owner) off_thread = true;
      ++calls;
      return true;
    };
  }
};
}  // namespace

// Each call below is many seconds of work without interrupts, much of it in
// one work item (one row, one block), so only polling inside items stops it
// within a second or two.
struct InterruptCase {
  const char* name;
  std::function<void(const ExplainedModel&, const Fitted&, int, const std::function<bool()>&)> call;
};

class LongCalls : public ::testing::TestWithParam<std::tuple<InterruptCase, int>> {};

TEST_P(LongCalls, StopSoonAfterAnInterrupt) {
  const auto& [c, threads] = GetParam();
  const Fitted& f = fitted();
  const ExplainedModel model(f.est);
  StopAtOnce stop;
  const auto start = std::chrono::steady_clock::now();
  EXPECT_THROW(c.call(model, f, threads, stop.check()), Interrupted);
  EXPECT_LT(seconds_since(start), 2.0);
  EXPECT_GE(stop.calls, 1);
  EXPECT_FALSE(stop.off_thread) << "the interrupt check ran off the calling thread";
}

INSTANTIATE_TEST_SUITE_P(
    AllMethods, LongCalls,
    ::testing::Combine(
        ::testing::Values(
            // One row, the largest n_permutations: about 10^9 network rows.
            InterruptCase{"SampledShapleyOneRow",
                          [](const ExplainedModel& m, const Fitted& f, int t, const std::function<bool()>& stop) {
                            shapley_sampled(m, f.x.topRows(1), f.x.topRows(30), 0, ExplainedOutput::raw,
                                            kMaxShapleyPermutations, 1, t, stop);
                          }},
            // Rows of 2^4 coalitions over 300000 background rows each.
            InterruptCase{"ExactShapleyBigBackground",
                          [](const ExplainedModel& m, const Fitted& f, int t, const std::function<bool()>& stop) {
                            shapley_exact(m, f.x.topRows(8), f.x.replicate(1000, 1), 0, ExplainedOutput::raw, t, stop);
                          }},
            // One row, a million steps, 40 references: one block of work.
            InterruptCase{"IntegratedGradientsOneRow",
                          [](const ExplainedModel& m, const Fitted& f, int t, const std::function<bool()>& stop) {
                            integrated_gradients(m, f.x.topRows(1), f.x.topRows(40), 0, kMaxIntegrationSteps,
                                                 Quadrature::riemann_middle, t, stop);
                          }},
            // One block of 256 rows against 200000 references.
            InterruptCase{"DeepLiftManyReferences",
                          [](const ExplainedModel& m, const Fitted& f, int t, const std::function<bool()>& stop) {
                            deeplift(m, f.x.topRows(200), f.x.replicate(700, 1), 0, DeepLiftRule::reveal_cancel, t,
                                     stop);
                          }},
            InterruptCase{"GradientManyRows",
                          [](const ExplainedModel& m, const Fitted& f, int t, const std::function<bool()>& stop) {
                            input_gradient(m, f.x.replicate(20000, 1), 0, t, stop);
                          }},
            InterruptCase{"DeletionCurveManyRows",
                          [](const ExplainedModel& m, const Fitted& f, int t, const std::function<bool()>& stop) {
                            const Eigen::MatrixXd x = f.x.replicate(20000, 1);
                            deletion_curve(m, x, Eigen::MatrixXd::Ones(1, 4), x.colwise().mean(), 0,
                                           ExplainedOutput::raw, false, t, stop);
                          }},
            InterruptCase{"FaithfulnessManyRows",
                          [](const ExplainedModel& m, const Fitted& f, int t, const std::function<bool()>& stop) {
                            const Eigen::MatrixXd x = f.x.replicate(20000, 1);
                            faithfulness_correlation(m, x, Eigen::MatrixXd::Ones(x.rows(), 4), x.colwise().mean(), 0,
                                                     ExplainedOutput::raw, t, stop);
                          }},
            // Two features, 100 repeats of 10^6 rows each: every task is one big loss.
            InterruptCase{"PermutationImportanceBigTasks",
                          [](const ExplainedModel& m, const Fitted& f, int t, const std::function<bool()>& stop) {
                            permutation_importance(m, f.x.replicate(4000, 1), f.y.replicate(4000, 1),
                                                   Eigen::VectorXd(), 100, 1, t, stop);
                          }}),
        ::testing::Values(1, 2)),
    [](const ::testing::TestParamInfo<std::tuple<InterruptCase, int>>& info) {
      return std::string(std::get<0>(info.param).name) + "_" + std::to_string(std::get<1>(info.param)) + "threads";
    });

TEST(Interrupts, NeverAskedRunsToTheEnd) {
  const Fitted& f = fitted();
  const ExplainedModel model(f.est);
  const std::function<bool()> never = [] { return false; };
  const Eigen::MatrixXd x = f.x.topRows(5), refs = f.x.middleRows(10, 2);
  EXPECT_EQ(deeplift(model, x, refs, 1, DeepLiftRule::rescale, 2, never),
            deeplift(model, x, refs, 1, DeepLiftRule::rescale, 2));
  EXPECT_EQ(integrated_gradients(model, x, refs, 1, 20, Quadrature::gauss_legendre, 2, never),
            integrated_gradients(model, x, refs, 1, 20, Quadrature::gauss_legendre, 1));
  EXPECT_EQ(input_gradient(model, x, 2, 2, never), input_gradient(model, x, 2, 1));
}

// --------------------------------------------- results of the reworked loops

TEST(IntegratedGradients, BlockedPathsEqualTheQuadratureSumOfGradients) {
  const Fitted& f = fitted();
  const ExplainedModel model(f.est);
  const Eigen::MatrixXd x = f.x.topRows(3), refs = f.x.middleRows(50, 2);
  // 700 steps: one row per task, the steps in passes of 512 and 188.
  const long n_steps = 700;
  std::vector<double> points, weights;
  quadrature_rule(Quadrature::gauss_legendre, n_steps, points, weights);
  Eigen::MatrixXd expected = Eigen::MatrixXd::Zero(3, 4);
  for (long k = 0; k < refs.rows(); ++k) {
    const Eigen::MatrixXd delta = x.rowwise() - refs.row(k);
    Eigen::MatrixXd averaged = Eigen::MatrixXd::Zero(3, 4);
    for (long s = 0; s < n_steps; ++s) {
      const Eigen::MatrixXd point = (delta * points[static_cast<std::size_t>(s)]).rowwise() + refs.row(k);
      averaged += weights[static_cast<std::size_t>(s)] * input_gradient(model, point, 1, 1);
    }
    expected += averaged.cwiseProduct(delta) / static_cast<double>(refs.rows());
  }
  const Eigen::MatrixXd ig = integrated_gradients(model, x, refs, 1, n_steps, Quadrature::gauss_legendre, 2);
  EXPECT_LT((ig - expected).cwiseAbs().maxCoeff(), 1e-12);
}

TEST(Shapley, SampledOrdersWalkedInGroupsMergeExactly) {
  const Fitted& f = fitted();
  const ExplainedModel model(f.est);
  const Eigen::MatrixXd x = f.x.middleRows(20, 2), background = f.x.middleRows(200, 5);
  // 4 features: 8192 pairs per walk, so 20000 pairs take three groups.
  const ShapleyResult many = shapley_sampled(model, x, background, 2, ExplainedOutput::raw, 40000, 7, 1);
  const ShapleyResult threaded = shapley_sampled(model, x, background, 2, ExplainedOutput::raw, 40000, 7, 2);
  const ShapleyResult exact = shapley_exact(model, x, background, 2, ExplainedOutput::raw, 1);
  const ShapleyResult few = shapley_sampled(model, x, background, 2, ExplainedOutput::raw, 400, 7, 1);
  EXPECT_TRUE((many.values.array() == threaded.values.array()).all());
  EXPECT_TRUE((many.standard_error.array() == threaded.standard_error.array()).all());
  EXPECT_LT((many.values.rowwise().sum() - exact.values.rowwise().sum()).cwiseAbs().maxCoeff(), 1e-10);
  EXPECT_TRUE(((many.values - exact.values).cwiseAbs().array() <= 5.0 * many.standard_error.array() + 1e-9).all());
  // The standard error falls as 1 / sqrt(pairs): 100 times the pairs, a tenth of it.
  for (long i = 0; i < 2; ++i)
    for (long j = 0; j < 4; ++j)
      if (few.standard_error(i, j) > 1e-9) {
        const double ratio = many.standard_error(i, j) / few.standard_error(i, j);
        EXPECT_GT(ratio, 0.05);
        EXPECT_LT(ratio, 0.2);
      }
  EXPECT_EQ(many.evaluations_per_row, 2L * 20000 * 3 * 5 + 1);
}

TEST(Metrics, CurvesInManyBatchesEqualTheCurvesOfFewRows) {
  const Fitted& f = fitted();
  const ExplainedModel model(f.est);
  // 4 features: 2^22 / 4 perturbed rows per batch, so 300000 rows (1.5 million
  // perturbed rows) take two batches.
  const Eigen::MatrixXd x = f.x.replicate(1000, 1);
  const Eigen::RowVectorXd baseline = x.colwise().mean();
  Eigen::MatrixXd attributions = Eigen::MatrixXd::Zero(1, 4);
  attributions << 0.1, 0.4, 0.3, 0.2;
  const PerturbationCurve all = deletion_curve(model, x, attributions, baseline, 1, ExplainedOutput::raw, false, 2);
  const PerturbationCurve few =
      deletion_curve(model, f.x, attributions, baseline, 1, ExplainedOutput::raw, false, 1);
  EXPECT_LT((all.curves.bottomRows(300) - few.curves).cwiseAbs().maxCoeff(), 1e-12);
  EXPECT_LT((all.curves.middleRows(209700, 300) - few.curves).cwiseAbs().maxCoeff(), 1e-12);
  EXPECT_NEAR(all.auc, few.auc, 1e-12);
}

// ----------------------------------------------------- Gauss-Legendre rule

namespace {
// Node and weight nearest `guess` by Newton on the textbook recurrence in
// long double: an independent check of single nodes at any n.
std::pair<long double, long double> reference_node(long n, long double point) {
  long double x = 2.0L * point - 1.0L;
  long double p = 0, previous = 0;
  for (int iteration = 0; iteration < 6; ++iteration) {
    long double p0 = 1.0L, p1 = x;
    for (long k = 2; k <= n; ++k) {
      const long double p2 = ((2.0L * k - 1.0L) * x * p1 - (k - 1.0L) * p0) / k;
      p0 = p1;
      p1 = p2;
    }
    p = p1;
    previous = p0;
    const long double derivative = n * (x * p - previous) / (x * x - 1.0L);
    x -= p / derivative;
  }
  long double p0 = 1.0L, p1 = x;
  for (long k = 2; k <= n; ++k) {
    const long double p2 = ((2.0L * k - 1.0L) * x * p1 - (k - 1.0L) * p0) / k;
    p0 = p1;
    p1 = p2;
  }
  const long double derivative = n * (x * p1 - p0) / (x * x - 1.0L);
  return {(1.0L + x) / 2.0L, 1.0L / ((1.0L - x * x) * derivative * derivative)};
}

double integral_of_power(const std::vector<double>& points, const std::vector<double>& weights, long m) {
  long double sum = 0.0L;
  for (std::size_t k = 0; k < points.size(); ++k)
    sum += static_cast<long double>(weights[k]) * std::pow(static_cast<long double>(points[k]), static_cast<long double>(m));
  return static_cast<double>(sum);
}
}  // namespace

TEST(GaussLegendre, FivePointsAreTheKnownValues) {
  std::vector<double> points, weights;
  quadrature_rule(Quadrature::gauss_legendre, 5, points, weights);
  const double a = std::sqrt(5.0 - 2.0 * std::sqrt(10.0 / 7.0)) / 3.0;
  const double b = std::sqrt(5.0 + 2.0 * std::sqrt(10.0 / 7.0)) / 3.0;
  const std::vector<double> nodes{-b, -a, 0.0, a, b};  // on [-1, 1], ascending
  const std::vector<double> node_weights{(322.0 - 13.0 * std::sqrt(70.0)) / 900.0,
                                         (322.0 + 13.0 * std::sqrt(70.0)) / 900.0, 128.0 / 225.0,
                                         (322.0 + 13.0 * std::sqrt(70.0)) / 900.0,
                                         (322.0 - 13.0 * std::sqrt(70.0)) / 900.0};
  for (std::size_t k = 0; k < 5; ++k) {
    EXPECT_NEAR(points[k], 0.5 * (1.0 + nodes[k]), 2e-16) << k;
    EXPECT_NEAR(weights[k], 0.5 * node_weights[k], 2e-16) << k;
  }
}

TEST(GaussLegendre, WeightsSumToOneAndNodesAreSymmetricAscending) {
  for (long n : {1L, 2L, 3L, 7L, 64L, 100L, 101L, 257L, 1000L, 4097L, 100000L, kMaxIntegrationSteps}) {
    std::vector<double> points, weights;
    quadrature_rule(Quadrature::gauss_legendre, n, points, weights);
    ASSERT_EQ(points.size(), static_cast<std::size_t>(n));
    long double sum = 0.0L;
    for (double w : weights) sum += w;
    EXPECT_NEAR(static_cast<double>(sum), 1.0, 1e-14) << n;
    for (long k = 0; k < n; ++k) {
      ASSERT_TRUE(points[static_cast<std::size_t>(k)] > 0.0 && points[static_cast<std::size_t>(k)] < 1.0) << n;
      ASSERT_TRUE(weights[static_cast<std::size_t>(k)] > 0.0) << n;
      if (k > 0) ASSERT_LT(points[static_cast<std::size_t>(k - 1)], points[static_cast<std::size_t>(k)]) << n << " " << k;
      ASSERT_NEAR(points[static_cast<std::size_t>(k)] + points[static_cast<std::size_t>(n - 1 - k)], 1.0, 2.3e-16);
      ASSERT_EQ(weights[static_cast<std::size_t>(k)], weights[static_cast<std::size_t>(n - 1 - k)]);
    }
  }
}

TEST(GaussLegendre, IntegratesPolynomialsUpToDegreeTwoNMinusOne) {
  for (long n : {1L, 2L, 5L, 20L, 99L, 100L, 101L, 150L, 1000L, 100000L}) {
    std::vector<double> points, weights;
    quadrature_rule(Quadrature::gauss_legendre, n, points, weights);
    for (long m : {0L, 1L, 2L, 3L, 7L, 30L, n, 2 * n - 2, 2 * n - 1}) {
      if (m < 0 || m > 2 * n - 1) continue;
      // Relative error: rounding grows with the degree (points near 1 carry
      // an absolute error of 1e-16, raised to the m-th power).
      const double exact = 1.0 / static_cast<double>(m + 1);
      EXPECT_NEAR(integral_of_power(points, weights, m) / exact, 1.0, 1e-14 + 1e-16 * static_cast<double>(m))
          << "n = " << n << ", degree " << m;
    }
  }
  // Not exact one degree higher: the rule is Gauss's, not a finer one.
  std::vector<double> points, weights;
  quadrature_rule(Quadrature::gauss_legendre, 5, points, weights);
  EXPECT_GT(std::abs(integral_of_power(points, weights, 10) * 11.0 - 1.0), 1e-6);
}

TEST(GaussLegendre, LargeRulesMatchNewtonInLongDoubleNodeByNode) {
  for (long n : {101L, 1000L, 100000L}) {
    std::vector<double> points, weights;
    quadrature_rule(Quadrature::gauss_legendre, n, points, weights);
    // The ends (recurrence nodes), the switch to the expansion, the interior.
    for (long k : {0L, 1L, 5L, 7L, 8L, 9L, 12L, 40L, n / 7, n / 3, n / 2, n - 1}) {
      const auto [point, weight] = reference_node(n, points[static_cast<std::size_t>(k)]);
      EXPECT_NEAR(points[static_cast<std::size_t>(k)], static_cast<double>(point),
                  4e-16 + 1e-14 * static_cast<double>(point))
          << n << " " << k;
      // Near the ends the reference itself is coarse: x = 2p - 1 resolves p
      // only to 1e-19 there, whence the second term.
      const double end = std::min(points[static_cast<std::size_t>(k)], 1.0 - points[static_cast<std::size_t>(k)]);
      EXPECT_NEAR(weights[static_cast<std::size_t>(k)] / static_cast<double>(weight), 1.0, 1e-13 + 1e-19 / end)
          << n << " " << k;
    }
  }
}

TEST(GaussLegendre, AMillionNodesTakeLinearTime) {
  // The former O(n^2) Newton took hours for this; O(n) takes well under a second.
  std::vector<double> points, weights;
  const auto start = std::chrono::steady_clock::now();
  quadrature_rule(Quadrature::gauss_legendre, kMaxIntegrationSteps, points, weights);
  EXPECT_LT(seconds_since(start), 10.0);
}
