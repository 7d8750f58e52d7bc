#include "scoresactivation/metrics.hpp"

#include <algorithm>
#include <string>
#include <cmath>
#include <limits>
#include <numeric>
#include <stdexcept>

#include "scoresactivation/random.hpp"

namespace scoresactivation {

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

void check_same_length(const Eigen::VectorXd& a, const Eigen::VectorXd& b) {
  if (a.size() != b.size()) throw std::invalid_argument("the two vectors must have the same length");
  if (a.size() < 2) throw std::invalid_argument("a rank correlation needs at least 2 values");
  if (!a.allFinite() || !b.allFinite()) throw std::invalid_argument("values must be finite");
}

double pearson(const Eigen::VectorXd& a, const Eigen::VectorXd& b) {
  const Eigen::ArrayXd ca = a.array() - a.mean(), cb = b.array() - b.mean();
  const double denominator = std::sqrt((ca * ca).sum() * (cb * cb).sum());
  return denominator > 0.0 ? (ca * cb).sum() / denominator : kNaN;
}

// Feature order by decreasing value, ties by index.
std::vector<long> descending_order(const Eigen::RowVectorXd& values) {
  std::vector<long> order(static_cast<std::size_t>(values.size()));
  std::iota(order.begin(), order.end(), 0L);
  std::stable_sort(order.begin(), order.end(), [&](long i, long j) { return values[i] > values[j]; });
  return order;
}
}  // namespace

Eigen::VectorXd average_ranks(const Eigen::VectorXd& values) {
  const long n = values.size();
  std::vector<long> order(static_cast<std::size_t>(n));
  std::iota(order.begin(), order.end(), 0L);
  std::stable_sort(order.begin(), order.end(), [&](long i, long j) { return values[i] < values[j]; });
  Eigen::VectorXd ranks(n);
  for (long start = 0; start < n;) {
    long end = start;
    while (end + 1 < n && values[order[static_cast<std::size_t>(end + 1)]] == values[order[static_cast<std::size_t>(start)]]) ++end;
    const double rank = 0.5 * (start + end) + 1.0;
    for (long k = start; k <= end; ++k) ranks[order[static_cast<std::size_t>(k)]] = rank;
    start = end + 1;
  }
  return ranks;
}

double spearman(const Eigen::VectorXd& a, const Eigen::VectorXd& b) {
  check_same_length(a, b);
  return pearson(average_ranks(a), average_ranks(b));
}

double kendall_tau(const Eigen::VectorXd& a, const Eigen::VectorXd& b) {
  check_same_length(a, b);
  const long n = a.size();
  double concordant = 0, discordant = 0, ties_a = 0, ties_b = 0;
  for (long i = 0; i < n; ++i)
    for (long j = i + 1; j < n; ++j) {
      const double da = a[i] - a[j], db = b[i] - b[j];
      if (da == 0 && db == 0) continue;
      if (da == 0) {
        ties_a += 1;
      } else if (db == 0) {
        ties_b += 1;
      } else if ((da > 0) == (db > 0)) {
        concordant += 1;
      } else {
        discordant += 1;
      }
    }
  const double denominator = std::sqrt((concordant + discordant + ties_a) * (concordant + discordant + ties_b));
  return denominator > 0 ? (concordant - discordant) / denominator : kNaN;
}

double top_k_precision(const Eigen::VectorXd& scores, const std::vector<long>& relevant, long k) {
  if (k < 1 || k > scores.size()) throw std::invalid_argument("k must be in [1, number of features]");
  for (const long feature : relevant)
    if (feature < 0 || feature >= scores.size())
      throw std::invalid_argument("relevant holds feature index " + std::to_string(feature) +
                                  ", outside [0, " + std::to_string(scores.size()) + ")");
  const std::vector<long> order = descending_order(scores.transpose());
  long hits = 0;
  for (long q = 0; q < k; ++q)
    hits += std::find(relevant.begin(), relevant.end(), order[static_cast<std::size_t>(q)]) != relevant.end();
  return static_cast<double>(hits) / static_cast<double>(k);
}

PerturbationCurve deletion_curve(const ExplainedModel& model, const Eigen::MatrixXd& x,
                                 const Eigen::MatrixXd& attributions, const Eigen::RowVectorXd& baseline,
                                 long target, ExplainedOutput output, bool insertion, int n_threads) {
  model.check_target(target, output);
  model.estimator().check_input(x, "X");
  const long n = x.rows(), d = x.cols();
  if (attributions.cols() != d || (attributions.rows() != n && attributions.rows() != 1))
    throw std::invalid_argument("attributions must have shape (n, d) or (1, d)");
  if (!attributions.allFinite()) throw std::invalid_argument("attributions contain NaN or infinity");
  if (baseline.size() != d) throw std::invalid_argument("baseline must have one value per feature");
  // All perturbed rows in one batch: step s of row i at s * n + i.
  Eigen::MatrixXd steps(n * (d + 1), d);
  for (long i = 0; i < n; ++i) {
    const std::vector<long> order = descending_order(attributions.row(attributions.rows() == 1 ? 0 : i));
    Eigen::RowVectorXd current = insertion ? baseline : Eigen::RowVectorXd(x.row(i));
    steps.row(i) = current;
    for (long s = 0; s < d; ++s) {
      const long j = order[static_cast<std::size_t>(s)];
      current[j] = insertion ? x(i, j) : baseline[j];
      steps.row((s + 1) * n + i) = current;
    }
  }
  const Eigen::MatrixXd out = model.outputs(steps, output, n_threads);
  PerturbationCurve result;
  result.curves.resize(n, d + 1);
  for (long s = 0; s <= d; ++s) result.curves.col(s) = out.block(s * n, target, n, 1);
  double area = 0.0;
  for (long i = 0; i < n; ++i)
    for (long s = 0; s < d; ++s) area += 0.5 * (result.curves(i, s) + result.curves(i, s + 1)) / static_cast<double>(d);
  result.auc = area / static_cast<double>(n);
  return result;
}

double faithfulness_correlation(const ExplainedModel& model, const Eigen::MatrixXd& x,
                                const Eigen::MatrixXd& attributions, const Eigen::RowVectorXd& reference,
                                long target, ExplainedOutput output, int n_threads) {
  model.check_target(target, output);
  model.estimator().check_input(x, "X");
  const long n = x.rows(), d = x.cols();
  if (attributions.rows() != n || attributions.cols() != d)
    throw std::invalid_argument("attributions must have shape (n, d)");
  if (reference.size() != d) throw std::invalid_argument("reference must have one value per feature");
  Eigen::MatrixXd rows(n * (d + 1), d);
  rows.topRows(n) = x;
  for (long j = 0; j < d; ++j) {
    rows.middleRows((j + 1) * n, n) = x;
    rows.block((j + 1) * n, j, n, 1).setConstant(reference[j]);
  }
  const Eigen::MatrixXd out = model.outputs(rows, output, n_threads);
  double total = 0.0;
  long counted = 0;
  for (long i = 0; i < n; ++i) {
    Eigen::VectorXd drops(d);
    for (long j = 0; j < d; ++j) drops[j] = out(i, target) - out((j + 1) * n + i, target);
    const double r = pearson(attributions.row(i).transpose(), drops);
    if (!std::isnan(r)) {
      total += r;
      ++counted;
    }
  }
  return counted > 0 ? total / static_cast<double>(counted) : kNaN;
}

Eigen::VectorXd local_lipschitz(const std::function<Eigen::MatrixXd(const Eigen::MatrixXd&)>& explain,
                                const Eigen::MatrixXd& x, const Eigen::VectorXd& feature_scale, double radius,
                                long n_samples, std::uint64_t seed) {
  const long n = x.rows(), d = x.cols();
  if (feature_scale.size() != d) throw std::invalid_argument("feature_scale must have one value per feature");
  if (!(radius > 0.0)) throw std::invalid_argument("radius must be positive");
  if (n_samples < 1) throw std::invalid_argument("n_samples must be a positive integer");
  // Row i's neighbours at i * n_samples + k, explained in one call.
  Eigen::MatrixXd neighbours(n * n_samples, d);
  for (long i = 0; i < n; ++i) {
    Random random(derive_seed(seed, static_cast<std::uint64_t>(i)));
    for (long k = 0; k < n_samples; ++k)
      for (long j = 0; j < d; ++j)
        neighbours(i * n_samples + k, j) = x(i, j) + random.uniform(-radius, radius) * feature_scale[j];
  }
  const Eigen::MatrixXd e = explain(x);
  const Eigen::MatrixXd e_neighbours = explain(neighbours);
  Eigen::VectorXd result = Eigen::VectorXd::Zero(n);
  for (long i = 0; i < n; ++i)
    for (long k = 0; k < n_samples; ++k) {
      const long row = i * n_samples + k;
      const double distance = (neighbours.row(row) - x.row(i)).norm();
      if (distance > 0.0) result[i] = std::max(result[i], (e_neighbours.row(row) - e.row(i)).norm() / distance);
    }
  return result;
}

}  // namespace scoresactivation
