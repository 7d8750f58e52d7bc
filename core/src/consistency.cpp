#include "scoresactivation/consistency.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <stdexcept>
#include <string>

#include "scoresactivation/metrics.hpp"

namespace scoresactivation {

namespace {

std::vector<long> top_indices(const Eigen::VectorXd& values, long k) {
  std::vector<long> order(static_cast<std::size_t>(values.size()));
  std::iota(order.begin(), order.end(), 0L);
  std::stable_sort(order.begin(), order.end(), [&](long i, long j) { return values[i] > values[j]; });
  order.resize(static_cast<std::size_t>(k));
  std::sort(order.begin(), order.end());
  return order;
}

// Mean of f over the row pairs of a and b (distinct rows when same), NaN
// results skipped; NaN when no pair is defined.
template <typename Measure>
double mean_over_pairs(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b, bool same, const Measure& measure) {
  double sum = 0.0;
  long count = 0;
  for (long i = 0; i < a.rows(); ++i)
    for (long j = same ? i + 1 : 0; j < b.rows(); ++j) {
      const double v = measure(Eigen::VectorXd(a.row(i).transpose()), Eigen::VectorXd(b.row(j).transpose()));
      if (std::isnan(v)) continue;
      sum += v;
      ++count;
    }
  return count > 0 ? sum / static_cast<double>(count) : std::numeric_limits<double>::quiet_NaN();
}

}  // namespace

double top_k_overlap(const Eigen::VectorXd& a, const Eigen::VectorXd& b, long k) {
  if (a.size() != b.size()) throw std::invalid_argument("top_k_overlap: the vectors differ in length");
  if (k < 1 || k > a.size()) throw std::invalid_argument("top_k must be in [1, " + std::to_string(a.size()) + "]");
  const std::vector<long> ta = top_indices(a, k), tb = top_indices(b, k);
  std::vector<long> both;
  std::set_intersection(ta.begin(), ta.end(), tb.begin(), tb.end(), std::back_inserter(both));
  return static_cast<double>(both.size()) / static_cast<double>(k);
}

ConsistencyReport consistency(const std::vector<Eigen::MatrixXd>& importances, long top_k) {
  if (importances.size() < 2)
    throw std::invalid_argument("importances must hold at least two sources (models or methods) to compare; got " +
                                std::to_string(importances.size()));
  const long m = static_cast<long>(importances.size()), d = importances.front().cols();
  for (long s = 0; s < m; ++s) {
    const Eigen::MatrixXd& x = importances[static_cast<std::size_t>(s)];
    const std::string name = "importances[" + std::to_string(s) + "]";
    if (x.rows() == 0) throw std::invalid_argument(name + " has no rows (runs)");
    if (x.cols() != d)
      throw std::invalid_argument(name + " has " + std::to_string(x.cols()) + " features, the first source " +
                                  std::to_string(d));
    if (!x.allFinite()) throw std::invalid_argument(name + " contains NaN or infinity");
  }
  if (d < 2) throw std::invalid_argument("importances need at least 2 features to rank");
  if (top_k < 1 || top_k > d) throw std::invalid_argument("top_k must be in [1, " + std::to_string(d) + "]");

  ConsistencyReport r;
  r.top_k = top_k;
  r.spearman.resize(m, m);
  r.kendall.resize(m, m);
  r.top_k_overlap.resize(m, m);
  auto overlap = [top_k](const Eigen::VectorXd& a, const Eigen::VectorXd& b) { return top_k_overlap(a, b, top_k); };
  for (long a = 0; a < m; ++a)
    for (long b = a; b < m; ++b) {
      const Eigen::MatrixXd& x = importances[static_cast<std::size_t>(a)];
      const Eigen::MatrixXd& y = importances[static_cast<std::size_t>(b)];
      r.spearman(a, b) = r.spearman(b, a) = mean_over_pairs(x, y, a == b, spearman);
      r.kendall(a, b) = r.kendall(b, a) = mean_over_pairs(x, y, a == b, kendall_tau);
      r.top_k_overlap(a, b) = r.top_k_overlap(b, a) = mean_over_pairs(x, y, a == b, overlap);
    }
  r.mean_rank = Eigen::MatrixXd::Zero(m, d);
  for (long s = 0; s < m; ++s) {
    const Eigen::MatrixXd& x = importances[static_cast<std::size_t>(s)];
    for (long i = 0; i < x.rows(); ++i) r.mean_rank.row(s) += average_ranks(-x.row(i).transpose()).transpose();
    r.mean_rank.row(s) /= static_cast<double>(x.rows());
  }
  r.consensus_rank = r.mean_rank.colwise().mean().transpose();
  r.consensus_spread = Eigen::VectorXd::Zero(d);
  if (m > 1)
    r.consensus_spread =
        ((r.mean_rank.rowwise() - r.consensus_rank.transpose()).array().square().colwise().sum() / (m - 1.0))
            .sqrt()
            .transpose();
  return r;
}

}  // namespace scoresactivation
