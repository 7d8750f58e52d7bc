#include "scoresactivation/params.hpp"

#include <stdexcept>

#include "scoresactivation/kernels.hpp"
#include "scoresactivation/param_spec.hpp"

namespace scoresactivation {

void Params::validate() const {
  ParamSet set;
  set.training = *this;
  check_group(set, ParamGroup::training);  // types, ranges and choices (param_spec.cpp)
  // What the table cannot say: rules across parameters and about this machine.
  if (!(weight_decay * learning_rate < 1.0))
    throw std::invalid_argument("weight_decay * learning_rate must be < 1 (the per-step shrink factor)");
  kernel_path_from_string(kernel);  // avx2 where this CPU lacks it
  if (n_threads <= 0 || n_threads > kMaxThreads)
    throw std::invalid_argument("n_threads must be an integer in [1, " + std::to_string(kMaxThreads) +
                                "] (counts above 4 x the cores run on 4 x the cores)");
}

}  // namespace scoresactivation
