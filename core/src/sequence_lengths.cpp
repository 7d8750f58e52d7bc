#include "scoresactivation/sequence_lengths.hpp"

#include <cmath>
#include <stdexcept>

namespace scoresactivation {

bool read_lengths(const Eigen::VectorXd* lengths, long rows, long steps, std::vector<long>& out, const char* layer) {
  out.assign(static_cast<std::size_t>(rows), steps);
  if (lengths == nullptr) return false;
  if (lengths->size() != rows) throw std::invalid_argument(std::string(layer) + ": lengths must have one value per row");
  bool padded = false;
  for (long i = 0; i < rows; ++i) {
    const double value = (*lengths)[i];
    if (!(value >= 1.0 && value <= static_cast<double>(steps)) || value != std::floor(value))
      throw std::invalid_argument(std::string(layer) + ": lengths must be whole numbers in 1.." + std::to_string(steps));
    out[static_cast<std::size_t>(i)] = static_cast<long>(value);
    padded = padded || out[static_cast<std::size_t>(i)] < steps;
  }
  return padded;
}

bool same_lengths(const Eigen::VectorXd* lengths, long steps, const std::vector<long>& seen) {
  if (lengths != nullptr && lengths->size() != static_cast<long>(seen.size())) return false;
  for (std::size_t i = 0; i < seen.size(); ++i) {
    const double expected = lengths == nullptr ? static_cast<double>(steps) : (*lengths)[static_cast<long>(i)];
    if (static_cast<double>(seen[i]) != expected) return false;
  }
  return true;
}

}  // namespace scoresactivation
