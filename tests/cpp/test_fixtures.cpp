// The golden files in tests/fixtures (written by make_fixtures.py, checked by
// the Python and R suites too): the saved models load into the core and
// predict the stored numbers.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "json_document.hpp"
#include "scoresactivation/estimator.hpp"
#include "scoresactivation/model_document.hpp"
#include "scoresactivation/senn_estimator.hpp"
#include "scoresactivation/sequence_estimator.hpp"

using namespace scoresactivation;
using nlohmann::json;

namespace {

std::string fixture(const std::string& name) { return std::string(SCORESACTIVATION_FIXTURES) + "/" + name; }

json read_json(const std::string& name) {
  std::ifstream in(fixture(name));
  if (!in) throw std::runtime_error("cannot open " + fixture(name));
  return json::parse(in);
}

// The CSV's first four columns (f0..f3).
Eigen::MatrixXd read_features(const std::string& name) {
  std::ifstream in(fixture(name));
  std::string line;
  std::getline(in, line);  // header
  std::vector<std::vector<double>> rows;
  while (std::getline(in, line)) {
    std::stringstream cells(line);
    std::string cell;
    std::vector<double> row;
    for (int j = 0; j < 4 && std::getline(cells, cell, ','); ++j) row.push_back(std::stod(cell));
    rows.push_back(row);
  }
  Eigen::MatrixXd x(static_cast<long>(rows.size()), 4);
  for (long i = 0; i < x.rows(); ++i)
    for (long j = 0; j < 4; ++j) x(i, j) = rows[static_cast<std::size_t>(i)][static_cast<std::size_t>(j)];
  return x;
}

// docs/model-format.md -> the core's validator -> a fitted estimator.
Estimator load(const std::string& name) {
  const ModelDocument doc = read_model_document(sa_test::to_json_value(read_json(name)));
  return Estimator(doc.core_params, doc.state);
}

void expect_close(const Eigen::MatrixXd& actual, const json& expected, double tolerance) {
  for (long i = 0; i < actual.rows(); ++i)
    for (long j = 0; j < actual.cols(); ++j) {
      const double e = actual.cols() == 1 && expected.at(static_cast<std::size_t>(i)).is_number()
                           ? expected.at(static_cast<std::size_t>(i)).get<double>()
                           : expected.at(static_cast<std::size_t>(i)).at(static_cast<std::size_t>(j)).get<double>();
      EXPECT_NEAR(actual(i, j), e, tolerance) << "row " << i << ", column " << j;
    }
}

}  // namespace

TEST(Fixtures, ClassificationModelPredictsStoredProbabilities) {
  const Estimator est = load("classification_model.json");
  const json expected = read_json("classification_expected.json");
  const Eigen::MatrixXd x = read_features("classification_data.csv");
  expect_close(est.predict_proba(x), expected.at("predict_proba"), 1e-12);
  const Eigen::VectorXd scores = est.scores();
  for (long j = 0; j < scores.size(); ++j)
    EXPECT_NEAR(scores[j], expected.at("scores").at(static_cast<std::size_t>(j)).get<double>(), 1e-12);
}

TEST(Fixtures, RegressionModelPredictsStoredValues) {
  const Estimator est = load("regression_model.json");
  const json expected = read_json("regression_expected.json");
  expect_close(est.decision_function(read_features("regression_data.csv")), expected.at("predict"), 1e-12);
}

TEST(Fixtures, RefitWithTheStoredSeedReproducesTheScores) {
  // The fixture's settings through the core alone: same seed, same scores.
  const json expected = read_json("regression_expected.json");
  const json& p = expected.at("params");
  Params params;
  params.hidden_layer_sizes = p.at("hidden_layer_sizes").get<std::vector<long>>();
  params.max_epochs = p.at("max_epochs").get<long>();
  params.batch_size = p.at("batch_size").get<long>();
  params.random_state = p.at("random_state").get<std::uint64_t>();
  params.kernel = p.at("kernel").get<std::string>();
  const Eigen::MatrixXd x = read_features("regression_data.csv");
  // The target is the CSV's last column.
  std::ifstream in(fixture("regression_data.csv"));
  std::string line;
  std::getline(in, line);
  Eigen::VectorXd y(x.rows());
  for (long i = 0; i < x.rows() && std::getline(in, line); ++i) y[i] = std::stod(line.substr(line.rfind(',') + 1));
  Estimator est(params, Task::regression);
  est.fit(x, y, Eigen::VectorXd(), 0);
  EXPECT_EQ(est.n_epochs_run(), expected.at("n_epochs_run").get<long>());
  const Eigen::VectorXd scores = est.scores();
  for (long j = 0; j < scores.size(); ++j)
    EXPECT_NEAR(scores[j], expected.at("scores").at(static_cast<std::size_t>(j)).get<double>(), 1e-9);
}

TEST(Fixtures, Version1ModelsLoadAsScaleGateModels) {
  // tests/fixtures/v1: files of format_version 1, which predates the snr gate.
  for (const std::string task : {"classification", "regression"}) {
    SCOPED_TRACE(task);
    const Estimator est = load("v1/" + task + "_model.json");
    EXPECT_EQ(est.network().scores_layer().kind(), GateKind::scale);
    const json expected = read_json("v1/" + task + "_expected.json");
    const Eigen::MatrixXd x = read_features(task + "_data.csv");
    if (task == "classification")
      expect_close(est.predict_proba(x), expected.at("predict_proba"), 1e-12);
    else
      expect_close(est.decision_function(x), expected.at("predict"), 1e-12);
  }
}

// ---------------------------------------------------------------- sequences
// tests/fixtures/sequence_*: an LSTM classifier on ragged sequences and a conv
// regressor on fixed-length ones (format version 3, make_fixtures.py).

namespace {

struct SequenceData {
  Eigen::MatrixXd x;        // (n, steps * channels), column t * channels + c
  Eigen::VectorXd lengths;  // empty for the fixed-length fixture
  long steps = 0;
};

// sequence_<task>_data.csv: length, y, then the steps * channels values (NaN past the length).
SequenceData read_sequences(const std::string& task, const json& expected) {
  std::ifstream in(fixture("sequence_" + task + "_data.csv"));
  if (!in) throw std::runtime_error("cannot open sequence_" + task + "_data.csv");
  const long steps = expected.at("n_steps").get<long>();
  const long width = steps * expected.at("n_channels").get<long>();
  std::string line;
  std::getline(in, line);  // header
  std::vector<std::vector<double>> rows;
  std::vector<double> lengths;
  while (std::getline(in, line)) {
    std::stringstream cells(line);
    std::string cell;
    std::getline(cells, cell, ',');
    lengths.push_back(std::stod(cell));
    std::getline(cells, cell, ',');  // y
    std::vector<double> row;
    while (std::getline(cells, cell, ',')) row.push_back(std::stod(cell));  // "NaN" reads as a NaN
    if (static_cast<long>(row.size()) != width) throw std::runtime_error("sequence fixture: bad row width");
    rows.push_back(row);
  }
  SequenceData d;
  d.steps = steps;
  d.x.resize(static_cast<long>(rows.size()), width);
  for (long i = 0; i < d.x.rows(); ++i)
    for (long j = 0; j < width; ++j) d.x(i, j) = rows[static_cast<std::size_t>(i)][static_cast<std::size_t>(j)];
  if (expected.at("ragged").get<bool>()) d.lengths = Eigen::Map<Eigen::VectorXd>(lengths.data(), d.x.rows());
  return d;
}

ModelDocument sequence_document(const std::string& task) {
  return read_model_document(sa_test::to_json_value(read_json("sequence_" + task + "_model.json")));
}

void expect_scores(const Eigen::VectorXd& scores, const json& expected) {
  ASSERT_EQ(static_cast<std::size_t>(scores.size()), expected.size());
  for (long j = 0; j < scores.size(); ++j)
    EXPECT_NEAR(scores[j], expected.at(static_cast<std::size_t>(j)).get<double>(), 1e-12) << "channel " << j;
}

}  // namespace

TEST(Fixtures, SequenceClassifierPredictsStoredProbabilities) {
  const ModelDocument doc = sequence_document("classification");
  ASSERT_TRUE(doc.sequence);
  EXPECT_EQ(doc.format_version, 3);
  EXPECT_EQ(doc.estimator, "ScoresActivationSequenceClassifier");
  EXPECT_EQ(doc.sequence_params.architecture, "lstm");
  const SequenceEstimator est(doc.core_params, doc.sequence_params, doc.state);
  const json expected = read_json("sequence_classification_expected.json");
  const SequenceData d = read_sequences("classification", expected);
  ASSERT_GT(d.lengths.size(), 0);
  EXPECT_LT(d.lengths.minCoeff(), static_cast<double>(d.steps));  // ragged: some steps are NaN padding
  EXPECT_EQ(est.n_channels(), expected.at("n_channels").get<long>());
  EXPECT_EQ(est.n_epochs_run(), expected.at("n_epochs_run").get<long>());
  expect_scores(est.scores(), expected.at("scores"));
  expect_close(est.decision_function(d.x, d.steps, d.lengths), expected.at("decision"), 1e-12);
  const Eigen::MatrixXd proba = est.predict_proba(d.x, d.steps, d.lengths);
  expect_close(proba, expected.at("predict_proba"), 1e-12);
  // The labels: classes[argmax] of the stored probabilities.
  for (long i = 0; i < proba.rows(); ++i) {
    long best = 0;
    proba.row(i).maxCoeff(&best);
    EXPECT_EQ(doc.classes.array.at(static_cast<std::size_t>(best)).string,
              expected.at("predict").at(static_cast<std::size_t>(i)).get<std::string>())
        << "row " << i;
  }
}

TEST(Fixtures, SequenceRegressorPredictsStoredValues) {
  const ModelDocument doc = sequence_document("regression");
  ASSERT_TRUE(doc.sequence);
  EXPECT_EQ(doc.estimator, "ScoresActivationSequenceRegressor");
  EXPECT_EQ(doc.sequence_params.architecture, "conv");
  EXPECT_EQ(doc.sequence_params.kernel_size, 3);
  const SequenceEstimator est(doc.core_params, doc.sequence_params, doc.state);
  const json expected = read_json("sequence_regression_expected.json");
  const SequenceData d = read_sequences("regression", expected);
  EXPECT_EQ(d.lengths.size(), 0);
  expect_scores(est.scores(), expected.at("scores"));
  expect_close(est.decision_function(d.x, d.steps, d.lengths), expected.at("predict"), 1e-12);
  // Explicit full lengths are the same as none.
  const Eigen::VectorXd full = Eigen::VectorXd::Constant(d.x.rows(), static_cast<double>(d.steps));
  expect_close(est.decision_function(d.x, d.steps, full), expected.at("predict"), 1e-12);
}

TEST(Fixtures, SequenceModelsGiveBackTheStateTheyWereLoadedFrom) {
  // Load, then state(): every array of the document comes back with its shape and bits.
  for (const std::string task : {"classification", "regression"}) {
    SCOPED_TRACE(task);
    const ModelDocument doc = sequence_document(task);
    const ModelState state = SequenceEstimator(doc.core_params, doc.sequence_params, doc.state).state();
    EXPECT_EQ(state.task, doc.state.task);
    EXPECT_EQ(state.n_features, doc.state.n_features);
    EXPECT_EQ(state.n_outputs, doc.state.n_outputs);
    EXPECT_EQ(state.n_epochs_run, doc.state.n_epochs_run);
    EXPECT_EQ(state.best_epoch, doc.state.best_epoch);
    ASSERT_EQ(state.arrays.size(), doc.state.arrays.size());
    for (const auto& [name, array] : doc.state.arrays) {
      ASSERT_EQ(state.arrays.count(name), 1u) << name;
      EXPECT_EQ(state.arrays.at(name).shape, array.shape) << name;
      EXPECT_EQ(state.arrays.at(name).data, array.data) << name;
    }
  }
}

// --------------------------------------------------------------------- SENN
// tests/fixtures/senn_*: a SENN classifier (3 classes, snr gate, tanh theta of
// one hidden layer, robustness penalty) and a SENN regressor without the gate
// (format version 4, make_fixtures.py senn). Loaded, never refitted.

namespace {

ModelDocument senn_document(const std::string& task) {
  return read_model_document(sa_test::to_json_value(read_json("senn_" + task + "_model.json")));
}

// expected[i][k][j] (row, output, feature) against actual(i, k * d + j).
void expect_per_output(const Eigen::MatrixXd& actual, const json& expected, long d, const std::string& what) {
  ASSERT_EQ(static_cast<std::size_t>(actual.rows()), expected.size()) << what;
  for (long i = 0; i < actual.rows(); ++i) {
    const json& row = expected.at(static_cast<std::size_t>(i));
    ASSERT_EQ(static_cast<std::size_t>(actual.cols()), row.size() * static_cast<std::size_t>(d)) << what;
    for (long k = 0; k * d < actual.cols(); ++k)
      for (long j = 0; j < d; ++j)
        EXPECT_NEAR(actual(i, k * d + j),
                    row.at(static_cast<std::size_t>(k)).at(static_cast<std::size_t>(j)).get<double>(), 1e-12)
            << what << ": row " << i << ", output " << k << ", feature " << j;
  }
}

// decision_function, theta, contributions and base values of a SENN fixture.
void expect_senn_explanation(const SennEstimator& est, const Eigen::MatrixXd& x, const json& expected) {
  const long d = est.n_features();
  const Eigen::MatrixXd decision = est.decision_function(x);
  expect_close(decision, expected.at("decision"), 1e-12);
  expect_per_output(est.relevances(x), expected.at("theta"), d, "theta");
  const Eigen::MatrixXd contributions = est.contributions(x);
  expect_per_output(contributions, expected.at("contributions"), d, "contributions");
  const Eigen::VectorXd base = est.base_values();
  ASSERT_EQ(static_cast<std::size_t>(base.size()), expected.at("base_values").size());
  for (long k = 0; k < base.size(); ++k)
    EXPECT_NEAR(base[k], expected.at("base_values").at(static_cast<std::size_t>(k)).get<double>(), 1e-12);
  // The model is its own explanation: contributions + base values = output.
  for (long i = 0; i < x.rows(); ++i)
    for (long k = 0; k < est.n_outputs(); ++k)
      EXPECT_NEAR(contributions.row(i).segment(k * d, d).sum() + base[k], decision(i, k), 1e-10);
}

}  // namespace

TEST(Fixtures, SennClassifierPredictsAndExplainsAsStored) {
  const ModelDocument doc = senn_document("classification");
  ASSERT_TRUE(doc.senn);
  EXPECT_EQ(doc.format_version, 4);
  EXPECT_EQ(doc.estimator, "SENNClassifier");
  const json expected = read_json("senn_classification_expected.json");
  EXPECT_EQ(doc.senn_params.robustness_penalty, expected.at("params").at("robustness_penalty").get<double>());
  EXPECT_GT(doc.senn_params.robustness_penalty, 0.0);
  const SennEstimator est(doc.core_params, doc.senn_params, doc.state);
  EXPECT_EQ(est.n_outputs(), 3);
  EXPECT_EQ(est.n_epochs_run(), expected.at("n_epochs_run").get<long>());
  const Eigen::MatrixXd x = read_features("senn_classification_data.csv");
  expect_scores(est.scores(), expected.at("scores"));
  expect_senn_explanation(est, x, expected);
  const Eigen::MatrixXd proba = est.predict_proba(x);
  expect_close(proba, expected.at("predict_proba"), 1e-12);
  for (long i = 0; i < proba.rows(); ++i) {
    long best = 0;
    proba.row(i).maxCoeff(&best);
    EXPECT_EQ(doc.classes.array.at(static_cast<std::size_t>(best)).string,
              expected.at("predict").at(static_cast<std::size_t>(i)).get<std::string>())
        << "row " << i;
  }
}

TEST(Fixtures, SennRegressorPredictsAndExplainsAsStored) {
  const ModelDocument doc = senn_document("regression");
  ASSERT_TRUE(doc.senn);
  EXPECT_EQ(doc.estimator, "SENNRegressor");
  EXPECT_FALSE(doc.core_params.scores_layer);
  const SennEstimator est(doc.core_params, doc.senn_params, doc.state);
  const json expected = read_json("senn_regression_expected.json");
  EXPECT_TRUE(expected.at("scores").is_null());
  EXPECT_THROW(est.scores(), std::logic_error);  // no gate, no scores
  const Eigen::MatrixXd x = read_features("senn_regression_data.csv");
  expect_close(est.decision_function(x), expected.at("predict"), 1e-12);
  expect_senn_explanation(est, x, expected);
}

TEST(Fixtures, SennModelsGiveBackTheStateTheyWereLoadedFrom) {
  for (const std::string task : {"classification", "regression"}) {
    SCOPED_TRACE(task);
    const ModelDocument doc = senn_document(task);
    const ModelState state = SennEstimator(doc.core_params, doc.senn_params, doc.state).state();
    EXPECT_EQ(state.task, doc.state.task);
    EXPECT_EQ(state.n_features, doc.state.n_features);
    EXPECT_EQ(state.n_outputs, doc.state.n_outputs);
    EXPECT_EQ(state.n_epochs_run, doc.state.n_epochs_run);
    EXPECT_EQ(state.best_epoch, doc.state.best_epoch);
    ASSERT_EQ(state.arrays.size(), doc.state.arrays.size());
    for (const auto& [name, array] : doc.state.arrays) {
      ASSERT_EQ(state.arrays.count(name), 1u) << name;
      EXPECT_EQ(state.arrays.at(name).shape, array.shape) << name;
      EXPECT_EQ(state.arrays.at(name).data, array.data) << name;
    }
  }
}
