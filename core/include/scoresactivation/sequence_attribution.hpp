// Attributions through the sequence models (sequence_estimator.hpp), the
// counterparts of gradients.hpp, permutation_importance.hpp and shapley.hpp,
// plus DeepACTIF. Sequences come as SequenceEstimator takes them: an
// (n, steps * channels) matrix, column t * channels + c holding channel c at
// step t, and lengths (empty: all steps; else n whole numbers in 1..steps).
// Values at padded steps are never read (NaN will do); attributions there are
// exactly zero. Inputs and outputs are in the user's units: the raw output of
// a target is the class logit or the regression value in the target's units.
//
// Every function validates its arguments (std::invalid_argument naming the
// argument), needs a fitted estimator (std::logic_error), runs on n_threads
// threads with results that do not depend on n_threads, and polls
// interrupt_requested (optional) about every 0.1 s on the calling thread; a
// true answer throws Interrupted.
#pragma once

#include <Eigen/Core>
#include <cstdint>
#include <functional>
#include <string>

#include "scoresactivation/attribution_limits.hpp"
#include "scoresactivation/explained_model.hpp"
#include "scoresactivation/gradients.hpp"
#include "scoresactivation/permutation_importance.hpp"
#include "scoresactivation/sequence_estimator.hpp"
#include "scoresactivation/shapley.hpp"

namespace scoresactivation {

// ------------------------------------------------------------- DeepACTIF

// DeepACTIF (Hosp 2025, arXiv 2509.19362): a global channel importance from
// activation traces, one forward pass per sequence, no gradients.
//   1. activations A_n of the hook for each sequence n:
//      "input":   the gate-weighted input of the first encoder layer,
//                 gate_c x_{t,c} standardised (x itself without the scores
//                 layer); its axis is the channels.
//      "encoder": the output of encoder layer 0 (LSTM hidden states, conv
//                 outputs after the activation), (steps, H), mapped to the
//                 channels by our explicit hidden -> channel map
//                   a_{n,c} = sum_h M[c,h] a_{n,h},
//                   M[c,h] = |W|[c,h] / sum_c' |W|[c',h]   (0 for a unit with no input weight),
//                 |W|[c,h] the sum of |w_input(c, g H + h)| over the LSTM's
//                 four gate blocks, or of |weight(j n_in + c, h)| over the
//                 conv taps j: each unit's activation is shared among the
//                 channels in proportion to how strongly it reads them. (The
//                 paper's code truncates or interpolates H to the channel
//                 count, which has no attribution meaning.)
//   2. time reduction: a_{n,k} = mean of |A_n[t, k]| over the valid steps.
//   3. aggregation over sequences, with mu_c = mean_n a_{n,c} and
//      sigma_c = population sd_n a_{n,c}:
//      "inv" (the paper's inverse weighting): I_c = (mu~_c + 1 - sigma~_c) / 2,
//            ~ the min-max normalisation over channels; where the range is
//            at most 1e-12 of the largest magnitude (all equal up to
//            rounding) the normalised values are 0;
//      "mean": I_c = mu_c;   "meanstd": I_c = mu_c sigma_c.
// Importances are >= 0 and not normalised (front ends may scale to sum 1).
// Rows stream in blocks of block_rows, their moments merged in block order
// (Chan et al.), so memory is O(channels + block) whatever n.
struct DeepActifOptions {
  std::string hook = "input";       // input or encoder
  // mean by default: it found the relevant channels in 10/10 seeds where inv
  // found them in 4/10 and 0/10 (docs/sequence.md).
  std::string aggregation = "mean";  // inv, mean or meanstd
  long block_rows = 256;            // rows per forward pass, in [1, kMaxDeepActifBlockRows]
};
constexpr long kMaxDeepActifBlockRows = 1L << 20;

Eigen::VectorXd deepactif(const SequenceEstimator& estimator, const MatrixView& x, long steps,
                          const Eigen::VectorXd& lengths, const DeepActifOptions& options, int n_threads,
                          const std::function<bool()>& interrupt_requested = nullptr);

// ------------------------------------------------------------- gradients

// d raw output[:, target] / d x, (n, steps * channels), in the user's units
// (the chain rule through the standardisation: 1 / input_scale per channel,
// and target_scale for regression); times_input: multiplied by x. Zero at
// padded steps.
Eigen::MatrixXd sequence_input_gradient(const SequenceEstimator& estimator, const MatrixView& x, long steps,
                                        const Eigen::VectorXd& lengths, long target, bool times_input,
                                        int n_threads, const std::function<bool()>& interrupt_requested = nullptr);

// Integrated gradients (x - x0) * integral_0^1 df/dx(x0 + a (x - x0)) da of
// the raw output, by quadrature_rule(rule, n_steps), averaged over the
// reference rows (r, steps * channels; finite at every step). Each sequence
// keeps its own length along the path, so the attributions of row i sum to
// f(x_i) - mean_k f(x0_k cut to x_i's length), up to the quadrature error.
Eigen::MatrixXd sequence_integrated_gradients(const SequenceEstimator& estimator, const MatrixView& x, long steps,
                                              const Eigen::VectorXd& lengths, const MatrixView& references,
                                              long target, long n_steps, Quadrature rule, int n_threads,
                                              const std::function<bool()>& interrupt_requested = nullptr);

// A one-row reference for integrated gradients: "zeros" (0 in the user's
// units) or "mean" (each channel's training mean at every step: the
// network's standardised zero, the value padding has).
Eigen::MatrixXd sequence_reference(const SequenceEstimator& estimator, long steps, const std::string& reference);

// ---------------------------------------------------- permutation importance

// permutation_importance's definition and conventions over channels: the
// increase of the model's loss (cross-entropy of class indices, or half
// squared error in the target's units; weighted by sample_weight when given)
// when channel j's whole sequence is shuffled across rows, per repeat from
// Random(derive_seed(seed, j, r)). Each row keeps its own length; at steps
// its donor does not have, the channel reads its training mean (the
// network's standardised zero, as padding does).
PermutationImportance sequence_permutation_importance(const SequenceEstimator& estimator, const MatrixView& x,
                                                      long steps, const Eigen::VectorXd& lengths,
                                                      const Eigen::VectorXd& y, const Eigen::VectorXd& sample_weight,
                                                      long n_repeats, std::uint64_t seed, int n_threads,
                                                      const std::function<bool()>& interrupt_requested = nullptr,
                                                      const ProgressHook& progress = nullptr);

// ------------------------------------------------------------- Shapley

// Shapley values over the channels, shapley.hpp's interventional value
// function with whole sequences as players: v(S) = mean over background rows
// b of f(x with the channels outside S taken from b), every hybrid keeping
// x's length. Background rows (m, steps * channels) are finite at every
// step. The values of row i sum to f(x_i) - base_values[i] (exact: to
// rounding; sampled: exactly too, every order telescopes).
//  method "exact": all 2^channels coalitions (channels <= kMaxExactShapleyFeatures);
//         "sampled": n_permutations random channel orders (rounded up to an
//         even number), each paired with its reverse, from
//         Random(derive_seed(seed, row));
//         "auto": exact up to kAutoExactSequenceShapleyChannels, else sampled.
// n_permutations is checked in [1, kMaxShapleyPermutations] whichever method runs.
constexpr long kAutoExactSequenceShapleyChannels = 12;

struct SequenceShapleyResult : ShapleyResult {
  // v(empty) per row: mean_b f(b cut to the row's length). base_value is
  // that of full-length rows (mean_b f(b)), the same as every entry when no
  // lengths are given.
  Eigen::VectorXd base_values;
};

SequenceShapleyResult sequence_shapley(const SequenceEstimator& estimator, const MatrixView& x, long steps,
                                       const Eigen::VectorXd& lengths, const MatrixView& background, long target,
                                       ExplainedOutput output, const std::string& method, long n_permutations,
                                       std::uint64_t seed, int n_threads,
                                       const std::function<bool()>& interrupt_requested = nullptr,
                                       const ProgressHook& progress = nullptr);

}  // namespace scoresactivation
