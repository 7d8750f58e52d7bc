// class_weight, the classifiers' per-class weights in the loss (sklearn's
// convention, the same in R): the rule that turns it into the rows' weights,
// once for every front end and family.
#pragma once

#include <Eigen/Core>
#include <string>
#include <vector>

#include "scoresactivation/json_value.hpp"

namespace scoresactivation {

// The rows' weights for a fit: sample_weight (empty: ones) times the weight
// of each row's class. class_weight is null (no change), "balanced"
// (n / (n_classes * n_k), the class counts unweighted, as scikit-learn) or an
// object mapping class labels (as text) to positive weights, classes it does
// not name keeping 1. y holds class indices into class_labels. Throws
// std::invalid_argument naming class_weight for a label that is not a class,
// and for any class_weight of a regressor (class_labels empty).
Eigen::VectorXd class_weighted(const JsonValue& class_weight, const std::vector<std::string>& class_labels,
                               const Eigen::VectorXd& y, const Eigen::VectorXd& sample_weight);

}  // namespace scoresactivation
