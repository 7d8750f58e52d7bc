// Seeded random numbers that give the same bits with every standard library.
//
// std::mt19937_64's output sequence is fixed by the C++ standard, but the std
// distributions (uniform_real_distribution, normal_distribution, shuffle) are
// not, so Python (gcc/libstdc++) and R (any toolchain) would diverge. We draw
// from the raw engine and do the transformations ourselves.
#pragma once

#include <cstddef>
#include <cstdint>
#include <random>
#include <vector>

namespace scoresactivation {

// A seed for one unit of parallel work (a feature, a repeat, a row), mixed
// from the user's seed by SplitMix64 so results never depend on which thread
// ran the unit.
std::uint64_t derive_seed(std::uint64_t seed, std::uint64_t unit, std::uint64_t sub_unit = 0);

class Random {
 public:
  explicit Random(std::uint64_t seed) : engine_(seed) {}

  // Raw 64-bit draw from the engine.
  std::uint64_t next_u64() { return engine_(); }

  // Uniform double in [0, 1) from the top 53 bits (exactly representable).
  double uniform();

  // Uniform double in [low, high).
  double uniform(double low, double high) { return low + (high - low) * uniform(); }

  // Uniform integer in [0, n) without modulo bias (rejection sampling). n > 0.
  std::uint64_t uniform_index(std::uint64_t n);

  // Standard normal by the Box-Muller transform (one value per call; the
  // second value is discarded so the stream position never depends on state).
  double normal();

  // n standard normals by the polar method, both values of each pair used.
  void fill_normal(double* out, std::size_t n);

  // Fisher-Yates shuffle, from the last element down.
  void shuffle(std::vector<std::size_t>& values);

 private:
  std::mt19937_64 engine_;
};

}  // namespace scoresactivation
