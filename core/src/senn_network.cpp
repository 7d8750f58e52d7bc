#include "scoresactivation/senn_network.hpp"

#include "scoresactivation/param_spec.hpp"

#include <cmath>
#include <stdexcept>
#include <string>

namespace scoresactivation {

void SennParams::validate() const {
  ParamSet set;
  set.senn = *this;
  check_group(set, ParamGroup::senn);  // robustness_penalty in [0, 1e6] (param_spec.cpp)
}

SennNetwork::SennNetwork(long n_features, const std::vector<long>& hidden_layer_sizes, long n_outputs,
                         Activation activation, bool scores_layer, double temperature, GateKind gate,
                         double snr_budget, double robustness_penalty)
    : n_features_(n_features),
      n_outputs_(n_outputs),
      activation_(activation),
      has_scores_(scores_layer),
      robustness_penalty_(robustness_penalty),
      output_bias_(Eigen::VectorXd::Zero(n_outputs)) {
  if (scores_layer) scores_ = ScoresLayer(n_features, temperature, gate, snr_budget);
  long n_in = n_features;
  for (long width : hidden_layer_sizes) {
    layers_.emplace_back(n_in, width);
    n_in = width;
  }
  layers_.emplace_back(n_in, n_outputs * n_features);
}

void SennNetwork::initialise(Random& random) {
  if (has_scores_) scores_.raw_scores().setZero();
  for (DenseLayer& layer : layers_) layer.initialise(random, activation_ == Activation::logistic);
  output_bias_.setZero();
}

namespace {

struct SennWorkspace : BlockWorkspace {
  Eigen::MatrixXd concepts;                  // z
  std::vector<Eigen::MatrixXd> activations;  // theta's hidden outputs
  Eigen::MatrixXd theta, output;
  // f'(u) and f''(u) of each hidden layer, from its output.
  std::vector<Eigen::MatrixXd> first_derivative, second_derivative;
  // Gradients, the penalty's part first (penalty_block), then the data's.
  std::vector<Eigen::MatrixXd> grad_weights;
  std::vector<Eigen::VectorXd> grad_biases;
  std::vector<Eigen::MatrixXd> injected;  // the penalty's dL/du of each hidden layer
  Eigen::MatrixXd grad_concepts;
  Eigen::VectorXd grad_output_bias, grad_gate_weights;
  Eigen::MatrixXd delta, delta_below, product;  // scratch
};

// theta(z) with the hidden outputs kept.
void theta_forward(const std::vector<DenseLayer>& layers, Activation activation, KernelPath path,
                   const Eigen::MatrixXd& z, std::vector<Eigen::MatrixXd>& activations, Eigen::MatrixXd& theta) {
  const std::size_t n_hidden = layers.size() - 1;
  activations.resize(n_hidden);
  const Eigen::MatrixXd* input = &z;
  for (std::size_t l = 0; l < n_hidden; ++l) {
    layers[l].forward(path, *input, activations[l]);
    apply_activation(activation, activations[l], activations[l]);
    input = &activations[l];
  }
  layers.back().forward(path, *input, theta);
}

// f_k = sum_i theta_{k,i} z_i + b_k.
void combine(const Eigen::MatrixXd& theta, const Eigen::MatrixXd& z, const Eigen::VectorXd& bias,
             Eigen::MatrixXd& output) {
  const long d = z.cols(), k_outputs = bias.size();
  output.resize(z.rows(), k_outputs);
  for (long k = 0; k < k_outputs; ++k)
    output.col(k) = (theta.middleCols(k * d, d).array() * z.array()).rowwise().sum().matrix();
  output.rowwise() += bias.transpose();
}

// The input-gradient pass of theta seeded with z in output block k:
// v = J_k(z)^T z. Keeps delta[l] (dL/du at layer l's output) and
// below[l] = delta[l] W_l^T for l >= 1, which the penalty's reverse needs.
void seeded_backward(const std::vector<DenseLayer>& layers, const std::vector<Eigen::MatrixXd>& first_derivative,
                     KernelPath path, const Eigen::MatrixXd& z, long k, std::vector<Eigen::MatrixXd>& delta,
                     std::vector<Eigen::MatrixXd>& below, Eigen::MatrixXd& v) {
  const std::size_t n_layers = layers.size();
  const long d = z.cols();
  delta.resize(n_layers);
  below.resize(n_layers);
  delta[n_layers - 1] = Eigen::MatrixXd::Zero(z.rows(), layers.back().n_out());
  delta[n_layers - 1].middleCols(k * d, d) = z;
  for (std::size_t l = n_layers - 1; l >= 1; --l) {
    matmul(path, delta[l], false, layers[l].weight, true, below[l]);
    delta[l - 1] = below[l].cwiseProduct(first_derivative[l - 1]);
  }
  matmul(path, delta[0], false, layers[0].weight, true, v);
}

// The data loss's backward from dL/df (grad_output) into ws's accumulators,
// the penalty's injected dL/du added on the way down.
void data_backward(const SennNetwork& net, KernelPath path, const Eigen::MatrixXd& grad_output, SennWorkspace& ws) {
  const std::vector<DenseLayer>& layers = net.layers();
  const Eigen::MatrixXd& z = ws.concepts;
  const long d = z.cols(), k_outputs = grad_output.cols();
  ws.delta.resize(z.rows(), k_outputs * d);
  for (long k = 0; k < k_outputs; ++k) {
    ws.delta.middleCols(k * d, d) = z.array().colwise() * grad_output.col(k).array();
    ws.grad_concepts.array() += ws.theta.middleCols(k * d, d).array().colwise() * grad_output.col(k).array();
  }
  ws.grad_output_bias += grad_output.colwise().sum().transpose();
  const bool injected = !ws.injected.empty();
  for (std::size_t l = layers.size(); l-- > 0;) {
    const Eigen::MatrixXd& input = l == 0 ? z : ws.activations[l - 1];
    matmul(path, input, true, ws.delta, false, ws.product);
    ws.grad_weights[l] += ws.product;
    ws.grad_biases[l] += ws.delta.colwise().sum().transpose();
    matmul(path, ws.delta, false, layers[l].weight, true, ws.delta_below);
    if (l == 0) {
      ws.grad_concepts += ws.delta_below;
    } else {
      ws.delta.swap(ws.delta_below);
      ws.delta.array() *= ws.first_derivative[l - 1].array();
      if (injected) ws.delta += ws.injected[l - 1];
    }
  }
}

void reset_gradients(const SennNetwork& net, long rows, SennWorkspace& ws) {
  const std::vector<DenseLayer>& layers = net.layers();
  ws.grad_weights.resize(layers.size());
  ws.grad_biases.resize(layers.size());
  for (std::size_t l = 0; l < layers.size(); ++l) {
    ws.grad_weights[l].setZero(layers[l].n_in(), layers[l].n_out());
    ws.grad_biases[l].setZero(layers[l].n_out());
  }
  ws.injected.clear();
  ws.grad_concepts.setZero(rows, net.n_features());
  ws.grad_output_bias.setZero(net.n_outputs());
}

void forward_all(const SennNetwork& net, KernelPath path, SennWorkspace& ws) {
  theta_forward(net.layers(), net.activation(), path, ws.concepts, ws.activations, ws.theta);
  combine(ws.theta, ws.concepts, net.output_bias(), ws.output);
  ws.first_derivative.resize(ws.activations.size());
  for (std::size_t l = 0; l < ws.activations.size(); ++l)
    ws.first_derivative[l] = derivative_from_output(net.activation(), ws.activations[l]);
}

}  // namespace

Eigen::MatrixXd SennNetwork::concepts(const Eigen::MatrixXd& x) const {
  if (x.cols() != n_features_) throw std::invalid_argument("SENN block has the wrong width");
  if (!has_scores_) return x;
  return x * scores_.gate().asDiagonal();
}

Eigen::MatrixXd SennNetwork::relevances(KernelPath path, const Eigen::MatrixXd& z) const {
  std::vector<Eigen::MatrixXd> activations;
  Eigen::MatrixXd theta;
  theta_forward(layers_, activation_, path, z, activations, theta);
  return theta;
}

Eigen::VectorXd SennNetwork::robustness_residual(KernelPath path, const Eigen::MatrixXd& x) const {
  SennWorkspace ws;
  ws.concepts = concepts(x);
  forward_all(*this, path, ws);
  Eigen::VectorXd residual = Eigen::VectorXd::Zero(x.rows());
  std::vector<Eigen::MatrixXd> delta, below;
  Eigen::MatrixXd v;
  for (long k = 0; k < n_outputs_; ++k) {
    seeded_backward(layers_, ws.first_derivative, path, ws.concepts, k, delta, below, v);
    residual += v.rowwise().squaredNorm();
  }
  return residual;
}

Eigen::MatrixXd SennNetwork::input_gradient(KernelPath path, const Eigen::MatrixXd& x, long target) const {
  if (target < 0 || target >= n_outputs_)
    throw std::invalid_argument("target must be in [0, " + std::to_string(n_outputs_) + ")");
  SennWorkspace ws;
  ws.concepts = concepts(x);
  forward_all(*this, path, ws);
  reset_gradients(*this, x.rows(), ws);
  Eigen::MatrixXd seed = Eigen::MatrixXd::Zero(x.rows(), n_outputs_);
  seed.col(target).setOnes();
  data_backward(*this, path, seed, ws);
  if (has_scores_) ws.grad_concepts = ws.grad_concepts * scores_.gate().asDiagonal();  // dz/dx = gate
  return std::move(ws.grad_concepts);
}

std::vector<ParameterTensor> SennNetwork::parameters() {
  std::vector<ParameterTensor> tensors;
  if (has_scores_) tensors.push_back({scores_.raw_scores().data(), n_features_, ParameterGroup::scores});
  for (DenseLayer& layer : layers_) {
    tensors.push_back({layer.weight.data(), layer.weight.size(), ParameterGroup::weight});
    tensors.push_back({layer.bias.data(), layer.bias.size(), ParameterGroup::bias});
  }
  tensors.push_back({output_bias_.data(), output_bias_.size(), ParameterGroup::bias});
  return tensors;
}

std::vector<const double*> SennNetwork::gradients(const BlockWorkspace& workspace) const {
  const auto& ws = static_cast<const SennWorkspace&>(workspace);
  std::vector<const double*> out;
  if (has_scores_) out.push_back(ws.grad_gate_weights.data());
  for (std::size_t l = 0; l < layers_.size(); ++l) {
    out.push_back(ws.grad_weights[l].data());
    out.push_back(ws.grad_biases[l].data());
  }
  out.push_back(ws.grad_output_bias.data());
  return out;
}

std::unique_ptr<BlockWorkspace> SennNetwork::new_workspace() const { return std::make_unique<SennWorkspace>(); }

const Eigen::MatrixXd& SennNetwork::forward_block(KernelPath path, const InputBlock& block,
                                                  const Eigen::MatrixXd* noise, BlockWorkspace& workspace) const {
  auto& ws = static_cast<SennWorkspace&>(workspace);
  ws.concepts = concepts(block.x);
  if (has_scores_ && noise != nullptr) ws.concepts.noalias() += *noise * scores_.noise_scale().asDiagonal();
  forward_all(*this, path, ws);
  reset_gradients(*this, block.x.rows(), ws);
  return ws.output;
}

double SennNetwork::penalty_block(KernelPath path, const InputBlock& block, const Eigen::VectorXd& row_weights,
                                  double normaliser, BlockWorkspace& workspace) const {
  if (robustness_penalty_ == 0.0) return 0.0;
  auto& ws = static_cast<SennWorkspace&>(workspace);
  const Eigen::MatrixXd& z = ws.concepts;
  const long d = n_features_;
  const std::size_t n_layers = layers_.size();
  const Eigen::VectorXd factor = row_weights * (robustness_penalty_ / normaliser);
  ws.injected.resize(n_layers - 1);
  std::vector<Eigen::MatrixXd> second(n_layers - 1);
  for (std::size_t l = 0; l + 1 < n_layers; ++l) {
    ws.injected[l].setZero(block.x.rows(), layers_[l].n_out());
    second[l] = second_derivative_from_output(activation_, ws.activations[l]);
  }
  std::vector<Eigen::MatrixXd> delta, below;
  Eigen::MatrixXd v, v_bar, delta_bar, below_bar, next_bar;
  double penalty = 0.0;
  for (long k = 0; k < n_outputs_; ++k) {
    seeded_backward(layers_, ws.first_derivative, path, z, k, delta, below, v);
    penalty += factor.dot(v.rowwise().squaredNorm());
    // Reverse of the seeded pass, from dP/dv = 2 factor v.
    v_bar = (2.0 * factor).asDiagonal() * v;
    matmul(path, v_bar, false, layers_[0].weight, false, delta_bar);  // v = delta[0] W_0^T
    matmul(path, v_bar, true, delta[0], false, ws.product);
    ws.grad_weights[0] += ws.product;
    for (std::size_t l = 1; l < n_layers; ++l) {
      // delta[l-1] = below[l] * f'(u_{l-1}): through both factors.
      below_bar = delta_bar.cwiseProduct(ws.first_derivative[l - 1]);
      ws.injected[l - 1].array() += delta_bar.array() * below[l].array() * second[l - 1].array();
      // below[l] = delta[l] W_l^T.
      matmul(path, below_bar, true, delta[l], false, ws.product);
      ws.grad_weights[l] += ws.product;
      matmul(path, below_bar, false, layers_[l].weight, false, next_bar);
      delta_bar.swap(next_bar);
    }
    // delta[top] is z in output block k.
    ws.grad_concepts += delta_bar.middleCols(k * d, d);
  }
  return penalty;
}

void SennNetwork::backward_block(KernelPath path, const InputBlock& block, const Eigen::MatrixXd* noise,
                                 BlockWorkspace& workspace) const {
  auto& ws = static_cast<SennWorkspace&>(workspace);
  data_backward(*this, path, ws.grad_output, ws);
  if (!has_scores_) return;
  // z = gate * x (+ noise_scale * eps): dL/dw_c through both.
  const Eigen::VectorXd signal = (block.x.array() * ws.grad_concepts.array()).colwise().sum().transpose();
  ws.grad_gate_weights = scores_.gate_derivative().cwiseProduct(signal);
  if (noise != nullptr) {
    const Eigen::VectorXd from_noise = (noise->array() * ws.grad_concepts.array()).colwise().sum().transpose();
    ws.grad_gate_weights += scores_.noise_scale_derivative().cwiseProduct(from_noise);
  }
}

Eigen::MatrixXd SennNetwork::predict_block(KernelPath path, const InputBlock& block) const {
  SennWorkspace ws;
  ws.concepts = concepts(block.x);
  theta_forward(layers_, activation_, path, ws.concepts, ws.activations, ws.theta);
  combine(ws.theta, ws.concepts, output_bias_, ws.output);
  return std::move(ws.output);
}

}  // namespace scoresactivation
