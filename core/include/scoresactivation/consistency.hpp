// Do the rankings of different (architecture, method) pairs agree, and what
// ranking do they agree on? The harmonizing report of "Harmonizing feature
// attributions across deep learning architectures" (arXiv 2307.02150):
// pairwise agreement between every two sources of importances, and the
// consensus (mean rank) ranking with its spread.
#pragma once

#include <Eigen/Core>
#include <vector>

namespace scoresactivation {

struct ConsistencyReport {
  // (m, m): entry (a, b) the mean over every pair of rows (runs, seeds) of
  // sources a and b; (a, a) the mean over a's pairs of distinct rows (its
  // stability across runs; NaN with a single row). Correlations that are
  // undefined (a constant row) are left out of the means.
  Eigen::MatrixXd spearman, kendall, top_k_overlap;
  Eigen::MatrixXd mean_rank;         // (m, d): each source's mean rank per feature, 1 = most important
  Eigen::VectorXd consensus_rank;    // (d): the mean over sources of mean_rank
  Eigen::VectorXd consensus_spread;  // (d): the sd over sources of mean_rank
  long top_k = 0;
};

// importances: one (runs, d) matrix per source, every row one run's
// importance per feature (larger = more important). top_k: the overlap's k,
// in [1, d]. Throws std::invalid_argument (naming the source by position)
// for fewer than two sources, differing d, d < 2, no rows or non-finite values.
ConsistencyReport consistency(const std::vector<Eigen::MatrixXd>& importances, long top_k);

// |top-k(a) n top-k(b)| / k, the k largest of each (ties: lower index first).
double top_k_overlap(const Eigen::VectorXd& a, const Eigen::VectorXd& b, long k);

}  // namespace scoresactivation
