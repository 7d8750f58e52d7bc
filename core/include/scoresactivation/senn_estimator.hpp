// The SENN estimators' facade both front ends bind (the counterpart of
// estimator.hpp for senn_network.hpp): fit, predict, the model's own
// explanation theta(x), scores when it has the gate, the fitted state.
#pragma once

#include <Eigen/Core>

#include "scoresactivation/callbacks.hpp"
#include "scoresactivation/model_state.hpp"
#include "scoresactivation/params.hpp"
#include "scoresactivation/senn_network.hpp"
#include "scoresactivation/training.hpp"

namespace scoresactivation {

class SennEstimator {
 public:
  SennEstimator(Params params, SennParams senn, Task task);
  // Rebuilds a fitted estimator from its state (see state()).
  SennEstimator(Params params, SennParams senn, const ModelState& state);

  // As Estimator::fit (transactional; theta is the MLP of hidden_layer_sizes).
  void fit(const MatrixView& x, const Eigen::VectorXd& y, const Eigen::VectorXd& sample_weight, long n_classes,
           const Callbacks& callbacks = Callbacks(),
           const ValidationInput* validation = nullptr);

  bool fitted() const { return fitted_; }
  const Params& params() const { return params_; }
  const SennParams& senn_params() const { return senn_; }
  Task task() const { return task_; }
  long n_features() const { return network_.n_features(); }
  long n_outputs() const { return network_.n_outputs(); }

  // Regression outputs (original scale) or class logits, (n, n_outputs).
  Eigen::MatrixXd decision_function(const MatrixView& x) const;
  Eigen::MatrixXd predict_proba(const MatrixView& x) const;

  // theta(x): (n, n_outputs * d), column k * d + i the coefficient of
  // concept i (the gated, standardised feature) in output k.
  Eigen::MatrixXd relevances(const MatrixView& x) const;
  // theta_{k,i}(x) z_i in the output's units (regression: times the target
  // scale), (n, n_outputs * d): with base_values() they sum to
  // decision_function exactly.
  Eigen::MatrixXd contributions(const MatrixView& x) const;
  // b_k (logits) or target_mean + target_scale * b (regression).
  Eigen::VectorXd base_values() const;
  // d decision_function[:, target] / dx in the original units, (n, d).
  Eigen::MatrixXd input_gradient(const MatrixView& x, long target) const;
  // Per row sum_k || grad_z f_k - theta_k ||^2 on the concepts (what the
  // penalty drives down; in standardised output units).
  Eigen::VectorXd robustness_residual(const MatrixView& x) const;

  // w = softmax(s / T). Needs the gate (scores_layer).
  Eigen::VectorXd scores() const;
  const Eigen::MatrixXd& scores_bootstrap() const { return fit_.scores_bootstrap; }
  const Eigen::MatrixXd& scores_history() const { return fit_.scores_history; }
  const std::vector<double>& loss_curve() const { return fit_.loss_curve; }
  const std::vector<double>& validation_loss_curve() const { return fit_.validation_loss_curve; }
  const std::vector<double>& validation_score_curve() const { return fit_.validation_score_curve; }
  long n_epochs_run() const { return static_cast<long>(fit_.loss_curve.size()); }
  long best_epoch() const { return fit_.best_epoch; }
  // The scores phase ran all max_epochs with early stopping on (after fit; false once read back).
  bool max_epochs_reached() const { return fit_.max_epochs_reached; }

  const SennNetwork& network() const { return network_; }
  const Eigen::VectorXd& input_mean() const { return fit_.input_mean; }
  const Eigen::VectorXd& input_scale() const { return fit_.input_scale; }
  double target_mean() const { return fit_.target_mean; }
  double target_scale() const { return fit_.target_scale; }
  KernelPath kernel_path() const { return kernel_path_; }

  ModelState state() const;

 private:
  void check_fitted() const;
  // The checked, standardised rows of x.
  Eigen::MatrixXd network_input(const MatrixView& x) const;
  double output_scale() const { return task_ == Task::regression ? fit_.target_scale : 1.0; }

  Params params_;
  SennParams senn_;
  Task task_;
  KernelPath kernel_path_;
  bool fitted_ = false;
  SennNetwork network_;
  FitSummary fit_;
};

// check_state's counterpart for SENN models.
void check_senn_state(const Params& params, const SennParams& senn, const ModelState& state);

}  // namespace scoresactivation
