// The consistency (harmonizing) report on rankings whose agreement is known
// in closed form.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "scoresactivation/consistency.hpp"

using namespace scoresactivation;

namespace {
Eigen::MatrixXd rows(std::initializer_list<std::initializer_list<double>> values) {
  Eigen::MatrixXd m(static_cast<long>(values.size()), static_cast<long>(values.begin()->size()));
  long i = 0;
  for (const auto& row : values) {
    long j = 0;
    for (double v : row) m(i, j++) = v;
    ++i;
  }
  return m;
}
}  // namespace

TEST(Consistency, PairwiseAgreementHasTheClosedFormValues) {
  // One swap of the two last places: rho = 1 - 6 * 2 / (4 * 15) = 0.8, tau = (5 - 1) / 6.
  const ConsistencyReport r = consistency({rows({{3, 2, 1, 0}}), rows({{3, 2, 0, 1}}), rows({{0, 1, 2, 3}})}, 3);
  EXPECT_NEAR(r.spearman(0, 1), 0.8, 1e-12);
  EXPECT_NEAR(r.kendall(0, 1), 4.0 / 6.0, 1e-12);
  EXPECT_NEAR(r.top_k_overlap(0, 1), 2.0 / 3.0, 1e-12);  // {0, 1, 2} vs {0, 1, 3}
  EXPECT_NEAR(r.spearman(0, 2), -1.0, 1e-12);
  EXPECT_NEAR(r.kendall(0, 2), -1.0, 1e-12);
  EXPECT_NEAR(r.top_k_overlap(0, 2), 2.0 / 3.0, 1e-12);  // {0, 1, 2} vs {1, 2, 3}
  EXPECT_EQ(r.spearman(1, 0), r.spearman(0, 1));
  // A single run has no stability of its own.
  EXPECT_TRUE(std::isnan(r.spearman(0, 0)));
  // Mean ranks: 1 = most important.
  EXPECT_EQ(r.mean_rank(0, 0), 1.0);
  EXPECT_EQ(r.mean_rank(2, 0), 4.0);
  EXPECT_NEAR(r.consensus_rank[0], (1 + 1 + 4) / 3.0, 1e-12);
  EXPECT_NEAR(r.consensus_spread[0], std::sqrt(((1 - 2.0) * (1 - 2.0) * 2 + 4.0) / 2.0), 1e-12);
  EXPECT_EQ(r.top_k, 3);
}

TEST(Consistency, RunsOfOneSourceGiveItsStabilityAndAverageIntoItsRank) {
  const ConsistencyReport r = consistency({rows({{3, 2, 1, 0}, {3, 2, 0, 1}}), rows({{4, 3, 2, 1}})}, 2);
  EXPECT_NEAR(r.spearman(0, 0), 0.8, 1e-12);
  EXPECT_NEAR(r.kendall(0, 0), 4.0 / 6.0, 1e-12);
  EXPECT_NEAR(r.top_k_overlap(0, 0), 1.0, 1e-12);
  // Across sources: the mean over both of source 0's runs (1.0 and 0.8).
  EXPECT_NEAR(r.spearman(0, 1), 0.9, 1e-12);
  EXPECT_NEAR(r.mean_rank(0, 2), 3.5, 1e-12);
  EXPECT_NEAR(r.mean_rank(0, 3), 3.5, 1e-12);
  EXPECT_NEAR(r.consensus_rank[2], (3.5 + 3.0) / 2.0, 1e-12);
  // Ties share their average rank; a constant run is left out of the correlations.
  const ConsistencyReport tied = consistency({rows({{1, 1, 0}, {2, 2, 2}}), rows({{1, 0, 0}})}, 1);
  EXPECT_NEAR(tied.mean_rank(1, 1), 2.5, 1e-12);
  EXPECT_NEAR(tied.spearman(0, 1), 0.5, 1e-12);  // the constant run is skipped
  EXPECT_TRUE(std::isnan(tied.spearman(0, 0)));
  EXPECT_NEAR(tied.top_k_overlap(0, 1), 1.0, 1e-12);  // ties: the lower index first
}

TEST(Consistency, BadInputIsRefusedByName) {
  auto message = [](const std::vector<Eigen::MatrixXd>& x, long k) {
    try {
      consistency(x, k);
    } catch (const std::invalid_argument& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_NE(message({}, 1).find("at least two sources"), std::string::npos);
  EXPECT_NE(message({rows({{1, 2, 3}})}, 1).find("at least two sources"), std::string::npos);  // one model only
  EXPECT_NE(message({rows({{1, 2}}), rows({{1, 2, 3}})}, 1).find("importances[1]"), std::string::npos);
  const Eigen::MatrixXd ok = rows({{1, 2, 3}});
  EXPECT_NE(message({ok, rows({{1, NAN, 3}})}, 1).find("importances[1] contains NaN"), std::string::npos);
  EXPECT_NE(message({Eigen::MatrixXd(0, 3), ok}, 1).find("importances[0] has no rows"), std::string::npos);
  EXPECT_NE(message({rows({{1}}), rows({{2}})}, 1).find("2 features"), std::string::npos);
  EXPECT_NE(message({ok, ok}, 4).find("top_k"), std::string::npos);
  EXPECT_NE(message({ok, ok}, 0).find("top_k"), std::string::npos);
}
