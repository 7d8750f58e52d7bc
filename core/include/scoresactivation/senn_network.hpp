// Self-explaining neural network (SENN, Alvarez-Melis & Jaakkola 2018) with
// identity concepts: a family of the training seam (trainable_model.hpp).
//
//   z = x' (the standardised input, through the ScoresActivation gate when
//         the model has one: the concepts)
//   theta(z) = an MLP z -> hidden layers -> n_outputs * d (linear output);
//              column k * d + i is theta_{k,i}
//   f_k(z) = sum_i theta_{k,i}(z) z_i + b_k     (logits, or the regression output)
//
// and the robustness penalty, lambda times the weighted row mean of
//   sum_k || grad_z f_k(z) - theta_k(z) ||^2  =  sum_k || J_k(z)^T z ||^2,
// J_k = d theta_k / d z, so theta stays a faithful local linear explanation.
// The squared norm (the paper writes the norm) is differentiable at zero.
// Its exact gradient is a double backward through theta: penalty_block
// differentiates theta's input-gradient pass once more and backward_block
// adds the data loss's gradient in the same pass.
#pragma once

#include <Eigen/Core>
#include <memory>
#include <vector>

#include "scoresactivation/activation.hpp"
#include "scoresactivation/dense_layer.hpp"
#include "scoresactivation/kernels.hpp"
#include "scoresactivation/scores_layer.hpp"
#include "scoresactivation/trainable_model.hpp"

namespace scoresactivation {

// What SENN adds to Params.
struct SennParams {
  double robustness_penalty = 1e-2;  // lambda

  // Throws std::invalid_argument naming the bad parameter.
  void validate() const;
};

class SennNetwork : public TrainableModel {
 public:
  SennNetwork() = default;
  SennNetwork(long n_features, const std::vector<long>& hidden_layer_sizes, long n_outputs, Activation activation,
              bool scores_layer, double temperature, GateKind gate, double snr_budget, double robustness_penalty);

  long n_features() const { return n_features_; }
  long n_outputs() const override { return n_outputs_; }
  bool has_scores_layer() const { return has_scores_; }
  Activation activation() const { return activation_; }
  double robustness_penalty() const { return robustness_penalty_; }
  const ScoresLayer& scores_layer() const { return scores_; }
  ScoresLayer& scores_layer() { return scores_; }
  // theta's layers: d -> hidden... -> n_outputs * d.
  const std::vector<DenseLayer>& layers() const { return layers_; }
  std::vector<DenseLayer>& layers() { return layers_; }
  // b, one per output.
  const Eigen::VectorXd& output_bias() const { return output_bias_; }
  Eigen::VectorXd& output_bias() { return output_bias_; }

  // The noise-free concepts z = x' of standardised rows x.
  Eigen::MatrixXd concepts(const Eigen::MatrixXd& x) const;
  // theta(z), (rows, n_outputs * d), column k * d + i.
  Eigen::MatrixXd relevances(KernelPath path, const Eigen::MatrixXd& concepts) const;
  // Per row, sum_k || grad_z f_k - theta_k ||^2 (the penalty without lambda).
  Eigen::VectorXd robustness_residual(KernelPath path, const Eigen::MatrixXd& x) const;
  // d f_target / d x of standardised rows (through the gate), (rows, d).
  Eigen::MatrixXd input_gradient(KernelPath path, const Eigen::MatrixXd& x, long target) const;

  // TrainableModel: the scores (with the gate), each theta layer's weight and
  // bias, then b.
  void initialise(Random& random) override;
  const ScoresLayer* gate() const override { return has_scores_ ? &scores_ : nullptr; }
  std::vector<ParameterTensor> parameters() override;
  std::unique_ptr<BlockWorkspace> new_workspace() const override;
  const Eigen::MatrixXd& forward_block(KernelPath path, const InputBlock& block, const Eigen::MatrixXd* noise,
                                       BlockWorkspace& workspace) const override;
  double penalty_block(KernelPath path, const InputBlock& block, const Eigen::VectorXd& row_weights, double normaliser,
                       BlockWorkspace& workspace) const override;
  void backward_block(KernelPath path, const InputBlock& block, const Eigen::MatrixXd* noise,
                      BlockWorkspace& workspace) const override;
  std::vector<const double*> gradients(const BlockWorkspace& workspace) const override;
  Eigen::MatrixXd predict_block(KernelPath path, const InputBlock& block) const override;

 private:
  long n_features_ = 0, n_outputs_ = 0;
  Activation activation_ = Activation::relu;
  bool has_scores_ = false;
  double robustness_penalty_ = 0.0;
  ScoresLayer scores_;
  std::vector<DenseLayer> layers_;
  Eigen::VectorXd output_bias_;
};

}  // namespace scoresactivation
