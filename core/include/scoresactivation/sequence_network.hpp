// The sequence family of the training seam: the ScoresActivation gate per
// input channel, shared over time, then a recurrent (LSTM) or convolutional
// encoder, pooling over the valid steps, and a dense head.
//
//   x (rows, steps * channels) -> gate: x'_{t,c} = gate_c x_{t,c} [+ noise_c eps_{t,c}]
//   -> LSTM layers (units[l] each) | conv layers (units[l] filters, kernel_size, activation)
//   -> pooling: last valid state, or mean over the valid steps  (rows, units.back())
//   -> head: Network without gate (hidden_layer_sizes, activation, n_outputs)
//
// So scores() ranks the channels exactly as the tabular model ranks features.
#pragma once

#include <Eigen/Core>
#include <string>
#include <vector>

#include "scoresactivation/activation.hpp"
#include "scoresactivation/conv1d_layer.hpp"
#include "scoresactivation/lstm_layer.hpp"
#include "scoresactivation/network.hpp"
#include "scoresactivation/scores_layer.hpp"
#include "scoresactivation/trainable_model.hpp"

namespace scoresactivation {

enum class Architecture { lstm, conv };
Architecture architecture_from_string(const std::string& name);
std::string to_string(Architecture architecture);

enum class Pooling { last, mean };
std::string to_string(Pooling pooling);

// What a sequence model adds to Params (whose hidden_layer_sizes and
// activation are the head's; activation is also the conv layers').
struct SequenceParams {
  std::string architecture = "lstm";  // lstm or conv
  std::vector<long> units{32};        // per encoder layer: LSTM hidden units, or conv filters
  long kernel_size = 5;               // conv only: odd, in [1, 1025]
  std::string pooling = "auto";       // auto (lstm: last, conv: mean), last or mean

  // Throws std::invalid_argument naming the first bad parameter.
  void validate() const;
  Pooling resolved_pooling() const;
};

class SequenceNetwork : public TrainableModel {
 public:
  SequenceNetwork() = default;
  SequenceNetwork(long n_channels, const SequenceParams& sequence, const std::vector<long>& hidden_layer_sizes,
                  long n_outputs, Activation activation, bool scores_layer, double temperature, GateKind gate,
                  double snr_budget);

  long n_channels() const { return n_channels_; }
  Architecture architecture() const { return architecture_; }
  Pooling pooling() const { return pooling_; }
  Activation activation() const { return activation_; }
  bool has_scores_layer() const { return has_scores_; }
  const ScoresLayer& scores_layer() const { return scores_; }
  ScoresLayer& scores_layer() { return scores_; }
  const std::vector<LstmLayer>& lstm_layers() const { return lstm_; }
  std::vector<LstmLayer>& lstm_layers() { return lstm_; }
  const std::vector<Conv1dLayer>& conv_layers() const { return conv_; }
  std::vector<Conv1dLayer>& conv_layers() { return conv_; }
  long n_encoder_layers() const;
  // Width of encoder layer l's output per step.
  long encoder_width(long layer) const;
  const Network& head() const { return head_; }
  Network& head() { return head_; }

  // The gate's prediction-time input of the first encoder layer: gate_c x_{t,c}
  // (x itself without the scores layer), zero at padded steps.
  Eigen::MatrixXd gated_input(const InputBlock& block) const;
  // Output of encoder layer `layer` (after its activation for conv),
  // (rows, steps * encoder_width(layer)), prediction mode.
  Eigen::MatrixXd encoder_output(KernelPath path, const InputBlock& block, long layer) const;
  // d output[:, target] / d x (the standardised input), (rows, steps * channels),
  // prediction mode; exactly zero at padded steps.
  Eigen::MatrixXd input_gradient(KernelPath path, const InputBlock& block, long target) const;

  // TrainableModel: the scores (with the gate), then each encoder layer's
  // tensors (LSTM: w_input, w_recurrent, bias; conv: weight, bias), then the head's.
  long n_outputs() const override { return head_.n_outputs(); }
  void initialise(Random& random) override;
  const ScoresLayer* gate() const override { return has_scores_ ? &scores_ : nullptr; }
  using TrainableModel::gate;
  std::vector<ParameterTensor> parameters() override;
  std::unique_ptr<BlockWorkspace> new_workspace() const override;
  const Eigen::MatrixXd& forward_block(KernelPath path, const InputBlock& block, const Eigen::MatrixXd* noise,
                                       BlockWorkspace& workspace) const override;
  void backward_block(KernelPath path, const InputBlock& block, const Eigen::MatrixXd* noise,
                      BlockWorkspace& workspace) const override;
  std::vector<const double*> gradients(const BlockWorkspace& workspace) const override;
  Eigen::MatrixXd predict_block(KernelPath path, const InputBlock& block) const override;

 private:
  long n_channels_ = 0;
  Architecture architecture_ = Architecture::lstm;
  Pooling pooling_ = Pooling::last;
  Activation activation_ = Activation::relu;
  bool has_scores_ = false;
  ScoresLayer scores_;
  std::vector<LstmLayer> lstm_;
  std::vector<Conv1dLayer> conv_;
  Network head_;
};

}  // namespace scoresactivation
