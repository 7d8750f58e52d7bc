// The facade both front ends bind: fit, predict, scores and the fitted state.
#pragma once

#include <Eigen/Core>
#include <string>
#include <vector>

#include "scoresactivation/callbacks.hpp"
#include "scoresactivation/kernels.hpp"
#include "scoresactivation/model_state.hpp"
#include "scoresactivation/network.hpp"
#include "scoresactivation/params.hpp"
#include "scoresactivation/training.hpp"

namespace scoresactivation {

class Estimator {
 public:
  Estimator(Params params, Task task);

  // Rebuilds a fitted estimator from its state (see state()).
  Estimator(Params params, const ModelState& state);

  // X: (n, d). y: class indices 0..n_classes-1 for classification (n_classes
  // >= 2), targets for regression. sample_weight: empty or (n), >= 0.
  // Transactional: when the fit throws (bad data, interrupt, divergence) the
  // estimator keeps its previous state, fitted or not. Memory: one
  // standardised copy of X beyond the caller's (the validation rows included).
  // score_groups: contiguous column counts that share one score (a
  // categorical variable's one-hot columns); empty: one score per column.
  // validation: rows early stopping watches instead of a validation_fraction
  // split (null: the split); the bootstrap refits watch them too.
  void fit(const MatrixView& x, const Eigen::VectorXd& y, const Eigen::VectorXd& sample_weight,
           long n_classes, const Callbacks& callbacks = Callbacks(), const std::vector<long>& score_groups = {},
           const ValidationInput* validation = nullptr);

  // One pass of mini-batches over a chunk of rows (incremental training, as
  // sklearn's partial_fit), continuing from the current model: the first
  // call on an unfitted estimator builds the network and takes the inputs'
  // (and regression target's) standardisation from this chunk; later calls
  // put their rows on that scale and carry the optimiser's moments and the
  // gate's noise stream on. The gate learns in every pass (the scores
  // phase): refine_epochs, early stopping, validation and n_bootstrap are
  // fit()'s. After fit(), partial_fit continues from the fitted weights with
  // a fresh optimiser. n_classes must be the model's; a chunk may hold a
  // single class; n_bootstrap must be 0. Transactional, as fit. The
  // validation curves of an earlier fit() are dropped (they no longer
  // describe the model); loss_curve and scores_history gain one entry.
  void partial_fit(const MatrixView& x, const Eigen::VectorXd& y, const Eigen::VectorXd& sample_weight,
                   long n_classes, const Callbacks& callbacks = Callbacks(),
                   const std::vector<long>& score_groups = {});
  // partial_fit passes run on this model (0 after fit()).
  long partial_fit_passes() const { return incremental_.passes; }
  bool fitted() const { return fitted_; }
  const Params& params() const { return params_; }
  Task task() const { return task_; }
  long n_features() const { return network_.n_features(); }
  long n_outputs() const { return network_.n_outputs(); }

  // Regression outputs (original scale) or class logits, (n, n_outputs).
  Eigen::MatrixXd decision_function(const MatrixView& x) const;
  // Class probabilities (n, n_classes). Classification only.
  Eigen::MatrixXd predict_proba(const MatrixView& x) const;

  // Global importances w = softmax(s / T) (sums to 1), one per score group
  // (per column without groups). Needs the scores layer.
  Eigen::VectorXd scores() const;
  // The columns of each score (empty: one score per column), as given to fit.
  const std::vector<long>& score_groups() const { return score_groups_; }
  // (n_bootstrap, d): the scores of the refits on bootstrap resamples (empty
  // when n_bootstrap is 0 or without the scores layer).
  const Eigen::MatrixXd& scores_bootstrap() const { return fit_.scores_bootstrap; }
  // (n_epochs_run, d): w after each epoch.
  const Eigen::MatrixXd& scores_history() const { return fit_.scores_history; }
  const std::vector<double>& loss_curve() const { return fit_.loss_curve; }
  const std::vector<double>& validation_loss_curve() const { return fit_.validation_loss_curve; }
  const std::vector<double>& validation_score_curve() const { return fit_.validation_score_curve; }
  long n_epochs_run() const { return static_cast<long>(fit_.loss_curve.size()); }
  long best_epoch() const { return fit_.best_epoch; }
  // The scores phase ran all max_epochs with early stopping on (after fit; false once read back).
  bool max_epochs_reached() const { return fit_.max_epochs_reached; }

  const Network& network() const { return network_; }
  Network& network() { return network_; }
  const Eigen::VectorXd& input_mean() const { return fit_.input_mean; }
  const Eigen::VectorXd& input_scale() const { return fit_.input_scale; }
  KernelPath kernel_path() const { return kernel_path_; }
  // Regression outputs are o * target_scale + target_mean (o: network output).
  double target_mean() const { return fit_.target_mean; }
  double target_scale() const { return fit_.target_scale; }

  // (x - input_mean) / input_scale, the network's input. Throws
  // std::invalid_argument when a value is too far out for this scale to
  // represent (|x - mean| / scale overflows).
  Eigen::MatrixXd standardise(const MatrixView& x) const;
  // Throws std::invalid_argument unless x has n_features finite columns.
  void check_input(const MatrixView& x, const char* name) const;

  ModelState state() const;

 private:
  void check_fitted() const;

  Params params_;
  Task task_;
  KernelPath kernel_path_;
  bool fitted_ = false;
  Network network_;
  std::vector<long> score_groups_;
  FitSummary fit_;
  IncrementalState incremental_;
};

}  // namespace scoresactivation
