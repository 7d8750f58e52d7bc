// The fitted state as named arrays, so each front end serialises it with its
// own JSON library (docs/model-format.md specifies the document).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "scoresactivation/params.hpp"

namespace scoresactivation {

// 2: the snr gate and the refinement phase (params gate, snr_budget,
// refine_epochs). A version-1 file was written by the scale gate without
// refinement: readers fill those params in (see docs/model-format.md).
constexpr int kModelFormatVersion = 2;

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

// Checks a fitted state against the params it was fitted with before
// anything is built from it: sizes within limits and consistent with each
// other, every array present with its shape (no unknown ones), every value
// finite, scales positive. Throws std::invalid_argument naming the array.
void check_state(const Params& params, const ModelState& state);

}  // namespace scoresactivation
