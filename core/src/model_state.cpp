#include "scoresactivation/model_state.hpp"

#include <stdexcept>

namespace scoresactivation {

namespace {
std::string shape_string(const std::vector<long>& shape) {
  std::string out = "[";
  for (std::size_t i = 0; i < shape.size(); ++i) out += (i ? ", " : "") + std::to_string(shape[i]);
  return out + "]";
}
}  // namespace

const NamedArray& ModelState::require(const std::string& name, const std::vector<long>& shape) const {
  auto it = arrays.find(name);
  if (it == arrays.end()) throw std::invalid_argument("model state has no array '" + name + "'");
  long size = 1;
  for (long extent : shape) size *= extent;
  if (it->second.shape != shape || static_cast<long>(it->second.data.size()) != size)
    throw std::invalid_argument("model state array '" + name + "' has shape " +
                                shape_string(it->second.shape) + ", expected " + shape_string(shape));
  return it->second;
}

}  // namespace scoresactivation
