#include "scoresactivation/random.hpp"

#include <cmath>
#include <limits>
#include <utility>

namespace scoresactivation {

double Random::uniform() {
  return static_cast<double>(engine_() >> 11) * 0x1.0p-53;
}

std::uint64_t Random::uniform_index(std::uint64_t n) {
  // Reject the top partial block so every residue is equally likely.
  const std::uint64_t max = std::numeric_limits<std::uint64_t>::max();
  const std::uint64_t limit = max - (max % n + 1) % n;
  std::uint64_t draw;
  do {
    draw = engine_();
  } while (draw > limit);
  return draw % n;
}

double Random::normal() {
  constexpr double two_pi = 6.283185307179586476925286766559;
  double u1;
  do {
    u1 = uniform();
  } while (u1 <= 0.0);
  const double u2 = uniform();
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(two_pi * u2);
}

void Random::shuffle(std::vector<std::size_t>& values) {
  for (std::size_t i = values.size(); i > 1; --i) {
    const std::size_t j = static_cast<std::size_t>(uniform_index(i));
    std::swap(values[i - 1], values[j]);
  }
}

}  // namespace scoresactivation
