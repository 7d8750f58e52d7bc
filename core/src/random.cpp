#include "scoresactivation/random.hpp"

#include <cmath>
#include <limits>
#include <utility>

namespace scoresactivation {

namespace {
std::uint64_t splitmix64(std::uint64_t x) {
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}
}  // namespace

std::uint64_t derive_seed(std::uint64_t seed, std::uint64_t unit, std::uint64_t sub_unit) {
  return splitmix64(splitmix64(splitmix64(seed) ^ unit) ^ sub_unit);
}

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

void Random::fill_normal(double* out, std::size_t n) {
  // Marsaglia's polar method: no sine or cosine, which made Box-Muller the
  // larger part of the snr gate's per-step noise cost.
  for (std::size_t i = 0; i < n; i += 2) {
    double u, v, s;
    do {
      u = 2.0 * uniform() - 1.0;
      v = 2.0 * uniform() - 1.0;
      s = u * u + v * v;
    } while (s >= 1.0 || s == 0.0);
    const double m = std::sqrt(-2.0 * std::log(s) / s);
    out[i] = u * m;
    if (i + 1 < n) out[i + 1] = v * m;
  }
}

void Random::shuffle(std::vector<std::size_t>& values) {
  for (std::size_t i = values.size(); i > 1; --i) {
    const std::size_t j = static_cast<std::size_t>(uniform_index(i));
    std::swap(values[i - 1], values[j]);
  }
}

}  // namespace scoresactivation
