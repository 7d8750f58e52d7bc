#include "scoresactivation/network.hpp"

#include <stdexcept>

namespace scoresactivation {

Network::Network(long n_features, const std::vector<long>& hidden_layer_sizes, long n_outputs,
                 Activation activation, bool scores_layer, double temperature, GateKind gate,
                 double snr_budget, const std::vector<long>& score_groups)
    : n_features_(n_features), has_scores_(scores_layer), activation_(activation) {
  if (scores_layer) scores_ = ScoresLayer(n_features, temperature, gate, snr_budget, score_groups);
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

void Network::forward(KernelPath path, const Eigen::MatrixXd& x, ForwardCache& cache,
                      const Eigen::MatrixXd* noise) const {
  const Eigen::MatrixXd* input = &x;
  if (has_scores_) {
    cache.gate = scores_.gate();
    cache.gated_input = x * cache.gate.asDiagonal();
    if (noise != nullptr) {
      cache.noise_scale = scores_.noise_scale();
      cache.gated_input.noalias() += *noise * cache.noise_scale.asDiagonal();
    }
    input = &cache.gated_input;
  }
  const std::size_t n_hidden = layers_.size() - 1;
  cache.activations.resize(n_hidden);
  for (std::size_t l = 0; l < n_hidden; ++l) {
    layers_[l].forward(path, *input, cache.activations[l]);
    apply_activation(activation_, cache.activations[l], cache.activations[l]);  // in place
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
  grads.gate_weights = Eigen::VectorXd::Zero(has_scores_ ? scores_.n_scores() : 0);
  grads.scores = grads.gate_weights;
  for (const DenseLayer& layer : layers_) {
    grads.weights.push_back(Eigen::MatrixXd::Zero(layer.n_in(), layer.n_out()));
    grads.biases.push_back(Eigen::VectorXd::Zero(layer.n_out()));
  }
  return grads;
}

void Network::backward(KernelPath path, const Eigen::MatrixXd& x, ForwardCache& cache,
                       const Eigen::MatrixXd& grad_output, Gradients& grads,
                       const Eigen::MatrixXd* noise, Eigen::MatrixXd* grad_input) const {
  grads.weights.resize(layers_.size());
  grads.biases.resize(layers_.size());
  if (&grad_output != &cache.grad_z) cache.grad_z = grad_output;
  for (std::size_t l = layers_.size(); l-- > 1;) {
    layers_[l].backward(path, cache.activations[l - 1], cache.grad_z, grads.weights[l], grads.biases[l],
                        &cache.grad_input);
    multiply_by_derivative(activation_, cache.activations[l - 1], cache.grad_input);
    cache.grad_z.swap(cache.grad_input);
  }
  const DenseLayer& first = layers_.front();
  if (!has_scores_) {
    first.backward(path, x, cache.grad_z, grads.weights[0], grads.biases[0], grad_input);
    return;
  }
  // With the gate, dL/dW0 = x'^T dz0 = diag(gate) (x^T dz0) [+ diag(noise
  // scale) (eps^T dz0)]; these products also give dL/dw (see
  // ScoresLayer::weights_gradient_from_products).
  matmul(path, x, true, cache.grad_z, false, cache.input_times_grad);
  if (noise != nullptr) matmul(path, *noise, true, cache.grad_z, false, cache.noise_times_grad);
  grads.gate_weights = scores_.weights_gradient_from_products(cache.input_times_grad, first.weight,
                                                              noise != nullptr ? &cache.noise_times_grad : nullptr);
  grads.weights[0].noalias() = cache.gate.asDiagonal() * cache.input_times_grad;
  if (noise != nullptr) grads.weights[0].noalias() += cache.noise_scale.asDiagonal() * cache.noise_times_grad;
  grads.biases[0] = cache.grad_z.colwise().sum().transpose();
}

void Network::finish_scores_gradient(double entropy_penalty, Gradients& grads) const {
  // noalias copies into the existing buffer; a plain move-assignment would
  // swap storage and leave the optimiser pointing at freed memory.
  if (has_scores_) grads.scores.noalias() = scores_.scores_gradient(grads.gate_weights, entropy_penalty);
}

namespace {
struct NetworkWorkspace : BlockWorkspace {
  ForwardCache cache;
  Gradients grads;
};
}  // namespace

std::vector<ParameterTensor> Network::parameters() {
  std::vector<ParameterTensor> tensors;
  if (has_scores_) tensors.push_back({scores_.raw_scores().data(), scores_.n_scores(), ParameterGroup::scores});
  for (DenseLayer& layer : layers_) {
    tensors.push_back({layer.weight.data(), layer.weight.size(), ParameterGroup::weight});
    tensors.push_back({layer.bias.data(), layer.bias.size(), ParameterGroup::bias});
  }
  return tensors;
}

std::unique_ptr<BlockWorkspace> Network::new_workspace() const { return std::make_unique<NetworkWorkspace>(); }

const Eigen::MatrixXd& Network::forward_block(KernelPath path, const InputBlock& block, const Eigen::MatrixXd* noise,
                                              BlockWorkspace& workspace) const {
  auto& ws = static_cast<NetworkWorkspace&>(workspace);
  forward(path, block.x, ws.cache, noise);
  return ws.cache.output;
}

void Network::backward_block(KernelPath path, const InputBlock& block, const Eigen::MatrixXd* noise,
                             BlockWorkspace& workspace) const {
  auto& ws = static_cast<NetworkWorkspace&>(workspace);
  ws.cache.grad_z.swap(ws.grad_output);  // backward reads dL/doutput from its cache, no copy
  backward(path, block.x, ws.cache, ws.cache.grad_z, ws.grads, noise);
}

std::vector<const double*> Network::gradients(const BlockWorkspace& workspace) const {
  const auto& grads = static_cast<const NetworkWorkspace&>(workspace).grads;
  std::vector<const double*> out;
  if (has_scores_) out.push_back(grads.gate_weights.data());
  for (std::size_t l = 0; l < layers_.size(); ++l) {
    out.push_back(grads.weights[l].data());
    out.push_back(grads.biases[l].data());
  }
  return out;
}

void Network::accumulate(Gradients& a, const Gradients& b) {
  a.gate_weights += b.gate_weights;
  for (std::size_t l = 0; l < a.weights.size(); ++l) {
    a.weights[l] += b.weights[l];
    a.biases[l] += b.biases[l];
  }
}

}  // namespace scoresactivation
