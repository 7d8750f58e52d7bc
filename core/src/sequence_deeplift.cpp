#include "scoresactivation/sequence_deeplift.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

#include "scoresactivation/attribution_limits.hpp"
#include "scoresactivation/explained_model.hpp"
#include "scoresactivation/interrupt_checkpoint.hpp"
#include "scoresactivation/parallel.hpp"

namespace scoresactivation {

namespace {

constexpr double kEps = 1e-10;  // deeplift.cpp's: below it the rescale multiplier is f'(z)

// Values one pass of a task may hold per encoder layer (rows x steps x 4H):
// long sequences get fewer rows per block. Depends on the shapes only, never
// on n_threads.
constexpr long kPassValues = 1L << 20;

double rescale(double dy, double dz, double derivative) { return std::abs(dz) >= kEps ? dy / dz : derivative; }

double sigmoid(double z) { return 1.0 / (1.0 + std::exp(-z)); }

// One LSTM layer's forward pass over a block, with every step's
// pre-activations and activations kept. Row-major per step: row i of a
// matrix is row i of the block. At padded steps only c and h are meaningful
// (the frozen state); z and a are left as computed and never read.
struct LstmPass {
  std::vector<Eigen::MatrixXd> z, a;  // per step (rows, 4H): pre-activations; i, f, g, o
  std::vector<Eigen::MatrixXd> c;     // per step + 1 (rows, H): c[t + 1] = c_t, c[0] = 0
  std::vector<Eigen::MatrixXd> u;     // per step (rows, H): tanh(c_t)
  Eigen::MatrixXd hidden;             // (rows, steps * H): h_t, frozen past a row's length
};

void lstm_forward(const LstmLayer& layer, const Eigen::MatrixXd& input, long steps, const std::vector<long>& length,
                  LstmPass& p) {
  const long rows = input.rows(), h = layer.n_hidden(), in = layer.n_in();
  p.z.resize(static_cast<std::size_t>(steps));
  p.a.resize(static_cast<std::size_t>(steps));
  p.u.resize(static_cast<std::size_t>(steps));
  p.c.assign(static_cast<std::size_t>(steps + 1), Eigen::MatrixXd::Zero(rows, h));
  p.hidden.resize(rows, steps * h);
  Eigen::MatrixXd h_prev = Eigen::MatrixXd::Zero(rows, h);
  for (long t = 0; t < steps; ++t) {
    const std::size_t s = static_cast<std::size_t>(t);
    Eigen::MatrixXd& z = p.z[s];
    z.noalias() = input.middleCols(t * in, in) * layer.w_input;
    z.noalias() += h_prev * layer.w_recurrent;
    z.rowwise() += layer.bias.transpose();
    Eigen::MatrixXd& a = p.a[s];
    a.resize(rows, 4 * h);
    p.u[s].resize(rows, h);
    for (long i = 0; i < rows; ++i) {
      if (t >= length[static_cast<std::size_t>(i)]) {  // frozen state
        p.c[s + 1].row(i) = p.c[s].row(i);
        p.u[s].row(i).setZero();
        continue;
      }
      for (long j = 0; j < h; ++j) {
        a(i, j) = sigmoid(z(i, j));
        a(i, h + j) = sigmoid(z(i, h + j));
        a(i, 2 * h + j) = std::tanh(z(i, 2 * h + j));
        a(i, 3 * h + j) = sigmoid(z(i, 3 * h + j));
        const double cell = a(i, h + j) * p.c[s](i, j) + a(i, j) * a(i, 2 * h + j);
        p.c[s + 1](i, j) = cell;
        p.u[s](i, j) = std::tanh(cell);
        h_prev(i, j) = a(i, 3 * h + j) * p.u[s](i, j);
      }
    }
    p.hidden.middleCols(t * h, h) = h_prev;  // padded rows keep h_{t-1}
  }
}

// Multipliers of the layer's input (rows, steps * n_in) from those of its
// hidden states (rows, steps * H), between the passes of x (p) and of its
// reference (q). Mirrors LstmLayer::backward, with the rescale multipliers of
// the nonlinearities and the product rule's averages in place of the
// derivatives.
Eigen::MatrixXd lstm_backward(const LstmLayer& layer, long steps, const std::vector<long>& length, const LstmPass& p,
                              const LstmPass& q, const Eigen::MatrixXd& m_hidden) {
  const long rows = m_hidden.rows(), h = layer.n_hidden(), in = layer.n_in();
  Eigen::MatrixXd m_input = Eigen::MatrixXd::Zero(rows, steps * in);
  Eigen::MatrixXd m_state = Eigen::MatrixXd::Zero(rows, h);  // of h_t: from the pooling at t and later steps
  Eigen::MatrixXd m_cell = Eigen::MatrixXd::Zero(rows, h);   // of c_t: from later steps
  Eigen::MatrixXd m_z(rows, 4 * h), m_prev(rows, h);
  for (long t = steps; t-- > 0;) {
    const std::size_t s = static_cast<std::size_t>(t);
    m_state += m_hidden.middleCols(t * h, h);
    const Eigen::MatrixXd &z = p.z[s], &z0 = q.z[s], &a = p.a[s], &a0 = q.a[s];
    const Eigen::MatrixXd &c_prev = p.c[s], &c0_prev = q.c[s], &c = p.c[s + 1], &c0 = q.c[s + 1];
    const Eigen::MatrixXd &u = p.u[s], &u0 = q.u[s];
    for (long i = 0; i < rows; ++i) {
      // A padded step is the identity on (h, c): the multipliers pass through.
      if (t >= length[static_cast<std::size_t>(i)]) {
        m_z.row(i).setZero();
        continue;
      }
      for (long j = 0; j < h; ++j) {
        const long ji = j, jf = h + j, jg = 2 * h + j, jo = 3 * h + j;
        const double gi = a(i, ji), gf = a(i, jf), gg = a(i, jg), go = a(i, jo);
        const double gi0 = a0(i, ji), gf0 = a0(i, jf), gg0 = a0(i, jg), go0 = a0(i, jo);
        const double mh = m_state(i, j);
        // h = o tanh(c): product rule, then the rescale of tanh at c.
        const double m_u = rescale(u(i, j) - u0(i, j), c(i, j) - c0(i, j), 1.0 - u(i, j) * u(i, j));
        const double mc = m_cell(i, j) + mh * 0.5 * (go + go0) * m_u;
        const double mo = mh * 0.5 * (u(i, j) + u0(i, j));
        // c = f c_{t-1} + i g: product rule on both terms.
        const double mf = mc * 0.5 * (c_prev(i, j) + c0_prev(i, j));
        const double mi = mc * 0.5 * (gg + gg0);
        const double mg = mc * 0.5 * (gi + gi0);
        m_z(i, ji) = mi * rescale(gi - gi0, z(i, ji) - z0(i, ji), gi * (1.0 - gi));
        m_z(i, jf) = mf * rescale(gf - gf0, z(i, jf) - z0(i, jf), gf * (1.0 - gf));
        m_z(i, jg) = mg * rescale(gg - gg0, z(i, jg) - z0(i, jg), 1.0 - gg * gg);
        m_z(i, jo) = mo * rescale(go - go0, z(i, jo) - z0(i, jo), go * (1.0 - go));
        m_cell(i, j) = mc * 0.5 * (gf + gf0);
      }
    }
    m_input.middleCols(t * in, in).noalias() = m_z * layer.w_input.transpose();
    if (t == 0) break;  // h_{-1} is a constant
    m_prev.noalias() = m_z * layer.w_recurrent.transpose();
    for (long i = 0; i < rows; ++i)
      if (t >= length[static_cast<std::size_t>(i)]) m_prev.row(i) = m_state.row(i);
    m_state.swap(m_prev);
  }
  return m_input;
}

// The encoder, pooling and head for one block, everything the backward pass needs.
struct SequencePass {
  std::vector<LstmPass> lstm;
  std::vector<Conv1dCache> conv_caches;
  std::vector<Eigen::MatrixXd> conv_z, conv_a;  // per conv layer (rows, steps * F): before and after the activation
  LayerTrace head;                              // head.input: the pooled encoder output
};

void forward(const SequenceNetwork& net, KernelPath path, const Eigen::MatrixXd& gated, long steps,
             const Eigen::VectorXd* lengths, const std::vector<long>& length, SequencePass& pass) {
  const long n_layers = net.n_encoder_layers(), rows = gated.rows();
  const Eigen::MatrixXd* input = &gated;
  if (net.architecture() == Architecture::lstm) {
    pass.lstm.resize(static_cast<std::size_t>(n_layers));
    for (long l = 0; l < n_layers; ++l) {
      const std::size_t k = static_cast<std::size_t>(l);
      lstm_forward(net.lstm_layers()[k], *input, steps, length, pass.lstm[k]);
      input = &pass.lstm[k].hidden;
    }
  } else {
    pass.conv_caches.resize(static_cast<std::size_t>(n_layers));
    pass.conv_z.resize(static_cast<std::size_t>(n_layers));
    pass.conv_a.resize(static_cast<std::size_t>(n_layers));
    for (long l = 0; l < n_layers; ++l) {
      const std::size_t k = static_cast<std::size_t>(l);
      net.conv_layers()[k].forward(path, *input, steps, lengths, pass.conv_caches[k], pass.conv_z[k]);
      pass.conv_a[k] = activate(net.activation(), pass.conv_z[k]);
      input = &pass.conv_a[k];
    }
  }
  // Pooling over each row's valid steps, as SequenceNetwork's encode.
  const long width = net.encoder_width(n_layers - 1);
  LayerTrace& t = pass.head;
  t.input.resize(rows, width);
  for (long i = 0; i < rows; ++i) {
    const long len = length[static_cast<std::size_t>(i)];
    if (net.pooling() == Pooling::last) {
      t.input.row(i) = input->block(i, (len - 1) * width, 1, width);
    } else {
      t.input.row(i).setZero();
      for (long s = 0; s < len; ++s) t.input.row(i) += input->block(i, s * width, 1, width);
      t.input.row(i) /= static_cast<double>(len);
    }
  }
  // The head's trace, as ExplainedModel::trace.
  const Network& head = net.head();
  const auto& layers = head.layers();
  t.pre_activations.resize(layers.size() - 1);
  t.activations.resize(layers.size() - 1);
  const Eigen::MatrixXd* a = &t.input;
  for (std::size_t l = 0; l + 1 < layers.size(); ++l) {
    layers[l].forward(path, *a, t.pre_activations[l]);
    t.activations[l] = activate(head.activation(), t.pre_activations[l]);
    a = &t.activations[l];
  }
  layers.back().forward(path, *a, t.output);
}

// Multipliers of the gated input (rows, steps * channels) for target, from the
// passes of x (p) and of its reference (q).
Eigen::MatrixXd backward(const SequenceNetwork& net, KernelPath path, long steps, const Eigen::VectorXd* lengths,
                         const std::vector<long>& length, const Eigen::MatrixXd& gated, SequencePass& p,
                         const SequencePass& q, long target) {
  const Eigen::MatrixXd m_pooled = backpropagate_multipliers(net.head(), p.head, &q.head, target, MultiplierRule::rescale);
  const long n_layers = net.n_encoder_layers(), rows = m_pooled.rows();
  const long width = net.encoder_width(n_layers - 1);
  Eigen::MatrixXd m = Eigen::MatrixXd::Zero(rows, steps * width);
  for (long i = 0; i < rows; ++i) {
    const long len = length[static_cast<std::size_t>(i)];
    if (net.pooling() == Pooling::last) {
      m.block(i, (len - 1) * width, 1, width) = m_pooled.row(i);
    } else {
      const Eigen::RowVectorXd share = m_pooled.row(i) / static_cast<double>(len);
      for (long s = 0; s < len; ++s) m.block(i, s * width, 1, width) = share;
    }
  }
  for (long l = n_layers; l-- > 0;) {
    const std::size_t k = static_cast<std::size_t>(l);
    if (net.architecture() == Architecture::lstm) {
      m = lstm_backward(net.lstm_layers()[k], steps, length, p.lstm[k], q.lstm[k], m);
    } else {
      // Rescale on the activation, then the convolution, linear: its
      // input gradient is its multiplier (the weight gradients are unused).
      const Eigen::MatrixXd &z = p.conv_z[k], &z0 = q.conv_z[k];
      const Eigen::MatrixXd derivative = activation_derivative(net.activation(), z);
      const Eigen::MatrixXd dy = p.conv_a[k] - q.conv_a[k];
      for (long j = 0; j < m.cols(); ++j)
        for (long i = 0; i < rows; ++i) m(i, j) *= rescale(dy(i, j), z(i, j) - z0(i, j), derivative(i, j));
      const Eigen::MatrixXd& input = l == 0 ? gated : p.conv_a[k - 1];
      Eigen::MatrixXd grad_weight, below;
      Eigen::VectorXd grad_bias;
      net.conv_layers()[k].backward(path, input, steps, lengths, p.conv_caches[k], m, grad_weight, grad_bias, &below);
      m.swap(below);
    }
  }
  return m;
}

std::vector<long> lengths_of(const Eigen::VectorXd& lengths, long steps, long start, long rows) {
  std::vector<long> out(static_cast<std::size_t>(rows), steps);
  if (lengths.size() > 0)
    for (long i = 0; i < rows; ++i) out[static_cast<std::size_t>(i)] = static_cast<long>(lengths[start + i]);
  return out;
}

}  // namespace

Eigen::MatrixXd sequence_deeplift(const SequenceEstimator& est, const Eigen::MatrixXd& x, long steps,
                                  const Eigen::VectorXd& lengths, const Eigen::MatrixXd& references, long target,
                                  int n_threads, const std::function<bool()>& interrupt_requested) {
  if (!est.fitted()) throw std::logic_error("this estimator is not fitted yet; call fit first");
  check_threads(n_threads);
  est.check_input(x, steps, lengths, "X");
  if (x.rows() < 1) throw std::invalid_argument("X has no rows");
  if (target < 0 || target >= est.n_outputs())
    throw std::invalid_argument("target must be in [0, " + std::to_string(est.n_outputs()) + "); got " +
                                std::to_string(target));
  if (references.cols() != x.cols())
    throw std::invalid_argument("references must have the columns of X (" + std::to_string(x.cols()) + "); got " +
                                std::to_string(references.cols()));
  // Every step of a reference may be read: a row of full length takes it whole.
  est.check_input(references, steps, Eigen::VectorXd(), "references");
  if (references.rows() < 1) throw std::invalid_argument("references needs at least one row");

  const SequenceNetwork& net = est.network();
  const KernelPath path = est.kernel_path();
  const long n = x.rows(), width = x.cols(), r = references.rows(), c = est.n_channels();
  const Eigen::MatrixXd ref_std = est.standardise(references, steps, Eigen::VectorXd());
  long widest = c;
  for (long l = 0; l < net.n_encoder_layers(); ++l) widest = std::max(widest, 4 * net.encoder_width(l));
  const long block = std::max<long>(1, std::min<long>(256, kPassValues / std::max<long>(1, steps * widest)));
  const double output_scale = est.task() == Task::regression ? est.target_scale() : 1.0;
  Eigen::MatrixXd total = Eigen::MatrixXd::Zero(n, width);
  // A block is r backward passes over its rows: polled after each reference.
  InterruptCheckpoint checkpoint(interrupt_requested);
  parallel_for((n + block - 1) / block, n_threads, [&](long b) {
    if (checkpoint.stopped()) return;
    const long start = b * block, rows = std::min(block, n - start);
    const Eigen::VectorXd block_lengths = lengths.size() > 0 ? Eigen::VectorXd(lengths.segment(start, rows))
                                                             : Eigen::VectorXd();
    const Eigen::VectorXd* lp = block_lengths.size() > 0 ? &block_lengths : nullptr;
    const std::vector<long> length = lengths_of(lengths, steps, start, rows);
    const Eigen::MatrixXd std_x = est.standardise(x.middleRows(start, rows), steps, block_lengths);
    const Eigen::MatrixXd gated = net.gated_input(InputBlock{std_x, steps, lp});
    SequencePass p;
    forward(net, path, gated, steps, lp, length, p);
    Eigen::MatrixXd sum = Eigen::MatrixXd::Zero(rows, width);
    for (long k = 0; k < r; ++k) {
      // The reference cut to each row's length: zero (standardised) beyond it, as padding is.
      Eigen::MatrixXd ref = ref_std.row(k).replicate(rows, 1);
      for (long i = 0; i < rows; ++i) ref.row(i).tail(width - length[static_cast<std::size_t>(i)] * c).setZero();
      const Eigen::MatrixXd ref_gated = net.gated_input(InputBlock{ref, steps, lp});
      SequencePass q;
      forward(net, path, ref_gated, steps, lp, length, q);
      const Eigen::MatrixXd m = backward(net, path, steps, lp, length, gated, p, q, target);
      sum += m.cwiseProduct(gated - ref_gated);
      checkpoint.poll();
    }
    sum *= output_scale / static_cast<double>(r);
    // Exactly zero, not -0 from a product with a zero multiplier.
    for (long i = 0; i < rows; ++i) sum.row(i).tail(width - length[static_cast<std::size_t>(i)] * c).setZero();
    total.middleRows(start, rows) = sum;
  }, checkpoint.stop_signal());
  checkpoint.poll();
  return total;
}

}  // namespace scoresactivation
