// Prediction losses with sample weights: L = sum_i sw_i l_i / normaliser.
// The normaliser is the batch's total weight; passing it explicitly lets a
// batch be split into blocks whose losses and gradients add up exactly.
#pragma once

#include <Eigen/Core>

namespace scoresactivation {

// Row-wise softmax of logits (stable: subtracts the row maximum).
void softmax_rows(const Eigen::MatrixXd& logits, Eigen::MatrixXd& probabilities);

// Softmax cross-entropy. labels hold class indices 0..C-1 (as doubles).
// Returns the weighted mean loss; writes dL/dlogits into grad when non-null.
double softmax_cross_entropy(const Eigen::MatrixXd& logits, const Eigen::VectorXd& labels,
                             const Eigen::VectorXd& sample_weight, double normaliser,
                             Eigen::MatrixXd* grad);

// Half squared error, 0.5 * (z - y)^2, averaged with the weights (sklearn's
// MLPRegressor convention). targets has one column per output.
double squared_error(const Eigen::MatrixXd& predictions, const Eigen::MatrixXd& targets,
                     const Eigen::VectorXd& sample_weight, double normaliser, Eigen::MatrixXd* grad);

// The task's loss: softmax cross-entropy of class indices (classification)
// or half squared error of one output (regression).
double prediction_loss(bool classification, const Eigen::MatrixXd& outputs, const Eigen::VectorXd& targets,
                       const Eigen::VectorXd& sample_weight, double normaliser, Eigen::MatrixXd* grad);

}  // namespace scoresactivation
