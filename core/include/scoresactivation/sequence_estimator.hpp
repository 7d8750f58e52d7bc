// The sequence estimators' facade both front ends bind (the counterpart of
// estimator.hpp): fit on (n, steps, channels) sequences, predict, scores per
// channel, the fitted state.
//
// Sequences arrive as an (n, steps * channels) matrix, column t * channels + c
// holding channel c at step t (a C-order numpy (n, steps, channels) array
// read as (n, steps * channels), or an R array permuted likewise), with
// optional lengths: n whole numbers in 1..steps; the values beyond a
// sequence's length are ignored. Prediction takes any number of steps.
#pragma once

#include <Eigen/Core>
#include <vector>

#include "scoresactivation/callbacks.hpp"
#include "scoresactivation/model_state.hpp"
#include "scoresactivation/params.hpp"
#include "scoresactivation/sequence_network.hpp"
#include "scoresactivation/training.hpp"

namespace scoresactivation {

class SequenceEstimator {
 public:
  SequenceEstimator(Params params, SequenceParams sequence, Task task);
  // Rebuilds a fitted estimator from its state (see state()).
  SequenceEstimator(Params params, SequenceParams sequence, const ModelState& state);

  // Transactional, as Estimator::fit.
  void fit(const MatrixView& x, long steps, const Eigen::VectorXd& lengths, const Eigen::VectorXd& y,
           const Eigen::VectorXd& sample_weight, long n_classes, const Callbacks& callbacks = Callbacks(),
           const ValidationInput* validation = nullptr);

  bool fitted() const { return fitted_; }
  const Params& params() const { return params_; }
  const SequenceParams& sequence_params() const { return sequence_; }
  Task task() const { return task_; }
  long n_channels() const { return network_.n_channels(); }
  long n_outputs() const { return network_.n_outputs(); }

  // Regression outputs (original scale) or class logits, (n, n_outputs).
  Eigen::MatrixXd decision_function(const MatrixView& x, long steps, const Eigen::VectorXd& lengths) const;
  // Class probabilities (n, n_classes). Classification only.
  Eigen::MatrixXd predict_proba(const MatrixView& x, long steps, const Eigen::VectorXd& lengths) const;

  // Global channel importances w = softmax(s / T), summing to 1. Needs the gate.
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

  const SequenceNetwork& network() const { return network_; }
  const Eigen::VectorXd& input_mean() const { return fit_.input_mean; }    // per channel
  const Eigen::VectorXd& input_scale() const { return fit_.input_scale; }  // per channel
  double target_mean() const { return fit_.target_mean; }
  double target_scale() const { return fit_.target_scale; }
  KernelPath kernel_path() const { return kernel_path_; }

  // Throws std::invalid_argument unless x has a whole number of steps of
  // n_channels, lengths (if any) fit, and the valid values are finite.
  void check_input(const MatrixView& x, long steps, const Eigen::VectorXd& lengths, const char* name) const;
  // (x - mean) / scale per channel, zero at padded steps: the network's input.
  Eigen::MatrixXd standardise(const MatrixView& x, long steps, const Eigen::VectorXd& lengths) const;

  ModelState state() const;

 private:
  void check_fitted() const;

  Params params_;
  SequenceParams sequence_;
  Task task_;
  KernelPath kernel_path_;
  bool fitted_ = false;
  SequenceNetwork network_;
  FitSummary fit_;
};

// check_state's counterpart for sequence models.
void check_sequence_state(const Params& params, const SequenceParams& sequence, const ModelState& state);

}  // namespace scoresactivation
