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
  Estimator est(p, c.classification ? Task::classification : Task::regression);
  est.fit(data.x, data.y, sample_weight, data.n_classes);
  ASSERT_EQ(est.n_epochs_run(), 1);

  // Replay: same initial network (the first draws of Random(random_state)
  // are the dense weights), gradient on the whole standardised set.
  const long n_outputs = c.classification ? data.n_classes : 1;
  Network start(6, p.hidden_layer_sizes, n_outputs, Activation::tanh, c.scores_layer, p.temperature);
  Random random(p.random_state);
  start.initialise(random);
  const Eigen::MatrixXd xs = (data.x.rowwise() - est.input_mean().transpose()).array().rowwise() /
                             est.input_scale().transpose().array();
  ForwardCache cache;
  start.forward(KernelPath::portable, xs, cache);
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
  start.backward(KernelPath::portable, xs, cache, grad_output, grads);
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
                                           StepCase{false, false}),
                         [](const ::testing::TestParamInfo<StepCase>& info) {
                           return std::string(info.param.scores_layer ? "scores_" : "plain_") +
                                  (info.param.classification ? "classification" : "regression");
                         });
