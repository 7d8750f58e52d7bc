// Hyperparameters, shared by the Python and R front ends (same names there).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace scoresactivation {

// Limits far above any real model and far below what could overflow a size
// computation or exhaust memory before any data is seen.
constexpr long kMaxLayerWidth = 1L << 20;
constexpr long kMaxEpochs = 1000000;
constexpr int kMaxThreads = 1 << 16;

struct Params {
  std::vector<long> hidden_layer_sizes{64, 32};
  std::string activation = "relu";  // relu, tanh, logistic, identity
  bool scores_layer = true;         // false: the same network without the layer
  // How the scores act on the inputs (ScoresLayer): "snr" splits a
  // signal-to-noise budget of snr_budget * d between the features; "scale"
  // is the paper's multiplicative gate d * w.
  std::string gate = "snr";
  double snr_budget = 1.5;  // c: the budget is c * d (c per feature on average)
  double temperature = 1.0;         // T in w = softmax(s / T)
  double entropy_penalty = 0.0;     // lambda * H(w), pushes w to commit
  std::string solver = "adam";      // adam (AdamW) or sgd (momentum)
  double learning_rate = 2e-3;      // dense weights and biases
  double scores_learning_rate = 1e-2;
  // Decoupled decay of the dense weights (not biases, not scores): each step
  // multiplies them by (1 - learning_rate * weight_decay).
  double weight_decay = 0.1;
  double momentum = 0.9;  // sgd only
  double beta_1 = 0.9;    // adam only
  double beta_2 = 0.999;
  double epsilon = 1e-8;
  long batch_size = 64;
  long max_epochs = 200;
  // After the scores are learnt: epochs with the scores frozen and no
  // training noise, so the network fits the clean gated inputs it predicts on.
  long refine_epochs = 20;
  // Refits on bootstrap resamples after the fit, for the scores' uncertainty
  // (Estimator::scores_bootstrap); 0: none.
  long n_bootstrap = 0;
  bool early_stopping = true;
  double validation_fraction = 0.1;
  long n_iter_no_change = 15;
  double tol = 1e-4;
  bool standardize = true;
  std::uint64_t random_state = 0;
  int n_threads = 1;
  std::string kernel = "auto";  // auto, avx2 or portable (bit-identical everywhere)

  // Throws std::invalid_argument naming the first bad parameter.
  void validate() const;
};

}  // namespace scoresactivation
