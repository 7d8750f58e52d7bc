// The table of hyperparameters: its defaults are the structs', every field
// of the structs is in it, and a call and a model document are checked by
// the same rules.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <stdexcept>
#include <string>

#include "scoresactivation/class_weight.hpp"
#include "scoresactivation/param_spec.hpp"
#include "scoresactivation/parallel.hpp"

using namespace scoresactivation;

namespace {
const ParamSpec& find(const std::vector<ParamSpec>& table, const std::string& name) {
  for (const ParamSpec& s : table)
    if (s.name == name) return s;
  throw std::out_of_range("no parameter " + name);
}

JsonValue object_of(const std::string& name, JsonValue value) {
  JsonValue o = JsonValue::make_object();
  o.object.emplace_back(name, std::move(value));
  return o;
}

std::string rejection(const std::string& name, JsonValue value, ModelFamily family = ModelFamily::tabular) {
  ParamSet set;
  try {
    apply_params(object_of(name, std::move(value)), family, set);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "";
}
}  // namespace

TEST(ParamSpec, DefaultsAreTheStructsDefaults) {
  const auto table = param_spec(ModelFamily::tabular);
  const Params p;
  EXPECT_EQ(find(table, "batch_size").default_value.number, static_cast<double>(p.batch_size));
  EXPECT_EQ(find(table, "learning_rate").default_value.number, p.learning_rate);
  EXPECT_EQ(find(table, "gate").default_value.string, p.gate);
  EXPECT_EQ(find(table, "early_stopping").default_value.boolean, p.early_stopping);
  const JsonValue& sizes = find(table, "hidden_layer_sizes").default_value;
  ASSERT_EQ(sizes.array.size(), 2u);
  EXPECT_EQ(sizes.array[0].number, 64.0);
  EXPECT_EQ(sizes.array[1].number, 32.0);
  EXPECT_TRUE(find(table, "random_state").default_value.is_null());
  EXPECT_TRUE(find(table, "n_threads").default_value.is_null());
  // The sequence head reads the pooled encoder directly by default.
  EXPECT_TRUE(find(param_spec(ModelFamily::sequence), "hidden_layer_sizes").default_value.array.empty());
  EXPECT_EQ(find(param_spec(ModelFamily::senn), "robustness_penalty").default_value.number,
            SennParams().robustness_penalty);
}

TEST(ParamSpec, FamiliesTakeTheirOwnParameters) {
  std::set<std::string> tabular, sequence, senn;
  for (const auto& s : param_spec(ModelFamily::tabular)) tabular.insert(s.name);
  for (const auto& s : param_spec(ModelFamily::sequence)) sequence.insert(s.name);
  for (const auto& s : param_spec(ModelFamily::senn)) senn.insert(s.name);
  // 25 fields of Params (all but random_state and n_threads, which the
  // front ends resolve) and random_state, n_threads, verbose, class_weight;
  // handle_unknown (categorical variables) is the tabular family's only.
  EXPECT_EQ(tabular.size(), 30u);
  EXPECT_TRUE(tabular.count("handle_unknown") && !sequence.count("handle_unknown") && !senn.count("handle_unknown"));
  EXPECT_NE(rejection("handle_unknown", JsonValue::of(std::string("skip"))).find("handle_unknown"), std::string::npos);
  EXPECT_EQ(sequence.size(), 33u);
  EXPECT_EQ(senn.size(), 30u);
  EXPECT_TRUE(tabular.count("class_weight") && sequence.count("class_weight") && senn.count("class_weight"));
  EXPECT_TRUE(sequence.count("units") && !tabular.count("units") && !senn.count("units"));
  EXPECT_TRUE(senn.count("robustness_penalty") && !tabular.count("robustness_penalty"));
  EXPECT_NE(rejection("units", JsonValue::of(4.0)).find("unknown hyperparameter 'units'"), std::string::npos);
}

TEST(ParamSpec, ApplyThenWriteRoundTrips) {
  JsonValue given = JsonValue::make_object();
  JsonValue sizes = JsonValue::make_array();
  sizes.array.push_back(JsonValue::of(7.0));
  given.object.emplace_back("hidden_layer_sizes", sizes);
  given.object.emplace_back("batch_size", JsonValue::of(17.0));
  given.object.emplace_back("gate", JsonValue::of(std::string("scale")));
  given.object.emplace_back("standardize", JsonValue::of(false));
  given.object.emplace_back("random_state", JsonValue::of(5.0));  // front end's: checked, not stored
  ParamSet set;
  apply_params(given, ModelFamily::tabular, set);
  EXPECT_EQ(set.training.hidden_layer_sizes, std::vector<long>{7});
  EXPECT_EQ(set.training.batch_size, 17);
  EXPECT_EQ(set.training.gate, "scale");
  EXPECT_FALSE(set.training.standardize);
  EXPECT_EQ(set.training.learning_rate, Params().learning_rate);  // absent: the default

  ParamSet again;
  apply_params(params_to_json(set, ModelFamily::tabular), ModelFamily::tabular, again);
  EXPECT_EQ(again.training.hidden_layer_sizes, set.training.hidden_layer_sizes);
  EXPECT_EQ(again.training.batch_size, 17);
  EXPECT_EQ(again.training.gate, "scale");
  // One number is one layer (Python's hidden_layer_sizes=8, R's 8).
  ParamSet one;
  apply_params(object_of("units", JsonValue::of(8.0)), ModelFamily::sequence, one);
  EXPECT_EQ(one.sequence.units, std::vector<long>{8});
}

TEST(ParamSpec, ErrorsNameTheParameterAndItsRange) {
  EXPECT_EQ(rejection("batch_size", JsonValue::of(0.0)), "batch_size must be an integer in [1, 1e+15], got 0");
  EXPECT_EQ(rejection("batch_size", JsonValue::of(2.5)), "batch_size must be an integer in [1, 1e+15], got 2.5");
  EXPECT_EQ(rejection("snr_budget", JsonValue::of(0.0)), "snr_budget must be a number in (0, 1000000], got 0");
  EXPECT_EQ(rejection("snr_budget", JsonValue::of(1e6)), "");
  EXPECT_EQ(rejection("momentum", JsonValue::of(1.0)), "momentum must be a number in [0, 1), got 1");
  EXPECT_EQ(rejection("activation", JsonValue::of(std::string("gelu"))),
            "activation must be one of 'relu', 'tanh', 'logistic', 'identity', got 'gelu'");
  EXPECT_EQ(rejection("early_stopping", JsonValue::of(1.0)), "early_stopping must be true or false, got 1");
  EXPECT_NE(rejection("learning_rate", JsonValue::of(std::string("fast"))).find("got 'fast'"), std::string::npos);
  EXPECT_NE(rejection("n_threads", JsonValue::of(0.0)).find("non-zero"), std::string::npos);
  EXPECT_NE(rejection("random_state", JsonValue::of(-1.0)).find("random_state"), std::string::npos);
  EXPECT_EQ(rejection("random_state", JsonValue::null_value()), "");
  EXPECT_EQ(rejection("verbose", JsonValue::of(true)), "");
  JsonValue zero_width = JsonValue::make_array();
  zero_width.array.push_back(JsonValue::of(8.0));
  zero_width.array.push_back(JsonValue::of(0.0));
  EXPECT_NE(rejection("hidden_layer_sizes", zero_width).find("hidden_layer_sizes must be a list"), std::string::npos);
  EXPECT_NE(rejection("units", JsonValue::make_array(), ModelFamily::sequence).find("a list of 1 to 64"),
            std::string::npos);
  // Rules across parameters, after the table's.
  EXPECT_EQ(rejection("kernel_size", JsonValue::of(4.0), ModelFamily::sequence), "");  // an LSTM has no filters
  JsonValue conv = object_of("architecture", JsonValue::of(std::string("conv")));
  conv.object.emplace_back("kernel_size", JsonValue::of(4.0));
  ParamSet set;
  EXPECT_THROW(apply_params(conv, ModelFamily::sequence, set), std::invalid_argument);
  EXPECT_NE(rejection("robustness_penalty", JsonValue::of(2e6), ModelFamily::senn).find("[0, 1000000]"),
            std::string::npos);
}

TEST(ParamSpec, StructValidationUsesTheTable) {
  Params p;
  p.temperature = -1;
  try {
    p.validate();
    FAIL() << "accepted temperature -1";
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(), "temperature must be a number in (0, inf), got -1");
  }
  p = Params();
  p.weight_decay = 1000;
  EXPECT_THROW(p.validate(), std::invalid_argument);  // weight_decay * learning_rate >= 1
}

TEST(ParamSpec, ThreadRule) {
  EXPECT_EQ(resolve_threads(JsonValue::null_value(), 2), std::min(2, thread_limit()));
  EXPECT_EQ(resolve_threads(JsonValue::of(-1.0), 2), std::min(2, thread_limit()));
  EXPECT_EQ(resolve_threads(JsonValue::of(-2.0), 2), 1);
  EXPECT_EQ(resolve_threads(JsonValue::of(-10.0), 2), 1);
  EXPECT_EQ(resolve_threads(JsonValue::of(1.0), 2), 1);
  EXPECT_EQ(resolve_threads(JsonValue::of(1e4), 2), thread_limit());
  EXPECT_EQ(resolve_threads(JsonValue::of(1e300), 2), thread_limit());  // any count, capped
  EXPECT_EQ(resolve_threads(JsonValue::of(-1e300), 2), 1);
  EXPECT_THROW(resolve_threads(JsonValue::of(0.0), 2), std::invalid_argument);
  EXPECT_THROW(resolve_threads(JsonValue::of(1.5), 2), std::invalid_argument);
}

// class_weight: checked by the table, applied by class_weighted().
TEST(ClassWeight, TheTableChecksItAndTheRuleWeightsTheRows) {
  ParamSet set;
  JsonValue given = JsonValue::make_object();
  given.object.emplace_back("class_weight", JsonValue::of(std::string("balanced")));
  EXPECT_NO_THROW(apply_params(given, ModelFamily::tabular, set, false, ""));
  given.object[0].second = JsonValue::of(std::string("equal"));
  EXPECT_THROW(apply_params(given, ModelFamily::tabular, set, false, ""), std::invalid_argument);
  JsonValue mapping = JsonValue::make_object();
  mapping.object.emplace_back("b", JsonValue::of(-1.0));
  given.object[0].second = mapping;
  try {
    apply_params(given, ModelFamily::sequence, set, false, "");
    ADD_FAILURE() << "a negative class weight";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("class_weight must be None/NULL, 'balanced' or a mapping"), std::string::npos);
  }

  const std::vector<std::string> labels = {"a", "b"};
  const Eigen::VectorXd y = (Eigen::VectorXd(4) << 0, 0, 0, 1).finished();
  const Eigen::VectorXd w = (Eigen::VectorXd(4) << 1, 2, 1, 1).finished();
  // balanced: n / (k * n_k) = 4 / (2 * 3) and 4 / (2 * 1), times the row weights
  const Eigen::VectorXd balanced = class_weighted(JsonValue::of(std::string("balanced")), labels, y, w);
  EXPECT_NEAR(balanced[1], 2.0 * 4.0 / 6.0, 1e-15);
  EXPECT_NEAR(balanced[3], 2.0, 1e-15);
  JsonValue b_only = JsonValue::make_object();
  b_only.object.emplace_back("b", JsonValue::of(5.0));
  const Eigen::VectorXd mapped = class_weighted(b_only, labels, y, Eigen::VectorXd());
  EXPECT_EQ(mapped, (Eigen::VectorXd(4) << 1, 1, 1, 5).finished());
  EXPECT_EQ(class_weighted(JsonValue::null_value(), labels, y, w), w);
  JsonValue unknown = JsonValue::make_object();
  unknown.object.emplace_back("c", JsonValue::of(1.0));
  try {
    class_weighted(unknown, labels, y, w);
    ADD_FAILURE() << "an unknown class";
  } catch (const std::invalid_argument& e) {
    EXPECT_EQ(std::string(e.what()), "class_weight names 'c', which is not a class of y (the classes: 'a', 'b')");
  }
  EXPECT_THROW(class_weighted(b_only, {}, y, w), std::invalid_argument);  // a regressor
}
