#include "scoresactivation/metrics.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "scoresactivation/attribution_limits.hpp"
#include "scoresactivation/interrupt_checkpoint.hpp"
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

// The perturbed rows of the curves and of faithfulness are n (d + 1) rows of
// d values: they are filled in batches of about kBatchValues values and sent
// through the network batch by batch, so memory stays bounded and interrupts
// are polled between batches. add(row, i, s) queues a row whose target
// output goes to result(i, s).
class OutputBatches {
 public:
  static constexpr long kBatchValues = 1L << 22;

  OutputBatches(const TargetOutput& output, long d, long total_rows, InterruptCheckpoint& checkpoint,
                Eigen::MatrixXd& result)
      : output_(output),
        checkpoint_(checkpoint),
        result_(result),
        rows_(std::max<long>(1, std::min(total_rows, kBatchValues / std::max<long>(d, 1)))),
        batch_(rows_, d) {
    where_.reserve(static_cast<std::size_t>(rows_));
  }

  void add(const Eigen::RowVectorXd& row, long i, long s) {
    batch_.row(static_cast<long>(where_.size())) = row;
    where_.emplace_back(i, s);
    if (static_cast<long>(where_.size()) == rows_) flush();
  }

  void flush() {
    if (where_.empty()) return;
    const Eigen::VectorXd out = output_(batch_.topRows(static_cast<long>(where_.size())));
    if (out.size() != static_cast<long>(where_.size()) || !out.allFinite())
      throw std::invalid_argument("the model's output must be one finite value per row");
    for (std::size_t k = 0; k < where_.size(); ++k) result_(where_[k].first, where_[k].second) = out[static_cast<long>(k)];
    where_.clear();
    checkpoint_.poll();
  }

 private:
  const TargetOutput& output_;
  InterruptCheckpoint& checkpoint_;
  Eigen::MatrixXd& result_;
  long rows_;
  Eigen::MatrixXd batch_;
  std::vector<std::pair<long, long>> where_;
};

// The model-independent checks of the perturbation metrics; returns n (d + 1),
// the number of perturbed rows.
long check_perturbed_rows(const Eigen::MatrixXd& x, const Eigen::MatrixXd& attributions,
                          const Eigen::RowVectorXd& reference, const char* reference_name) {
  if (x.rows() < 1) throw std::invalid_argument("X has no rows");
  if (!x.allFinite()) throw std::invalid_argument("X contains NaN or infinity");
  if (!attributions.allFinite()) throw std::invalid_argument("attributions contain NaN or infinity");
  const long d = x.cols();
  if (reference.size() != d)
    throw std::invalid_argument(std::string(reference_name) + " must have one value per feature");
  if (!reference.allFinite()) throw std::invalid_argument(std::string(reference_name) + " contains NaN or infinity");
  return static_cast<long>(checked_product(x.rows(), d + 1, "the perturbation curves"));
}

// The estimator's checks, then check_perturbed_rows.
void check_perturbation(const ExplainedModel& model, const Eigen::MatrixXd& x, long target, ExplainedOutput output,
                        int n_threads) {
  check_threads(n_threads);
  model.check_target(target, output);
  model.estimator().check_input(x, "X");
}

TargetOutput target_output(const ExplainedModel& model, long target, ExplainedOutput output, int n_threads) {
  return [&model, target, output, n_threads](const Eigen::MatrixXd& rows) -> Eigen::VectorXd {
    return model.outputs(rows, output, n_threads).col(target);
  };
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

namespace {
// Pairs within runs of equal values of key over order: sum of t(t-1)/2.
template <typename Equal>
double tied_pairs(const std::vector<long>& order, Equal equal) {
  double pairs = 0, run = 1;
  for (std::size_t i = 1; i <= order.size(); ++i) {
    if (i < order.size() && equal(order[i - 1], order[i])) {
      run += 1;
    } else {
      pairs += run * (run - 1) / 2;
      run = 1;
    }
  }
  return pairs;
}
}  // namespace

// Tau-b by Knight's O(n log n) algorithm (sort by (a, b), then count the
// swaps a merge sort by b needs): equal to the pairwise count, which was
// O(n^2) and could run for seconds on long vectors.
double kendall_tau(const Eigen::VectorXd& a, const Eigen::VectorXd& b) {
  check_same_length(a, b);
  const long n = a.size();
  std::vector<long> order(static_cast<std::size_t>(n));
  std::iota(order.begin(), order.end(), 0L);
  std::sort(order.begin(), order.end(), [&](long i, long j) { return a[i] < a[j] || (a[i] == a[j] && b[i] < b[j]); });
  const double all_pairs = static_cast<double>(n) * static_cast<double>(n - 1) / 2;
  const double tied_a = tied_pairs(order, [&](long i, long j) { return a[i] == a[j]; });
  const double tied_both = tied_pairs(order, [&](long i, long j) { return a[i] == a[j] && b[i] == b[j]; });
  // Bottom-up merge sort by b; each element of the right run placed before
  // elements left in the left run is a discordant pair.
  double swaps = 0;
  std::vector<long> buffer(order.size());
  for (long width = 1; width < n; width *= 2) {
    for (long lo = 0; lo < n; lo += 2 * width) {
      const long mid = std::min(lo + width, n), hi = std::min(lo + 2 * width, n);
      long i = lo, j = mid, k = lo;
      while (i < mid && j < hi) {
        if (b[order[static_cast<std::size_t>(j)]] < b[order[static_cast<std::size_t>(i)]]) {
          swaps += static_cast<double>(mid - i);
          buffer[static_cast<std::size_t>(k++)] = order[static_cast<std::size_t>(j++)];
        } else {
          buffer[static_cast<std::size_t>(k++)] = order[static_cast<std::size_t>(i++)];
        }
      }
      while (i < mid) buffer[static_cast<std::size_t>(k++)] = order[static_cast<std::size_t>(i++)];
      while (j < hi) buffer[static_cast<std::size_t>(k++)] = order[static_cast<std::size_t>(j++)];
    }
    order.swap(buffer);
  }
  const double tied_b = tied_pairs(order, [&](long i, long j) { return b[i] == b[j]; });
  const double numerator = all_pairs - tied_a - tied_b + tied_both - 2 * swaps;
  const double denominator = std::sqrt((all_pairs - tied_a) * (all_pairs - tied_b));
  return denominator > 0 ? numerator / denominator : kNaN;
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
                                 long target, ExplainedOutput output, bool insertion, int n_threads,
                                 const std::function<bool()>& interrupt_requested) {
  check_perturbation(model, x, target, output, n_threads);
  return deletion_curve(target_output(model, target, output, n_threads), x, attributions, baseline, insertion,
                        interrupt_requested);
}

PerturbationCurve deletion_curve(const TargetOutput& output, const Eigen::MatrixXd& x,
                                 const Eigen::MatrixXd& attributions, const Eigen::RowVectorXd& baseline,
                                 bool insertion, const std::function<bool()>& interrupt_requested) {
  const long n = x.rows(), d = x.cols();
  if (attributions.cols() != d || (attributions.rows() != n && attributions.rows() != 1))
    throw std::invalid_argument("attributions must have shape (n, d) or (1, d)");
  const long total = check_perturbed_rows(x, attributions, baseline, "baseline");
  PerturbationCurve result;
  result.curves.resize(n, d + 1);
  InterruptCheckpoint checkpoint(interrupt_requested);
  OutputBatches batches(output, d, total, checkpoint, result.curves);
  for (long i = 0; i < n; ++i) {
    const std::vector<long> order = descending_order(attributions.row(attributions.rows() == 1 ? 0 : i));
    Eigen::RowVectorXd current = insertion ? baseline : Eigen::RowVectorXd(x.row(i));
    batches.add(current, i, 0);
    for (long s = 0; s < d; ++s) {
      const long j = order[static_cast<std::size_t>(s)];
      current[j] = insertion ? x(i, j) : baseline[j];
      batches.add(current, i, s + 1);
    }
  }
  batches.flush();
  double area = 0.0;
  for (long i = 0; i < n; ++i)
    for (long s = 0; s < d; ++s) area += 0.5 * (result.curves(i, s) + result.curves(i, s + 1)) / static_cast<double>(d);
  result.auc = area / static_cast<double>(n);
  return result;
}

double faithfulness_correlation(const ExplainedModel& model, const Eigen::MatrixXd& x,
                                const Eigen::MatrixXd& attributions, const Eigen::RowVectorXd& reference,
                                long target, ExplainedOutput output, int n_threads,
                                const std::function<bool()>& interrupt_requested) {
  check_perturbation(model, x, target, output, n_threads);
  return faithfulness_correlation(target_output(model, target, output, n_threads), x, attributions, reference,
                                  interrupt_requested);
}

double faithfulness_correlation(const TargetOutput& output, const Eigen::MatrixXd& x,
                                const Eigen::MatrixXd& attributions, const Eigen::RowVectorXd& reference,
                                const std::function<bool()>& interrupt_requested) {
  const long n = x.rows(), d = x.cols();
  if (attributions.rows() != n || attributions.cols() != d)
    throw std::invalid_argument("attributions must have shape (n, d)");
  const long total = check_perturbed_rows(x, attributions, reference, "reference");
  // Column 0: f(x); column j + 1: f(x with feature j at its reference).
  Eigen::MatrixXd out(n, d + 1);
  InterruptCheckpoint checkpoint(interrupt_requested);
  OutputBatches batches(output, d, total, checkpoint, out);
  for (long i = 0; i < n; ++i) {
    Eigen::RowVectorXd row = x.row(i);
    batches.add(row, i, 0);
    for (long j = 0; j < d; ++j) {
      row[j] = reference[j];
      batches.add(row, i, j + 1);
      row[j] = x(i, j);
    }
  }
  batches.flush();
  double total_r = 0.0;
  long counted = 0;
  for (long i = 0; i < n; ++i) {
    Eigen::VectorXd drops(d);
    for (long j = 0; j < d; ++j) drops[j] = out(i, 0) - out(i, j + 1);
    const double r = pearson(attributions.row(i).transpose(), drops);
    if (!std::isnan(r)) {
      total_r += r;
      ++counted;
    }
  }
  return counted > 0 ? total_r / static_cast<double>(counted) : kNaN;
}

Eigen::VectorXd local_lipschitz(const std::function<Eigen::MatrixXd(const Eigen::MatrixXd&)>& explain,
                                const Eigen::MatrixXd& x, const Eigen::VectorXd& feature_scale, double radius,
                                long n_samples, std::uint64_t seed) {
  const long n = x.rows(), d = x.cols();
  if (!x.allFinite()) throw std::invalid_argument("X contains NaN or infinity");
  if (feature_scale.size() != d) throw std::invalid_argument("feature_scale must have one value per feature");
  if (!feature_scale.allFinite() || (feature_scale.array() < 0.0).any())
    throw std::invalid_argument("feature_scale must be finite and >= 0");
  if (!(radius > 0.0) || !std::isfinite(radius)) throw std::invalid_argument("radius must be a positive finite number");
  check_count(n_samples, 1, kMaxLipschitzSamples, "n_samples");
  const long n_neighbours = static_cast<long>(checked_product(n, n_samples, "local_lipschitz"));
  checked_product(n_neighbours, d, "local_lipschitz");
  // Row i's neighbours at i * n_samples + k, explained in one call.
  Eigen::MatrixXd neighbours(n_neighbours, d);
  for (long i = 0; i < n; ++i) {
    Random random(derive_seed(seed, static_cast<std::uint64_t>(i)));
    for (long k = 0; k < n_samples; ++k)
      for (long j = 0; j < d; ++j)
        neighbours(i * n_samples + k, j) = x(i, j) + random.uniform(-radius, radius) * feature_scale[j];
  }
  const Eigen::MatrixXd e = explain(x);
  const Eigen::MatrixXd e_neighbours = explain(neighbours);
  // The explanation is the caller's: a wrong shape would read past it.
  if (e.rows() != n || e_neighbours.rows() != n_neighbours)
    throw std::invalid_argument("explain must return one row of attributions per input row");
  if (e.cols() != e_neighbours.cols())
    throw std::invalid_argument("explain must return the same number of attributions for every row");
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
