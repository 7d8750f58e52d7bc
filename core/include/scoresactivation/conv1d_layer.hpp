// A 1-D convolution over time for blocks of sequences: input
// (rows, steps * n_in), column t * n_in + c holding channel c at step t,
// -> (rows, steps * F), column t * F + f holding filter f at step t.
//
//   out_{t,f} = b_f + sum_{j < k} sum_c W[j * n_in + c, f] x_{t + j - (k-1)/2, c}
//
// with 'same' zero padding: a source step outside [0, length) counts as 0,
// so padded values never matter, and the output past a row's length is 0.
// No activation (the network applies it).
#pragma once

#include <Eigen/Core>
#include <vector>

#include "scoresactivation/kernels.hpp"
#include "scoresactivation/random.hpp"

namespace scoresactivation {

// What backward needs from forward, plus scratch; once sized, calls of the
// same size allocate nothing.
struct Conv1dCache {
  Eigen::MatrixXd masked;        // the input with padded steps zeroed (only with padding)
  Eigen::MatrixXd columns;       // im2col (steps * rows, k * n_in): row t * rows + i, the taps of row i around t
  Eigen::MatrixXd product;       // (steps * rows, F): columns * weight
  Eigen::MatrixXd grad_product;  // (steps * rows, F)
  Eigen::MatrixXd grad_columns;  // (steps * rows, k * n_in)
  std::vector<long> lengths;     // per row (steps without lengths)
  bool padded = false;           // some row is shorter than steps
  long rows = -1, steps = -1;    // the block forward saw
};

struct Conv1dLayer {
  Eigen::MatrixXd weight;  // (kernel_size * n_in, n_filters), row j * n_in + c: tap j of channel c
  Eigen::VectorXd bias;    // (n_filters)

  Conv1dLayer() = default;
  // kernel_size must be odd and at least 1 (std::invalid_argument otherwise).
  Conv1dLayer(long n_in, long n_filters, long kernel_size);

  long n_in() const { return n_in_; }
  long n_filters() const { return weight.cols(); }
  long kernel_size() const { return n_in_ > 0 ? weight.rows() / n_in_ : 0; }

  // Glorot uniform (fan_in k * n_in, fan_out F), row by row; bias zero.
  void initialise(Random& random);

  // lengths: null (every row has all steps) or whole numbers in 1..steps.
  // output is resized to (rows, steps * F).
  void forward(KernelPath path, const Eigen::MatrixXd& input, long steps, const Eigen::VectorXd* lengths,
               Conv1dCache& cache, Eigen::MatrixXd& output) const;

  // From dL/doutput (rows, steps * F), after forward on the same block with
  // this cache. Parameter gradients are sums over the rows; grad_input
  // (rows, steps * n_in) when non-null, exactly zero at padded steps. Outputs
  // are resized and overwritten.
  void backward(KernelPath path, const Eigen::MatrixXd& input, long steps, const Eigen::VectorXd* lengths,
                Conv1dCache& cache, const Eigen::MatrixXd& grad_output, Eigen::MatrixXd& grad_weight,
                Eigen::VectorXd& grad_bias, Eigen::MatrixXd* grad_input) const;

 private:
  long n_in_ = 0;
};

}  // namespace scoresactivation
