#include "scoresactivation/lstm_layer.hpp"

#include <cmath>
#include <stdexcept>
#include <string>

namespace scoresactivation {

namespace {

// Per-row lengths, checked; returns whether some row is shorter than steps.
bool read_lengths(const Eigen::VectorXd* lengths, long rows, long steps, std::vector<long>& out) {
  out.assign(static_cast<std::size_t>(rows), steps);
  if (lengths == nullptr) return false;
  if (lengths->size() != rows) throw std::invalid_argument("LSTM: lengths must have one value per row");
  bool padded = false;
  for (long i = 0; i < rows; ++i) {
    const double value = (*lengths)[i];
    if (!(value >= 1.0 && value <= static_cast<double>(steps)) || value != std::floor(value))
      throw std::invalid_argument("LSTM: lengths must be whole numbers in 1.." + std::to_string(steps));
    out[static_cast<std::size_t>(i)] = static_cast<long>(value);
    padded = padded || out[static_cast<std::size_t>(i)] < steps;
  }
  return padded;
}

bool same_lengths(const Eigen::VectorXd* lengths, long steps, const std::vector<long>& seen) {
  if (lengths != nullptr && lengths->size() != static_cast<long>(seen.size())) return false;
  for (std::size_t i = 0; i < seen.size(); ++i)
    if (static_cast<double>(seen[i]) != (lengths == nullptr ? static_cast<double>(steps) : (*lengths)[static_cast<long>(i)]))
      return false;
  return true;
}

// Eigen vectorises exp for double but not tanh (std::tanh, one value at a
// time), and the gates are most of the elementwise work, so both go through exp.
// Both forms stay finite for any finite input: exp overflows to inf, 1/inf = 0.
template <typename Block>
void logistic_in_place(Block&& z) {
  z = (1.0 + (-z.array()).exp()).inverse().matrix();
}

template <typename In, typename Out>
void tanh_into(const In& z, Out&& out) {
  out = (1.0 - 2.0 * ((2.0 * z.array()).exp() + 1.0).inverse()).matrix();
}

}  // namespace

void LstmLayer::initialise(Random& random) {
  const long h = n_hidden();
  const double k = h > 0 ? 1.0 / std::sqrt(static_cast<double>(h)) : 0.0;
  for (long i = 0; i < w_input.rows(); ++i)
    for (long j = 0; j < w_input.cols(); ++j) w_input(i, j) = random.uniform(-k, k);
  for (long i = 0; i < w_recurrent.rows(); ++i)
    for (long j = 0; j < w_recurrent.cols(); ++j) w_recurrent(i, j) = random.uniform(-k, k);
  bias.setZero();
  // Forget gate open at the start (Jozefowicz et al. 2015): the cell keeps
  // its state, so early gradients reach far back in long sequences.
  bias.segment(h, h).setOnes();
}

void LstmLayer::forward(KernelPath path, const Eigen::MatrixXd& input, long steps, const Eigen::VectorXd* lengths,
                        LstmCache& cache, Eigen::MatrixXd& hidden) const {
  const long rows = input.rows(), h = n_hidden(), in = n_in(), k = 4 * h;
  if (w_input.cols() != k || w_recurrent.cols() != k || bias.size() != k)
    throw std::invalid_argument("LSTM: parameters must be (n_in, 4H), (H, 4H) and (4H)");
  if (steps < 1 || input.cols() != steps * in)
    throw std::invalid_argument("LSTM: input must have steps * n_in columns");
  cache.padded = read_lengths(lengths, rows, steps, cache.lengths);
  cache.rows = rows;
  cache.steps = steps;
  const std::vector<long>& length = cache.lengths;

  // x_t^T side by side; padded steps are zeroed, so no padded value (1e300,
  // NaN) reaches a product, not even multiplied by zero.
  cache.input.resize(in, steps * rows);
  for (long t = 0; t < steps; ++t) cache.input.middleCols(t * rows, rows) = input.middleCols(t * in, in).transpose();
  if (cache.padded)
    for (long i = 0; i < rows; ++i)
      for (long t = length[static_cast<std::size_t>(i)]; t < steps; ++t) cache.input.col(t * rows + i).setZero();

  // The input projection of every step in one product; the time loop only
  // adds h_{t-1} W_recurrent.
  matmul(path, w_input, true, cache.input, false, cache.gates);
  cache.gates.colwise() += bias;
  cache.cells.resize(h, (steps + 1) * rows);
  cache.states.resize(h, (steps + 1) * rows);
  cache.tanh_cells.resize(h, steps * rows);
  cache.recurrent.resize(k, rows);
  cache.cells.leftCols(rows).setZero();
  cache.states.leftCols(rows).setZero();

  for (long t = 0; t < steps; ++t) {
    auto z = cache.gates.middleCols(t * rows, rows);
    if (t > 0) {
      matmul(path, w_recurrent.data(), h, k, true, cache.states.data() + t * rows * h, h, rows, false,
             cache.recurrent.data());
      z += cache.recurrent;
    }
    logistic_in_place(z.topRows(2 * h));  // i, f
    tanh_into(z.middleRows(2 * h, h), z.middleRows(2 * h, h));
    logistic_in_place(z.bottomRows(h));  // o
    const auto c_prev = cache.cells.middleCols(t * rows, rows);
    auto c = cache.cells.middleCols((t + 1) * rows, rows);
    c = (z.middleRows(h, h).array() * c_prev.array() + z.topRows(h).array() * z.middleRows(2 * h, h).array()).matrix();
    auto tanh_c = cache.tanh_cells.middleCols(t * rows, rows);
    tanh_into(c, tanh_c);
    auto state = cache.states.middleCols((t + 1) * rows, rows);
    state = (z.bottomRows(h).array() * tanh_c.array()).matrix();
    if (cache.padded)
      for (long i = 0; i < rows; ++i)
        if (t >= length[static_cast<std::size_t>(i)]) {  // frozen (t >= 1: every length is at least 1)
          c.col(i) = c_prev.col(i);
          state.col(i) = cache.states.col(t * rows + i);
        }
  }

  hidden.resize(rows, steps * h);
  for (long t = 0; t < steps; ++t)
    hidden.middleCols(t * h, h) = cache.states.middleCols((t + 1) * rows, rows).transpose();
}

void LstmLayer::backward(KernelPath path, const Eigen::MatrixXd& input, long steps, const Eigen::VectorXd* lengths,
                         LstmCache& cache, const Eigen::MatrixXd& grad_hidden, Eigen::MatrixXd& grad_w_input,
                         Eigen::MatrixXd& grad_w_recurrent, Eigen::VectorXd& grad_bias,
                         Eigen::MatrixXd* grad_input) const {
  const long rows = input.rows(), h = n_hidden(), in = n_in(), k = 4 * h;
  if (steps < 1 || input.cols() != steps * in)
    throw std::invalid_argument("LSTM: input must have steps * n_in columns");
  if (cache.rows != rows || cache.steps != steps || cache.gates.rows() != k || cache.input.rows() != in)
    throw std::invalid_argument("LSTM: backward needs the cache of forward on the same block");
  if (grad_hidden.rows() != rows || grad_hidden.cols() != steps * h)
    throw std::invalid_argument("LSTM: grad_hidden must be (rows, steps * H)");
  if (!same_lengths(lengths, steps, cache.lengths))
    throw std::invalid_argument("LSTM: backward needs the lengths forward had");
  const std::vector<long>& length = cache.lengths;

  cache.grad_gates.resize(k, steps * rows);
  cache.grad_state.setZero(h, rows);  // dL/dh_t from the loss at t and from later steps
  cache.grad_cell.setZero(h, rows);   // dL/dc_t from later steps
  cache.grad_state_prev.resize(h, rows);
  cache.grad_cell_total.resize(h, rows);
  for (long t = steps; t-- > 0;) {
    cache.grad_state += grad_hidden.middleCols(t * h, h).transpose();
    const auto gates = cache.gates.middleCols(t * rows, rows);
    const auto i_gate = gates.topRows(h).array(), f_gate = gates.middleRows(h, h).array(),
               g_gate = gates.middleRows(2 * h, h).array(), o_gate = gates.bottomRows(h).array();
    const auto tanh_c = cache.tanh_cells.middleCols(t * rows, rows).array();
    const auto c_prev = cache.cells.middleCols(t * rows, rows).array();
    const auto dh = cache.grad_state.array();
    auto dc = cache.grad_cell_total.array();  // dL/dc_t, all paths
    dc = cache.grad_cell.array() + dh * o_gate * (1.0 - tanh_c.square());
    auto dz = cache.grad_gates.middleCols(t * rows, rows);
    dz.topRows(h) = (dc * g_gate * i_gate * (1.0 - i_gate)).matrix();
    dz.middleRows(h, h) = (dc * c_prev * f_gate * (1.0 - f_gate)).matrix();
    dz.middleRows(2 * h, h) = (dc * i_gate * (1.0 - g_gate.square())).matrix();
    dz.bottomRows(h) = (dh * tanh_c * o_gate * (1.0 - o_gate)).matrix();
    // A padded step is the identity on (h, c): dL/dh and dL/dc pass straight
    // through and its gates learn nothing.
    if (cache.padded)
      for (long i = 0; i < rows; ++i)
        if (t >= length[static_cast<std::size_t>(i)]) {
          dz.col(i).setZero();
          cache.grad_cell_total.col(i) = cache.grad_cell.col(i);
        }
    cache.grad_cell = (cache.grad_cell_total.array() * f_gate).matrix();
    if (cache.padded)
      for (long i = 0; i < rows; ++i)
        if (t >= length[static_cast<std::size_t>(i)]) cache.grad_cell.col(i) = cache.grad_cell_total.col(i);
    if (t == 0) break;  // h_{-1} is a constant
    matmul(path, w_recurrent.data(), h, k, false, dz.data(), k, rows, false, cache.grad_state_prev.data());
    if (cache.padded)
      for (long i = 0; i < rows; ++i)
        if (t >= length[static_cast<std::size_t>(i)]) cache.grad_state_prev.col(i) = cache.grad_state.col(i);
    cache.grad_state.swap(cache.grad_state_prev);
  }

  // Every step's parameter gradients in one product each (padded columns of
  // grad_gates are zero, so they add nothing).
  matmul(path, cache.input, false, cache.grad_gates, true, grad_w_input);
  grad_w_recurrent.resize(h, k);
  matmul(path, cache.states.data(), h, steps * rows, false, cache.grad_gates.data(), k, steps * rows, true,
         grad_w_recurrent.data());
  grad_bias = cache.grad_gates.rowwise().sum();
  if (grad_input == nullptr) return;
  matmul(path, w_input, false, cache.grad_gates, false, cache.grad_input);
  grad_input->resize(rows, steps * in);
  for (long t = 0; t < steps; ++t)
    grad_input->middleCols(t * in, in) = cache.grad_input.middleCols(t * rows, rows).transpose();
  if (cache.padded)  // exactly zero, not -0 from a sum of zero products
    for (long i = 0; i < rows; ++i) {
      const long valid = length[static_cast<std::size_t>(i)];
      grad_input->row(i).tail((steps - valid) * in).setZero();
    }
}

}  // namespace scoresactivation
