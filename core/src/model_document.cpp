#include "scoresactivation/model_document.hpp"

#include <cmath>
#include <set>
#include <stdexcept>

#include "scoresactivation/estimator.hpp"
#include "scoresactivation/param_spec.hpp"
#include "scoresactivation/senn_estimator.hpp"
#include "scoresactivation/sequence_estimator.hpp"

namespace scoresactivation {

const char* describe(JsonValue::Type type) {
  switch (type) {
    case JsonValue::Type::null: return "null";
    case JsonValue::Type::boolean: return "a boolean";
    case JsonValue::Type::number: return "a number";
    case JsonValue::Type::string: return "a string";
    case JsonValue::Type::array: return "an array";
    case JsonValue::Type::object: return "an object";
  }
  return "a value";
}

namespace {

[[noreturn]] void fail(const std::string& key, const std::string& what) {
  throw std::invalid_argument("model document: '" + key + "' " + what);
}

const JsonValue& member(const JsonValue& object, const std::string& key, const std::string& path) {
  const JsonValue* v = object.find(key);
  if (v == nullptr) fail(path, "is missing");
  return *v;
}

void expect_type(const JsonValue& v, JsonValue::Type type, const std::string& key) {
  if (v.type != type) fail(key, std::string("must be ") + describe(type) + ", not " + describe(v.type));
}

const std::string& string_of(const JsonValue& v, const std::string& key) {
  expect_type(v, JsonValue::Type::string, key);
  return v.string;
}

// A whole number in [lo, hi] (JSON has no integer type; 3.0 is 3).
long integer_of(const JsonValue& v, const std::string& key, double lo, double hi) {
  expect_type(v, JsonValue::Type::number, key);
  const double x = v.number;
  if (!std::isfinite(x) || x != std::floor(x) || x < lo || x > hi)
    fail(key, "must be a whole number in [" + std::to_string(static_cast<long long>(lo)) + ", " +
                  std::to_string(static_cast<long long>(hi)) + "]");
  return static_cast<long>(x);
}

double finite_of(const JsonValue& v, const std::string& key) {
  expect_type(v, JsonValue::Type::number, key);
  if (!std::isfinite(v.number)) fail(key, "must be a finite number");
  return v.number;
}

// ------------------------------------------------------------------ params
// Params a version-1 document predates: it was written by the scale gate
// without a refinement phase or bootstrap (docs/model-format.md).
void fill_version_1_params(JsonValue& params) {
  const std::vector<std::pair<std::string, JsonValue>> implied = {
      {"gate", JsonValue::of(std::string("scale"))},
      {"snr_budget", JsonValue::of(1.0)},
      {"refine_epochs", JsonValue::of(0.0)},
      {"n_bootstrap", JsonValue::of(0.0)},
  };
  for (const auto& kv : implied)
    if (params.find(kv.first) == nullptr) params.object.push_back(kv);
}

void read_params(const JsonValue& doc, int version, ModelDocument& out) {
  JsonValue given = member(doc, "params", "params");
  expect_type(given, JsonValue::Type::object, "params");
  if (version == 1) fill_version_1_params(given);
  const ModelFamily family = out.senn ? ModelFamily::senn : out.sequence ? ModelFamily::sequence : ModelFamily::tabular;
  const std::vector<ParamSpec> known = param_spec(family);
  out.params = JsonValue::make_object();
  std::set<std::string> seen;
  for (const auto& kv : given.object) {
    if (!seen.insert(kv.first).second) fail("params." + kv.first, "appears twice");
    for (const ParamSpec& s : known)
      if (s.name == kv.first) out.params.object.push_back(kv);  // unknown params are dropped
  }
  // Checked against the one table of parameters, as a front end's call is.
  ParamSet set;
  apply_params(out.params, family, set, /*allow_unknown=*/false, "model document: ");
  out.core_params = set.training;
  out.core_params.n_threads = 1;
  out.sequence_params = set.sequence;
  out.senn_params = set.senn;
}

// ------------------------------------------------------------------ arrays
void read_arrays(const JsonValue& doc, ModelState& state) {
  const JsonValue& arrays = member(doc, "arrays", "arrays");
  expect_type(arrays, JsonValue::Type::object, "arrays");
  for (const auto& kv : arrays.object) {
    const std::string key = "arrays." + kv.first;
    if (state.arrays.count(kv.first)) fail(key, "appears twice");
    expect_type(kv.second, JsonValue::Type::object, key);
    const JsonValue& shape = member(kv.second, "shape", key + ".shape");
    const JsonValue& data = member(kv.second, "data", key + ".data");
    expect_type(shape, JsonValue::Type::array, key + ".shape");
    expect_type(data, JsonValue::Type::array, key + ".data");
    if (shape.array.empty() || shape.array.size() > 2) fail(key + ".shape", "must have 1 or 2 dimensions");
    NamedArray a;
    // The size is checked against the values actually present, never allocated from the claim.
    double claimed = 1.0;
    for (std::size_t i = 0; i < shape.array.size(); ++i) {
      a.shape.push_back(integer_of(shape.array[i], key + ".shape[" + std::to_string(i) + "]", 0, kMaxDimension));
      claimed *= static_cast<double>(a.shape.back());
    }
    if (claimed != static_cast<double>(data.array.size()))
      fail(key, "has " + std::to_string(data.array.size()) + " values for its shape");
    a.data.reserve(data.array.size());
    for (std::size_t i = 0; i < data.array.size(); ++i) {
      const JsonValue& x = data.array[i];
      if (x.type != JsonValue::Type::number || !std::isfinite(x.number))
        fail(key + ".data[" + std::to_string(i) + "]", "must be a finite number");
      a.data.push_back(x.number);
    }
    state.arrays.emplace(kv.first, std::move(a));
  }
}

// Labels: all strings, all numbers or all booleans, distinct.
void check_labels(const JsonValue& labels, long expected, const std::string& key, bool strings_only) {
  expect_type(labels, JsonValue::Type::array, key);
  if (static_cast<long>(labels.array.size()) != expected)
    fail(key, "has " + std::to_string(labels.array.size()) + " entries, expected " + std::to_string(expected));
  if (labels.array.empty()) return;
  const JsonValue::Type type = labels.array.front().type;
  if (strings_only ? type != JsonValue::Type::string
                   : (type != JsonValue::Type::string && type != JsonValue::Type::number &&
                      type != JsonValue::Type::boolean))
    fail(key, strings_only ? "must hold strings" : "must hold strings, numbers or booleans");
  std::set<std::string> strings;
  std::set<double> numbers;
  std::set<bool> booleans;
  for (std::size_t i = 0; i < labels.array.size(); ++i) {
    const JsonValue& v = labels.array[i];
    const std::string at = key + "[" + std::to_string(i) + "]";
    if (v.type != type) fail(at, "must be of the same JSON type as the first entry");
    const bool fresh = type == JsonValue::Type::string   ? strings.insert(v.string).second
                       : type == JsonValue::Type::number ? numbers.insert(finite_of(v, at)).second
                                                         : booleans.insert(v.boolean).second;
    if (!fresh && !strings_only) fail(at, "repeats an earlier label");
  }
}

// The widths (columns) of the variables: checks each is {"name": a string,
// "levels": null or distinct strings}, the names distinct.
std::vector<long> check_variables(const JsonValue& variables, long n_features) {
  expect_type(variables, JsonValue::Type::array, "variables");
  if (variables.array.empty() || static_cast<long>(variables.array.size()) > n_features)
    fail("variables", "must hold 1 to n_features variables");
  std::set<std::string> names;
  std::vector<long> widths;
  long total = 0;
  for (std::size_t i = 0; i < variables.array.size(); ++i) {
    const JsonValue& v = variables.array[i];
    const std::string at = "variables[" + std::to_string(i) + "]";
    expect_type(v, JsonValue::Type::object, at);
    for (const auto& kv : v.object)
      if (kv.first != "name" && kv.first != "levels") fail(at, "has an unknown key '" + kv.first + "'");
    const std::string& name = string_of(member(v, "name", at + ".name"), at + ".name");
    if (!names.insert(name).second) fail(at + ".name", "repeats the variable name '" + name + "'");
    const JsonValue& levels = member(v, "levels", at + ".levels");
    long width = 1;
    if (!levels.is_null()) {
      expect_type(levels, JsonValue::Type::array, at + ".levels");
      width = static_cast<long>(levels.array.size());
      if (width < 1 || width > n_features) fail(at + ".levels", "must hold 1 to n_features levels");
      check_labels(levels, width, at + ".levels", true);
      std::set<std::string> seen;
      for (const JsonValue& level : levels.array)
        if (!seen.insert(level.string).second) fail(at + ".levels", "repeats the level '" + level.string + "'");
    }
    total += width;
    if (total > n_features) fail("variables", "have more columns than n_features");
    widths.push_back(width);
  }
  if (total != n_features)
    fail("variables", "have " + std::to_string(total) + " columns, but n_features is " + std::to_string(n_features));
  return widths;
}

}  // namespace

ModelDocument read_model_document(const JsonValue& doc) {
  if (doc.type != JsonValue::Type::object) throw std::invalid_argument("model document: must be a JSON object");
  const JsonValue* format = doc.find("format");
  if (format == nullptr || format->type != JsonValue::Type::string || format->string != "scoresactivation")
    throw std::invalid_argument("not a scoresactivation model document (missing \"format\": \"scoresactivation\")");
  ModelDocument out;
  const JsonValue& version = member(doc, "format_version", "format_version");
  expect_type(version, JsonValue::Type::number, "format_version");
  if (std::isfinite(version.number) && version.number > kModelFormatVersion && version.number < 1e15 &&
      version.number == std::floor(version.number))
    throw std::invalid_argument("model format_version " + std::to_string(static_cast<long long>(version.number)) +
                                " is newer than this library reads (" + std::to_string(kModelFormatVersion) +
                                "); upgrade scoresactivation");
  out.format_version = static_cast<int>(integer_of(version, "format_version", 1, kModelFormatVersion));

  out.task = string_of(member(doc, "task", "task"), "task");
  const Task task = [&] {
    try {
      return task_from_string(out.task);
    } catch (const std::invalid_argument&) {
      fail("task", "must be 'classification' or 'regression'");
    }
  }();
  out.estimator = string_of(member(doc, "estimator", "estimator"), "estimator");
  // Sequence models exist from version 3 on.
  out.sequence = out.format_version >= 3 && out.estimator.find("Sequence") != std::string::npos;
  // SENN models from version 4 on.
  out.senn = out.format_version >= 4 && out.estimator.rfind("SENN", 0) == 0;
  const std::string expected_estimator =
      std::string(out.senn ? "SENN" : out.sequence ? "ScoresActivationSequence" : "ScoresActivation") +
      (task == Task::classification ? "Classifier" : "Regressor");
  if (out.estimator != expected_estimator)
    fail("estimator", "is '" + out.estimator + "', but a " + out.task + " model is a " + expected_estimator);
  if (const JsonValue* lib = doc.find("library_version"); lib != nullptr && !lib->is_null())
    out.library_version = string_of(*lib, "library_version");

  read_params(doc, out.format_version, out);
  out.seed = static_cast<std::uint64_t>(integer_of(member(doc, "seed", "seed"), "seed", 0, 9007199254740991.0));
  out.core_params.random_state = out.seed;

  ModelState& s = out.state;
  s.task = out.task;
  s.n_features = integer_of(member(doc, "n_features", "n_features"), "n_features", 1, kMaxDimension);
  s.n_outputs = integer_of(member(doc, "n_outputs", "n_outputs"), "n_outputs", 1, kMaxDimension);
  s.n_epochs_run = integer_of(member(doc, "n_epochs_run", "n_epochs_run"), "n_epochs_run", 1, 2 * kMaxEpochs);
  s.best_epoch = integer_of(member(doc, "best_epoch", "best_epoch"), "best_epoch", 0, 2 * kMaxEpochs);

  const JsonValue* names = doc.find("feature_names");
  if (names != nullptr && !names->is_null()) {
    check_labels(*names, s.n_features, "feature_names", true);
    out.feature_names = *names;
  }
  const JsonValue* variables = doc.find("variables");
  std::vector<long> variable_widths;
  if (variables != nullptr && !variables->is_null()) {
    if (out.format_version < 5 || out.sequence || out.senn)
      fail("variables", "are only read from tabular models of format version 5 on");
    if (!out.feature_names.is_null()) fail("feature_names", "must be null when the document has variables");
    variable_widths = check_variables(*variables, s.n_features);
    out.variables = *variables;
  }
  if (const JsonValue* formula = doc.find("formula"); formula != nullptr && !formula->is_null()) {
    if (out.format_version < 5) fail("formula", "is only read from documents of format version 5 on");
    if (string_of(*formula, "formula").size() > 100000) fail("formula", "is longer than 100000 characters");
    out.formula = *formula;
  }
  const JsonValue* classes = doc.find("classes");
  if (task == Task::classification) {
    if (classes == nullptr || classes->is_null()) fail("classes", "is missing (a classification model needs them)");
    check_labels(*classes, s.n_outputs, "classes", false);
    out.classes = *classes;
  } else if (classes != nullptr && !classes->is_null()) {
    fail("classes", "must be null for a regression model");
  }

  read_arrays(doc, s);
  try {
    if (out.sequence) {
      check_sequence_state(out.core_params, out.sequence_params, s);
    } else if (out.senn) {
      check_senn_state(out.core_params, out.senn_params, s);
    } else {
      check_state(out.core_params, s);
    }
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument(std::string("model document: ") + e.what());
  }
  // The categorical variables' columns share their scores: the state's groups.
  const std::vector<long> groups = score_groups_of(s);
  const std::vector<long> implied = variable_widths.empty() ? std::vector<long>()
                                                            : check_score_groups(variable_widths, s.n_features, "variables");
  if (groups != implied)
    fail(groups.empty() ? "variables" : "arrays.score_groups",
         "do not match: the state's score groups must be the categorical variables' level counts");
  return out;
}

JsonValue write_model_document(const ModelDocumentParts& parts) {
  const ModelState& s = parts.state;
  const Task task = task_from_string(s.task);
  auto add = [](JsonValue& object, const std::string& key, JsonValue value) {
    object.object.emplace_back(key, std::move(value));
  };
  JsonValue doc = JsonValue::make_object();
  add(doc, "format", JsonValue::of(std::string("scoresactivation")));
  add(doc, "format_version", JsonValue::of_integer(kModelFormatVersion));
  add(doc, "library_version", JsonValue::of(parts.library_version));
  const std::string family_name = parts.family == ModelFamily::senn       ? "SENN"
                                  : parts.family == ModelFamily::sequence ? "ScoresActivationSequence"
                                                                          : "ScoresActivation";
  add(doc, "estimator", JsonValue::of(family_name + (task == Task::classification ? "Classifier" : "Regressor")));
  add(doc, "task", JsonValue::of(s.task));
  // The family's params in the table's order, the front end's own among them.
  const JsonValue own = params_to_json(parts.params, parts.family);
  JsonValue params = JsonValue::make_object();
  for (const ParamSpec& spec : param_spec(parts.family)) {
    const JsonValue* v = spec.group == ParamGroup::front_end ? parts.front_end_params.find(spec.name) : own.find(spec.name);
    if (v != nullptr) add(params, spec.name, *v);
  }
  add(doc, "params", params);
  add(doc, "seed", JsonValue::of_integer(static_cast<double>(parts.seed)));
  add(doc, "n_features", JsonValue::of_integer(static_cast<double>(s.n_features)));
  add(doc, "n_outputs", JsonValue::of_integer(static_cast<double>(s.n_outputs)));
  add(doc, "n_epochs_run", JsonValue::of_integer(static_cast<double>(s.n_epochs_run)));
  add(doc, "best_epoch", JsonValue::of_integer(static_cast<double>(s.best_epoch)));
  add(doc, "feature_names", parts.feature_names);
  if (!parts.variables.is_null()) add(doc, "variables", parts.variables);  // absent: files of earlier versions as written
  if (!parts.formula.is_null()) add(doc, "formula", parts.formula);
  add(doc, "classes", parts.classes);
  JsonValue arrays = JsonValue::make_object();
  for (const auto& kv : s.arrays) {  // a std::map: sorted by name
    JsonValue shape = JsonValue::make_array(), data = JsonValue::make_array();
    for (long n : kv.second.shape) shape.array.push_back(JsonValue::of_integer(static_cast<double>(n)));
    data.array.reserve(kv.second.data.size());
    for (double x : kv.second.data) data.array.push_back(JsonValue::of(x));
    JsonValue a = JsonValue::make_object();
    add(a, "shape", shape);
    add(a, "data", data);
    add(arrays, kv.first, a);
  }
  add(doc, "arrays", arrays);
  read_model_document(doc);  // what the front ends will read back
  return doc;
}

}  // namespace scoresactivation
