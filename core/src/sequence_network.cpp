#include "scoresactivation/sequence_network.hpp"

#include "scoresactivation/param_spec.hpp"
#include "scoresactivation/params.hpp"

#include <stdexcept>

namespace scoresactivation {

Architecture architecture_from_string(const std::string& name) {
  if (name == "lstm") return Architecture::lstm;
  if (name == "conv") return Architecture::conv;
  throw std::invalid_argument("architecture must be 'lstm' or 'conv'; got '" + name + "'");
}
std::string to_string(Architecture architecture) { return architecture == Architecture::lstm ? "lstm" : "conv"; }
std::string to_string(Pooling pooling) { return pooling == Pooling::last ? "last" : "mean"; }

void SequenceParams::validate() const {
  ParamSet set;
  set.sequence = *this;
  check_group(set, ParamGroup::sequence);  // types, ranges and choices (param_spec.cpp)
  if (architecture == "conv" && kernel_size % 2 == 0)
    throw std::invalid_argument("kernel_size must be odd for architecture='conv' (a filter centred on its step), got " +
                                std::to_string(kernel_size));
}

Pooling SequenceParams::resolved_pooling() const {
  if (pooling == "last") return Pooling::last;
  if (pooling == "mean") return Pooling::mean;
  // auto: an LSTM's last state has read the whole sequence; a conv layer's
  // outputs are local, so their mean summarises it.
  return architecture_from_string(architecture) == Architecture::lstm ? Pooling::last : Pooling::mean;
}

SequenceNetwork::SequenceNetwork(long n_channels, const SequenceParams& sequence,
                                 const std::vector<long>& hidden_layer_sizes, long n_outputs, Activation activation,
                                 bool scores_layer, double temperature, GateKind gate, double snr_budget)
    : n_channels_(n_channels),
      architecture_(architecture_from_string(sequence.architecture)),
      pooling_(sequence.resolved_pooling()),
      activation_(activation),
      has_scores_(scores_layer) {
  if (scores_layer) scores_ = ScoresLayer(n_channels, temperature, gate, snr_budget);
  long n_in = n_channels;
  for (long units : sequence.units) {
    if (architecture_ == Architecture::lstm) {
      lstm_.emplace_back(n_in, units);
    } else {
      conv_.emplace_back(n_in, units, sequence.kernel_size);
    }
    n_in = units;
  }
  head_ = Network(n_in, hidden_layer_sizes, n_outputs, activation, false, 1.0);
}

long SequenceNetwork::n_encoder_layers() const {
  return static_cast<long>(architecture_ == Architecture::lstm ? lstm_.size() : conv_.size());
}

long SequenceNetwork::encoder_width(long layer) const {
  return architecture_ == Architecture::lstm ? lstm_[static_cast<std::size_t>(layer)].n_hidden()
                                             : conv_[static_cast<std::size_t>(layer)].n_filters();
}

void SequenceNetwork::initialise(Random& random) {
  if (has_scores_) scores_.raw_scores().setZero();
  for (LstmLayer& layer : lstm_) layer.initialise(random);
  for (Conv1dLayer& layer : conv_) layer.initialise(random);
  head_.initialise(random);
}

namespace {

struct SequenceWorkspace : BlockWorkspace {
  Eigen::MatrixXd gated;                 // the encoder's input
  std::vector<LstmCache> lstm_caches;
  std::vector<Conv1dCache> conv_caches;
  std::vector<Eigen::MatrixXd> outputs;  // each encoder layer's output (after the activation for conv)
  Eigen::MatrixXd pooled;
  ForwardCache head_cache;
  Gradients head_grads;
  // Per encoder layer: LSTM w_input, w_recurrent, bias; conv weight, (unused), bias.
  std::vector<Eigen::MatrixXd> grad_first, grad_second;
  std::vector<Eigen::VectorXd> grad_bias;
  Eigen::VectorXd grad_gate_weights;
  Eigen::MatrixXd grad_pooled, grad_hidden, grad_below;
};

long length_of(const InputBlock& block, long row) {
  return block.lengths == nullptr ? block.steps : static_cast<long>((*block.lengths)[row]);
}

}  // namespace

Eigen::MatrixXd SequenceNetwork::gated_input(const InputBlock& block) const {
  const long steps = block.steps, c = n_channels_;
  if (block.x.cols() != steps * c) throw std::invalid_argument("sequence block has the wrong width");
  Eigen::MatrixXd out = block.x;
  if (has_scores_) {
    const Eigen::VectorXd gate = scores_.gate();
    for (long t = 0; t < steps; ++t) out.middleCols(t * c, c) = block.x.middleCols(t * c, c) * gate.asDiagonal();
  }
  return out;
}

// Encoder, pooling and head over ws.gated.
static void encode(const SequenceNetwork& net, KernelPath path, const InputBlock& block, SequenceWorkspace& ws) {
  const long n_layers = net.n_encoder_layers();
  ws.outputs.resize(static_cast<std::size_t>(n_layers));
  const Eigen::MatrixXd* input = &ws.gated;
  for (long l = 0; l < n_layers; ++l) {
    const std::size_t k = static_cast<std::size_t>(l);
    if (net.architecture() == Architecture::lstm) {
      ws.lstm_caches.resize(static_cast<std::size_t>(n_layers));
      net.lstm_layers()[k].forward(path, *input, block.steps, block.lengths, ws.lstm_caches[k], ws.outputs[k]);
    } else {
      ws.conv_caches.resize(static_cast<std::size_t>(n_layers));
      net.conv_layers()[k].forward(path, *input, block.steps, block.lengths, ws.conv_caches[k], ws.outputs[k]);
      apply_activation(net.activation(), ws.outputs[k], ws.outputs[k]);
    }
    input = &ws.outputs[k];
  }
  // Pool the last layer over each row's valid steps. An LSTM's state is
  // frozen past a row's length, so "last" reads step length - 1 either way.
  const long width = net.encoder_width(n_layers - 1), rows = block.x.rows();
  const Eigen::MatrixXd& top = *input;
  ws.pooled.resize(rows, width);
  for (long i = 0; i < rows; ++i) {
    const long length = length_of(block, i);
    if (net.pooling() == Pooling::last) {
      ws.pooled.row(i) = top.block(i, (length - 1) * width, 1, width);
    } else {
      ws.pooled.row(i).setZero();
      for (long t = 0; t < length; ++t) ws.pooled.row(i) += top.block(i, t * width, 1, width);
      ws.pooled.row(i) /= static_cast<double>(length);
    }
  }
}

// From dL/doutput in ws.head_cache.grad_z back to dL/d(encoder input) in
// ws.grad_hidden, filling the encoder and head gradients on the way.
static void encode_backward(const SequenceNetwork& net, KernelPath path, const InputBlock& block,
                            SequenceWorkspace& ws, bool need_input_gradient) {
  net.head().backward(path, ws.pooled, ws.head_cache, ws.head_cache.grad_z, ws.head_grads, nullptr, &ws.grad_pooled);
  const long n_layers = net.n_encoder_layers();
  const long width = net.encoder_width(n_layers - 1), rows = block.x.rows();
  ws.grad_hidden = Eigen::MatrixXd::Zero(rows, block.steps * width);
  for (long i = 0; i < rows; ++i) {
    const long length = length_of(block, i);
    if (net.pooling() == Pooling::last) {
      ws.grad_hidden.block(i, (length - 1) * width, 1, width) = ws.grad_pooled.row(i);
    } else {
      const Eigen::RowVectorXd share = ws.grad_pooled.row(i) / static_cast<double>(length);
      for (long t = 0; t < length; ++t) ws.grad_hidden.block(i, t * width, 1, width) = share;
    }
  }
  ws.grad_first.resize(static_cast<std::size_t>(n_layers));
  ws.grad_second.resize(static_cast<std::size_t>(n_layers));
  ws.grad_bias.resize(static_cast<std::size_t>(n_layers));
  for (long l = n_layers; l-- > 0;) {
    const std::size_t k = static_cast<std::size_t>(l);
    const Eigen::MatrixXd& input = l == 0 ? ws.gated : ws.outputs[k - 1];
    Eigen::MatrixXd* grad_input = (l > 0 || need_input_gradient) ? &ws.grad_below : nullptr;
    if (net.architecture() == Architecture::lstm) {
      net.lstm_layers()[k].backward(path, input, block.steps, block.lengths, ws.lstm_caches[k], ws.grad_hidden,
                                    ws.grad_first[k], ws.grad_second[k], ws.grad_bias[k], grad_input);
    } else {
      multiply_by_derivative(net.activation(), ws.outputs[k], ws.grad_hidden);
      net.conv_layers()[k].backward(path, input, block.steps, block.lengths, ws.conv_caches[k], ws.grad_hidden,
                                    ws.grad_first[k], ws.grad_bias[k], grad_input);
    }
    if (grad_input != nullptr) ws.grad_hidden.swap(ws.grad_below);
  }
}

std::vector<ParameterTensor> SequenceNetwork::parameters() {
  std::vector<ParameterTensor> tensors;
  if (has_scores_) tensors.push_back({scores_.raw_scores().data(), n_channels_, ParameterGroup::scores});
  for (LstmLayer& layer : lstm_) {
    tensors.push_back({layer.w_input.data(), layer.w_input.size(), ParameterGroup::weight});
    tensors.push_back({layer.w_recurrent.data(), layer.w_recurrent.size(), ParameterGroup::weight});
    tensors.push_back({layer.bias.data(), layer.bias.size(), ParameterGroup::bias});
  }
  for (Conv1dLayer& layer : conv_) {
    tensors.push_back({layer.weight.data(), layer.weight.size(), ParameterGroup::weight});
    tensors.push_back({layer.bias.data(), layer.bias.size(), ParameterGroup::bias});
  }
  const std::vector<ParameterTensor> head = head_.parameters();
  tensors.insert(tensors.end(), head.begin(), head.end());
  return tensors;
}

std::vector<const double*> SequenceNetwork::gradients(const BlockWorkspace& workspace) const {
  const auto& ws = static_cast<const SequenceWorkspace&>(workspace);
  std::vector<const double*> out;
  if (has_scores_) out.push_back(ws.grad_gate_weights.data());
  for (std::size_t l = 0; l < static_cast<std::size_t>(n_encoder_layers()); ++l) {
    out.push_back(ws.grad_first[l].data());
    if (architecture_ == Architecture::lstm) out.push_back(ws.grad_second[l].data());
    out.push_back(ws.grad_bias[l].data());
  }
  for (std::size_t l = 0; l < head_.layers().size(); ++l) {
    out.push_back(ws.head_grads.weights[l].data());
    out.push_back(ws.head_grads.biases[l].data());
  }
  return out;
}

std::unique_ptr<BlockWorkspace> SequenceNetwork::new_workspace() const { return std::make_unique<SequenceWorkspace>(); }

const Eigen::MatrixXd& SequenceNetwork::forward_block(KernelPath path, const InputBlock& block,
                                                      const Eigen::MatrixXd* noise, BlockWorkspace& workspace) const {
  auto& ws = static_cast<SequenceWorkspace&>(workspace);
  const long c = n_channels_;
  ws.gated = block.x;
  if (has_scores_) {
    const Eigen::VectorXd gate = scores_.gate();
    const Eigen::VectorXd noise_scale = noise != nullptr ? scores_.noise_scale() : Eigen::VectorXd();
    for (long t = 0; t < block.steps; ++t) {
      ws.gated.middleCols(t * c, c) = block.x.middleCols(t * c, c) * gate.asDiagonal();
      if (noise != nullptr) ws.gated.middleCols(t * c, c).noalias() += noise->middleCols(t * c, c) * noise_scale.asDiagonal();
    }
  }
  encode(*this, path, block, ws);
  head_.forward(path, ws.pooled, ws.head_cache);
  return ws.head_cache.output;
}

void SequenceNetwork::backward_block(KernelPath path, const InputBlock& block, const Eigen::MatrixXd* noise,
                                     BlockWorkspace& workspace) const {
  auto& ws = static_cast<SequenceWorkspace&>(workspace);
  ws.head_cache.grad_z.swap(ws.grad_output);
  encode_backward(*this, path, block, ws, has_scores_);
  if (!has_scores_) return;
  // dL/dw_c = gate'_c sum_{rows, t} x dL/dx' + noise'_c sum eps dL/dx':
  // column sums over the block, folded from steps * channels to channels.
  const long c = n_channels_;
  const Eigen::RowVectorXd signal = (block.x.array() * ws.grad_hidden.array()).colwise().sum();
  Eigen::VectorXd signal_sum = Eigen::VectorXd::Zero(c), noise_sum = Eigen::VectorXd::Zero(c);
  for (long t = 0; t < block.steps; ++t) signal_sum += signal.segment(t * c, c).transpose();
  ws.grad_gate_weights = scores_.gate_derivative().cwiseProduct(signal_sum);
  if (noise != nullptr) {
    const Eigen::RowVectorXd from_noise = (noise->array() * ws.grad_hidden.array()).colwise().sum();
    for (long t = 0; t < block.steps; ++t) noise_sum += from_noise.segment(t * c, c).transpose();
    ws.grad_gate_weights += scores_.noise_scale_derivative().cwiseProduct(noise_sum);
  }
}

Eigen::MatrixXd SequenceNetwork::predict_block(KernelPath path, const InputBlock& block) const {
  SequenceWorkspace ws;
  ws.gated = gated_input(block);
  encode(*this, path, block, ws);
  return head_.predict(path, ws.pooled);
}

Eigen::MatrixXd SequenceNetwork::encoder_output(KernelPath path, const InputBlock& block, long layer) const {
  if (layer < 0 || layer >= n_encoder_layers())
    throw std::invalid_argument("layer must be in [0, " + std::to_string(n_encoder_layers()) + ")");
  SequenceWorkspace ws;
  ws.gated = gated_input(block);
  encode(*this, path, block, ws);
  return std::move(ws.outputs[static_cast<std::size_t>(layer)]);
}

Eigen::MatrixXd SequenceNetwork::input_gradient(KernelPath path, const InputBlock& block, long target) const {
  if (target < 0 || target >= n_outputs())
    throw std::invalid_argument("target must be in [0, " + std::to_string(n_outputs()) + ")");
  SequenceWorkspace ws;
  ws.gated = gated_input(block);
  encode(*this, path, block, ws);
  head_.forward(path, ws.pooled, ws.head_cache);
  ws.head_cache.grad_z = Eigen::MatrixXd::Zero(block.x.rows(), n_outputs());
  ws.head_cache.grad_z.col(target).setOnes();
  encode_backward(*this, path, block, ws, true);
  // d x'/d x = gate_c at every step.
  if (has_scores_) {
    const long c = n_channels_;
    const Eigen::VectorXd gate = scores_.gate();
    for (long t = 0; t < block.steps; ++t) ws.grad_hidden.middleCols(t * c, c) *= gate.asDiagonal();
  }
  return std::move(ws.grad_hidden);
}

}  // namespace scoresactivation
