#include "scoresactivation/gradients.hpp"

#include <cmath>
#include <stdexcept>

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

void quadrature_rule(Quadrature rule, long n_steps, std::vector<double>& points, std::vector<double>& weights) {
  if (n_steps < 1) throw std::invalid_argument("n_steps must be a positive integer");
  if (rule == Quadrature::riemann_trapezoid && n_steps < 2)
    throw std::invalid_argument("n_steps must be >= 2 for the trapezoid rule");
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
    case Quadrature::gauss_legendre: {
      // Roots of the Legendre polynomial P_n by Newton's method, mapped to [0, 1].
      constexpr double pi = 3.14159265358979323846;
      for (long i = 0; i < n_steps; ++i) {
        double root = std::cos(pi * (i + 0.75) / (n + 0.5));
        double derivative = 1.0;
        for (int iteration = 0; iteration < 100; ++iteration) {
          double p0 = 1.0, p1 = root;
          for (long k = 2; k <= n_steps; ++k) {
            const double p2 = ((2.0 * k - 1.0) * root * p1 - (k - 1.0) * p0) / k;
            p0 = p1;
            p1 = p2;
          }
          derivative = n * (root * p1 - p0) / (root * root - 1.0);
          const double step = p1 / derivative;
          root -= step;
          if (std::abs(step) < 1e-15) break;
        }
        points[i] = 0.5 * (1.0 - root);
        weights[i] = 1.0 / ((1.0 - root * root) * derivative * derivative);  // 2 / (...) on [-1,1], halved
      }
      break;
    }
  }
}

namespace {
// d target / d network input for rows given in network-input units.
Eigen::MatrixXd network_gradient(const ExplainedModel& model, const Eigen::MatrixXd& input, long target,
                                 int n_threads) {
  constexpr long block = 512;
  const long n = input.rows();
  Eigen::MatrixXd out(n, input.cols());
  const Network& net = model.estimator().network();
  parallel_for((n + block - 1) / block, n_threads, [&](long b) {
    const long start = b * block, rows = std::min(block, n - start);
    const LayerTrace t = model.trace(input.middleRows(start, rows));
    out.middleRows(start, rows) = backpropagate_multipliers(net, t, nullptr, target, MultiplierRule::gradient);
  });
  return out;
}
}  // namespace

Eigen::MatrixXd input_gradient(const ExplainedModel& model, const Eigen::MatrixXd& x, long target, int n_threads) {
  model.check_target(target, ExplainedOutput::raw);
  model.estimator().check_input(x, "X");
  const Eigen::MatrixXd g = network_gradient(model, model.network_input(x), target, n_threads);
  return g * (model.input_multiplier() * model.output_scale()).asDiagonal();
}

Eigen::MatrixXd gradient_times_input(const ExplainedModel& model, const Eigen::MatrixXd& x, long target,
                                     int n_threads) {
  return input_gradient(model, x, target, n_threads).cwiseProduct(x);
}

Eigen::MatrixXd integrated_gradients(const ExplainedModel& model, const Eigen::MatrixXd& x,
                                     const Eigen::MatrixXd& references, long target, long n_steps,
                                     Quadrature rule, int n_threads) {
  model.check_target(target, ExplainedOutput::raw);
  model.estimator().check_input(x, "X");
  model.estimator().check_input(references, "baseline");
  if (references.rows() < 1) throw std::invalid_argument("baseline needs at least one row");
  std::vector<double> points, weights;
  quadrature_rule(rule, n_steps, points, weights);
  const Eigen::MatrixXd input = model.network_input(x);
  const Eigen::MatrixXd ref_input = model.network_input(references);
  const long n = x.rows(), d = x.cols();
  Eigen::MatrixXd total = Eigen::MatrixXd::Zero(n, d);
  for (long k = 0; k < references.rows(); ++k) {
    const Eigen::MatrixXd delta = input.rowwise() - ref_input.row(k);
    // All path points of all rows in one batch: rows grouped by step.
    Eigen::MatrixXd path(n * n_steps, d);
    for (long s = 0; s < n_steps; ++s)
      path.middleRows(s * n, n) = (delta * points[static_cast<std::size_t>(s)]).rowwise() + ref_input.row(k);
    const Eigen::MatrixXd g = network_gradient(model, path, target, n_threads);
    Eigen::MatrixXd averaged = Eigen::MatrixXd::Zero(n, d);
    for (long s = 0; s < n_steps; ++s) averaged += weights[static_cast<std::size_t>(s)] * g.middleRows(s * n, n);
    total += averaged.cwiseProduct(delta);
  }
  return total * (model.output_scale() / static_cast<double>(references.rows()));
}

}  // namespace scoresactivation
