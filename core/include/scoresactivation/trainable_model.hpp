// The seam between the one training loop (training.cpp) and a model family:
// the tabular network (network.hpp), the sequence networks
// (sequence_network.hpp), SENN (senn_network.hpp). A family says how a block of standardised rows goes
// forward and back and which tensors it trains; the loop owns everything
// else: data checks and standardisation, the validation split, shuffles,
// mini-batches split into fixed blocks, the gate's training noise, the
// optimiser and decay, the two phases, early stopping with restore-best,
// interrupts and callbacks.
#pragma once

#include <Eigen/Core>
#include <memory>
#include <vector>

#include "scoresactivation/kernels.hpp"
#include "scoresactivation/random.hpp"
#include "scoresactivation/scores_layer.hpp"

namespace scoresactivation {

// How the optimiser treats a tensor: dense weights decay at learning_rate,
// biases do not, the gate's scores have their own learning rate and are
// frozen in the refinement phase.
enum class ParameterGroup { scores, weight, bias };

// One trained tensor: contiguous values the optimiser updates in place.
struct ParameterTensor {
  double* values = nullptr;
  long size = 0;
  ParameterGroup group = ParameterGroup::weight;
};

// A block of standardised rows. Tabular: (rows, d), steps = 1. Sequences:
// (rows, steps * channels), column t * channels + c holding channel c at
// step t; lengths (null: every row has all steps) gives each row's valid
// steps, 1..steps, as whole numbers; padded values are zero.
struct InputBlock {
  const Eigen::MatrixXd& x;
  long steps = 1;
  const Eigen::VectorXd* lengths = nullptr;
};

// A family's scratch for one block: forward cache and gradients, reused
// across mini-batches so the loop allocates nothing per step.
struct BlockWorkspace {
  virtual ~BlockWorkspace() = default;
  Eigen::MatrixXd grad_output;  // dL/doutput, written by the loop before backward
};

class TrainableModel {
 public:
  virtual ~TrainableModel() = default;

  virtual long n_outputs() const = 0;
  // Draws the initial parameters (fixed order): the loop's first draws.
  virtual void initialise(Random& random) = 0;
  // The ScoresActivation gate, or null for a family fitted without it.
  virtual const ScoresLayer* gate() const = 0;
  ScoresLayer* gate() { return const_cast<ScoresLayer*>(static_cast<const TrainableModel*>(this)->gate()); }

  // Every trained tensor in a fixed order, the gate's scores first when
  // present. The pointers stay valid while the model lives (restoring a
  // snapshot copies into them).
  virtual std::vector<ParameterTensor> parameters() = 0;

  virtual std::unique_ptr<BlockWorkspace> new_workspace() const = 0;
  // Output (rows, n_outputs) of a training forward pass; noise: the snr
  // gate's eps (the block's shape) or null. The result lives in workspace.
  virtual const Eigen::MatrixXd& forward_block(KernelPath path, const InputBlock& block, const Eigen::MatrixXd* noise,
                                               BlockWorkspace& workspace) const = 0;
  // Backward from workspace.grad_output (which it may consume) after
  // forward_block on the same block; gradients(workspace) then holds, aligned
  // with parameters(), dL/dtensor summed over the rows, except that the
  // scores' entry is dL/dw, the gate weights' data term (ScoresLayer turns
  // it into dL/ds once the blocks of a batch are summed).
  virtual void backward_block(KernelPath path, const InputBlock& block, const Eigen::MatrixXd* noise,
                              BlockWorkspace& workspace) const = 0;
  virtual std::vector<const double*> gradients(const BlockWorkspace& workspace) const = 0;

  // A family's own training penalty on a block (SENN's robustness term),
  // called after forward_block and before backward_block: returns its part
  // of the training loss, sum_rows row_weights * penalty_row / normaliser
  // (the data loss's weighting), and leaves what backward_block needs to add
  // its gradient in workspace. Validation and early stopping judge the data
  // loss alone. Default: no penalty.
  virtual double penalty_block(KernelPath /*path*/, const InputBlock& /*block*/, const Eigen::VectorXd& /*row_weights*/,
                               double /*normaliser*/, BlockWorkspace& /*workspace*/) const {
    return 0.0;
  }

  // Noise-free output for prediction and validation.
  virtual Eigen::MatrixXd predict_block(KernelPath path, const InputBlock& block) const = 0;
};

}  // namespace scoresactivation
