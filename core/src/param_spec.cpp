#include "scoresactivation/param_spec.hpp"

#include <cmath>
#include <functional>
#include <limits>
#include <sstream>
#include <stdexcept>

#include "scoresactivation/parallel.hpp"

namespace scoresactivation {

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

// ------------------------------------------------------- JSON <-> fields
JsonValue to_json(long v) { return JsonValue::of_integer(static_cast<double>(v)); }
JsonValue to_json(double v) { return JsonValue::of(v); }
JsonValue to_json(bool v) { return JsonValue::of(v); }
JsonValue to_json(const std::string& v) { return JsonValue::of(v); }
JsonValue to_json(const std::vector<long>& v) {
  JsonValue out = JsonValue::make_array();
  for (long x : v) out.array.push_back(to_json(x));
  return out;
}

// The value has passed check() for the field's type.
void from_json(const JsonValue& v, long& field) { field = static_cast<long>(v.number); }
void from_json(const JsonValue& v, double& field) { field = v.number; }
void from_json(const JsonValue& v, bool& field) { field = v.boolean; }
void from_json(const JsonValue& v, std::string& field) { field = v.string; }
void from_json(const JsonValue& v, std::vector<long>& field) {
  field.clear();
  if (v.type == JsonValue::Type::number) field.push_back(static_cast<long>(v.number));
  for (const JsonValue& x : v.array) field.push_back(static_cast<long>(x.number));
}

struct Entry {
  ParamSpec spec;
  std::vector<ModelFamily> families;  // empty: every family
  std::function<JsonValue(const ParamSet&)> get;           // empty for front-end params
  std::function<void(ParamSet&, const JsonValue&)> set;    // empty for front-end params
};

template <class Struct, class Field>
Entry field(Struct ParamSet::*group_member, Field Struct::*member, ParamSpec spec,
            std::vector<ModelFamily> families = {}) {
  Entry e;
  e.spec = std::move(spec);
  e.families = std::move(families);
  e.get = [=](const ParamSet& s) { return to_json((s.*group_member).*member); };
  e.set = [=](ParamSet& s, const JsonValue& v) { from_json(v, (s.*group_member).*member); };
  return e;
}

ParamSpec spec(std::string name, ParamGroup group, ParamType type, std::string doc) {
  ParamSpec s;
  s.name = std::move(name);
  s.group = group;
  s.type = type;
  s.doc = std::move(doc);
  return s;
}
ParamSpec integer(std::string name, double low, double high, std::string doc,
                  ParamGroup group = ParamGroup::training) {
  ParamSpec s = spec(std::move(name), group, ParamType::integer, std::move(doc));
  s.low = low;
  s.high = high;
  return s;
}
ParamSpec number(std::string name, double low, bool low_open, double high, bool high_open, std::string doc,
                 ParamGroup group = ParamGroup::training) {
  ParamSpec s = spec(std::move(name), group, ParamType::number, std::move(doc));
  s.low = low;
  s.low_open = low_open;
  s.high = high;
  s.high_open = high_open;
  return s;
}
ParamSpec boolean(std::string name, std::string doc) {
  return spec(std::move(name), ParamGroup::training, ParamType::boolean, std::move(doc));
}
ParamSpec choice(std::string name, std::vector<std::string> choices, std::string doc,
                 ParamGroup group = ParamGroup::training) {
  ParamSpec s = spec(std::move(name), group, ParamType::string, std::move(doc));
  s.choices = std::move(choices);
  return s;
}
ParamSpec sizes(std::string name, long min_length, std::string doc, ParamGroup group = ParamGroup::training) {
  ParamSpec s = spec(std::move(name), group, ParamType::sizes, std::move(doc));
  s.low = 1;
  s.high = static_cast<double>(kMaxLayerWidth);
  s.min_length = min_length;
  s.max_length = 64;
  return s;
}

Entry front_end(ParamSpec s, JsonValue default_value) {
  Entry e;
  s.group = ParamGroup::front_end;
  s.default_value = std::move(default_value);
  e.spec = std::move(s);
  return e;
}

const std::vector<Entry>& entries() {
  using F = ModelFamily;
  const auto T = &ParamSet::training;
  const auto Q = &ParamSet::sequence;
  const auto S = &ParamSet::senn;
  static const std::vector<Entry> table = [&] {
    std::vector<Entry> t;
    // The sequence estimators' own, first in their signatures.
    t.push_back(field(Q, &SequenceParams::architecture,
                      choice("architecture", {"lstm", "conv"}, "The encoder: an LSTM or 1-D convolutions.",
                             ParamGroup::sequence),
                      {F::sequence}));
    t.push_back(field(Q, &SequenceParams::units,
                      sizes("units", 1, "Encoder layers: LSTM hidden units, or conv filters, per layer.",
                            ParamGroup::sequence),
                      {F::sequence}));
    t.push_back(field(Q, &SequenceParams::kernel_size,
                      integer("kernel_size", 1, 1025,
                              "Conv only: the width of each filter in time steps (odd, centred on its step).",
                              ParamGroup::sequence),
                      {F::sequence}));
    t.push_back(field(Q, &SequenceParams::pooling,
                      choice("pooling", {"auto", "last", "mean"},
                             "How the encoder's steps are summarised (auto: last for lstm, mean for conv).",
                             ParamGroup::sequence),
                      {F::sequence}));
    t.push_back(field(T, &Params::hidden_layer_sizes,
                      sizes("hidden_layer_sizes", 0,
                            "Width of each hidden layer (sequence models: of the dense head after pooling).")));
    t.push_back(field(T, &Params::activation,
                      choice("activation", {"relu", "tanh", "logistic", "identity"},
                             "Activation of the hidden layers.")));
    t.push_back(field(S, &SennParams::robustness_penalty,
                      number("robustness_penalty", 0, false, 1e6, false,
                             "SENN: weight of the penalty that keeps the relevances a local linear model.",
                             ParamGroup::senn),
                      {F::senn}));
    t.push_back(field(T, &Params::scores_layer,
                      boolean("scores_layer", "False trains the same network without the scores layer.")));
    t.push_back(field(T, &Params::gate,
                      choice("gate", {"snr", "scale"},
                             "How the scores act on the inputs: a signal-to-noise budget, or the paper's "
                             "multiplicative gate d * w.")));
    t.push_back(field(T, &Params::snr_budget,
                      number("snr_budget", 0, true, 1e6, false,
                             "The snr gate's budget per feature on average (c in c * d).")));
    t.push_back(field(T, &Params::temperature,
                      number("temperature", 0, true, kInf, true, "T in w = softmax(s / T).")));
    t.push_back(field(T, &Params::entropy_penalty,
                      number("entropy_penalty", 0, false, kInf, true,
                             "Weight of the scores' entropy in the loss; pushes them to commit.")));
    t.push_back(field(T, &Params::solver,
                      choice("solver", {"adam", "sgd"}, "Adam with decoupled weight decay, or SGD with momentum.")));
    t.push_back(field(T, &Params::learning_rate,
                      number("learning_rate", 0, true, kInf, true, "Step size of the dense layers.")));
    t.push_back(field(T, &Params::scores_learning_rate,
                      number("scores_learning_rate", 0, true, kInf, true, "Step size of the scores.")));
    t.push_back(field(T, &Params::weight_decay,
                      number("weight_decay", 0, false, kInf, true,
                             "Decoupled decay of the dense weights: each step multiplies them by "
                             "1 - learning_rate * weight_decay.")));
    t.push_back(field(T, &Params::momentum, number("momentum", 0, false, 1, true, "SGD's momentum.")));
    t.push_back(field(T, &Params::beta_1, number("beta_1", 0, false, 1, true, "Adam's first-moment decay.")));
    t.push_back(field(T, &Params::beta_2, number("beta_2", 0, false, 1, true, "Adam's second-moment decay.")));
    t.push_back(field(T, &Params::epsilon, number("epsilon", 0, true, kInf, true, "Adam's epsilon.")));
    t.push_back(field(T, &Params::batch_size, integer("batch_size", 1, 1e15, "Rows per mini-batch.")));
    t.push_back(field(T, &Params::max_epochs,
                      integer("max_epochs", 1, kMaxEpochs, "Epochs at most while the scores learn.")));
    t.push_back(field(T, &Params::refine_epochs,
                      integer("refine_epochs", 0, kMaxEpochs,
                              "Epochs at most after that, with the scores frozen and no training noise.")));
    t.push_back(field(T, &Params::n_bootstrap,
                      integer("n_bootstrap", 0, 100000,
                              "Refits on bootstrap resamples after the fit, for the scores' uncertainty.")));
    t.push_back(field(T, &Params::early_stopping,
                      boolean("early_stopping",
                              "Hold out validation_fraction and stop when the validation loss stalls.")));
    t.push_back(field(T, &Params::validation_fraction,
                      number("validation_fraction", 0, true, 1, true, "The rows held out for early stopping.")));
    t.push_back(field(T, &Params::n_iter_no_change,
                      integer("n_iter_no_change", 1, kMaxEpochs,
                              "Epochs without an improvement of tol before early stopping ends a phase.")));
    t.push_back(field(T, &Params::tol,
                      number("tol", 0, false, kInf, true, "The validation-loss improvement that counts.")));
    t.push_back(field(T, &Params::standardize,
                      boolean("standardize", "Standardise the inputs inside the model (mean and sd stored).")));
    {
      ParamSpec s = spec("random_state", ParamGroup::front_end, ParamType::seed,
                         "Seed of every random choice; None/NULL draws one from the language's generator.");
      s.low = 0;
      s.high = 4294967295.0;
      t.push_back(front_end(s, JsonValue::null_value()));
    }
    {
      ParamSpec s = spec("n_threads", ParamGroup::front_end, ParamType::threads,
                         "Threads; None/NULL: all cores, negative: all but |n| - 1. Results do not depend on it.");
      s.high = kInf;  // counts above thread_limit() (4 x the cores) run on that many
      t.push_back(front_end(s, JsonValue::null_value()));
    }
    t.push_back(field(T, &Params::kernel,
                      choice("kernel", {"auto", "avx2", "portable"},
                             "Matrix kernel; portable gives the same bits on every x86-64 CPU.")));
    {
      ParamSpec s = spec("verbose", ParamGroup::front_end, ParamType::verbosity,
                         "Print the loss and the top features after each epoch.");
      s.high = 1e6;
      t.push_back(front_end(s, JsonValue::of(0.0)));
    }
    {
      // Applied by the front ends through class_weighted() (class_weight.hpp).
      ParamSpec s = spec("class_weight", ParamGroup::front_end, ParamType::class_weight,
                         "Classifiers: weights per class in the loss; 'balanced' gives n / (n_classes * n_k).");
      s.choices = {"balanced"};
      t.push_back(front_end(s, JsonValue::null_value()));
    }
    {
      // Applied by the front ends' encoders of categorical variables (docs/categorical.md).
      Entry e = front_end(choice("handle_unknown", {"error", "ignore"},
                                 "A level of a categorical variable not seen in fit: an error, or all its columns 0."),
                          JsonValue::of(std::string("error")));
      e.families = {F::tabular};
      t.push_back(e);
    }
    return t;
  }();
  return table;
}

bool in_family(const Entry& e, ModelFamily family) {
  if (e.families.empty()) return true;
  for (ModelFamily f : e.families)
    if (f == family) return true;
  return false;
}

// The family's default where it differs from the struct's.
JsonValue family_default(const Entry& e, ModelFamily family) {
  if (family == ModelFamily::sequence && e.spec.name == "hidden_layer_sizes")
    return JsonValue::make_array();  // the sequence head reads the pooled encoder directly
  if (!e.get) return e.spec.default_value;
  return e.get(ParamSet{});
}

std::string number_text(double x) {
  if (std::isinf(x)) return x > 0 ? "inf" : "-inf";
  std::ostringstream out;
  out.precision(15);
  out << x;
  return out.str();
}

bool whole(const JsonValue& v) {
  return v.type == JsonValue::Type::number && std::isfinite(v.number) && v.number == std::floor(v.number);
}
bool whole_in(const JsonValue& v, double low, double high) { return whole(v) && v.number >= low && v.number <= high; }

std::string interval(const ParamSpec& s) {
  return std::string(s.low_open ? "(" : "[") + number_text(s.low) + ", " + number_text(s.high) +
         (s.high_open ? ")" : "]");
}

// Throws naming the parameter unless v fits its spec.
void check(const ParamSpec& s, const JsonValue& v, const std::string& key) {
  auto fail = [&](const std::string& what) {
    throw std::invalid_argument(key + " must be " + what + ", got " + describe_value(v));
  };
  const std::string range = "[" + number_text(s.low) + ", " + number_text(s.high) + "]";
  switch (s.type) {
    case ParamType::integer:
      if (!whole_in(v, s.low, s.high)) fail("an integer in " + range);
      return;
    case ParamType::number: {
      const bool ok = v.type == JsonValue::Type::number && std::isfinite(v.number) &&
                      (s.low_open ? v.number > s.low : v.number >= s.low) &&
                      (s.high_open ? v.number < s.high : v.number <= s.high);
      if (!ok) fail("a number in " + interval(s));
      return;
    }
    case ParamType::boolean:
      if (v.type != JsonValue::Type::boolean) fail("true or false");
      return;
    case ParamType::string: {
      std::string listed;
      for (std::size_t i = 0; i < s.choices.size(); ++i)
        listed += (i ? ", '" : "'") + s.choices[i] + "'";
      if (v.type == JsonValue::Type::string)
        for (const std::string& c : s.choices)
          if (v.string == c) return;
      fail("one of " + listed);
      return;
    }
    case ParamType::sizes: {
      const std::string what = (s.min_length > 0 ? "a list of 1 to " : "a list of at most ") +
                               std::to_string(s.max_length) + " integers in " + range;
      if (v.type == JsonValue::Type::number) {
        if (!whole_in(v, s.low, s.high)) fail(what);
        return;
      }
      if (v.type != JsonValue::Type::array || static_cast<long>(v.array.size()) < s.min_length ||
          static_cast<long>(v.array.size()) > s.max_length)
        fail(what);
      for (const JsonValue& x : v.array)
        if (!whole_in(x, s.low, s.high)) fail(what);
      return;
    }
    case ParamType::seed:
      if (!v.is_null() && !whole_in(v, s.low, s.high)) fail("None/NULL or an integer in " + range);
      return;
    case ParamType::threads:
      if (!v.is_null() && !(whole(v) && v.number != 0)) fail("None/NULL or a non-zero integer");
      return;
    case ParamType::verbosity:
      if (v.type != JsonValue::Type::boolean && !whole_in(v, s.low, s.high)) fail("true, false or an integer in " + range);
      return;
    case ParamType::class_weight: {
      if (v.is_null() || (v.type == JsonValue::Type::string && v.string == "balanced")) return;
      if (v.type != JsonValue::Type::object || v.object.empty())
        fail("None/NULL, 'balanced' or a mapping class -> positive weight");
      for (const auto& kv : v.object)
        if (kv.second.type != JsonValue::Type::number || !std::isfinite(kv.second.number) || !(kv.second.number > 0))
          fail("None/NULL, 'balanced' or a mapping class -> positive weight");
      return;
    }
  }
}

}  // namespace

std::string describe_value(const JsonValue& value) {
  switch (value.type) {
    case JsonValue::Type::null: return "null";
    case JsonValue::Type::boolean: return value.boolean ? "true" : "false";
    case JsonValue::Type::number: return number_text(value.number);
    case JsonValue::Type::string: {
      const std::string shown = value.string.size() > 40 ? value.string.substr(0, 40) + "..." : value.string;
      return "'" + shown + "'";
    }
    case JsonValue::Type::array: {
      std::string out = "[";
      for (std::size_t i = 0; i < value.array.size() && i < 8; ++i)
        out += (i ? ", " : "") + describe_value(value.array[i]);
      return out + (value.array.size() > 8 ? ", ...]" : "]");
    }
    case JsonValue::Type::object: return "an object";
  }
  return "a value";
}

ModelFamily model_family_from_string(const std::string& name) {
  if (name == "tabular") return ModelFamily::tabular;
  if (name == "sequence") return ModelFamily::sequence;
  if (name == "senn") return ModelFamily::senn;
  throw std::invalid_argument("family must be 'tabular', 'sequence' or 'senn'; got '" + name + "'");
}

std::string to_string(ParamGroup group) {
  switch (group) {
    case ParamGroup::training: return "training";
    case ParamGroup::sequence: return "sequence";
    case ParamGroup::senn: return "senn";
    case ParamGroup::front_end: return "front_end";
  }
  return "";
}

std::string to_string(ParamType type) {
  switch (type) {
    case ParamType::integer: return "integer";
    case ParamType::number: return "number";
    case ParamType::boolean: return "boolean";
    case ParamType::string: return "string";
    case ParamType::sizes: return "sizes";
    case ParamType::seed: return "seed";
    case ParamType::threads: return "threads";
    case ParamType::verbosity: return "verbosity";
    case ParamType::class_weight: return "class_weight";
  }
  return "";
}

std::vector<ParamSpec> param_spec(ModelFamily family) {
  std::vector<ParamSpec> out;
  for (const Entry& e : entries()) {
    if (!in_family(e, family)) continue;
    ParamSpec s = e.spec;
    s.default_value = family_default(e, family);
    out.push_back(std::move(s));
  }
  return out;
}

void apply_params(const JsonValue& given, ModelFamily family, ParamSet& out, bool allow_unknown,
                  const std::string& prefix) {
  if (given.type != JsonValue::Type::object) throw std::invalid_argument(prefix + "'params' must be an object");
  for (const auto& kv : given.object) {
    const Entry* entry = nullptr;
    for (const Entry& e : entries())
      if (e.spec.name == kv.first && in_family(e, family)) entry = &e;
    if (entry == nullptr) {
      if (allow_unknown) continue;
      throw std::invalid_argument(prefix + "unknown hyperparameter '" + kv.first + "'");
    }
    check(entry->spec, kv.second, prefix.empty() ? kv.first : prefix + "'params." + kv.first + "'");
    if (entry->set) entry->set(out, kv.second);
  }
  try {
    out.training.validate();
    if (family == ModelFamily::sequence) out.sequence.validate();
    if (family == ModelFamily::senn) out.senn.validate();
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument(prefix + (prefix.empty() ? "" : "params: ") + e.what());
  }
}

void check_group(const ParamSet& set, ParamGroup group) {
  for (const Entry& e : entries())
    if (e.spec.group == group && e.get) check(e.spec, e.get(set), e.spec.name);
}

JsonValue params_to_json(const ParamSet& set, ModelFamily family) {
  JsonValue out = JsonValue::make_object();
  for (const Entry& e : entries())
    if (in_family(e, family) && e.get) out.object.emplace_back(e.spec.name, e.get(set));
  return out;
}

int resolve_threads(const JsonValue& requested, int cores) {
  cores = std::max(1, cores);
  if (requested.is_null()) return std::min(cores, thread_limit());
  if (!whole(requested) || requested.number == 0)
    throw std::invalid_argument("n_threads must be None/NULL or a non-zero integer, got " +
                                describe_value(requested));
  // Clamped as doubles first: any count is valid, and none may overflow a long.
  const double n = std::max(-1e9, std::min(requested.number, 1e9));
  const double resolved = n > 0 ? n : std::max(1.0, cores + 1 + n);
  return static_cast<int>(std::min<double>(resolved, thread_limit()));
}

}  // namespace scoresactivation
