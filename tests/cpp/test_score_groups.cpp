// Score groups: the one-hot columns of a categorical variable share one
// score. The fit learns one score per group, the state carries the groups
// (and is refused when they do not fit), and the model document's variables
// must agree with them.
#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>
#include <string>

#include "json_document.hpp"
#include "scoresactivation/estimator.hpp"
#include "scoresactivation/model_document.hpp"
#include "scoresactivation/permutation_importance.hpp"
#include "test_helpers.hpp"

using namespace scoresactivation;

namespace {

// Columns: a numeric signal x0, a 4-level categorical (one-hot, columns 1-4)
// with effects (-2, -0.5, 0.5, 2), and three numeric noise columns.
struct CategoricalData {
  Eigen::MatrixXd x;
  Eigen::VectorXd y;
};

CategoricalData categorical_data(long n, std::uint64_t seed) {
  Random random(seed);
  CategoricalData d;
  d.x = Eigen::MatrixXd::Zero(n, 8);
  d.y.resize(n);
  const double effect[4] = {-2.0, -0.5, 0.5, 2.0};
  for (long i = 0; i < n; ++i) {
    const long level = static_cast<long>(random.uniform_index(4));
    d.x(i, 0) = random.normal();
    d.x(i, 1 + level) = 1.0;
    for (long j = 5; j < 8; ++j) d.x(i, j) = random.normal();
    d.y[i] = 0.6 * d.x(i, 0) + effect[level] + 0.3 * random.normal();
  }
  return d;
}

const std::vector<long> kGroups = {1, 4, 1, 1, 1};  // 5 variables over 8 columns

Params small(long n_bootstrap = 0) {
  Params p;
  p.hidden_layer_sizes = {16};
  p.max_epochs = 40;
  p.refine_epochs = 5;
  p.random_state = 11;
  p.n_bootstrap = n_bootstrap;
  return p;
}

}  // namespace

TEST(ScoreGroups, OneScorePerVariableRanksTheCategoricalFirst) {
  const CategoricalData d = categorical_data(800, 5);
  Estimator est(small(), Task::regression);
  est.fit(d.x, d.y, Eigen::VectorXd(), 0, Callbacks(), kGroups);
  const Eigen::VectorXd w = est.scores();
  ASSERT_EQ(w.size(), 5);
  EXPECT_NEAR(w.sum(), 1.0, 1e-12);
  EXPECT_EQ(est.scores_history().cols(), 5);
  // Variance explained: the categorical ~2.1, x0 0.36, the rest none.
  long top = 0;
  w.maxCoeff(&top);
  EXPECT_EQ(top, 1) << w.transpose();
  for (long j = 2; j < 5; ++j) EXPECT_LT(w[j], w[0]) << w.transpose();
  // The network still reads 8 columns; every one-hot column has the group's gate.
  EXPECT_EQ(est.n_features(), 8);
  const Eigen::VectorXd gate = est.network().scores_layer().gate();
  EXPECT_EQ(gate[1], gate[4]);
}

// A group's columns are shuffled together (rows keep one hot level each):
// one importance per variable, the categorical's the largest.
TEST(ScoreGroups, PermutationImportanceShufflesAVariableAsOne) {
  const CategoricalData d = categorical_data(600, 9);
  Estimator est(small(), Task::regression);
  est.fit(d.x, d.y, Eigen::VectorXd(), 0, Callbacks(), kGroups);
  const PermutationImportance p = permutation_importance(ExplainedModel(est), d.x, d.y, Eigen::VectorXd(), 3, 1, 1);
  ASSERT_EQ(p.importances_mean.size(), 5);
  long top = 0;
  p.importances_mean.maxCoeff(&top);
  EXPECT_EQ(top, 1) << p.importances_mean.transpose();
  EXPECT_GT(p.importances_mean[0], 5 * p.importances_mean.tail(3).cwiseAbs().maxCoeff());
  // Thread count does not change it.
  const PermutationImportance two = permutation_importance(ExplainedModel(est), d.x, d.y, Eigen::VectorXd(), 3, 1, 2);
  EXPECT_TRUE(sa_test::bit_identical(two.importances, p.importances));
}

TEST(ScoreGroups, StateRoundTripsAndBootstrapHasOneColumnPerGroup) {
  const CategoricalData d = categorical_data(300, 6);
  const Params p = small(2);
  Estimator est(p, Task::regression);
  est.fit(d.x, d.y, Eigen::VectorXd(), 0, Callbacks(), kGroups);
  EXPECT_EQ(est.scores_bootstrap().rows(), 2);
  EXPECT_EQ(est.scores_bootstrap().cols(), 5);
  const ModelState state = est.state();
  ASSERT_EQ(state.arrays.count("score_groups"), 1u);
  EXPECT_EQ(state.arrays.at("score_groups").data, (std::vector<double>{1, 4, 1, 1, 1}));
  EXPECT_EQ(state.arrays.at("scores").shape, (std::vector<long>{5}));
  const Estimator rebuilt(p, state);
  EXPECT_EQ(rebuilt.score_groups(), kGroups);
  EXPECT_TRUE(sa_test::bit_identical(rebuilt.decision_function(d.x), est.decision_function(d.x)));
  EXPECT_TRUE(sa_test::bit_identical(rebuilt.scores(), est.scores()));

  auto refused = [&](ModelState s, const std::string& needle) {
    try {
      Estimator(p, s);
    } catch (const std::invalid_argument& e) {
      return std::string(e.what()).find(needle) != std::string::npos;
    }
    return false;
  };
  ModelState bad = state;
  bad.arrays["score_groups"].data = {1, 4, 1, 1, 2};  // sums to 9 of 8 columns
  EXPECT_TRUE(refused(bad, "score_groups"));
  bad = state;
  bad.arrays["score_groups"].data = {1, 3.5, 1.5, 1, 1};
  EXPECT_TRUE(refused(bad, "positive integers"));
  bad = state;
  bad.arrays.erase("score_groups");  // 5 scores for 8 columns
  EXPECT_TRUE(refused(bad, "'scores'"));
}

TEST(ScoreGroups, BadGroupsAtFitNameTheArgumentAndKeepTheModel) {
  const CategoricalData d = categorical_data(200, 7);
  Estimator est(small(), Task::regression);
  EXPECT_THROW(est.fit(d.x, d.y, Eigen::VectorXd(), 0, Callbacks(), {1, 4, 1, 1}), std::invalid_argument);
  EXPECT_FALSE(est.fitted());
  try {
    est.fit(d.x, d.y, Eigen::VectorXd(), 0, Callbacks(), {0, 5, 1, 1, 1});
    FAIL() << "accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("score_groups"), std::string::npos);
  }
  // Groups of one column each are the model without groups, bit for bit.
  Estimator plain(small(), Task::regression), singles(small(), Task::regression);
  plain.fit(d.x, d.y, Eigen::VectorXd(), 0);
  singles.fit(d.x, d.y, Eigen::VectorXd(), 0, Callbacks(), std::vector<long>(8, 1));
  EXPECT_TRUE(sa_test::bit_identical(plain.scores(), singles.scores()));
  EXPECT_EQ(singles.state().arrays.count("score_groups"), 0u);
}

TEST(ScoreGroups, DocumentVariablesMustMatchTheGroups) {
  const CategoricalData d = categorical_data(200, 8);
  const Params p = small();
  Estimator est(p, Task::regression);
  est.fit(d.x, d.y, Eigen::VectorXd(), 0, Callbacks(), kGroups);
  auto variable = [](const std::string& name, std::vector<std::string> levels) {
    JsonValue v = JsonValue::make_object();
    v.object.emplace_back("name", JsonValue::of(name));
    if (levels.empty()) {
      v.object.emplace_back("levels", JsonValue::null_value());
    } else {
      JsonValue a = JsonValue::make_array();
      for (const std::string& l : levels) a.array.push_back(JsonValue::of(l));
      v.object.emplace_back("levels", a);
    }
    return v;
  };
  ModelDocumentParts parts;
  parts.params.training = p;
  parts.seed = 11;
  parts.state = est.state();
  parts.variables = JsonValue::make_array();
  parts.variables.array = {variable("x0", {}), variable("city", {"lyon", "paris", "rome", "oslo"}),
                           variable("n1", {}), variable("n2", {}), variable("n3", {})};
  parts.formula = JsonValue::of(std::string("y ~ x0 + city + n1 + n2 + n3"));
  const JsonValue doc = write_model_document(parts);
  EXPECT_EQ(doc.find("format_version")->number, 5.0);
  const ModelDocument back = read_model_document(doc);
  EXPECT_EQ(back.variables.array.size(), 5u);
  EXPECT_EQ(back.formula.string, "y ~ x0 + city + n1 + n2 + n3");

  auto rejected = [&](ModelDocumentParts changed, const std::string& needle) {
    try {
      write_model_document(changed);
    } catch (const std::invalid_argument& e) {
      if (std::string(e.what()).find(needle) != std::string::npos) return true;
      ADD_FAILURE() << e.what();
      return false;
    }
    return false;
  };
  ModelDocumentParts bad = parts;
  bad.variables.array[1] = variable("city", {"lyon", "paris", "rome"});  // 7 columns of 8
  EXPECT_TRUE(rejected(bad, "variables"));
  bad = parts;
  bad.variables.array[1] = variable("city", {"lyon", "paris", "lyon", "oslo"});
  EXPECT_TRUE(rejected(bad, "repeats the level 'lyon'"));
  bad = parts;
  bad.variables.array[2] = variable("x0", {});
  EXPECT_TRUE(rejected(bad, "repeats the variable name 'x0'"));
  bad = parts;  // widths 1,1,4,1,1: the same columns, other groups than the state's
  bad.variables.array = {variable("x0", {}), variable("n1", {}), variable("city", {"a", "b", "c", "d"}),
                         variable("n2", {}), variable("n3", {})};
  EXPECT_TRUE(rejected(bad, "score_groups"));
  bad = parts;
  bad.variables = JsonValue::null_value();  // a grouped state needs its variables
  EXPECT_TRUE(rejected(bad, "variables"));
  bad = parts;
  bad.feature_names = JsonValue::make_array();
  for (int j = 0; j < 8; ++j) bad.feature_names.array.push_back(JsonValue::of("c" + std::to_string(j)));
  EXPECT_TRUE(rejected(bad, "feature_names"));
}
