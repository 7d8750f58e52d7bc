// An LSTM layer over blocks of sequences: input (rows, steps * n_in), column
// t * n_in + c holding channel c at step t, -> hidden states (rows, steps * H),
// column t * H + j holding unit j at step t.
//
//   [i f g o] = [σ σ tanh σ](x_t W_input + h_{t-1} W_recurrent + bias)
//   c_t = f ⊙ c_{t-1} + i ⊙ g,   h_t = o ⊙ tanh(c_t),   h_{-1} = c_{-1} = 0
//
// Gate blocks in column order i, f, g, o (PyTorch's). Past a row's length the
// state is frozen (c_t = c_{t-1}, h_t = h_{t-1}), so step steps - 1 holds the
// last valid state, and padded inputs influence nothing, whatever their values.
#pragma once

#include <Eigen/Core>
#include <vector>

#include "scoresactivation/kernels.hpp"
#include "scoresactivation/random.hpp"

namespace scoresactivation {

// What backward needs from forward, plus scratch; once sized, calls of the
// same size allocate nothing. Inside, blocks are transposed and time-major
// (column t * rows + i is row i at step t), so one step is a contiguous
// column block, and x_t sits on top of h_{t-1}: each step is one product
// with [w_input; w_recurrent], and all steps together are one matrix for the
// weight gradients.
struct LstmCache {
  Eigen::MatrixXd joint;         // (n_in + H, (steps + 1) * rows): block t is [x_t; h_{t-1}]^T, x zero at padded steps
  Eigen::MatrixXd weights;       // (n_in + H, 4H): [w_input; w_recurrent]
  Eigen::MatrixXd gates;         // (4H, steps * rows): i, f, g, o after their nonlinearities (valid steps)
  Eigen::MatrixXd cells;         // (H, (steps + 1) * rows): block t + 1 is c_t, block 0 is c_{-1} = 0
  Eigen::MatrixXd tanh_cells;    // (H, steps * rows): tanh(c_t)
  Eigen::MatrixXd grad_gates;    // (4H, steps * rows): dL/d(pre-activation), zero at padded steps
  Eigen::MatrixXd grad_joint;    // (n_in + H, rows) or (H, rows): dL/d[x_t; h_{t-1}] of one step
  Eigen::MatrixXd grad_state, grad_cell;  // (H, rows): dL/dh_t, dL/dc_t
  Eigen::MatrixXd grad_weights;  // (4H, n_in + H): the weight gradients, transposed
  std::vector<long> lengths;     // per row (steps without lengths)
  bool padded = false;           // some row is shorter than steps
  long rows = -1, steps = -1;    // the block forward saw
};

struct LstmLayer {
  Eigen::MatrixXd w_input;      // (n_in, 4H)
  Eigen::MatrixXd w_recurrent;  // (H, 4H)
  Eigen::VectorXd bias;         // (4H)

  LstmLayer() = default;
  LstmLayer(long n_in, long n_hidden)
      : w_input(n_in, 4 * n_hidden), w_recurrent(n_hidden, 4 * n_hidden), bias(Eigen::VectorXd::Zero(4 * n_hidden)) {}

  long n_in() const { return w_input.rows(); }
  long n_hidden() const { return w_recurrent.rows(); }

  // U(-k, k), k = 1 / sqrt(H) (PyTorch's), w_input then w_recurrent, each row
  // by row; bias zero except the forget gate's, 1, so the cell keeps its
  // state early in training and gradients reach far back.
  void initialise(Random& random);

  // lengths: null (every row has all steps) or whole numbers in 1..steps.
  // hidden is resized to (rows, steps * H).
  void forward(KernelPath path, const Eigen::MatrixXd& input, long steps, const Eigen::VectorXd* lengths,
               LstmCache& cache, Eigen::MatrixXd& hidden) const;

  // Backpropagation through time from dL/dhidden (rows, steps * H), after
  // forward on the same block with this cache. Parameter gradients are sums
  // over the rows; grad_input (rows, steps * n_in) when non-null, exactly zero
  // at padded steps. Outputs are resized and overwritten.
  void backward(KernelPath path, const Eigen::MatrixXd& input, long steps, const Eigen::VectorXd* lengths,
                LstmCache& cache, const Eigen::MatrixXd& grad_hidden, Eigen::MatrixXd& grad_w_input,
                Eigen::MatrixXd& grad_w_recurrent, Eigen::VectorXd& grad_bias, Eigen::MatrixXd* grad_input) const;
};

}  // namespace scoresactivation
