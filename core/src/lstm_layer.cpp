#include "scoresactivation/lstm_layer.hpp"

#include "scoresactivation/sequence_lengths.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>

namespace scoresactivation {

namespace {

// The gate nonlinearities are most of the elementwise work. Eigen's exp for
// double is several times slower without AVX and std::exp does not
// vectorise, so e^x is ours: plain arithmetic on two doubles at a time where
// the compiler has vector extensions (GCC, Clang: SSE2 on x86-64, NEON on
// aarch64), one at a time otherwise; both forms run the same operations in
// the same order. Packs cross function boundaries only by reference, so the
// AVX2 copies below need no AVX calling convention anywhere.
#if defined(__GNUC__)
#define SCORESACTIVATION_LSTM_PACKS 1
// Always inlined, so that the AVX2 functions compile these helpers with AVX2.
#define SA_INLINE inline __attribute__((always_inline))
typedef double Pack __attribute__((vector_size(16)));
typedef long long PackBits __attribute__((vector_size(16)));
#else
#define SA_INLINE inline
#endif
// The AVX2 path also gets the step loops four doubles at a time with FMA, as
// functions compiled for AVX2+FMA and called only where the CPU has them.
#if defined(SCORESACTIVATION_LSTM_PACKS) && (defined(__x86_64__) || defined(__i386__))
#define SCORESACTIVATION_LSTM_AVX2 1
typedef double Pack4 __attribute__((vector_size(32)));
typedef long long Pack4Bits __attribute__((vector_size(32)));
#endif

template <typename V>
struct Lanes;

template <>
struct Lanes<double> {
  static SA_INLINE void load(double& out, const double* p) { out = *p; }
  static SA_INLINE void store(double* p, const double& v) { *p = v; }
  // Quiet comparisons: NaN passes through.
  static SA_INLINE void clamp(double& x, double low, double high) {
    x = std::isless(x, low) ? low : x;
    x = std::isgreater(x, high) ? high : x;
  }
  // 2^n from n + 1.5 * 2^52: the low mantissa bits hold n, and n + 1023 in
  // [1, 2046] is the exponent field.
  static SA_INLINE void pow2(double& out, const double& shifted) {
    std::uint64_t bits;
    std::memcpy(&bits, &shifted, sizeof bits);
    bits = (bits + 1023) << 52;
    std::memcpy(&out, &bits, sizeof out);
  }
};

#ifdef SCORESACTIVATION_LSTM_PACKS
// The same for packs of N doubles (Bits: N 64-bit integers).
template <typename V, typename Bits>
struct PackLanes {
  static SA_INLINE void load(V& out, const double* p) { std::memcpy(&out, p, sizeof out); }
  static SA_INLINE void store(double* p, const V& v) { std::memcpy(p, &v, sizeof v); }
  static SA_INLINE void clamp(V& x, double low, double high) {
    const V zero = {}, lows = zero + low, highs = zero + high;
    Bits mask = (Bits)(x < lows);
    x = (V)((mask & (Bits)lows) | (~mask & (Bits)x));
    mask = (Bits)(x > highs);
    x = (V)((mask & (Bits)highs) | (~mask & (Bits)x));
  }
  static SA_INLINE void pow2(V& out, const V& shifted) { out = (V)((((Bits)shifted) + 1023) << 52); }
};

template <>
struct Lanes<Pack> : PackLanes<Pack, PackBits> {};
#ifdef SCORESACTIVATION_LSTM_AVX2
template <>
struct Lanes<Pack4> : PackLanes<Pack4, Pack4Bits> {};
#endif
#endif

// e^x = scale * numerator / denominator for x clamped to [-708, 708] (the
// gates saturate long before): x = n ln2 + r with |r| <= ln2 / 2
// (Cody-Waite), e^r = (Q(r^2) + r P(r^2)) / (Q(r^2) - r P(r^2)) with Cephes'
// coefficients (within about an ulp), scale = 2^n. The callers fold the
// quotient into their own, so each nonlinearity costs one division, and the
// dependency chains stay short (the loop is latency-bound, not op-bound).
template <typename V>
SA_INLINE void exp_parts(const V& x_in, V& scale, V& numerator, V& denominator) {
  constexpr double log2e = 1.4426950408889634, ln2_hi = 6.93147180369123816490e-01,
                   ln2_lo = 1.90821492927058770002e-10;
  constexpr double round = 6755399441055744.0;  // 1.5 * 2^52: adding it rounds to an integer
  V x = x_in;
  Lanes<V>::clamp(x, -708.0, 708.0);
  const V shifted = x * log2e + round;
  const V n = shifted - round;
  const V r = (x - n * ln2_hi) - n * ln2_lo;
  const V rr = r * r;
  const V p = r * ((rr * 1.26177193074810590878e-4 + 3.02994407707441961300e-2) * rr + 9.99999999999999999910e-1);
  const V q = ((rr * 3.00198505138664455042e-6 + 2.52448340349684104192e-3) * rr + 2.27265548208155028766e-1) * rr +
              2.00000000000000000009e0;
  Lanes<V>::pow2(scale, shifted);
  numerator = q + p;
  denominator = q - p;
}

// 1 / (1 + e^-x) = d / (d + s n)
template <typename V>
SA_INLINE void logistic(const V& x, V& out) {
  V s, n, d;
  exp_parts<V>(-x, s, n, d);
  out = d / (d + s * n);
}

// (e^2x - 1) / (e^2x + 1) = (s n - d) / (s n + d): exactly 0 at 0, never past +-1.
template <typename V>
SA_INLINE void tanh_of(const V& x, V& out) {
  V s, n, d;
  exp_parts<V>(2.0 * x, s, n, d);
  const V up = s * n;
  out = (up - d) / (up + d);
}

// One step of the recurrence for units [j, j + lanes) of a valid column (one
// row of the block): pre-activations z + bias -> the gates, in place, and the
// new cell, tanh(cell) and state.
template <typename V>
SA_INLINE void step_forward_lanes(long h, long j, double* z, const double* bias, const double* c_prev, double* c,
                                  double* tanh_c, double* state) {
  using L = Lanes<V>;
  V pre[4], part, gate[4];
  for (long q = 0; q < 4; ++q) {
    L::load(pre[q], z + q * h + j);
    L::load(part, bias + q * h + j);
    pre[q] += part;
  }
  logistic<V>(pre[0], gate[0]);  // i
  logistic<V>(pre[1], gate[1]);  // f
  tanh_of<V>(pre[2], gate[2]);   // g
  logistic<V>(pre[3], gate[3]);  // o
  for (long q = 0; q < 4; ++q) L::store(z + q * h + j, gate[q]);
  V previous, tc;
  L::load(previous, c_prev + j);
  const V cell = gate[1] * previous + gate[0] * gate[2];
  tanh_of<V>(cell, tc);
  L::store(c + j, cell);
  L::store(tanh_c + j, tc);
  L::store(state + j, gate[3] * tc);
}

void step_forward(long h, double* z, const double* bias, const double* c_prev, double* c, double* tanh_c,
                  double* state) {
  long j = 0;
#ifdef SCORESACTIVATION_LSTM_PACKS
  for (; j + 2 <= h; j += 2) step_forward_lanes<Pack>(h, j, z, bias, c_prev, c, tanh_c, state);
#endif
  for (; j < h; ++j) step_forward_lanes<double>(h, j, z, bias, c_prev, c, tanh_c, state);
}

#ifdef SCORESACTIVATION_LSTM_AVX2
__attribute__((target("avx2,fma"))) void step_forward_avx2(long h, double* z, const double* bias,
                                                           const double* c_prev, double* c, double* tanh_c,
                                                           double* state) {
  long j = 0;
  for (; j + 4 <= h; j += 4) step_forward_lanes<Pack4>(h, j, z, bias, c_prev, c, tanh_c, state);
  for (; j < h; ++j) step_forward_lanes<double>(h, j, z, bias, c_prev, c, tanh_c, state);
}
#endif

// Its gradient: from dL/dh_t and dL/dc_t (later steps) to dL/dz (added to
// grad_bias too) and dL/dc_{t-1}, which replaces grad_cell.
template <typename V>
SA_INLINE void step_backward_lanes(long h, long j, const double* gates, const double* tanh_c, const double* c_prev,
                                   const double* grad_state, double* grad_cell, double* dz, double* grad_bias) {
  using L = Lanes<V>;
  V i, f, g, o, tc, dh, previous, dc_later;
  L::load(i, gates + j);
  L::load(f, gates + h + j);
  L::load(g, gates + 2 * h + j);
  L::load(o, gates + 3 * h + j);
  L::load(tc, tanh_c + j);
  L::load(dh, grad_state + j);
  L::load(previous, c_prev + j);
  L::load(dc_later, grad_cell + j);
  const V dc = dc_later + dh * o * (1.0 - tc * tc);
  const V grad[4] = {dc * g * i * (1.0 - i), dc * previous * f * (1.0 - f), dc * i * (1.0 - g * g),
                     dh * tc * o * (1.0 - o)};
  for (long q = 0; q < 4; ++q) {
    L::store(dz + q * h + j, grad[q]);
    V sum;
    L::load(sum, grad_bias + q * h + j);
    L::store(grad_bias + q * h + j, sum + grad[q]);
  }
  L::store(grad_cell + j, dc * f);
}

void step_backward(long h, const double* gates, const double* tanh_c, const double* c_prev,
                   const double* grad_state, double* grad_cell, double* dz, double* grad_bias) {
  long j = 0;
#ifdef SCORESACTIVATION_LSTM_PACKS
  for (; j + 2 <= h; j += 2)
    step_backward_lanes<Pack>(h, j, gates, tanh_c, c_prev, grad_state, grad_cell, dz, grad_bias);
#endif
  for (; j < h; ++j) step_backward_lanes<double>(h, j, gates, tanh_c, c_prev, grad_state, grad_cell, dz, grad_bias);
}

#ifdef SCORESACTIVATION_LSTM_AVX2
__attribute__((target("avx2,fma"))) void step_backward_avx2(long h, const double* gates, const double* tanh_c,
                                                            const double* c_prev, const double* grad_state,
                                                            double* grad_cell, double* dz, double* grad_bias) {
  long j = 0;
  for (; j + 4 <= h; j += 4)
    step_backward_lanes<Pack4>(h, j, gates, tanh_c, c_prev, grad_state, grad_cell, dz, grad_bias);
  for (; j < h; ++j) step_backward_lanes<double>(h, j, gates, tanh_c, c_prev, grad_state, grad_cell, dz, grad_bias);
}
#endif

using StepForward = void (*)(long, double*, const double*, const double*, double*, double*, double*);
using StepBackward = void (*)(long, const double*, const double*, const double*, const double*, double*, double*,
                              double*);

StepForward step_forward_for(KernelPath path) {
#ifdef SCORESACTIVATION_LSTM_AVX2
  if (path == KernelPath::avx2 && avx2_kernels_available()) return step_forward_avx2;
#else
  (void)path;
#endif
  return step_forward;
}

StepBackward step_backward_for(KernelPath path) {
#ifdef SCORESACTIVATION_LSTM_AVX2
  if (path == KernelPath::avx2 && avx2_kernels_available()) return step_backward_avx2;
#else
  (void)path;
#endif
  return step_backward;
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
  cache.padded = read_lengths(lengths, rows, steps, cache.lengths, "LSTM");
  cache.rows = rows;
  cache.steps = steps;
  const std::vector<long>& length = cache.lengths;

  // [x_t; h_{t-1}]^T side by side; padded steps of x are zeroed, so no padded
  // value (1e300, NaN) reaches a product, not even multiplied by zero.
  const long m = in + h;
  cache.weights.resize(m, k);
  cache.weights.topRows(in) = w_input;
  cache.weights.bottomRows(h) = w_recurrent;
  cache.joint.resize(m, (steps + 1) * rows);
  for (long t = 0; t < steps; ++t)
    cache.joint.block(0, t * rows, in, rows) = input.middleCols(t * in, in).transpose();
  cache.joint.block(0, steps * rows, in, rows).setZero();  // no step reads it
  if (cache.padded)
    for (long i = 0; i < rows; ++i)
      for (long t = length[static_cast<std::size_t>(i)]; t < steps; ++t)
        cache.joint.block(0, t * rows + i, in, 1).setZero();
  cache.joint.block(in, 0, h, rows).setZero();  // h_{-1}
  cache.gates.resize(k, steps * rows);
  cache.cells.resize(h, (steps + 1) * rows);
  cache.cells.leftCols(rows).setZero();  // c_{-1}
  cache.tanh_cells.resize(h, steps * rows);

  const StepForward step = step_forward_for(path);
  for (long t = 0; t < steps; ++t) {
    double* z = cache.gates.data() + t * rows * k;
    const double* joint = cache.joint.data() + t * rows * m;
    matmul(path, cache.weights.data(), m, k, true, joint, m, rows, false, z);
    const double* c_prev = cache.cells.data() + t * rows * h;
    double* c = cache.cells.data() + (t + 1) * rows * h;
    double* next_joint = cache.joint.data() + (t + 1) * rows * m;
    for (long i = 0; i < rows; ++i) {
      double* state = next_joint + i * m + in;
      if (t >= length[static_cast<std::size_t>(i)]) {  // frozen (t >= 1: every length is at least 1)
        std::copy(c_prev + i * h, c_prev + (i + 1) * h, c + i * h);
        std::copy(joint + i * m + in, joint + (i + 1) * m, state);
        continue;
      }
      step(h, z + i * k, bias.data(), c_prev + i * h, c + i * h, cache.tanh_cells.data() + (t * rows + i) * h, state);
    }
  }

  hidden.resize(rows, steps * h);
  for (long t = 0; t < steps; ++t)
    hidden.middleCols(t * h, h) = cache.joint.block(in, (t + 1) * rows, h, rows).transpose();
}

void LstmLayer::backward(KernelPath path, const Eigen::MatrixXd& input, long steps, const Eigen::VectorXd* lengths,
                         LstmCache& cache, const Eigen::MatrixXd& grad_hidden, Eigen::MatrixXd& grad_w_input,
                         Eigen::MatrixXd& grad_w_recurrent, Eigen::VectorXd& grad_bias,
                         Eigen::MatrixXd* grad_input) const {
  const long rows = input.rows(), h = n_hidden(), in = n_in(), k = 4 * h, m = in + h;
  if (steps < 1 || input.cols() != steps * in)
    throw std::invalid_argument("LSTM: input must have steps * n_in columns");
  if (cache.rows != rows || cache.steps != steps || cache.gates.rows() != k || cache.joint.rows() != m)
    throw std::invalid_argument("LSTM: backward needs the cache of forward on the same block");
  if (grad_hidden.rows() != rows || grad_hidden.cols() != steps * h)
    throw std::invalid_argument("LSTM: grad_hidden must be (rows, steps * H)");
  if (!same_lengths(lengths, steps, cache.lengths))
    throw std::invalid_argument("LSTM: backward needs the lengths forward had");
  const std::vector<long>& length = cache.lengths;

  // dL/d[x_t; h_{t-1}] per step when grad_input is wanted, else dL/dh_{t-1} only.
  const bool want_input = grad_input != nullptr;
  const double* back_weights = want_input ? cache.weights.data() : w_recurrent.data();
  const long back_rows = want_input ? m : h, state_offset = want_input ? in : 0;
  if (want_input) grad_input->resize(rows, steps * in);
  cache.grad_joint.resize(back_rows, rows);
  cache.grad_gates.resize(k, steps * rows);
  cache.grad_state.setZero(h, rows);  // dL/dh_t from the loss at t and from later steps
  cache.grad_cell.setZero(h, rows);   // dL/dc_t from later steps
  grad_bias.setZero(k);
  const StepBackward step = step_backward_for(path);
  for (long t = steps; t-- > 0;) {
    cache.grad_state += grad_hidden.middleCols(t * h, h).transpose();
    double* dz = cache.grad_gates.data() + t * rows * k;
    for (long i = 0; i < rows; ++i) {
      // A padded step is the identity on (h, c): dL/dh and dL/dc pass
      // straight through and its gates learn nothing.
      if (t >= length[static_cast<std::size_t>(i)]) {
        std::fill(dz + i * k, dz + (i + 1) * k, 0.0);
        continue;
      }
      const long column = t * rows + i;
      step(h, cache.gates.data() + column * k, cache.tanh_cells.data() + column * h,
           cache.cells.data() + column * h, cache.grad_state.data() + i * h, cache.grad_cell.data() + i * h,
           dz + i * k, grad_bias.data());
    }
    if (t == 0 && !want_input) break;  // h_{-1} is a constant
    matmul(path, back_weights, back_rows, k, false, dz, k, rows, false, cache.grad_joint.data());
    if (want_input) grad_input->middleCols(t * in, in) = cache.grad_joint.topRows(in).transpose();
    if (t == 0) break;
    if (cache.padded)
      for (long i = 0; i < rows; ++i)
        if (t >= length[static_cast<std::size_t>(i)])
          cache.grad_joint.block(state_offset, i, h, 1) = cache.grad_state.col(i);
    cache.grad_state = cache.grad_joint.middleRows(state_offset, h);
  }

  // Both weight gradients of every step in one product (padded columns of
  // grad_gates are zero, so they add nothing).
  cache.grad_weights.resize(k, m);
  matmul(path, cache.grad_gates.data(), k, steps * rows, false, cache.joint.data(), m, steps * rows, true,
         cache.grad_weights.data());
  grad_w_input = cache.grad_weights.leftCols(in).transpose();
  grad_w_recurrent = cache.grad_weights.rightCols(h).transpose();
  if (want_input && cache.padded)  // exactly zero, not -0 from a sum of zero products
    for (long i = 0; i < rows; ++i) {
      const long valid = length[static_cast<std::size_t>(i)];
      grad_input->row(i).tail((steps - valid) * in).setZero();
    }
}

}  // namespace scoresactivation
