#include "scoresactivation/deeplift.hpp"

#include <cmath>
#include <stdexcept>

#include "scoresactivation/attribution_limits.hpp"
#include "scoresactivation/interrupt_checkpoint.hpp"
#include "scoresactivation/parallel.hpp"

namespace scoresactivation {

DeepLiftRule deeplift_rule_from_string(const std::string& name) {
  if (name == "rescale") return DeepLiftRule::rescale;
  if (name == "reveal_cancel") return DeepLiftRule::reveal_cancel;
  throw std::invalid_argument("rule must be 'rescale' or 'reveal_cancel'; got '" + name + "'");
}

namespace {

constexpr double kEps = 1e-10;

// Multiplier of one part: dy/dz where the part is large enough, else f'(z).
Eigen::MatrixXd part_multiplier(const Eigen::MatrixXd& dy, const Eigen::MatrixXd& dz,
                                const Eigen::MatrixXd& derivative) {
  Eigen::MatrixXd m = derivative;
  for (long j = 0; j < dz.cols(); ++j)
    for (long i = 0; i < dz.rows(); ++i)
      if (std::abs(dz(i, j)) >= kEps) m(i, j) = dy(i, j) / dz(i, j);
  return m;
}

// RevealCancel contributions (network input units) for rows x' with reference rows x0'.
Eigen::MatrixXd reveal_cancel(const ExplainedModel& model, const LayerTrace& t, const LayerTrace& t0, long target) {
  const Network& net = model.estimator().network();
  const auto& layers = net.layers();
  const Activation act = net.activation();
  const Eigen::MatrixXd delta = t.input - t0.input;
  // Forward: positive / negative parts of each layer's input change.
  std::vector<Eigen::MatrixXd> pos_in(layers.size()), neg_in(layers.size());
  std::vector<Eigen::MatrixXd> mult_pos(layers.size()), mult_neg(layers.size());
  pos_in[0] = delta.cwiseMax(0.0);
  neg_in[0] = delta.cwiseMin(0.0);
  std::vector<Eigen::MatrixXd> w_pos(layers.size()), w_neg(layers.size());
  for (std::size_t l = 0; l < layers.size(); ++l) {
    w_pos[l] = layers[l].weight.cwiseMax(0.0);
    w_neg[l] = layers[l].weight.cwiseMin(0.0);
  }
  for (std::size_t l = 0; l + 1 < layers.size(); ++l) {
    const Eigen::MatrixXd dz_pos = pos_in[l] * w_pos[l] + neg_in[l] * w_neg[l];
    const Eigen::MatrixXd dz_neg = pos_in[l] * w_neg[l] + neg_in[l] * w_pos[l];
    const Eigen::MatrixXd& z0 = t0.pre_activations[l];
    const Eigen::MatrixXd f0 = t0.activations[l];
    const Eigen::MatrixXd f_pos = activate(act, z0 + dz_pos);
    const Eigen::MatrixXd f_neg = activate(act, z0 + dz_neg);
    const Eigen::MatrixXd f_both = activate(act, z0 + dz_pos + dz_neg);
    const Eigen::MatrixXd dy_pos = 0.5 * ((f_pos - f0) + (f_both - f_neg));
    const Eigen::MatrixXd dy_neg = 0.5 * ((f_neg - f0) + (f_both - f_pos));
    const Eigen::MatrixXd derivative = activation_derivative(act, t.pre_activations[l]);
    mult_pos[l] = part_multiplier(dy_pos, dz_pos, derivative);
    mult_neg[l] = part_multiplier(dy_neg, dz_neg, derivative);
    pos_in[l + 1] = dy_pos;
    neg_in[l + 1] = dy_neg;
  }
  // Backward: multipliers of the positive and negative parts.
  const long n = t.input.rows();
  Eigen::MatrixXd m_pos = Eigen::MatrixXd::Zero(n, layers.back().n_out());
  m_pos.col(target).setOnes();
  Eigen::MatrixXd m_neg = m_pos;
  for (std::size_t l = layers.size(); l-- > 0;) {
    Eigen::MatrixXd in_pos = m_pos * w_pos[l].transpose() + m_neg * w_neg[l].transpose();
    Eigen::MatrixXd in_neg = m_pos * w_neg[l].transpose() + m_neg * w_pos[l].transpose();
    if (l > 0) {
      m_pos = in_pos.cwiseProduct(mult_pos[l - 1]);
      m_neg = in_neg.cwiseProduct(mult_neg[l - 1]);
    } else {
      m_pos = std::move(in_pos);
      m_neg = std::move(in_neg);
    }
  }
  return m_pos.cwiseProduct(pos_in[0]) + m_neg.cwiseProduct(neg_in[0]);
}

}  // namespace

Eigen::MatrixXd deeplift(const ExplainedModel& model, const Eigen::MatrixXd& x, const Eigen::MatrixXd& references,
                         long target, DeepLiftRule rule, int n_threads,
                         const std::function<bool()>& interrupt_requested) {
  check_threads(n_threads);
  model.check_target(target, ExplainedOutput::raw);
  model.estimator().check_input(x, "X");
  if (x.rows() < 1) throw std::invalid_argument("X has no rows");
  model.estimator().check_input(references, "baseline");
  if (references.rows() < 1) throw std::invalid_argument("baseline needs at least one row");
  const Network& net = model.estimator().network();
  const Eigen::MatrixXd input = model.network_input(x);
  const Eigen::MatrixXd ref_input = model.network_input(references);
  constexpr long block = 256;
  const long n = x.rows(), r = references.rows();
  Eigen::MatrixXd total = Eigen::MatrixXd::Zero(n, x.cols());
  // A block is r passes over its rows: polled after each reference, since r
  // can make one block seconds of work.
  InterruptCheckpoint checkpoint(interrupt_requested);
  parallel_for((n + block - 1) / block, n_threads, [&](long b) {
    if (checkpoint.stopped()) return;
    const long start = b * block, rows = std::min(block, n - start);
    const LayerTrace t = model.trace(input.middleRows(start, rows));
    Eigen::MatrixXd sum = Eigen::MatrixXd::Zero(rows, x.cols());
    for (long k = 0; k < r; ++k) {
      const LayerTrace t0 = model.trace(ref_input.row(k).replicate(rows, 1));
      if (rule == DeepLiftRule::rescale) {
        const Eigen::MatrixXd m = backpropagate_multipliers(net, t, &t0, target, MultiplierRule::rescale);
        sum += m.cwiseProduct(t.input - t0.input);
      } else {
        sum += reveal_cancel(model, t, t0, target);
      }
      checkpoint.poll();
    }
    total.middleRows(start, rows) = sum / static_cast<double>(r);
  }, checkpoint.stop_signal());
  return total * model.output_scale();
}

}  // namespace scoresactivation
