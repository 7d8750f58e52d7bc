// AdamW and SGD with momentum: hand-computed steps, decoupled decay, and the
// parallel loop the training relies on.
#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <stdexcept>
#include <vector>

#include "scoresactivation/optimizer.hpp"
#include "scoresactivation/parallel.hpp"

using namespace scoresactivation;

TEST(Optimizer, AdamWFirstStepsByHand) {
  OptimizerSettings settings;  // adam, beta 0.9 / 0.999, eps 1e-8
  Optimizer optimizer(settings);
  double p[2] = {1.0, -2.0};
  double g[2] = {0.5, -0.25};
  optimizer.set_slots({ParameterSlot{p, g, 2, 0.1, 0.5}});
  optimizer.step();
  // Step 1: p <- p (1 - 0.1 * 0.5), then m_hat = g, v_hat = g^2,
  // p -= 0.1 * g / (|g| + eps).
  EXPECT_DOUBLE_EQ(p[0], 0.95 - 0.1 * 0.5 / (0.5 + 1e-8));
  EXPECT_DOUBLE_EQ(p[1], -1.9 + 0.1 * 0.25 / (0.25 + 1e-8));
  // Step 2 with a new gradient, by the textbook formulas.
  const double p0 = p[0];
  g[0] = -1.0;
  optimizer.step();
  const double m = 0.9 * (0.1 * 0.5) + 0.1 * -1.0;
  const double v = 0.999 * (0.001 * 0.25) + 0.001 * 1.0;
  const double m_hat = m / (1 - 0.81), v_hat = v / (1 - 0.999 * 0.999);
  EXPECT_NEAR(p[0], p0 * 0.95 - 0.1 * m_hat / (std::sqrt(v_hat) + 1e-8), 1e-15);
}

TEST(Optimizer, SgdMomentumByHand) {
  OptimizerSettings settings;
  settings.solver = Solver::sgd;
  settings.momentum = 0.9;
  Optimizer optimizer(settings);
  double p = 1.0, g = 0.5;
  optimizer.set_slots({ParameterSlot{&p, &g, 1, 0.1, 0.0}});
  optimizer.step();
  EXPECT_DOUBLE_EQ(p, 0.95);  // v = -0.05
  optimizer.step();
  EXPECT_DOUBLE_EQ(p, 0.855);  // v = 0.9 * -0.05 - 0.05 = -0.095
}

TEST(Optimizer, DecayIsDecoupledAndPerSlot) {
  // Zero gradient: Adam's update is 0 / (0 + eps) = 0, only the decay acts.
  Optimizer optimizer(OptimizerSettings{});
  double decayed = 2.0, kept = 2.0, zero = 0.0;
  optimizer.set_slots({ParameterSlot{&decayed, &zero, 1, 1e-3, 1.0}, ParameterSlot{&kept, &zero, 1, 1e-2, 0.0}});
  for (int i = 0; i < 10; ++i) optimizer.step();
  EXPECT_NEAR(decayed, 2.0 * std::pow(1.0 - 1e-3, 10), 1e-15);
  EXPECT_EQ(kept, 2.0);
}

TEST(Optimizer, SolverNames) {
  EXPECT_EQ(solver_from_string("adam"), Solver::adam);
  EXPECT_EQ(solver_from_string("sgd"), Solver::sgd);
  EXPECT_EQ(to_string(Solver::sgd), "sgd");
  EXPECT_THROW(solver_from_string("lbfgs"), std::invalid_argument);
}

TEST(ParallelFor, RunsEveryItemOnceForAnyThreadCount) {
  for (int threads : {1, 2, 3}) {
    std::vector<std::atomic<int>> hits(37);
    for (auto& h : hits) h = 0;
    parallel_for(37, threads, [&](long i) { ++hits[static_cast<std::size_t>(i)]; });
    for (auto& h : hits) EXPECT_EQ(h.load(), 1);
  }
  parallel_for(0, 2, [](long) { FAIL(); });
}

TEST(ParallelFor, RethrowsOnTheCallingThread) {
  for (int threads : {1, 2}) {
    EXPECT_THROW(parallel_for(10, threads,
                              [](long i) {
                                if (i == 7) throw std::invalid_argument("item 7");
                              }),
                 std::invalid_argument);
  }
}
