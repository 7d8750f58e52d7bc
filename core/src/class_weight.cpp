#include "scoresactivation/class_weight.hpp"

#include <cmath>
#include <stdexcept>

namespace scoresactivation {

Eigen::VectorXd class_weighted(const JsonValue& class_weight, const std::vector<std::string>& class_labels,
                               const Eigen::VectorXd& y, const Eigen::VectorXd& sample_weight) {
  const long n = y.size();
  Eigen::VectorXd out = sample_weight.size() ? sample_weight : Eigen::VectorXd::Ones(n);
  if (class_weight.is_null()) return out;
  if (class_labels.empty())
    throw std::invalid_argument("class_weight applies to classifiers only; leave it None/NULL for regression");
  if (out.size() != n) throw std::invalid_argument("sample_weight must have one value per row");
  const long k = static_cast<long>(class_labels.size());
  Eigen::VectorXd per_class = Eigen::VectorXd::Ones(k);
  if (class_weight.type == JsonValue::Type::string && class_weight.string == "balanced") {
    Eigen::VectorXd counts = Eigen::VectorXd::Zero(k);
    for (long i = 0; i < n; ++i) counts[static_cast<long>(y[i])] += 1.0;
    for (long c = 0; c < k; ++c)
      if (counts[c] > 0) per_class[c] = static_cast<double>(n) / (static_cast<double>(k) * counts[c]);
  } else if (class_weight.type == JsonValue::Type::object) {
    for (const auto& kv : class_weight.object) {
      long found = -1;
      for (long c = 0; c < k; ++c)
        if (class_labels[static_cast<std::size_t>(c)] == kv.first) found = c;
      if (found < 0) {
        std::string classes;
        for (long c = 0; c < k && c < 10; ++c) classes += (c ? ", '" : "'") + class_labels[static_cast<std::size_t>(c)] + "'";
        throw std::invalid_argument("class_weight names '" + kv.first + "', which is not a class of y (the classes: " +
                                    classes + (k > 10 ? ", ..." : "") + ")");
      }
      if (kv.second.type != JsonValue::Type::number || !std::isfinite(kv.second.number) || !(kv.second.number > 0))
        throw std::invalid_argument("class_weight of '" + kv.first + "' must be a positive number");
      per_class[found] = kv.second.number;
    }
  } else {
    throw std::invalid_argument("class_weight must be None/NULL, 'balanced' or a mapping class -> weight");
  }
  for (long i = 0; i < n; ++i) out[i] *= per_class[static_cast<long>(y[i])];
  return out;
}

}  // namespace scoresactivation
