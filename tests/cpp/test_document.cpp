// The model-document validator (model_document.hpp): every hostile or
// corrupt document gives std::invalid_argument naming the key, before
// anything is allocated from its claims; valid ones load.
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "json_document.hpp"
#include "scoresactivation/estimator.hpp"
#include "scoresactivation/model_document.hpp"
#include "scoresactivation/parallel.hpp"
#include "test_helpers.hpp"

using namespace scoresactivation;
using nlohmann::json;

namespace {

json fixture(const std::string& name) {
  std::ifstream in(std::string(SCORESACTIVATION_FIXTURES) + "/" + name);
  if (!in) throw std::runtime_error("cannot open fixture " + name);
  return json::parse(in);
}

ModelDocument read(const json& doc) { return read_model_document(sa_test::to_json_value(doc)); }

// Throws std::invalid_argument whose message contains `needle`.
::testing::AssertionResult rejected(const json& doc, const std::string& needle) {
  try {
    const ModelDocument d = read(doc);
    Estimator(d.core_params, d.state);  // the loader's next step must not be reached with garbage
  } catch (const std::invalid_argument& e) {
    if (std::string(e.what()).find(needle) != std::string::npos) return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure() << "message '" << e.what() << "' lacks '" << needle << "'";
  } catch (const std::exception& e) {
    return ::testing::AssertionFailure() << "wrong exception type: " << e.what();
  }
  return ::testing::AssertionFailure() << "accepted";
}

const double kNaN = std::numeric_limits<double>::quiet_NaN();
const double kInf = std::numeric_limits<double>::infinity();

}  // namespace

TEST(ModelDocument, FixturesLoadAndKeepTheirFields) {
  for (const std::string name : {"classification_model.json", "regression_model.json"}) {
    SCOPED_TRACE(name);
    const json doc = fixture(name);
    const ModelDocument d = read(doc);
    // Written by version 2; version 3 added sequence models and left tabular documents as they were.
    EXPECT_EQ(d.format_version, 2);
    EXPECT_EQ(d.task, doc.at("task").get<std::string>());
    EXPECT_EQ(d.seed, doc.at("seed").get<std::uint64_t>());
    EXPECT_EQ(d.core_params.hidden_layer_sizes, doc.at("params").at("hidden_layer_sizes").get<std::vector<long>>());
    EXPECT_EQ(d.state.n_features, doc.at("n_features").get<long>());
    EXPECT_EQ(d.state.arrays.size(), doc.at("arrays").size());
    EXPECT_EQ(d.classes.is_null(), d.task == "regression");
    const Estimator est(d.core_params, d.state);
    EXPECT_TRUE(est.fitted());
  }
}

TEST(ModelDocument, Version1DocumentsGetTheParamsTheyPredate) {
  const ModelDocument d = read(fixture("v1/classification_model.json"));
  EXPECT_EQ(d.format_version, 1);
  EXPECT_EQ(d.core_params.gate, "scale");
  EXPECT_EQ(d.core_params.refine_epochs, 0);
  ASSERT_NE(d.params.find("gate"), nullptr);
  EXPECT_EQ(d.params.find("gate")->string, "scale");
}

TEST(ModelDocument, HeaderErrorsNameTheKey) {
  const json good = fixture("classification_model.json");
  struct Case {
    const char* pointer;
    json value;
    const char* needle;
  };
  const std::vector<Case> cases = {
      {"/format", "other", "not a scoresactivation model document"},
      {"/format_version", 99, "newer than this library reads"},
      {"/format_version", 0, "'format_version'"},
      {"/format_version", 1e300, "'format_version'"},  // once cast to long long: undefined behaviour
      {"/format_version", 1.5, "'format_version'"},
      {"/format_version", "2", "'format_version' must be a number"},
      {"/task", "clustering", "'task'"},
      {"/task", "regression", "'estimator'"},  // a classifier's estimator name with the other task
      {"/estimator", 3, "'estimator' must be a string"},
      {"/seed", -1, "'seed'"},
      {"/seed", 1e300, "'seed'"},
      {"/seed", "7", "'seed' must be a number"},
      {"/n_features", 2e9, "'n_features'"},
      {"/n_features", 0, "'n_features'"},
      {"/n_outputs", 4, "'classes' has 3 entries, expected 4"},
      {"/n_epochs_run", -5, "'n_epochs_run'"},
      {"/best_epoch", 1e6, "best_epoch"},
      {"/classes", json::array({"a", "b", "a"}), "repeats an earlier label"},
      {"/classes", json::array({"a", 1, "b"}), "same JSON type"},
      {"/classes", nullptr, "'classes' is missing"},
      {"/feature_names", json::array({"a"}), "'feature_names' has 1 entries"},
      {"/params", json::array(), "'params' must be an object"},
      {"/params/n_threads", 1.5, "'params.n_threads'"},
      {"/params/n_threads", 0, "'params.n_threads' must be None/NULL or a non-zero integer"},
      {"/params/random_state", -1, "'params.random_state'"},
      {"/params/hidden_layer_sizes", json::array({8, 0}), "'params.hidden_layer_sizes' must be a list of at most 64 integers in [1, 1048576], got [8, 0]"},
      {"/params/hidden_layer_sizes", json::array({1e12}), "'params.hidden_layer_sizes'"},
      {"/params/learning_rate", "fast", "'params.learning_rate' must be a number"},
      {"/params/learning_rate", -1.0, "'params.learning_rate' must be a number in (0, inf), got -1"},
      {"/params/scores_layer", 1, "'params.scores_layer' must be true or false, got 1"},
      {"/params/max_epochs", 1e18, "'params.max_epochs'"},
      {"/params/gate", "magic", "gate"},
      {"/arrays", json::array(), "'arrays' must be an object"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(std::string(c.pointer) + " = " + c.value.dump());
    json doc = good;
    doc[json::json_pointer(c.pointer)] = c.value;
    EXPECT_TRUE(rejected(doc, c.needle));
  }
  for (const char* key : {"format_version", "task", "estimator", "params", "seed", "n_features", "n_outputs",
                          "n_epochs_run", "best_epoch", "arrays"}) {
    SCOPED_TRACE(key);
    json doc = good;
    doc.erase(key);
    EXPECT_TRUE(rejected(doc, std::string("'") + key + "' is missing"));
  }
  EXPECT_TRUE(rejected(json::array({1, 2}), "must be a JSON object"));
  EXPECT_TRUE(rejected(json("text"), "must be a JSON object"));
}

TEST(ModelDocument, ArrayErrorsNameTheArray) {
  const json good = fixture("classification_model.json");
  auto with = [&](const std::function<void(json&)>& change) {
    json doc = good;
    change(doc);
    return doc;
  };
  // Non-finite and non-numeric values, as Python's json (NaN, Infinity,
  // 1e999) or a hand-edited file can hold them.
  for (const json& bad : {json(kNaN), json(kInf), json(nullptr), json("NaN"), json::array({1})}) {
    SCOPED_TRACE(bad.dump());
    EXPECT_TRUE(rejected(with([&](json& d) { d["arrays"]["input_mean"]["data"][0] = bad; }),
                         "'arrays.input_mean.data[0]' must be a finite number"));
  }
  EXPECT_TRUE(rejected(with([](json& d) { d["arrays"]["input_scale"]["data"][1] = 0.0; }),
                       "'input_scale' must be positive"));
  EXPECT_TRUE(rejected(with([](json& d) { d["arrays"]["target_scale"]["data"][0] = -1.0; }),
                       "'target_scale' must be positive"));
  EXPECT_TRUE(rejected(with([](json& d) { d["arrays"]["input_mean"]["data"].push_back(1.0); }),
                       "'arrays.input_mean' has 5 values for its shape"));
  EXPECT_TRUE(rejected(with([](json& d) { d["arrays"]["dense_0_weight"]["shape"] = json::array({4, 8, 1}); }),
                       "1 or 2 dimensions"));
  EXPECT_TRUE(rejected(with([](json& d) { d["arrays"]["dense_0_weight"]["shape"][0] = -4; }),
                       "'arrays.dense_0_weight.shape[0]'"));
  EXPECT_TRUE(rejected(with([](json& d) { d["arrays"].erase("dense_1_bias"); }), "no array 'dense_1_bias'"));
  EXPECT_TRUE(rejected(with([](json& d) { d["arrays"]["extra"] = {{"shape", {1}}, {"data", {1.0}}}; }),
                       "unexpected array 'extra'"));
  EXPECT_TRUE(rejected(with([](json& d) { d["arrays"]["scores"].erase("data"); }), "'arrays.scores.data' is missing"));
  // A consistent model of another width than the params say.
  EXPECT_TRUE(rejected(with([](json& d) { d["params"]["hidden_layer_sizes"][0] = 9; }), "dense_0_"));
}

TEST(ModelDocument, HugeClaimsFailFastWithoutAllocating) {
  // Consistent claims of 2e7 features with no data behind them: rejected
  // by arithmetic on the sizes, in well under a second.
  json doc = fixture("regression_model.json");
  doc["n_features"] = 16000000;
  doc["arrays"]["input_mean"]["shape"] = {16000000};
  doc["arrays"]["dense_0_weight"]["shape"] = {16000000, 8};
  const auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(rejected(doc, "values for its shape"));
  EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(), 1.0);
}

TEST(ModelDocument, StateCheckGuardsTheDirectConstructorToo) {
  // Pickles and R fit objects reach Estimator(params, state) without a document.
  const ModelDocument d = read(fixture("regression_model.json"));
  ModelState state = d.state;
  state.n_features = 2000000000L;
  EXPECT_THROW(Estimator(d.core_params, state), std::invalid_argument);
  state = d.state;
  state.arrays["input_scale"].data[0] = kNaN;
  EXPECT_THROW(Estimator(d.core_params, state), std::invalid_argument);
  state = d.state;
  state.best_epoch = 0;
  EXPECT_THROW(Estimator(d.core_params, state), std::invalid_argument);
}

TEST(Threads, CountsAboveTheLimitRunOnTheLimit) {
  // 100 000 threads once segfaulted in libgomp; parallel_for caps them.
  EXPECT_GE(thread_limit(), 4);
  std::vector<int> done(1000, 0);
  parallel_for(1000, 60000, [&](long i) { done[static_cast<std::size_t>(i)] = 1; });
  for (int v : done) EXPECT_EQ(v, 1);
  Params p;
  p.n_threads = kMaxThreads + 1;
  EXPECT_THROW(p.validate(), std::invalid_argument);
  p.n_threads = kMaxThreads;
  EXPECT_NO_THROW(p.validate());
}

TEST(Standardisation, TinyAndHugeScalesTrainLikeUnitScale) {
  // A column of 1e-13s once counted as constant (absolute threshold), and
  // offsets of 1e154 gave an infinite scale that zeroed the column.
  const sa_test::Dataset data = sa_test::make_classification(300, 3, 2, 11);
  Params p;
  p.hidden_layer_sizes = {8};
  p.max_epochs = 40;
  p.random_state = 3;
  p.n_threads = 1;
  Estimator reference(p, Task::classification);
  reference.fit(data.x, data.y, Eigen::VectorXd(), 2);
  for (double factor : {1e-13, 1e154}) {
    SCOPED_TRACE(factor);
    Estimator est(p, Task::classification);
    const Eigen::MatrixXd scaled = data.x * factor;
    est.fit(scaled, data.y, Eigen::VectorXd(), 2);
    EXPECT_NEAR(est.input_scale()[0] / factor, reference.input_scale()[0], 1e-9 * reference.input_scale()[0]);
    const Eigen::MatrixXd a = est.predict_proba(scaled), b = reference.predict_proba(data.x);
    EXPECT_LT((a - b).cwiseAbs().maxCoeff(), 1e-6);
  }
  Eigen::MatrixXd shifted = data.x;
  shifted.col(0).array() += 1e154;
  Estimator est(p, Task::classification);
  est.fit(shifted, data.y, Eigen::VectorXd(), 2);
  EXPECT_TRUE(std::isfinite(est.input_scale()[0]));
}

TEST(Standardisation, HugeTargetsPredictFinitely) {
  const sa_test::Dataset data = sa_test::make_regression(200, 3, 5);
  Params p;
  p.hidden_layer_sizes = {8};
  p.max_epochs = 30;
  p.n_threads = 1;
  Estimator est(p, Task::regression);
  const Eigen::VectorXd y = data.y * 1e300;
  est.fit(data.x, y, Eigen::VectorXd(), 0);
  const Eigen::MatrixXd out = est.decision_function(data.x);
  EXPECT_TRUE(out.allFinite());
  const Eigen::VectorXd unscaled = sa_test::flat(out) / 1e300;
  EXPECT_GT(unscaled.dot(data.y) / (data.y.norm() * unscaled.norm()), 0.9);
  // Once centred, a column of -1.7e308s and one 1.7e308 spans more than a double holds.
  Eigen::MatrixXd x = data.x;
  x.col(0).setConstant(-1.7e308);
  x(0, 0) = 1.7e308;
  EXPECT_THROW(est.fit(x, data.y, Eigen::VectorXd(), 0), std::invalid_argument);
  EXPECT_TRUE(est.decision_function(data.x).allFinite());  // the previous model stays
}

// The core lays out the documents both front ends write: a fixture read and
// written again keeps every value, in the documented key order, in this
// library's format version, with counts marked as integers.
TEST(ModelDocument, WrittenByTheCoreReadsBackTheSame) {
  const json doc = fixture("classification_model.json");
  const ModelDocument d = read(doc);
  ModelDocumentParts parts;
  parts.family = ModelFamily::tabular;
  parts.params = ParamSet{d.core_params, d.sequence_params, d.senn_params};
  parts.front_end_params = JsonValue::make_object();
  parts.front_end_params.object.emplace_back("random_state", JsonValue::of_integer(7));
  parts.seed = d.seed;
  parts.state = d.state;
  parts.feature_names = d.feature_names;
  parts.classes = d.classes;
  parts.library_version = "9.9.9";
  const JsonValue written = write_model_document(parts);
  std::vector<std::string> keys;
  for (const auto& kv : written.object) keys.push_back(kv.first);
  EXPECT_EQ(keys, (std::vector<std::string>{"format", "format_version", "library_version", "estimator", "task", "params",
                                            "seed", "n_features", "n_outputs", "n_epochs_run", "best_epoch",
                                            "feature_names", "classes", "arrays"}));
  EXPECT_EQ(written.find("format_version")->number, kModelFormatVersion);
  EXPECT_TRUE(written.find("n_features")->integer);
  EXPECT_TRUE(written.find("params")->find("batch_size")->integer);
  EXPECT_FALSE(written.find("params")->find("learning_rate")->integer);
  EXPECT_EQ(written.find("params")->find("random_state")->number, 7.0);
  const ModelDocument again = read_model_document(written);
  EXPECT_EQ(again.estimator, d.estimator);
  EXPECT_EQ(again.seed, d.seed);
  EXPECT_EQ(again.library_version, "9.9.9");
  ASSERT_EQ(again.state.arrays.size(), d.state.arrays.size());
  for (const auto& kv : d.state.arrays) EXPECT_EQ(again.state.arrays.at(kv.first).data, kv.second.data) << kv.first;
  EXPECT_EQ(again.core_params.hidden_layer_sizes, d.core_params.hidden_layer_sizes);
  // A document the core could not read back is refused before it is returned.
  parts.state.arrays.begin()->second.data[0] = kNaN;
  EXPECT_THROW(write_model_document(parts), std::invalid_argument);
}
