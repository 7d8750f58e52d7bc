// The training loop's wiring: one full-batch SGD step of Estimator::fit must
// move every parameter by exactly -learning_rate times the gradient that
// Network::backward + finish_scores_gradient give for the total loss, and the
// gradient buffers the optimiser reads must keep their storage.
#include <gtest/gtest.h>

#include <vector>

#include "scoresactivation/estimator.hpp"
#include "scoresactivation/loss.hpp"
#include "scoresactivation/network.hpp"
#include "test_helpers.hpp"

using namespace scoresactivation;

TEST(Training, GradientBuffersKeepTheirStorage) {
  // The optimiser holds raw pointers into one Gradients object; summing the
  // blocks and finishing the scores gradient must write into that storage.
  // (Regression: finish_scores_gradient once move-assigned grads.scores,
  // which swapped buffers and left the optimiser reading freed memory.)
  Network net(5, {4}, 3, Activation::tanh, true, 1.0);
  Random random(2);
  net.initialise(random);
  net.scores_layer().raw_scores() = sa_test::uniform_vector(random, 5, -1.0, 1.0);
  Gradients total = net.zero_gradients();
  std::vector<const double*> before{total.scores.data(), total.gate_weights.data()};
  for (std::size_t l = 0; l < total.weights.size(); ++l) {
    before.push_back(total.weights[l].data());
    before.push_back(total.biases[l].data());
  }
  const Eigen::MatrixXd x = sa_test::normal_matrix(random, 6, 5);
  Eigen::VectorXd labels(6);
  labels << 0, 1, 2, 0, 1, 2;
  ForwardCache cache;
  net.forward(KernelPath::portable, x, cache);
  Eigen::MatrixXd grad_output;
  softmax_cross_entropy(cache.output, labels, Eigen::VectorXd::Ones(6), 6.0, &grad_output);
  Gradients block;
  net.backward(KernelPath::portable, x, cache, grad_output, block);
  for (int repeat = 0; repeat < 2; ++repeat) {
    Network::accumulate(total, block);
    net.finish_scores_gradient(0.03, total);
  }
  std::vector<const double*> after{total.scores.data(), total.gate_weights.data()};
  for (std::size_t l = 0; l < total.weights.size(); ++l) {
    after.push_back(total.weights[l].data());
    after.push_back(total.biases[l].data());
  }
  EXPECT_EQ(before, after);
  EXPECT_NE(total.scores.cwiseAbs().maxCoeff(), 0.0);
}

namespace {

struct StepCase {
  bool scores_layer;
  bool classification;
  const char* gate = "scale";
};

}  // namespace

class OneSgdStep : public ::testing::TestWithParam<StepCase> {};

TEST_P(OneSgdStep, MovesEveryParameterByTheNetworkGradient) {
  const StepCase c = GetParam();
  const sa_test::Dataset data =
      c.classification ? sa_test::make_classification(150, 6, 3, 77, 3) : sa_test::make_regression(150, 6, 78);
  Random wr(79);
  const Eigen::VectorXd sample_weight = sa_test::uniform_vector(wr, 150, 0.2, 2.0);

  Params p;
  p.hidden_layer_sizes = {7, 5};
  p.activation = "tanh";
  p.scores_layer = c.scores_layer;
  p.temperature = 0.8;
  p.entropy_penalty = 0.05;
  p.solver = "sgd";
  p.momentum = 0.0;
  p.learning_rate = 0.01;
  p.scores_learning_rate = 0.3;
  p.weight_decay = 0.5;
  p.batch_size = 1000;  // one full batch (several 32/128-row blocks)
  p.max_epochs = 1;
  p.early_stopping = false;
  p.random_state = 5;
  p.kernel = "portable";
  p.gate = c.gate;
  p.snr_budget = 1.7;
  p.refine_epochs = 0;
  Estimator est(p, c.classification ? Task::classification : Task::regression);
  est.fit(data.x, data.y, sample_weight, data.n_classes);
  ASSERT_EQ(est.n_epochs_run(), 1);

  // Replay: same initial network (the first draws of Random(random_state)
  // are the dense weights), gradient on the whole standardised set.
  const long n_outputs = c.classification ? data.n_classes : 1;
  const GateKind gate = gate_kind_from_string(p.gate);
  Network start(6, p.hidden_layer_sizes, n_outputs, Activation::tanh, c.scores_layer, p.temperature, gate,
                p.snr_budget);
  Random random(p.random_state);
  start.initialise(random);
  const Eigen::MatrixXd xs = (data.x.rowwise() - est.input_mean().transpose()).array().rowwise() /
                             est.input_scale().transpose().array();
  // The snr gate's noise: batch position i (rows in the epoch's shuffled
  // order, 128-row blocks, each block its own stream) belongs to data row
  // order[i].
  Eigen::MatrixXd noise = Eigen::MatrixXd::Zero(150, 6);
  const bool noisy = c.scores_layer && gate == GateKind::snr;
  if (noisy) {
    std::vector<std::size_t> order(150);
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    random.shuffle(order);
    const std::uint64_t noise_seed = derive_seed(p.random_state, 0x6E6F697365ULL);
    for (long start_row = 0, block = 0; start_row < 150; start_row += 128, ++block) {
      const long rows = std::min(128L, 150 - start_row);
      Eigen::MatrixXd block_noise(rows, 6);
      Random(derive_seed(noise_seed, 1, static_cast<std::uint64_t>(block)))
          .fill_normal(block_noise.data(), static_cast<std::size_t>(block_noise.size()));
      for (long i = 0; i < rows; ++i) noise.row(static_cast<long>(order[static_cast<std::size_t>(start_row + i)])) = block_noise.row(i);
    }
  }
  ForwardCache cache;
  start.forward(KernelPath::portable, xs, cache, noisy ? &noise : nullptr);
  Eigen::MatrixXd grad_output;
  const double normaliser = sample_weight.sum();
  if (c.classification) {
    softmax_cross_entropy(cache.output, data.y, sample_weight, normaliser, &grad_output);
  } else {
    const double mean = data.y.mean();
    const double sd = std::sqrt((data.y.array() - mean).square().mean());
    const Eigen::MatrixXd targets = ((data.y.array() - mean) / sd).matrix();
    squared_error(cache.output, targets, sample_weight, normaliser, &grad_output);
  }
  Gradients grads;
  start.backward(KernelPath::portable, xs, cache, grad_output, grads, noisy ? &noise : nullptr);
  start.finish_scores_gradient(p.entropy_penalty, grads);

  // SGD, momentum 0, decoupled decay on the dense weights only.
  const Network& fitted = est.network();
  for (std::size_t l = 0; l < start.layers().size(); ++l) {
    SCOPED_TRACE("layer " + std::to_string(l));
    const Eigen::MatrixXd w = start.layers()[l].weight * (1.0 - p.learning_rate * p.weight_decay) -
                              p.learning_rate * grads.weights[l];
    const Eigen::VectorXd b = start.layers()[l].bias - p.learning_rate * grads.biases[l];
    EXPECT_TRUE(fitted.layers()[l].weight.isApprox(w, 1e-12));
    EXPECT_TRUE(fitted.layers()[l].bias.isApprox(b, 1e-12));
  }
  if (c.scores_layer) {
    const Eigen::VectorXd s = -p.scores_learning_rate * grads.scores;  // from s = 0, no decay
    ASSERT_GT(s.cwiseAbs().maxCoeff(), 1e-6);
    EXPECT_TRUE(fitted.scores_layer().raw_scores().isApprox(s, 1e-10))
        << fitted.scores_layer().raw_scores().transpose() << "\nexpected " << s.transpose();
  }
}

INSTANTIATE_TEST_SUITE_P(Cases, OneSgdStep,
                         ::testing::Values(StepCase{true, true}, StepCase{false, true}, StepCase{true, false},
                                           StepCase{false, false}, StepCase{true, true, "snr"},
                                           StepCase{true, false, "snr"}),
                         [](const ::testing::TestParamInfo<StepCase>& info) {
                           return std::string(info.param.scores_layer ? "scores_" : "plain_") +
                                  (info.param.classification ? "classification" : "regression") + "_" +
                                  info.param.gate;
                         });

TEST(Training, RefinementFreezesTheScoresAndKeepsTrainingTheNetwork) {
  const sa_test::Dataset data = sa_test::make_classification(300, 5, 3, 81, 2);
  Params p;
  p.hidden_layer_sizes = {8};
  p.max_epochs = 4;
  p.refine_epochs = 3;
  p.early_stopping = false;
  p.random_state = 3;
  Estimator est(p, Task::classification);
  est.fit(data.x, data.y, Eigen::VectorXd(), data.n_classes);
  ASSERT_EQ(est.n_epochs_run(), 7);
  const Eigen::MatrixXd& history = est.scores_history();
  // The scores move while they learn, then stay exactly where phase 1 left them.
  EXPECT_GT((history.row(3) - history.row(0)).cwiseAbs().maxCoeff(), 1e-4);
  for (long e = 4; e < 7; ++e) EXPECT_TRUE(sa_test::bit_identical(history.row(e), history.row(3))) << "epoch " << e + 1;
  EXPECT_TRUE(sa_test::bit_identical(est.scores(), Eigen::VectorXd(history.row(6).transpose())));

  // Phase 1 alone gives the same scores; the refined network differs.
  Params only_scores = p;
  only_scores.refine_epochs = 0;
  Estimator first(only_scores, Task::classification);
  first.fit(data.x, data.y, Eigen::VectorXd(), data.n_classes);
  ASSERT_EQ(first.n_epochs_run(), 4);
  EXPECT_TRUE(sa_test::bit_identical(first.scores(), est.scores()));
  EXPECT_FALSE(first.network().layers()[0].weight.isApprox(est.network().layers()[0].weight, 1e-6));
  // The refinement trains without noise: its training loss is the clean one.
  EXPECT_LT(est.loss_curve().back(), first.loss_curve().back());
}

TEST(Training, ScaleGateWithoutRefinementIsThePapersFormulation) {
  // gate = "scale" draws no noise and never freezes: each epoch is one
  // multiplicative-gate pass, as before the snr gate existed.
  const sa_test::Dataset data = sa_test::make_classification(300, 5, 3, 82, 2);
  Params p;
  p.hidden_layer_sizes = {8};
  p.gate = "scale";
  p.refine_epochs = 0;
  p.max_epochs = 5;
  p.early_stopping = false;
  p.random_state = 4;
  Estimator est(p, Task::classification);
  est.fit(data.x, data.y, Eigen::VectorXd(), data.n_classes);
  EXPECT_EQ(est.n_epochs_run(), 5);
  const Eigen::VectorXd w = est.scores();
  EXPECT_TRUE(est.network().scores_layer().gate().isApprox(5.0 * w, 1e-15));
  EXPECT_TRUE(est.network().scores_layer().noise_scale().isZero(0.0));
}

TEST(Bootstrap, EachReplicateIsAFitOnItsOwnResampleWithItsOwnSeed) {
  const sa_test::Dataset data = sa_test::make_regression(120, 4, 83);
  Params p;
  p.hidden_layer_sizes = {6};
  p.max_epochs = 4;
  p.refine_epochs = 1;
  p.n_bootstrap = 3;
  p.random_state = 9;
  p.n_threads = 2;
  Estimator est(p, Task::regression);
  est.fit(data.x, data.y, Eigen::VectorXd(), 0);
  const Eigen::MatrixXd& b = est.scores_bootstrap();
  ASSERT_EQ(b.rows(), 3);
  ASSERT_EQ(b.cols(), 4);
  // Replay replicate 2 by hand: n rows drawn with replacement from its
  // stream, then a plain fit with the stream's next draw as its seed.
  Random rows(derive_seed(p.random_state, 0x626F6F74ULL, 2));
  Eigen::MatrixXd xb(120, 4);
  Eigen::VectorXd yb(120);
  for (long i = 0; i < 120; ++i) {
    const long r = static_cast<long>(rows.uniform_index(120));
    xb.row(i) = data.x.row(r);
    yb[i] = data.y[r];
  }
  Params single = p;
  single.n_bootstrap = 0;
  single.n_threads = 1;
  single.random_state = rows.next_u64();
  Estimator replay(single, Task::regression);
  replay.fit(xb, yb, Eigen::VectorXd(), 0);
  EXPECT_TRUE(sa_test::bit_identical(Eigen::VectorXd(b.row(2).transpose()), replay.scores()));
  // The main fit is the fit without bootstrap.
  Params none = p;
  none.n_bootstrap = 0;
  Estimator main_fit(none, Task::regression);
  main_fit.fit(data.x, data.y, Eigen::VectorXd(), 0);
  EXPECT_TRUE(sa_test::bit_identical(main_fit.scores(), est.scores()));
  EXPECT_EQ(main_fit.scores_bootstrap().rows(), 0);
  // The state carries the replicates; a rebuilt estimator has them.
  const Estimator rebuilt(p, est.state());
  EXPECT_TRUE(sa_test::bit_identical(rebuilt.scores_bootstrap(), b));
}
