// The network: optional ScoresActivation input layer, dense hidden layers with
// one activation, and a linear output layer (logits or regression outputs).
#pragma once

#include <Eigen/Core>
#include <vector>

#include "scoresactivation/activation.hpp"
#include "scoresactivation/dense_layer.hpp"
#include "scoresactivation/kernels.hpp"
#include "scoresactivation/random.hpp"
#include "scoresactivation/scores_layer.hpp"
#include "scoresactivation/trainable_model.hpp"

namespace scoresactivation {

// Intermediate values of one forward pass, kept for the backward pass, and
// the backward pass's scratch buffers. Reusing one cache across mini-batches
// of the same size avoids every allocation in the training loop.
struct ForwardCache {
  Eigen::VectorXd gate;                      // the gate's multiplier (only with the scores layer)
  Eigen::MatrixXd gated_input;               // x' (only with the scores layer)
  Eigen::VectorXd noise_scale;               // the gate's noise scale (training noise only)
  Eigen::MatrixXd noise_times_grad;          // eps^T dL/dz0 (training noise only)
  std::vector<Eigen::MatrixXd> activations;  // output of each hidden layer
  Eigen::MatrixXd output;                    // last layer's linear output
  Eigen::MatrixXd grad_z, grad_input, input_times_grad;  // backward scratch
};

struct Gradients {
  Eigen::VectorXd gate_weights;  // dL/dw, data term only (see ScoresLayer)
  Eigen::VectorXd scores;        // dL/ds, filled by finish_scores_gradient
  std::vector<Eigen::MatrixXd> weights;
  std::vector<Eigen::VectorXd> biases;
};

// The tabular family of the training seam (trainable_model.hpp).
class Network : public TrainableModel {
 public:
  Network() = default;
  Network(long n_features, const std::vector<long>& hidden_layer_sizes, long n_outputs,
          Activation activation, bool scores_layer, double temperature, GateKind gate = GateKind::scale,
          double snr_budget = 1.0, const std::vector<long>& score_groups = {});

  void initialise(Random& random) override;

  long n_features() const { return n_features_; }
  long n_outputs() const override { return layers_.empty() ? 0 : layers_.back().n_out(); }
  bool has_scores_layer() const { return has_scores_; }
  Activation activation() const { return activation_; }

  const ScoresLayer& scores_layer() const { return scores_; }
  ScoresLayer& scores_layer() { return scores_; }
  const std::vector<DenseLayer>& layers() const { return layers_; }
  std::vector<DenseLayer>& layers() { return layers_; }

  // Forward pass over standardised inputs (rows are samples). noise: the
  // snr gate's training noise eps (same shape as x), or null for prediction.
  void forward(KernelPath path, const Eigen::MatrixXd& x, ForwardCache& cache,
               const Eigen::MatrixXd* noise = nullptr) const;

  // Output only, for prediction.
  Eigen::MatrixXd predict(KernelPath path, const Eigen::MatrixXd& x) const;

  // Backward pass from dL/doutput; fills grads (shaped like the parameters)
  // except grads.scores, which needs finish_scores_gradient once the blocks
  // of a batch are summed.
  // grad_output may be cache.grad_z itself; noise as given to forward.
  // grad_input: dL/dx, only without the scores layer (a head behind an encoder).
  void backward(KernelPath path, const Eigen::MatrixXd& x, ForwardCache& cache,
                const Eigen::MatrixXd& grad_output, Gradients& grads,
                const Eigen::MatrixXd* noise = nullptr, Eigen::MatrixXd* grad_input = nullptr) const;

  // grads.scores from grads.gate_weights and the entropy penalty.
  void finish_scores_gradient(double entropy_penalty, Gradients& grads) const;

  // a += b, parameter by parameter.
  static void accumulate(Gradients& a, const Gradients& b);

  // Gradients shaped like the parameters, zero.
  Gradients zero_gradients() const;

  // TrainableModel: the scores (with the layer), then each layer's weight
  // and bias.
  const ScoresLayer* gate() const override { return has_scores_ ? &scores_ : nullptr; }
  using TrainableModel::gate;
  std::vector<ParameterTensor> parameters() override;
  std::unique_ptr<BlockWorkspace> new_workspace() const override;
  const Eigen::MatrixXd& forward_block(KernelPath path, const InputBlock& block, const Eigen::MatrixXd* noise,
                                       BlockWorkspace& workspace) const override;
  void backward_block(KernelPath path, const InputBlock& block, const Eigen::MatrixXd* noise,
                      BlockWorkspace& workspace) const override;
  std::vector<const double*> gradients(const BlockWorkspace& workspace) const override;
  Eigen::MatrixXd predict_block(KernelPath path, const InputBlock& block) const override { return predict(path, block.x); }

 private:
  long n_features_ = 0;
  bool has_scores_ = false;
  Activation activation_ = Activation::relu;
  ScoresLayer scores_;
  std::vector<DenseLayer> layers_;
};

}  // namespace scoresactivation
