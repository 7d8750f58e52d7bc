// Optimisers over groups of parameters with their own learning rate and decay.
//
// Weight decay is decoupled (AdamW, Loshchilov & Hutter; PyTorch's
// convention): each step first shrinks a parameter by lr * weight_decay,
// p <- p * (1 - lr * wd), then applies the Adam or momentum update. With
// lr = 1e-3 and wd = 1.0 the dense weights shrink by 0.1 % per step.
#pragma once

#include <Eigen/Core>
#include <string>
#include <vector>

namespace scoresactivation {

enum class Solver { adam, sgd };
Solver solver_from_string(const std::string& name);
std::string to_string(Solver solver);

struct OptimizerSettings {
  Solver solver = Solver::adam;
  double beta_1 = 0.9;
  double beta_2 = 0.999;
  double epsilon = 1e-8;
  double momentum = 0.9;
};

// One tensor the optimiser updates: its data, its gradient, its group settings.
// Both pointers must stay valid across steps: write gradients into the same
// buffers (copy or noalias), never move-assign a new Eigen object over them.
struct ParameterSlot {
  double* values = nullptr;
  const double* gradient = nullptr;
  long size = 0;
  double learning_rate = 0.0;
  double weight_decay = 0.0;
};

// The optimiser's memory between calls (partial_fit): steps taken and the
// moments per slot (Adam m and v; SGD's velocity as first, no second).
struct OptimizerState {
  long steps = 0;
  std::vector<Eigen::VectorXd> first_moment, second_moment;
};

class Optimizer {
 public:
  explicit Optimizer(OptimizerSettings settings) : settings_(settings) {}

  // Registers the slots once; their sizes fix the state buffers.
  void set_slots(std::vector<ParameterSlot> slots);

  // One update of every slot from its current gradient.
  void step();

  OptimizerState state() const { return {steps_, first_moment_, second_moment_}; }
  // Continues from a state of the same slots (throws std::invalid_argument
  // when its sizes differ).
  void set_state(const OptimizerState& state);

  // Points a slot to new storage (same size), e.g. after a restore.
  std::vector<ParameterSlot>& slots() { return slots_; }

 private:
  OptimizerSettings settings_;
  std::vector<ParameterSlot> slots_;
  std::vector<Eigen::VectorXd> first_moment_;   // Adam m, or SGD velocity
  std::vector<Eigen::VectorXd> second_moment_;  // Adam v
  long steps_ = 0;
};

}  // namespace scoresactivation
