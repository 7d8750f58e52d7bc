// The ScoresActivation input layer (METHOD.md section 1).
//
// One learnable score s_i per feature; the gate is w = softmax(s / T) and each
// sample is rescaled as x' = d * (w .* x). At s = 0 the layer is the identity,
// so the network behind it starts as a plain MLP. w is the global importance.
#pragma once

#include <Eigen/Core>

namespace scoresactivation {

class ScoresLayer {
 public:
  ScoresLayer() = default;
  ScoresLayer(long n_features, double temperature)
      : scores_(Eigen::VectorXd::Zero(n_features)), temperature_(temperature) {}

  long n_features() const { return scores_.size(); }
  double temperature() const { return temperature_; }
  const Eigen::VectorXd& raw_scores() const { return scores_; }
  Eigen::VectorXd& raw_scores() { return scores_; }

  // w = softmax(s / T): positive, sums to 1.
  Eigen::VectorXd weights() const;

  // The per-feature multiplier d * w.
  Eigen::VectorXd gate() const { return static_cast<double>(n_features()) * weights(); }

  // out = x * diag(d * w)
  void forward(const Eigen::MatrixXd& x, Eigen::MatrixXd& out) const;

  // dL/dw from dL/dx' (grad_out) and the layer input x:
  //   g_i = sum over rows of grad_out_i * d * x_i.
  // Linear in the rows, so blocks of a batch can be summed.
  Eigen::VectorXd weights_gradient(const Eigen::MatrixXd& x, const Eigen::MatrixXd& grad_out) const;

  // The same g without forming dL/dx': with M = x^T dL/dz0 (z0 = x' W0 + b0),
  //   g_i = d * sum_k M_ik W0_ik.
  // The network computes M anyway for dL/dW0 = diag(d w) M, so this saves
  // the n x d x h product that dL/dx' would cost.
  Eigen::VectorXd weights_gradient_from_products(const Eigen::MatrixXd& input_times_grad,
                                                 const Eigen::MatrixXd& first_weight) const;

  // dL/ds from the data term g = dL/dw, adding entropy_penalty * H(w) with
  // H(w) = -sum w log w:  dL/ds_i = (w_i / T) (g~_i - sum_j w_j g~_j).
  Eigen::VectorXd scores_gradient(const Eigen::VectorXd& grad_weights, double entropy_penalty) const;

  // H(w), the penalty's value.
  double entropy() const;

  // dL/ds from dL/dw for a softmax gate: (w / T) .* (g - <w, g>).
  static Eigen::VectorXd softmax_backward(const Eigen::VectorXd& weights, double temperature,
                                          const Eigen::VectorXd& grad_weights);

 private:
  Eigen::VectorXd scores_;
  double temperature_ = 1.0;
};

}  // namespace scoresactivation
