// A fitted estimator seen by the attribution methods: inputs in the
// original units, the output of one target (a class logit or probability, or
// the regression value), and the layer-by-layer trace DeepLIFT and the
// gradient methods walk back through.
#pragma once

#include <Eigen/Core>
#include <functional>
#include <string>
#include <vector>

#include "scoresactivation/estimator.hpp"

namespace scoresactivation {

// What an attribution explains. raw: the class logit (pre-softmax) or the
// regression output; probability: the class probability (classification only).
enum class ExplainedOutput { raw, probability };
ExplainedOutput explained_output_from_string(const std::string& name);

// Any model's explained output (SENN, another library's): rows in the units of
// x in, one value per row out. The model-agnostic forms of the measures and of
// Shapley values take this.
using TargetOutput = std::function<Eigen::VectorXd(const Eigen::MatrixXd& rows)>;

// Pre-activations and activations of every layer for a batch of rows.
struct LayerTrace {
  Eigen::MatrixXd input;                         // network input: gated, standardised
  std::vector<Eigen::MatrixXd> pre_activations;  // z of each hidden layer
  std::vector<Eigen::MatrixXd> activations;      // f(z) of each hidden layer
  Eigen::MatrixXd output;                        // network output (logits, or standardised regression)
};

class ExplainedModel {
 public:
  explicit ExplainedModel(const Estimator& estimator);

  const Estimator& estimator() const { return est_; }
  long n_features() const { return est_.n_features(); }
  long n_outputs() const { return est_.n_outputs(); }
  bool classification() const { return est_.task() == Task::classification; }
  // d * w per feature (ones without the scores layer): the gate is a fixed
  // element-wise scale at explanation time.
  const Eigen::VectorXd& gate() const { return gate_; }
  // dz/dx of the standardisation followed by the gate, per feature.
  const Eigen::VectorXd& input_multiplier() const { return input_multiplier_; }
  // Raw outputs are network outputs times this (regression target scale).
  double output_scale() const { return output_scale_; }

  // Gated, standardised network input for rows in original units. Both
  // throw std::invalid_argument for rows of the wrong width.
  Eigen::MatrixXd network_input(const Eigen::MatrixXd& x) const;
  LayerTrace trace(const Eigen::MatrixXd& network_input) const;

  // Outputs in the original units, (n, n_outputs): logits or probabilities,
  // or regression values. Row blocks run on n_threads; results do not depend on it.
  // Throws std::invalid_argument unless x has n_features finite columns and n_threads >= 1.
  Eigen::MatrixXd outputs(const Eigen::MatrixXd& x, ExplainedOutput output, int n_threads) const;
  // The same for rows that already went through the network (logits, or
  // standardised regression values).
  Eigen::MatrixXd from_network_output(Eigen::MatrixXd network_output, ExplainedOutput output) const;

  // Throws std::invalid_argument for a target outside [0, n_outputs) or a
  // probability output on a regression model.
  void check_target(long target, ExplainedOutput output) const;

 private:
  const Estimator& est_;
  Eigen::VectorXd gate_, input_multiplier_;
  double output_scale_ = 1.0;
};

// Multiplier backpropagation shared by the gradient and DeepLIFT. Given the
// trace of x (and, for DeepLIFT, of its reference), returns dTarget/d(network
// input) with the activation multipliers chosen by the rule:
// gradient: f'(z); rescale: (f(z) - f(z0)) / (z - z0), or f'(z) where
// |z - z0| < 1e-10. Rows of the result follow the rows of the trace. Throws
// std::invalid_argument for a target outside the network's outputs, or a
// missing or mismatched reference.
enum class MultiplierRule { gradient, rescale };
Eigen::MatrixXd backpropagate_multipliers(const Network& network, const LayerTrace& trace,
                                          const LayerTrace* reference, long target, MultiplierRule rule);

// f'(z) of an activation, element-wise.
Eigen::MatrixXd activation_derivative(Activation activation, const Eigen::MatrixXd& z);
// f(z), element-wise.
Eigen::MatrixXd activate(Activation activation, const Eigen::MatrixXd& z);

}  // namespace scoresactivation
