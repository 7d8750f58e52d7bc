// The ScoresActivation input layer (METHOD.md sections 1 and 7).
//
// One learnable score s_i per feature; w = softmax(s / T) is the global
// importance. The scores act on the inputs through a gate of one of two kinds:
//
// - scale (the paper's formulation): x'_i = d w_i x_i. At s = 0 the layer is
//   the identity, so the network behind it starts as a plain MLP.
// - snr (the default): w splits a signal-to-noise budget. With
//   snr_i = c d w_i, training sees
//     x'_i = x_i sqrt(snr_i / (1 + snr_i)) + eps_i sqrt(1 / (1 + snr_i)),
//   eps ~ N(0, 1), and prediction the noise-free term. A later layer can undo
//   a small multiplier but not added noise, and the budget gives diminishing
//   returns, so w follows each feature's value to the loss: the order inside
//   the relevant set, not only relevant versus noise.
//
// Either way prediction multiplies feature i by gate()_i, so everything
// downstream (explainers, model files) sees a fixed element-wise scale.
//
// Score groups: the input columns may form contiguous groups that share one
// score (the one-hot columns of a categorical variable). Then d counts the
// groups, w has one weight per group, and every column of a group gets that
// group's gate and noise scale; dL/dw_g sums over the group's columns.
#pragma once

#include <Eigen/Core>
#include <string>
#include <vector>

namespace scoresactivation {

enum class GateKind { snr, scale };
GateKind gate_kind_from_string(const std::string& name);
std::string to_string(GateKind kind);

// Throws std::invalid_argument (naming `name`) unless group_sizes is empty
// or positive sizes summing to n_inputs. Returns it, or empty when every
// group has one column (the same model as no groups).
std::vector<long> check_score_groups(const std::vector<long>& group_sizes, long n_inputs, const char* name);

class ScoresLayer {
 public:
  ScoresLayer() = default;
  // group_sizes: the columns of each score, in column order (empty: one
  // score per column); checked by check_score_groups.
  ScoresLayer(long n_inputs, double temperature, GateKind kind = GateKind::scale, double snr_budget = 1.0,
              const std::vector<long>& group_sizes = {});

  // The scores (groups) and the input columns they act on.
  long n_scores() const { return scores_.size(); }
  long n_inputs() const { return n_inputs_; }
  // Columns per score; empty when each column has its own.
  const std::vector<long>& group_sizes() const { return group_sizes_; }
  double temperature() const { return temperature_; }
  GateKind kind() const { return kind_; }
  double snr_budget() const { return snr_budget_; }
  // Training adds noise (the snr gate); the scale gate is noise-free.
  bool noisy() const { return kind_ == GateKind::snr; }
  const Eigen::VectorXd& raw_scores() const { return scores_; }
  Eigen::VectorXd& raw_scores() { return scores_; }

  // w = softmax(s / T): positive, sums to 1.
  Eigen::VectorXd weights() const;

  // The per-column multiplier of the (noise-free) input: d w, or
  // sqrt(snr / (1 + snr)) (a group's value on each of its columns).
  Eigen::VectorXd gate() const;
  // The scale of the added training noise: 0, or sqrt(1 / (1 + snr)).
  Eigen::VectorXd noise_scale() const;
  // d gate_j / d w_g and d noise_scale_j / d w_g, per column j of group g.
  Eigen::VectorXd gate_derivative() const;
  Eigen::VectorXd noise_scale_derivative() const;

  // out = x * diag(gate)
  void forward(const Eigen::MatrixXd& x, Eigen::MatrixXd& out) const;

  // dL/dw from dL/dx' (grad_out) and the layer input x, noise-free:
  //   g_i = sum over rows of grad_out_i * gate'_i * x_i
  // (summed over each group's columns).
  // Linear in the rows, so blocks of a batch can be summed.
  Eigen::VectorXd weights_gradient(const Eigen::MatrixXd& x, const Eigen::MatrixXd& grad_out) const;

  // The same g without forming dL/dx': with M = x^T dL/dz0 (z0 = x' W0 + b0),
  //   g_i = gate'_i * sum_k M_ik W0_ik.
  // The network computes M anyway for dL/dW0 = diag(gate) M, so this saves
  // the n x d x h product that dL/dx' would cost. With training noise eps,
  // pass N = eps^T dL/dz0 too: g_i += noise'_i * sum_k N_ik W0_ik.
  Eigen::VectorXd weights_gradient_from_products(const Eigen::MatrixXd& input_times_grad,
                                                 const Eigen::MatrixXd& first_weight,
                                                 const Eigen::MatrixXd* noise_times_grad = nullptr) const;

  // dL/ds from the data term g = dL/dw, adding entropy_penalty * H(w) with
  // H(w) = -sum w log w:  dL/ds_i = (w_i / T) (g~_i - sum_j w_j g~_j).
  Eigen::VectorXd scores_gradient(const Eigen::VectorXd& grad_weights, double entropy_penalty) const;

  // H(w), the penalty's value.
  double entropy() const;

  // dL/ds from dL/dw for a softmax gate: (w / T) .* (g - <w, g>).
  static Eigen::VectorXd softmax_backward(const Eigen::VectorXd& weights, double temperature,
                                          const Eigen::VectorXd& grad_weights);

 private:
  // snr_g = c d w_g, kept off zero so the derivatives stay finite.
  Eigen::ArrayXd snr() const;
  // A value per score -> per column, and per column -> summed per score.
  Eigen::VectorXd expand(const Eigen::VectorXd& per_score) const;
  Eigen::VectorXd collapse(const Eigen::VectorXd& per_column) const;

  Eigen::VectorXd scores_;
  long n_inputs_ = 0;
  std::vector<long> group_sizes_;
  double temperature_ = 1.0;
  GateKind kind_ = GateKind::scale;
  double snr_budget_ = 1.0;
};

}  // namespace scoresactivation
