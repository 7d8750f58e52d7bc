#include "scoresactivation/optimizer.hpp"

#include <cmath>
#include <stdexcept>

namespace scoresactivation {

Solver solver_from_string(const std::string& name) {
  if (name == "adam") return Solver::adam;
  if (name == "sgd") return Solver::sgd;
  throw std::invalid_argument("solver must be 'adam' or 'sgd'; got '" + name + "'");
}

std::string to_string(Solver solver) { return solver == Solver::adam ? "adam" : "sgd"; }

void Optimizer::set_slots(std::vector<ParameterSlot> slots) {
  slots_ = std::move(slots);
  first_moment_.clear();
  second_moment_.clear();
  for (const ParameterSlot& slot : slots_) {
    first_moment_.push_back(Eigen::VectorXd::Zero(slot.size));
    second_moment_.push_back(settings_.solver == Solver::adam ? Eigen::VectorXd::Zero(slot.size)
                                                              : Eigen::VectorXd());
  }
  steps_ = 0;
}

void Optimizer::set_state(const OptimizerState& state) {
  const bool adam = settings_.solver == Solver::adam;
  bool fits = state.steps >= 0 && state.first_moment.size() == slots_.size() &&
              state.second_moment.size() == slots_.size();
  for (std::size_t k = 0; fits && k < slots_.size(); ++k)
    fits = state.first_moment[k].size() == slots_[k].size &&
           state.second_moment[k].size() == (adam ? slots_[k].size : 0);
  if (!fits) throw std::invalid_argument("the optimiser state does not fit this model's parameters");
  steps_ = state.steps;
  first_moment_ = state.first_moment;
  second_moment_ = state.second_moment;
}

void Optimizer::step() {
  ++steps_;
  const double bias_1 = 1.0 - std::pow(settings_.beta_1, static_cast<double>(steps_));
  const double bias_2 = 1.0 - std::pow(settings_.beta_2, static_cast<double>(steps_));
  for (std::size_t k = 0; k < slots_.size(); ++k) {
    const ParameterSlot& slot = slots_[k];
    Eigen::Map<Eigen::VectorXd> p(slot.values, slot.size);
    const Eigen::Map<const Eigen::VectorXd> g(slot.gradient, slot.size);
    if (slot.weight_decay != 0.0) p *= 1.0 - slot.learning_rate * slot.weight_decay;
    Eigen::VectorXd& m = first_moment_[k];
    if (settings_.solver == Solver::adam) {
      Eigen::VectorXd& v = second_moment_[k];
      m = settings_.beta_1 * m + (1.0 - settings_.beta_1) * g;
      v = settings_.beta_2 * v + (1.0 - settings_.beta_2) * g.cwiseAbs2();
      const double step_size = slot.learning_rate / bias_1;
      p.array() -= step_size * m.array() / ((v.array() / bias_2).sqrt() + settings_.epsilon);
    } else {
      m = settings_.momentum * m - slot.learning_rate * g;
      p += m;
    }
  }
}

}  // namespace scoresactivation
