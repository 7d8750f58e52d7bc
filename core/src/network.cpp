#include "scoresactivation/network.hpp"

#include <stdexcept>

namespace scoresactivation {

Network::Network(long n_features, const std::vector<long>& hidden_layer_sizes, long n_outputs,
                 Activation activation, bool scores_layer, double temperature)
    : n_features_(n_features), has_scores_(scores_layer), activation_(activation) {
  if (scores_layer) scores_ = ScoresLayer(n_features, temperature);
  long n_in = n_features;
  for (long width : hidden_layer_sizes) {
    layers_.emplace_back(n_in, width);
    n_in = width;
  }
  layers_.emplace_back(n_in, n_outputs);
}

void Network::initialise(Random& random) {
  if (has_scores_) scores_.raw_scores().setZero();
  for (DenseLayer& layer : layers_) layer.initialise(random, activation_ == Activation::logistic);
}

void Network::forward(KernelPath path, const Eigen::MatrixXd& x, ForwardCache& cache) const {
  const Eigen::MatrixXd* input = &x;
  if (has_scores_) {
    scores_.forward(x, cache.gated_input);
    input = &cache.gated_input;
  }
  const std::size_t n_hidden = layers_.size() - 1;
  cache.activations.resize(n_hidden);
  Eigen::MatrixXd z;
  for (std::size_t l = 0; l < n_hidden; ++l) {
    layers_[l].forward(path, *input, z);
    apply_activation(activation_, z, cache.activations[l]);
    input = &cache.activations[l];
  }
  layers_.back().forward(path, *input, cache.output);
}

Eigen::MatrixXd Network::predict(KernelPath path, const Eigen::MatrixXd& x) const {
  ForwardCache cache;
  forward(path, x, cache);
  return std::move(cache.output);
}

Gradients Network::zero_gradients() const {
  Gradients grads;
  grads.gate_weights = Eigen::VectorXd::Zero(has_scores_ ? n_features_ : 0);
  grads.scores = grads.gate_weights;
  for (const DenseLayer& layer : layers_) {
    grads.weights.push_back(Eigen::MatrixXd::Zero(layer.n_in(), layer.n_out()));
    grads.biases.push_back(Eigen::VectorXd::Zero(layer.n_out()));
  }
  return grads;
}

void Network::backward(KernelPath path, const Eigen::MatrixXd& x, const ForwardCache& cache,
                       const Eigen::MatrixXd& grad_output, Gradients& grads) const {
  grads.weights.resize(layers_.size());
  grads.biases.resize(layers_.size());
  Eigen::MatrixXd grad_z = grad_output;
  Eigen::MatrixXd grad_input;
  for (std::size_t l = layers_.size(); l-- > 0;) {
    const Eigen::MatrixXd& input =
        l > 0 ? cache.activations[l - 1] : (has_scores_ ? cache.gated_input : x);
    const bool need_input_grad = l > 0 || has_scores_;
    layers_[l].backward(path, input, grad_z, grads.weights[l], grads.biases[l],
                        need_input_grad ? &grad_input : nullptr);
    if (l > 0) {
      multiply_by_derivative(activation_, cache.activations[l - 1], grad_input);
      grad_z.swap(grad_input);
    }
  }
  if (has_scores_) grads.gate_weights = scores_.weights_gradient(x, grad_input);
}

void Network::finish_scores_gradient(double entropy_penalty, Gradients& grads) const {
  // noalias copies into the existing buffer; a plain move-assignment would
  // swap storage and leave the optimiser pointing at freed memory.
  if (has_scores_) grads.scores.noalias() = scores_.scores_gradient(grads.gate_weights, entropy_penalty);
}

void Network::accumulate(Gradients& a, const Gradients& b) {
  a.gate_weights += b.gate_weights;
  for (std::size_t l = 0; l < a.weights.size(); ++l) {
    a.weights[l] += b.weights[l];
    a.biases[l] += b.biases[l];
  }
}

}  // namespace scoresactivation
