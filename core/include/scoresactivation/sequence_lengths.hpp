// Per-row sequence lengths as the sequence layers read them (layout of
// InputBlock, trainable_model.hpp): one checker for the LSTM and the conv
// layer.
#pragma once

#include <Eigen/Core>
#include <string>
#include <vector>

namespace scoresactivation {

// Checks lengths (null: every row has all steps; else whole numbers in
// 1..steps, one per row) into out; returns whether some row is shorter than
// steps. layer names the caller in the std::invalid_argument messages.
bool read_lengths(const Eigen::VectorXd* lengths, long rows, long steps, std::vector<long>& out, const char* layer);

// Whether lengths are the ones a forward pass recorded (backward must see
// the same block).
bool same_lengths(const Eigen::VectorXd* lengths, long steps, const std::vector<long>& seen);

}  // namespace scoresactivation
