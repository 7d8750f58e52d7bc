// Random: the raw engine's golden draws, the distributions' properties, and
// hard-coded golden values of our own transformations, so that any change of
// algorithm (which would change every fitted model) is caught.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numeric>
#include <vector>

#include "scoresactivation/random.hpp"

using scoresactivation::Random;

TEST(Random, Mt19937_64Seed42FirstDraws) {
  Random random(42);
  const std::uint64_t expected[] = {13930160852258120406ULL, 11788048577503494824ULL, 13874630024467741450ULL,
                                    2513787319205155662ULL, 16662371453428439381ULL};
  for (std::uint64_t value : expected) EXPECT_EQ(random.next_u64(), value);
}

TEST(Random, Mt19937_64TenThousandthDrawOfTheDefaultSeed) {
  // [rand.predef]: the 10000th consecutive invocation of a default-constructed
  // mt19937_64 produces 9981545732273789042. The default seed is 5489.
  Random random(5489);
  std::uint64_t value = 0;
  for (int i = 0; i < 10000; ++i) value = random.next_u64();
  EXPECT_EQ(value, 9981545732273789042ULL);
}

TEST(Random, UniformIsTopFiftyThreeBitsOfTheRawDraw) {
  Random a(99), b(99);
  for (int i = 0; i < 1000; ++i) {
    const std::uint64_t raw = b.next_u64();
    EXPECT_EQ(a.uniform(), static_cast<double>(raw >> 11) / 9007199254740992.0);
  }
}

TEST(Random, UniformIsInUnitIntervalWithTheRightMoments) {
  Random random(1);
  const int n = 200000;
  double sum = 0.0, sum_sq = 0.0, lo = 1.0, hi = 0.0;
  for (int i = 0; i < n; ++i) {
    const double u = random.uniform();
    ASSERT_GE(u, 0.0);
    ASSERT_LT(u, 1.0);
    sum += u;
    sum_sq += u * u;
    lo = std::min(lo, u);
    hi = std::max(hi, u);
  }
  EXPECT_NEAR(sum / n, 0.5, 0.005);             // sd of the mean: 0.00065
  EXPECT_NEAR(sum_sq / n - 0.25, 1.0 / 12.0, 0.002);
  EXPECT_LT(lo, 1e-4);
  EXPECT_GT(hi, 1.0 - 1e-4);
  Random ranged(2);
  for (int i = 0; i < 1000; ++i) {
    const double v = ranged.uniform(-3.0, 5.0);
    ASSERT_GE(v, -3.0);
    ASSERT_LT(v, 5.0);
  }
}

TEST(Random, UniformIndexIsUnbiased) {
  // Chi-square goodness of fit over 10 cells, 100000 draws: df = 9, the
  // 99.99 % quantile is 33.7.
  Random random(3);
  const int n = 100000, k = 10;
  std::vector<long> counts(k, 0);
  for (int i = 0; i < n; ++i) {
    const std::uint64_t v = random.uniform_index(k);
    ASSERT_LT(v, static_cast<std::uint64_t>(k));
    ++counts[static_cast<std::size_t>(v)];
  }
  double chi2 = 0.0;
  for (long c : counts) chi2 += (c - n / double(k)) * (c - n / double(k)) / (n / double(k));
  EXPECT_LT(chi2, 33.7);
  // n = 1 always gives 0.
  for (int i = 0; i < 10; ++i) EXPECT_EQ(random.uniform_index(1), 0u);
}

TEST(Random, UniformIndexRejectsTheTopPartialBlock) {
  // n = 3 * 2^62: 2^64 mod n = 2^62, so a plain modulo reduction would give
  // the values below 2^62 probability 1/2 instead of 1/3.
  const std::uint64_t n = std::uint64_t{3} << 62;
  const std::uint64_t third = std::uint64_t{1} << 62;
  Random random(4);
  const int draws = 30000;
  int low = 0;
  for (int i = 0; i < draws; ++i) {
    const std::uint64_t v = random.uniform_index(n);
    ASSERT_LT(v, n);
    if (v < third) ++low;
  }
  // Binomial(30000, 1/3): sd 82; modulo bias would give 15000.
  EXPECT_NEAR(low, draws / 3, 500);
  // The largest n works and stays in range.
  const std::uint64_t max = std::numeric_limits<std::uint64_t>::max();
  for (int i = 0; i < 100; ++i) EXPECT_LT(random.uniform_index(max), max);
}

TEST(Random, NormalHasZeroMeanAndUnitVariance) {
  Random random(5);
  const int n = 200000;
  double sum = 0.0, sum_sq = 0.0;
  int beyond_two = 0;
  for (int i = 0; i < n; ++i) {
    const double z = random.normal();
    ASSERT_TRUE(std::isfinite(z));
    sum += z;
    sum_sq += z * z;
    if (std::abs(z) > 2.0) ++beyond_two;
  }
  EXPECT_NEAR(sum / n, 0.0, 0.012);
  EXPECT_NEAR(sum_sq / n, 1.0, 0.015);
  EXPECT_NEAR(beyond_two / double(n), 0.0455, 0.003);
}

TEST(Random, NormalUsesTwoUniformsPerCall) {
  // Box-Muller with the second value discarded: one normal consumes exactly
  // two raw draws (u1 = 0 is rejected but has probability 2^-53).
  Random a(6), b(6);
  for (int i = 0; i < 5; ++i) a.normal();
  for (int i = 0; i < 10; ++i) b.next_u64();
  EXPECT_EQ(a.next_u64(), b.next_u64());
}

TEST(Random, FillNormalIsStandardNormalPairsAndIndependent) {
  Random random(7);
  const std::size_t n = 200001;  // odd: the last pair's second value is dropped
  std::vector<double> z(n);
  random.fill_normal(z.data(), n);
  double sum = 0.0, sum_sq = 0.0, sum_4 = 0.0, lag = 0.0;
  int beyond_two = 0;
  for (std::size_t i = 0; i < n; ++i) {
    ASSERT_TRUE(std::isfinite(z[i]));
    sum += z[i];
    sum_sq += z[i] * z[i];
    sum_4 += z[i] * z[i] * z[i] * z[i];
    if (std::abs(z[i]) > 2.0) ++beyond_two;
    if (i > 0) lag += z[i] * z[i - 1];  // the two values of a pair, and neighbouring pairs
  }
  EXPECT_NEAR(sum / n, 0.0, 0.012);
  EXPECT_NEAR(sum_sq / n, 1.0, 0.015);
  EXPECT_NEAR(sum_4 / n, 3.0, 0.08);
  EXPECT_NEAR(beyond_two / double(n), 0.0455, 0.003);
  EXPECT_NEAR(lag / (n - 1), 0.0, 0.012);
  // The same seed and length give the same values.
  Random again(7);
  std::vector<double> z2(n);
  again.fill_normal(z2.data(), n);
  EXPECT_EQ(z, z2);
}

TEST(Random, ShuffleIsAPermutation) {
  Random random(8);
  for (std::size_t size : {0u, 1u, 2u, 3u, 17u, 1000u}) {
    std::vector<std::size_t> v(size);
    std::iota(v.begin(), v.end(), std::size_t{0});
    random.shuffle(v);
    std::vector<std::size_t> sorted = v;
    std::sort(sorted.begin(), sorted.end());
    for (std::size_t i = 0; i < size; ++i) ASSERT_EQ(sorted[i], i);
    if (size == 1000) {
      std::size_t fixed = 0;
      for (std::size_t i = 0; i < size; ++i) fixed += v[i] == i;
      EXPECT_LT(fixed, 10u);  // expected 1 fixed point
    }
  }
}

TEST(Random, ShuffleIsUniformOverPermutationsOfThree) {
  Random random(9);
  std::vector<int> counts(6, 0);
  const int n = 60000;
  for (int t = 0; t < n; ++t) {
    std::vector<std::size_t> v{0, 1, 2};
    random.shuffle(v);
    const int code = static_cast<int>(v[0] * 2 + (v[1] > v[2] ? 1 : 0));
    ++counts[static_cast<std::size_t>(code)];
  }
  double chi2 = 0.0;
  for (int c : counts) chi2 += (c - n / 6.0) * (c - n / 6.0) / (n / 6.0);
  EXPECT_LT(chi2, 25.7);  // df = 5, 99.99 % quantile
}

// Golden values (computed once with this implementation; any change of the
// transformations changes every fitted model and must be deliberate).
TEST(Random, GoldenUniformSeed7) {
  Random random(7);
  EXPECT_EQ(random.uniform(), 0.75438530415285798);
  EXPECT_EQ(random.uniform(), 0.94930120289264419);
  EXPECT_EQ(random.uniform(), 0.11741428103451801);
  EXPECT_EQ(random.uniform(), 0.89191317671247627);
  EXPECT_EQ(random.uniform(), 0.14127156320378675);
  Random ranged(7);
  EXPECT_EQ(ranged.uniform(-2.0, 3.0), 1.77192652076429);
  EXPECT_EQ(ranged.uniform(-2.0, 3.0), 2.746506014463221);
  EXPECT_EQ(ranged.uniform(-2.0, 3.0), -1.41292859482741);
}

TEST(Random, GoldenNormalSeed7) {
  // std::log and std::cos are not bit-exact across libms: 1 ulp slack.
  Random random(7);
  const double expected[] = {0.71302983388758112, 1.6105563141402486, 1.8610639876437933, 0.49141596902488044,
                             -0.33009257428451511};
  for (double value : expected) EXPECT_DOUBLE_EQ(random.normal(), value);
}

TEST(Random, GoldenShuffleAndIndexSeed7) {
  Random random(7);
  std::vector<std::size_t> v(10);
  std::iota(v.begin(), v.end(), std::size_t{0});
  random.shuffle(v);
  EXPECT_EQ(v, (std::vector<std::size_t>{0, 7, 4, 9, 3, 1, 2, 8, 6, 5}));
  Random index(7);
  const std::uint64_t expected[] = {5, 0, 8, 6, 1};
  for (std::uint64_t value : expected) EXPECT_EQ(index.uniform_index(10), value);
}
