#include "scoresactivation/explained_model.hpp"

#include <stdexcept>
#include <string>

#include "scoresactivation/attribution_limits.hpp"
#include "scoresactivation/kernels.hpp"
#include "scoresactivation/loss.hpp"
#include "scoresactivation/parallel.hpp"

namespace scoresactivation {

ExplainedOutput explained_output_from_string(const std::string& name) {
  if (name == "raw") return ExplainedOutput::raw;
  if (name == "probability") return ExplainedOutput::probability;
  throw std::invalid_argument("output must be 'raw' or 'probability'; got '" + name + "'");
}

ExplainedModel::ExplainedModel(const Estimator& estimator) : est_(estimator) {
  if (!est_.fitted()) throw std::logic_error("this estimator is not fitted yet; call fit first");
  const Network& net = est_.network();
  gate_ = net.has_scores_layer() ? net.scores_layer().gate() : Eigen::VectorXd::Ones(n_features());
  input_multiplier_ = gate_.cwiseQuotient(est_.input_scale());
  output_scale_ = classification() ? 1.0 : est_.target_scale();
}

namespace {
// The public entry points below take rows without the attribution methods'
// checks: a wrong width would read past the weights.
void check_width(const Eigen::MatrixXd& rows, long d, const char* what) {
  if (rows.cols() != d)
    throw std::invalid_argument(std::string(what) + " has " + std::to_string(rows.cols()) +
                                " columns, but the model expects " + std::to_string(d));
}
}  // namespace

Eigen::MatrixXd ExplainedModel::network_input(const Eigen::MatrixXd& x) const {
  check_width(x, n_features(), "X");
  return est_.standardise(x) * gate_.asDiagonal();
}

Eigen::MatrixXd activate(Activation activation, const Eigen::MatrixXd& z) {
  Eigen::MatrixXd out;
  apply_activation(activation, z, out);
  return out;
}

Eigen::MatrixXd activation_derivative(Activation activation, const Eigen::MatrixXd& z) {
  switch (activation) {
    case Activation::relu: return (z.array() > 0.0).cast<double>().matrix();
    case Activation::tanh: return (1.0 - z.array().tanh().square()).matrix();
    case Activation::logistic: {
      const Eigen::ArrayXXd s = 1.0 / (1.0 + (-z.array()).exp());
      return (s * (1.0 - s)).matrix();
    }
    case Activation::identity: return Eigen::MatrixXd::Ones(z.rows(), z.cols());
  }
  return Eigen::MatrixXd::Ones(z.rows(), z.cols());
}

LayerTrace ExplainedModel::trace(const Eigen::MatrixXd& network_input) const {
  check_width(network_input, n_features(), "the network input");
  const Network& net = est_.network();
  const KernelPath path = est_.kernel_path();
  LayerTrace t;
  t.input = network_input;
  const auto& layers = net.layers();
  const Eigen::MatrixXd* a = &t.input;
  t.pre_activations.resize(layers.size() - 1);
  t.activations.resize(layers.size() - 1);
  for (std::size_t l = 0; l + 1 < layers.size(); ++l) {
    layers[l].forward(path, *a, t.pre_activations[l]);
    t.activations[l] = activate(net.activation(), t.pre_activations[l]);
    a = &t.activations[l];
  }
  layers.back().forward(path, *a, t.output);
  return t;
}

Eigen::MatrixXd ExplainedModel::outputs(const Eigen::MatrixXd& x, ExplainedOutput output, int n_threads) const {
  check_threads(n_threads);
  // A front end may call this directly: a wrong width would read past X.
  est_.check_input(x, "X");
  const Network& net = est_.network();
  const KernelPath path = est_.kernel_path();
  constexpr long block = 1024;
  const long n = x.rows();
  Eigen::MatrixXd out(n, n_outputs());
  parallel_for((n + block - 1) / block, n_threads, [&](long b) {
    const long start = b * block, rows = std::min(block, n - start);
    // The network's own forward pass applies the gate; give it standardised rows.
    out.middleRows(start, rows) = net.predict(path, est_.standardise(x.middleRows(start, rows)));
  });
  return from_network_output(std::move(out), output);
}

Eigen::MatrixXd ExplainedModel::from_network_output(Eigen::MatrixXd network_output, ExplainedOutput output) const {
  if (classification()) {
    if (output == ExplainedOutput::probability) {
      Eigen::MatrixXd p;
      softmax_rows(network_output, p);
      return p;
    }
    return network_output;
  }
  return (network_output.array() * est_.target_scale() + est_.target_mean()).matrix();
}

void ExplainedModel::check_target(long target, ExplainedOutput output) const {
  if (target < 0 || target >= n_outputs())
    throw std::invalid_argument("target must be in [0, " + std::to_string(n_outputs()) + "); got " +
                                std::to_string(target));
  if (output == ExplainedOutput::probability && !classification())
    throw std::invalid_argument("output='probability' needs a classification model");
}

Eigen::MatrixXd backpropagate_multipliers(const Network& network, const LayerTrace& trace,
                                          const LayerTrace* reference, long target, MultiplierRule rule) {
  const auto& layers = network.layers();
  const long n = trace.input.rows();
  if (target < 0 || target >= layers.back().n_out())
    throw std::invalid_argument("target must be in [0, " + std::to_string(layers.back().n_out()) + "); got " +
                                std::to_string(target));
  if (rule == MultiplierRule::rescale && (reference == nullptr || reference->input.rows() != n))
    throw std::invalid_argument("the rescale rule needs a reference trace with one row per row");
  if (trace.pre_activations.size() + 1 != layers.size() ||
      (reference != nullptr && reference->pre_activations.size() + 1 != layers.size()))
    throw std::invalid_argument("the trace does not come from this network");
  // d target / d output is the unit vector of the target: start from its weights.
  Eigen::MatrixXd grad = Eigen::MatrixXd::Zero(n, layers.back().n_out());
  grad.col(target).setOnes();
  for (std::size_t l = layers.size(); l-- > 0;) {
    Eigen::MatrixXd grad_in = grad * layers[l].weight.transpose();
    if (l > 0) {
      const Eigen::MatrixXd& z = trace.pre_activations[l - 1];
      Eigen::MatrixXd multiplier = activation_derivative(network.activation(), z);
      if (rule == MultiplierRule::rescale) {
        const Eigen::MatrixXd& z0 = reference->pre_activations[l - 1];
        const Eigen::MatrixXd dz = z - z0;
        const Eigen::MatrixXd dy = trace.activations[l - 1] - reference->activations[l - 1];
        for (long j = 0; j < dz.cols(); ++j)
          for (long i = 0; i < n; ++i)
            if (std::abs(dz(i, j)) >= 1e-10) multiplier(i, j) = dy(i, j) / dz(i, j);
      }
      grad = grad_in.cwiseProduct(multiplier);
    } else {
      grad = std::move(grad_in);
    }
  }
  return grad;
}

}  // namespace scoresactivation
