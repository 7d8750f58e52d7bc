// The table of every hyperparameter: name, type, default, range and a
// one-line doc. It is the one source of truth: the core checks parameters
// against it (from a front end's call and from a model document alike), and
// both bindings expose it (Python: _core.param_spec(), R: param_spec()), so
// the Python signatures, the R formals and the docs are tested against it.
// Defaults of the core's structs are read from the structs themselves.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "scoresactivation/json_value.hpp"
#include "scoresactivation/params.hpp"
#include "scoresactivation/senn_network.hpp"
#include "scoresactivation/sequence_network.hpp"

namespace scoresactivation {

// Which struct holds a parameter. front_end: resolved by the front ends
// (the seed, the thread count, the verbosity), checked here and kept in
// the model document.
enum class ParamGroup { training, sequence, senn, front_end };

enum class ParamType {
  integer,    // a whole number in [low, high]
  number,     // a finite number within the bounds
  boolean,
  string,     // one of choices
  sizes,      // layer widths: a list (or one number) of integers in [low, high]
  seed,       // null (drawn by the front end) or an integer in [low, high]
  threads,    // null (all cores) or a non-zero integer (negative: all but |n| - 1); capped, never refused for size
  verbosity,  // a boolean or an integer in [low, high]
  class_weight,  // null, one of choices ("balanced") or an object: class label -> positive number
};

// The estimator families: which parameters each takes, and their defaults.
enum class ModelFamily { tabular, sequence, senn };

struct ParamSpec {
  std::string name;
  ParamGroup group = ParamGroup::training;
  ParamType type = ParamType::number;
  JsonValue default_value;  // the family's default, as the front ends' signatures have it
  double low = 0.0, high = 0.0;
  bool low_open = false, high_open = false;  // numbers: (low, ...] or [..., high)
  long min_length = 0, max_length = 0;       // sizes: how many layers
  std::vector<std::string> choices;          // strings
  std::string doc;
};

// Every parameter of a family's estimators, in the core's order.
std::vector<ParamSpec> param_spec(ModelFamily family);
ModelFamily model_family_from_string(const std::string& name);
std::string to_string(ParamGroup group);
std::string to_string(ParamType type);

// The three structs a fit reads; front-end parameters are checked only.
struct ParamSet {
  Params training;
  SequenceParams sequence;
  SennParams senn;
};

// Applies the parameters of `given` (an object: name -> value, as the front
// ends pass their arguments and as a model document stores them) to `out`:
// each is checked against the table of `family` (type, range, choices),
// and the cross-parameter rules are checked afterwards (Params::validate
// and its siblings). An unknown name is an error when `allow_unknown` is
// false (a front end's call) and skipped otherwise. Errors are
// std::invalid_argument naming the parameter: by its bare name for a call
// (prefix ""), as the document validator names keys ('params.name') after
// a prefix such as "model document: " for a file.
void apply_params(const JsonValue& given, ModelFamily family, ParamSet& out, bool allow_unknown = false,
                  const std::string& prefix = "");

// Checks every parameter of `group` held in `set` against the table
// (Params::validate and its siblings start with this).
void check_group(const ParamSet& set, ParamGroup group);

// The family's parameters of `set` as a JSON object in the table's order;
// front-end ones are left out (the front ends write their own).
JsonValue params_to_json(const ParamSet& set, ModelFamily family);

// The core's rule for the thread count: requested null -> all `cores`;
// negative n -> cores + 1 + n (at least 1); capped at thread_limit().
int resolve_threads(const JsonValue& requested, int cores);

// A short rendering of a value for error messages.
std::string describe_value(const JsonValue& value);

}  // namespace scoresactivation
