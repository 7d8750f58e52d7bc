#include "scoresactivation/params.hpp"

#include <cmath>
#include <stdexcept>

#include "scoresactivation/activation.hpp"
#include "scoresactivation/kernels.hpp"
#include "scoresactivation/optimizer.hpp"
#include "scoresactivation/scores_layer.hpp"

namespace scoresactivation {

namespace {
void require(bool ok, const std::string& message) {
  if (!ok) throw std::invalid_argument(message);
}
bool positive(double v) { return std::isfinite(v) && v > 0.0; }
bool non_negative(double v) { return std::isfinite(v) && v >= 0.0; }
}  // namespace

void Params::validate() const {
  require(hidden_layer_sizes.size() <= 64, "hidden_layer_sizes may have at most 64 layers");
  for (long width : hidden_layer_sizes)
    require(width > 0 && width <= kMaxLayerWidth,
            "hidden_layer_sizes must contain integers in [1, " + std::to_string(kMaxLayerWidth) + "]");
  activation_from_string(activation);
  solver_from_string(solver);
  kernel_path_from_string(kernel);
  gate_kind_from_string(gate);
  // Beyond 1e6 the gate is 1 to rounding anyway, and r / (1 + r) must stay finite.
  require(positive(snr_budget) && snr_budget <= 1e6, "snr_budget must be a number in (0, 1e6]");
  require(positive(temperature), "temperature must be a positive number");
  require(non_negative(entropy_penalty), "entropy_penalty must be >= 0");
  require(positive(learning_rate), "learning_rate must be a positive number");
  require(positive(scores_learning_rate), "scores_learning_rate must be a positive number");
  require(non_negative(weight_decay), "weight_decay must be >= 0");
  require(weight_decay * learning_rate < 1.0,
          "weight_decay * learning_rate must be < 1 (the per-step shrink factor)");
  require(non_negative(momentum) && momentum < 1.0, "momentum must be in [0, 1)");
  require(non_negative(beta_1) && beta_1 < 1.0, "beta_1 must be in [0, 1)");
  require(non_negative(beta_2) && beta_2 < 1.0, "beta_2 must be in [0, 1)");
  require(positive(epsilon), "epsilon must be a positive number");
  require(batch_size > 0, "batch_size must be a positive integer");
  require(max_epochs > 0 && max_epochs <= kMaxEpochs,
          "max_epochs must be an integer in [1, " + std::to_string(kMaxEpochs) + "]");
  require(refine_epochs >= 0 && refine_epochs <= kMaxEpochs,
          "refine_epochs must be an integer in [0, " + std::to_string(kMaxEpochs) + "]");
  require(n_bootstrap >= 0 && n_bootstrap <= 100000, "n_bootstrap must be an integer in [0, 100000]");
  require(std::isfinite(validation_fraction) && validation_fraction > 0.0 && validation_fraction < 1.0,
          "validation_fraction must be in (0, 1)");
  require(n_iter_no_change > 0 && n_iter_no_change <= kMaxEpochs,
          "n_iter_no_change must be an integer in [1, " + std::to_string(kMaxEpochs) + "]");
  require(non_negative(tol), "tol must be >= 0");
  require(n_threads > 0 && n_threads <= kMaxThreads,
          "n_threads must be an integer in [1, " + std::to_string(kMaxThreads) + "] (counts above 4 x the cores run on 4 x the cores)");
}

}  // namespace scoresactivation
