// Bounds of the counts the attribution methods and metrics take, and size
// arithmetic that cannot overflow. The bounds sit far above any useful value
// (the error of sampled Shapley values shrinks as 1 / sqrt(n_permutations),
// that of Gauss-Legendre integrated gradients far faster) and low enough that
// no size or work count computed from them overflows 64 bits.
#pragma once

#include <algorithm>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>

namespace scoresactivation {

constexpr long kMaxShapleyPermutations = 10000000;  // n_permutations
constexpr long kMaxIntegrationSteps = 1000000;      // n_steps of integrated gradients
constexpr long kMaxPermutationRepeats = 100000;     // n_repeats of permutation importance
constexpr long kMaxLipschitzSamples = 100000;       // n_samples of local_lipschitz

// Most values one buffer of an attribution method may hold (2^36 doubles,
// 512 GiB): more than any machine here has, and small enough that products of
// it with the bounds above stay far from overflow. Beyond it the request is
// refused with a clear message instead of a wrapped-around size. The core
// counts rows in long, 32 bits on Windows: never more than that holds.
constexpr std::int64_t kMaxBufferValues =
    std::min<std::int64_t>(std::int64_t{1} << 36, std::numeric_limits<long>::max());

// Throws std::invalid_argument "<name> must be an integer in [low, high]; got v".
inline void check_count(std::int64_t value, std::int64_t low, std::int64_t high, const char* name) {
  if (value < low || value > high)
    throw std::invalid_argument(std::string(name) + " must be an integer in [" + std::to_string(low) + ", " +
                                std::to_string(high) + "]; got " + std::to_string(value));
}

// The thread count of one call; counts above the machine's are capped by parallel_for.
inline void check_threads(int n_threads) {
  if (n_threads < 1)
    throw std::invalid_argument("n_threads must be a positive integer; got " + std::to_string(n_threads));
}

// a * b for sizes a, b >= 0; throws std::invalid_argument naming `what`
// when the product exceeds `limit` (never computing an overflowed product).
inline std::int64_t checked_product(std::int64_t a, std::int64_t b, const char* what,
                                    std::int64_t limit = kMaxBufferValues) {
  if (a < 0 || b < 0) throw std::invalid_argument(std::string(what) + ": negative size");
  if (a != 0 && b > limit / a)
    throw std::invalid_argument(std::string(what) + " would need more than " + std::to_string(limit) +
                                " values; pass fewer rows or a smaller count");
  return a * b;
}

}  // namespace scoresactivation
