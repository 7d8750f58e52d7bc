// The one training loop every model family shares (see trainable_model.hpp).
//
// prepare_training_data checks the data and standardises it; the caller then
// builds its model with the sizes it learned (features, outputs) and hands
// it to train_model. Estimator (tabular) and SequenceEstimator both fit this
// way, and bootstrap refits go through their fit.
#pragma once

#include <Eigen/Core>
#include <functional>
#include <string>
#include <vector>

#include "scoresactivation/callbacks.hpp"
#include "scoresactivation/model_state.hpp"
#include "scoresactivation/optimizer.hpp"
#include "scoresactivation/params.hpp"
#include "scoresactivation/trainable_model.hpp"

namespace scoresactivation {

enum class Task { classification, regression };
Task task_from_string(const std::string& name);
std::string to_string(Task task);

// A read-only view of an (n, p) matrix in any memory order (a column-major
// Eigen matrix, a C-order numpy array, an R matrix), so the front ends hand
// their data over without a copy.
using MatrixView = Eigen::Ref<const Eigen::MatrixXd, 0, Eigen::Stride<Eigen::Dynamic, Eigen::Dynamic>>;

// Rows gathered in shuffled order every epoch are one contiguous read each.
using RowMajorMatrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

// Rows a fit is judged on instead of a validation_fraction split (the front
// ends' validation_data): the same columns as the training x, checked like
// them and standardised with the training rows' scaling. lengths and
// sample_weight may be empty (all steps; equal weights).
struct ValidationInput {
  MatrixView x;
  const Eigen::VectorXd& lengths;
  const Eigen::VectorXd& y;
  const Eigen::VectorXd& sample_weight;
};

// The scaling a model's inputs and regression target are put on.
struct Scaling {
  Eigen::VectorXd input_mean, input_scale;
  double target_mean = 0.0, target_scale = 1.0;
};

// What a fit is given. x: (n, steps * channels) in the InputBlock layout
// (tabular: steps = 1). lengths: empty, or n whole numbers in 1..steps;
// values at padded steps are ignored (any value, NaN included). y: class
// indices 0..n_classes-1 (n_classes >= 2) or regression targets.
// sample_weight: empty or n values >= 0.
struct TrainingInput {
  MatrixView x;
  long steps = 1;
  const Eigen::VectorXd& lengths;
  const Eigen::VectorXd& y;
  const Eigen::VectorXd& sample_weight;
  long n_classes = 0;
  const ValidationInput* validation = nullptr;  // null: validation_fraction's split
  // partial_fit's chunks: given, the rows are put on this scale (the first
  // chunk's) instead of their own; a chunk may hold a single class.
  const Scaling* scaling = nullptr;
  bool incremental = false;
};

// The standardised data and the scaling that maps back to the user's units.
struct TrainingData {
  RowMajorMatrix x;  // (n, steps * channels), standardised; zero at padded steps
  long steps = 1, channels = 0;
  Eigen::VectorXd lengths;         // empty: all steps
  Eigen::VectorXd targets;         // class indices, or standardised regression targets
  Eigen::VectorXd sample_weight;   // ones when none was given
  long n_classes = 0, n_outputs = 0;
  Eigen::VectorXd input_mean, input_scale;  // per channel (per feature when tabular)
  double target_mean = 0.0, target_scale = 1.0;
  // Given validation rows, prepared like x (0 rows: split off validation_fraction).
  RowMajorMatrix validation_x;
  Eigen::VectorXd validation_lengths, validation_targets, validation_weight;
};

// Tabular rows at prediction time (Estimator, SennEstimator): throws
// std::invalid_argument unless x has n_features finite columns.
void check_tabular_input(const MatrixView& x, long n_features, const char* name);
// (x - mean) / scale by column; throws std::invalid_argument when a value is
// too far out for this scale to represent.
Eigen::MatrixXd standardise_rows(const MatrixView& x, const Eigen::VectorXd& mean, const Eigen::VectorXd& scale);

// A model saved with kernel="avx2" still loads on a CPU without AVX2: the
// portable kernel computes the same function.
Params loadable_params(Params params);

// (n, cols) rows computed block by block (block(start, rows) gives rows
// start..start+rows) in fixed blocks of block_rows on n_threads threads:
// the same numbers whatever the thread count.
Eigen::MatrixXd by_row_blocks(long n, long cols, long block_rows, int n_threads,
                              const std::function<Eigen::MatrixXd(long start, long rows)>& block);

// Inputs far outside the training data can overflow a network: throws
// std::invalid_argument rather than return infinities (or a silent class 0).
void check_finite_outputs(const Eigen::MatrixXd& outputs);

// Throws std::invalid_argument naming what is wrong with the data.
TrainingData prepare_training_data(const Params& params, Task task, const TrainingInput& input);

// What a fit records besides the model's parameters.
struct TrainingRecord {
  Eigen::MatrixXd scores_history;  // (epochs, channels): w after each epoch (0 columns without a gate)
  std::vector<double> loss_curve, validation_loss_curve;
  // Per epoch on the validation rows: accuracy (classification) or R^2,
  // weighted by sample_weight (the front ends' validation_scores_).
  std::vector<double> validation_score_curve;
  long best_epoch = 0;
  // Early stopping watched the scores phase, and max_epochs ended it before
  // the validation loss stopped improving (the front ends' convergence warning).
  bool max_epochs_reached = false;
};

// What a fitted estimator of any family keeps besides its tensors: the
// scaling, the record of the fit and the bootstrap scores, and their part of
// the model state.
struct FitSummary {
  Eigen::VectorXd input_mean, input_scale;  // per feature (channel)
  double target_mean = 0.0, target_scale = 1.0;
  Eigen::MatrixXd scores_history, scores_bootstrap;
  std::vector<double> loss_curve, validation_loss_curve, validation_score_curve;
  long best_epoch = 0;
  bool max_epochs_reached = false;  // TrainingRecord's; not in the model state (false once read back)

  FitSummary() = default;
  FitSummary(TrainingData& data, TrainingRecord&& record);  // takes the scaling out of data
  // The shared arrays (input/target scaling, scores with their history and
  // bootstrap, loss curves) and sizes; scores: the gate's raw scores or null.
  void write(ModelState& state, const Eigen::VectorXd* scores) const;
  // Back from a state check_state_with has accepted; scores as for write.
  void read(const ModelState& state, const Params& params, Eigen::VectorXd* scores);
  // A family's network outputs (n, n_outputs) in the user's units:
  // regression outputs rescaled to the target; then check_finite_outputs.
  void to_output_units(Task task, Eigen::MatrixXd& outputs) const;
};

// Where incremental training stands between partial_fit calls: the
// optimiser's moments, the gate noise stream's position and the passes run.
struct IncrementalState {
  OptimizerState optimizer;
  std::uint64_t noise_step = 0;
  long passes = 0;
};

// partial_fit's state in a model state (written only after a pass): arrays
// optimizer_first_moment and optimizer_second_moment (the moments of every
// trained tensor, concatenated in the model's parameters() order; the
// second is empty for sgd) and partial_fit_counters (optimiser steps, noise
// steps, passes), so a model saved mid-stream continues where it stopped.
void write_incremental_state(const IncrementalState& state, ModelState& s);
// Back from a state check_state has accepted; tensors: the model's
// parameters(). Throws std::invalid_argument when the sizes do not fit.
IncrementalState read_incremental_state(const ModelState& s, const std::vector<ParameterTensor>& tensors,
                                        const Params& params);

// One pass of mini-batches over every row of data (no validation, no early
// stopping), in the scores phase (the gate learns, with its training noise),
// continuing from state and updating it. initialise: draw the model's
// initial parameters first (a model's first partial_fit). The rows' order is
// shuffled by a stream derived from random_state and the pass number.
// Returns the pass's weighted mean loss; callbacks hear it as one epoch.
// Throws Interrupted, or std::runtime_error when training diverges (model
// then holds partly updated weights and state is unchanged).
double train_pass(TrainableModel& model, const Params& params, Task task, const TrainingData& data,
                  IncrementalState& state, bool initialise, const Callbacks& callbacks);

// Initialises model (from Random(params.random_state), before any other
// draw) and trains it on data. On return the model holds the kept weights.
// Throws Interrupted, or std::runtime_error when training diverges.
TrainingRecord train_model(TrainableModel& model, const Params& params, Task task, const TrainingData& data,
                           const Callbacks& callbacks);

}  // namespace scoresactivation
