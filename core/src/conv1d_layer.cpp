#include "scoresactivation/conv1d_layer.hpp"

#include "scoresactivation/sequence_lengths.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace scoresactivation {

namespace {

// dst = src at each row's valid steps and 0 at its padded ones, over a
// (rows, steps * width) block; src may be dst. Zeros are written, not a
// product with a mask taken: a padded 1e300 or NaN times 0 would not vanish.
void keep_valid_steps(const double* src, double* dst, long rows, long steps, long width,
                      const std::vector<long>& length) {
  if (src != dst) std::copy(src, src + rows * steps * width, dst);
  for (long i = 0; i < rows; ++i)
    for (long column = length[static_cast<std::size_t>(i)] * width; column < steps * width; ++column)
      dst[column * rows + i] = 0.0;
}

}  // namespace

Conv1dLayer::Conv1dLayer(long n_in, long n_filters, long kernel_size)
    : weight(kernel_size * n_in, n_filters), bias(Eigen::VectorXd::Zero(n_filters)), n_in_(n_in) {
  if (kernel_size < 1 || kernel_size % 2 == 0)
    throw std::invalid_argument("Conv1d: kernel_size must be odd and at least 1");
}

void Conv1dLayer::initialise(Random& random) {
  const double fans = static_cast<double>(weight.rows() + weight.cols());
  const double bound = fans > 0.0 ? std::sqrt(6.0 / fans) : 0.0;
  for (long i = 0; i < weight.rows(); ++i)
    for (long j = 0; j < weight.cols(); ++j) weight(i, j) = random.uniform(-bound, bound);
  bias.setZero();
}

void Conv1dLayer::forward(KernelPath path, const Eigen::MatrixXd& input, long steps, const Eigen::VectorXd* lengths,
                          Conv1dCache& cache, Eigen::MatrixXd& output) const {
  const long rows = input.rows(), in = n_in_, k = kernel_size(), f = n_filters(), half = (k - 1) / 2;
  if (in < 1 || weight.rows() != k * in || k % 2 == 0 || bias.size() != f)
    throw std::invalid_argument("Conv1d: parameters must be (k * n_in, F) with k odd, and (F)");
  if (steps < 1 || input.cols() != steps * in)
    throw std::invalid_argument("Conv1d: input must have steps * n_in columns");
  cache.padded = read_lengths(lengths, rows, steps, cache.lengths, "Conv1d");
  cache.rows = rows;
  cache.steps = steps;

  // Sources past a row's length count as 0, whatever their values.
  const double* source_data = input.data();
  if (cache.padded) {
    cache.masked.resize(rows, steps * in);
    keep_valid_steps(input.data(), cache.masked.data(), rows, steps, in, cache.lengths);
    source_data = cache.masked.data();
  }
  const Eigen::Map<const Eigen::MatrixXd> source(source_data, rows, steps * in);
  // im2col: a step's n_in channels are contiguous columns of the input, so
  // each (tap, step) block is n_in column copies; sources outside the
  // sequence are zero.
  cache.columns.resize(steps * rows, k * in);
  for (long j = 0; j < k; ++j)
    for (long t = 0; t < steps; ++t) {
      auto block = cache.columns.block(t * rows, j * in, rows, in);
      const long from = t + j - half;
      if (from < 0 || from >= steps)
        block.setZero();
      else
        block = source.middleCols(from * in, in);
    }

  matmul(path, cache.columns, false, weight, false, cache.product);
  output.resize(rows, steps * f);
  for (long t = 0; t < steps; ++t)
    output.middleCols(t * f, f) = cache.product.middleRows(t * rows, rows).rowwise() + bias.transpose();
  if (cache.padded) keep_valid_steps(output.data(), output.data(), rows, steps, f, cache.lengths);
}

void Conv1dLayer::backward(KernelPath path, const Eigen::MatrixXd& input, long steps, const Eigen::VectorXd* lengths,
                           Conv1dCache& cache, const Eigen::MatrixXd& grad_output, Eigen::MatrixXd& grad_weight,
                           Eigen::VectorXd& grad_bias, Eigen::MatrixXd* grad_input) const {
  const long rows = input.rows(), in = n_in_, k = kernel_size(), f = n_filters(), half = (k - 1) / 2;
  if (steps < 1 || input.cols() != steps * in)
    throw std::invalid_argument("Conv1d: input must have steps * n_in columns");
  if (cache.rows != rows || cache.steps != steps || cache.columns.cols() != k * in)
    throw std::invalid_argument("Conv1d: backward needs the cache of forward on the same block");
  if (grad_output.rows() != rows || grad_output.cols() != steps * f)
    throw std::invalid_argument("Conv1d: grad_output must be (rows, steps * F)");
  if (!same_lengths(lengths, steps, cache.lengths))
    throw std::invalid_argument("Conv1d: backward needs the lengths forward had");

  // dL/dproduct in the im2col row order; outputs past a length are the
  // constant 0, so their gradient is dropped.
  cache.grad_product.resize(steps * rows, f);
  for (long t = 0; t < steps; ++t) cache.grad_product.middleRows(t * rows, rows) = grad_output.middleCols(t * f, f);
  if (cache.padded)
    for (long i = 0; i < rows; ++i)
      for (long t = cache.lengths[static_cast<std::size_t>(i)]; t < steps; ++t)
        for (long c = 0; c < f; ++c) cache.grad_product(t * rows + i, c) = 0.0;
  matmul(path, cache.columns, true, cache.grad_product, false, grad_weight);
  grad_bias = cache.grad_product.colwise().sum().transpose();
  if (grad_input == nullptr) return;

  // col2im: each (tap, step) block goes back to its source step.
  matmul(path, cache.grad_product, false, weight, true, cache.grad_columns);
  grad_input->setZero(rows, steps * in);
  for (long j = 0; j < k; ++j)
    for (long t = std::max(0L, half - j); t < std::min(steps, steps + half - j); ++t)
      grad_input->middleCols((t + j - half) * in, in) += cache.grad_columns.block(t * rows, j * in, rows, in);
  if (cache.padded) keep_valid_steps(grad_input->data(), grad_input->data(), rows, steps, in, cache.lengths);
}

}  // namespace scoresactivation
