#include "scoresactivation/gradients.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "scoresactivation/attribution_limits.hpp"
#include "scoresactivation/interrupt_checkpoint.hpp"
#include "scoresactivation/parallel.hpp"

namespace scoresactivation {

Quadrature quadrature_from_string(const std::string& name) {
  if (name == "gausslegendre") return Quadrature::gauss_legendre;
  if (name == "riemann_left") return Quadrature::riemann_left;
  if (name == "riemann_right") return Quadrature::riemann_right;
  if (name == "riemann_middle") return Quadrature::riemann_middle;
  if (name == "riemann_trapezoid") return Quadrature::riemann_trapezoid;
  throw std::invalid_argument(
      "integration must be 'gausslegendre', 'riemann_left', 'riemann_right', 'riemann_middle' or "
      "'riemann_trapezoid'; got '" + name + "'");
}

namespace {

constexpr double kPi = 3.14159265358979323846;

// Gauss-Legendre nodes come from the three-term recurrence (O(n) per
// evaluation) for n <= kRecurrenceNodes, and for the few nodes with
// n sin(theta) < kBoundaryScale (about 8 at each end) whatever n; all others
// from Stieltjes' expansion (O(1) per evaluation), so n nodes cost O(n).
constexpr long kRecurrenceNodes = 100;
constexpr double kBoundaryScale = 25.0;

// P_n(cos t) and d/dt P_n(cos t) by the recurrence, written in u = 1 - cos t
// and the differences d_k = P_k - P_{k-1} (u = 2 sin^2(t/2) is exact to
// rounding where 1 - cos t would cancel, so nodes near the ends keep their
// relative accuracy).
void legendre_recurrence(long n, double t, double& value, double& derivative) {
  const double u = 2.0 * std::sin(0.5 * t) * std::sin(0.5 * t);
  double p = 1.0 - u, d = -u;  // P_1, P_1 - P_0
  for (long k = 1; k < n; ++k) {
    const double kk = static_cast<double>(k);
    d = (kk * d - (2.0 * kk + 1.0) * u * p) / (kk + 1.0);
    p += d;
  }
  value = p;
  // dP_n/dx = n (P_{n-1} - x P_n) / (1 - x^2) and dx/dt = -sin t.
  derivative = -static_cast<double>(n) * (u * p - d) / std::sin(t);
}

// P_n(cos t) / C_n and its t-derivative by Stieltjes' expansion (Szego,
// Orthogonal Polynomials, theorem 8.21.5; Hale and Townsend 2013, eq. 3.1):
//   P_n(cos t) = C_n sum_m h_m cos(a_m) / (2 sin t)^(m + 1/2),
//   a_m = (n + m + 1/2) t - (m + 1/2) pi / 2,
//   h_0 = 1, h_m = h_{m-1} (m - 1/2)^2 / (m (n + m + 1/2)).
// The error is below twice the first omitted term, which falls like
// m! / (2 n sin t)^m: a few terms in the interior, about 20 at the boundary scale.
void legendre_stieltjes(long n, double t, double& value, double& derivative) {
  const double nn = static_cast<double>(n);
  const double sin_t = std::sin(t), cos_t = std::cos(t);
  const double s2 = 2.0 * sin_t, cot = cos_t / sin_t;
  const double a = (nn + 0.5) * t - 0.25 * kPi;
  double c = std::cos(a), s = std::sin(a);
  const double leading = 1.0 / std::sqrt(s2);
  double factor = leading;
  value = 0.0;
  derivative = 0.0;
  for (int m = 0; m < 60; ++m) {
    const double mh = m + 0.5;
    value += factor * c;
    derivative -= factor * ((nn + mh) * s + mh * cot * c);
    const double next = factor * mh * mh / ((m + 1.0) * (nn + m + 1.5) * s2);
    if (next < 1e-17 * leading) break;
    // a_{m+1} = a_m + t - pi/2
    const double c_next = c * sin_t + s * cos_t;
    s = s * sin_t - c * cos_t;
    c = c_next;
    factor = next;
  }
}

// C_n = (4 / pi) prod_{j=1..n} (1 - 1 / (2j + 1)), the log summed with
// Kahan's compensation: O(n) once, to about 1e-15 relative.
double stieltjes_constant(long n) {
  double sum = 0.0, compensation = 0.0;
  for (long j = 1; j <= n; ++j) {
    const double term = std::log1p(-1.0 / (2.0 * static_cast<double>(j) + 1.0)) - compensation;
    const double next = sum + term;
    compensation = (next - sum) - term;
    sum = next;
  }
  return 4.0 / kPi * std::exp(sum);
}

// Nodes and weights of the n-point Gauss-Legendre rule on [0, 1], ascending.
// Node k (1-based) from the end at 0 is the k-th root theta_k of
// P_n(cos theta) in (0, pi/2]; it maps to sin^2(theta/2), its mirror image
// to cos^2(theta/2), both with weight 1 / (d/dtheta P_n(cos theta))^2.
void gauss_legendre(long n, std::vector<double>& points, std::vector<double>& weights) {
  const double nn = static_cast<double>(n);
  const double spacing = kPi / (nn + 0.5);
  // Tricomi's estimate x_k = (1 - (n - 1) / (8 n^3)) cos(phi_k) as an angle.
  const double shrink = (nn - 1.0) / (8.0 * nn * nn * nn);
  const double constant = n > kRecurrenceNodes ? stieltjes_constant(n) : 1.0;
  for (long k = 1; k <= (n + 1) / 2; ++k) {
    const bool centre = n % 2 == 1 && k == (n + 1) / 2;
    const double phi = (4.0 * k - 1.0) * kPi / (4.0 * nn + 2.0);
    double theta = centre ? 0.5 * kPi : phi + shrink * std::cos(phi) / std::sin(phi);
    const bool recurrence = n <= kRecurrenceNodes || nn * std::sin(theta) < kBoundaryScale;
    double value = 0.0, derivative = 0.0;
    const auto evaluate = [&](double t) {
      if (recurrence) {
        legendre_recurrence(n, t, value, derivative);
      } else {
        legendre_stieltjes(n, t, value, derivative);
        value *= constant;
        derivative *= constant;
      }
    };
    // Newton; once a step is below 1e-3 of the spacing, the error squares
    // with each step: three more reach rounding.
    if (!centre) {
      int settled = 0;
      for (int iteration = 0; iteration < 50 && settled < 3; ++iteration) {
        evaluate(theta);
        const double step = value / derivative;
        theta -= step;
        if (std::abs(step) < 1e-3 * spacing) ++settled;
      }
    }
    evaluate(theta);
    const double weight = 1.0 / (derivative * derivative);
    const double half_sin = std::sin(0.5 * theta), half_cos = std::cos(0.5 * theta);
    points[static_cast<std::size_t>(k - 1)] = half_sin * half_sin;
    weights[static_cast<std::size_t>(k - 1)] = weight;
    if (!centre) {
      points[static_cast<std::size_t>(n - k)] = half_cos * half_cos;
      weights[static_cast<std::size_t>(n - k)] = weight;
    }
  }
}

}  // namespace

void quadrature_rule(Quadrature rule, long n_steps, std::vector<double>& points, std::vector<double>& weights) {
  check_count(n_steps, 1, kMaxIntegrationSteps, "n_steps");
  if (rule == Quadrature::riemann_trapezoid && n_steps < 2)
    throw std::invalid_argument("n_steps must be at least 2 for integration = 'riemann_trapezoid'");
  points.assign(static_cast<std::size_t>(n_steps), 0.0);
  weights.assign(static_cast<std::size_t>(n_steps), 1.0 / static_cast<double>(n_steps));
  const double n = static_cast<double>(n_steps);
  switch (rule) {
    case Quadrature::riemann_left:
      for (long k = 0; k < n_steps; ++k) points[k] = k / n;
      break;
    case Quadrature::riemann_right:
      for (long k = 0; k < n_steps; ++k) points[k] = (k + 1) / n;
      break;
    case Quadrature::riemann_middle:
      for (long k = 0; k < n_steps; ++k) points[k] = (k + 0.5) / n;
      break;
    case Quadrature::riemann_trapezoid:
      for (long k = 0; k < n_steps; ++k) {
        points[k] = k / (n - 1.0);
        weights[k] = (k == 0 || k == n_steps - 1) ? 0.5 / (n - 1.0) : 1.0 / (n - 1.0);
      }
      break;
    case Quadrature::gauss_legendre:
      gauss_legendre(n_steps, points, weights);
      break;
  }
}

namespace {

// d target / d network input for rows given in network-input units.
Eigen::MatrixXd network_gradient(const ExplainedModel& model, const Eigen::MatrixXd& input, long target,
                                 int n_threads, InterruptCheckpoint& checkpoint) {
  constexpr long block = 512;
  const long n = input.rows();
  Eigen::MatrixXd out(n, input.cols());
  const Network& net = model.estimator().network();
  parallel_for((n + block - 1) / block, n_threads, [&](long b) {
    if (checkpoint.stopped()) return;
    const long start = b * block, rows = std::min(block, n - start);
    const LayerTrace t = model.trace(input.middleRows(start, rows));
    out.middleRows(start, rows) = backpropagate_multipliers(net, t, nullptr, target, MultiplierRule::gradient);
    checkpoint.poll();
  }, checkpoint.stop_signal());
  return out;
}

void check_rows(const ExplainedModel& model, const Eigen::MatrixXd& x, long target, int n_threads) {
  check_threads(n_threads);
  model.check_target(target, ExplainedOutput::raw);
  model.estimator().check_input(x, "X");
  if (x.rows() < 1) throw std::invalid_argument("X has no rows");
}

}  // namespace

Eigen::MatrixXd input_gradient(const ExplainedModel& model, const Eigen::MatrixXd& x, long target, int n_threads,
                               const std::function<bool()>& interrupt_requested) {
  check_rows(model, x, target, n_threads);
  InterruptCheckpoint checkpoint(interrupt_requested);
  const Eigen::MatrixXd g = network_gradient(model, model.network_input(x), target, n_threads, checkpoint);
  return g * (model.input_multiplier() * model.output_scale()).asDiagonal();
}

Eigen::MatrixXd gradient_times_input(const ExplainedModel& model, const Eigen::MatrixXd& x, long target,
                                     int n_threads, const std::function<bool()>& interrupt_requested) {
  return input_gradient(model, x, target, n_threads, interrupt_requested).cwiseProduct(x);
}

Eigen::MatrixXd integrated_gradients(const ExplainedModel& model, const Eigen::MatrixXd& x,
                                     const Eigen::MatrixXd& references, long target, long n_steps,
                                     Quadrature rule, int n_threads,
                                     const std::function<bool()>& interrupt_requested) {
  check_rows(model, x, target, n_threads);
  model.estimator().check_input(references, "baseline");
  if (references.rows() < 1) throw std::invalid_argument("baseline needs at least one row");
  std::vector<double> points, weights;
  quadrature_rule(rule, n_steps, points, weights);
  const Eigen::MatrixXd input = model.network_input(x);
  const Eigen::MatrixXd ref_input = model.network_input(references);
  const long n = x.rows(), d = x.cols(), r = references.rows();
  // About kBatch path points (rows x steps) per pass through the network:
  // a task is a block of rows, its steps taken kBatch / rows at a time, so
  // memory stays O(kBatch d) and a poll comes every pass whatever n_steps.
  // The blocks depend on n and n_steps only, never on n_threads.
  constexpr long kBatch = 512;
  const long block = std::max<long>(1, std::min(kBatch, kBatch / n_steps));
  const long steps_per_pass = std::max<long>(1, kBatch / block);
  const Network& net = model.estimator().network();
  InterruptCheckpoint checkpoint(interrupt_requested);
  Eigen::MatrixXd total = Eigen::MatrixXd::Zero(n, d);
  parallel_for((n + block - 1) / block, n_threads, [&](long b) {
    if (checkpoint.stopped()) return;
    const long start = b * block, rows = std::min(block, n - start);
    Eigen::MatrixXd sum = Eigen::MatrixXd::Zero(rows, d);
    Eigen::MatrixXd path(std::min(steps_per_pass, n_steps) * rows, d);
    for (long k = 0; k < r; ++k) {
      const Eigen::MatrixXd delta = input.middleRows(start, rows).rowwise() - ref_input.row(k);
      Eigen::MatrixXd averaged = Eigen::MatrixXd::Zero(rows, d);
      for (long first = 0; first < n_steps; first += steps_per_pass) {
        const long steps = std::min(steps_per_pass, n_steps - first);
        // Rows grouped by step: step s of row i at s * rows + i.
        for (long s = 0; s < steps; ++s)
          path.middleRows(s * rows, rows) =
              (delta * points[static_cast<std::size_t>(first + s)]).rowwise() + ref_input.row(k);
        const LayerTrace t = model.trace(path.topRows(steps * rows));
        const Eigen::MatrixXd g = backpropagate_multipliers(net, t, nullptr, target, MultiplierRule::gradient);
        for (long s = 0; s < steps; ++s)
          averaged += weights[static_cast<std::size_t>(first + s)] * g.middleRows(s * rows, rows);
        checkpoint.poll();
      }
      sum += averaged.cwiseProduct(delta);
    }
    total.middleRows(start, rows) = sum;
  }, checkpoint.stop_signal());
  return total * (model.output_scale() / static_cast<double>(r));
}

}  // namespace scoresactivation
