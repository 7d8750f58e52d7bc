// The fitted state as named arrays, so each front end serialises it with its
// own JSON library (docs/model-format.md specifies the document).
#pragma once

#include <Eigen/Core>
#include <map>
#include <string>
#include <vector>

#include "scoresactivation/params.hpp"

namespace scoresactivation {

// 2: the snr gate and the refinement phase (params gate, snr_budget,
// refine_epochs). A version-1 file was written by the scale gate without
// refinement: readers fill those params in (see docs/model-format.md).
// 3: sequence models (estimator ScoresActivationSequence*, params
// architecture, units, kernel_size, pooling; lstm_/conv_ arrays). Tabular
// documents are unchanged from version 2.
// 4: SENN models (estimator SENNClassifier / SENNRegressor, param
// robustness_penalty; theta_ and output_bias arrays). Others unchanged.
// 5: categorical variables of tabular models (keys variables and formula;
// state array score_groups; param handle_unknown). Others unchanged.
constexpr int kModelFormatVersion = 5;

// A dense array; data are row-major (C order) for any rank.
struct NamedArray {
  std::vector<long> shape;
  std::vector<double> data;
};

struct ModelState {
  std::string task;  // "classification" or "regression"
  long n_features = 0;
  long n_outputs = 0;
  long n_epochs_run = 0;
  long best_epoch = 0;  // 1-based epoch whose weights were kept
  std::map<std::string, NamedArray> arrays;

  // Throws std::invalid_argument when a required array is missing or misshaped.
  const NamedArray& require(const std::string& name, const std::vector<long>& shape) const;
};

// The largest size accepted for any one dimension of a state (features,
// outputs, epochs): far above any real model, far below what could overflow
// a size computation.
constexpr long kMaxDimension = 1L << 24;

// Row-major (C order) arrays from Eigen objects, and back (shapes are the
// caller's to check first, see ModelState::require).
NamedArray to_named(const Eigen::MatrixXd& m);
NamedArray to_named(const Eigen::VectorXd& v);
NamedArray to_named(const std::vector<double>& v);
Eigen::MatrixXd matrix_from(const NamedArray& a);
Eigen::VectorXd vector_from(const NamedArray& a);

// The checks every family's state shares (sizes, epochs, scaling, scores,
// curves), with the family's own arrays and shapes in model_arrays; features
// are channels for sequence models. score_groups_allowed: the family takes
// an optional 'score_groups' array (the tabular network: columns sharing a
// score), which then sizes the scores. Throws std::invalid_argument naming the array.
void check_state_with(const Params& params, const ModelState& state,
                      const std::map<std::string, std::vector<long>>& model_arrays, bool score_groups_allowed = false);

// The columns of each score from a state's 'score_groups' array (empty when
// it has none), checked: positive integers summing to n_features, not all 1.
std::vector<long> score_groups_of(const ModelState& state);

// Checks a fitted state against the params it was fitted with before
// anything is built from it: sizes within limits and consistent with each
// other, every array present with its shape (no unknown ones), every value
// finite, scales positive. Throws std::invalid_argument naming the array.
void check_state(const Params& params, const ModelState& state);

}  // namespace scoresactivation
