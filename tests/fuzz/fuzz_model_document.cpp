// libFuzzer target for the model-document validator (docs/robustness.md):
// bytes -> JSON (nlohmann/json, test-only) -> JsonValue -> read_model_document
// -> Estimator(core_params, state) -> one prediction of a zero row.
//
// Expected outcomes: the bytes are not JSON, or the core throws
// std::invalid_argument / std::logic_error. Everything else is a finding:
// a crash, another exception, an ASan/UBSan report, a leak, a single
// allocation above -malloc_limit_mb or a total above -rss_limit_mb.
//
// SCORESACTIVATION_FUZZ_STRICT=1 holds the validator to its contract:
// read_model_document may throw only std::invalid_argument, and once it has
// accepted a document the Estimator must build from it without throwing.
// The prediction may still refuse with a std::invalid_argument about
// overflow (an output beyond double is a property of the finite weights and
// the row, not a schema error).
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <limits>
#include <memory>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "scoresactivation/estimator.hpp"
#include "scoresactivation/json_value.hpp"
#include "scoresactivation/model_document.hpp"

namespace {

using scoresactivation::JsonValue;

// Python's json.loads gives up near its recursion limit (1000) and the front
// ends never hand the core anything deeper: deeper inputs are skipped, so a
// stack overflow in the harness's own recursion is not reported as a finding.
constexpr std::size_t kMaxDepth = 1000;

// Python's json reads (and json.dump writes) NaN, Infinity and -Infinity,
// which nlohmann/json rejects. Outside strings they become strings of a NUL
// and the literal, which the builder turns back into numbers; so the fuzzer
// reaches the core's non-finite checks the way a Python-written file does.
const std::string kMarker(1, '\0');

std::string python_literals_as_markers(const std::uint8_t* data, std::size_t size) {
  static const char* const literals[] = {"-Infinity", "Infinity", "NaN"};
  std::string out;
  out.reserve(size + 16);
  bool in_string = false;
  for (std::size_t i = 0; i < size; ++i) {
    const char c = static_cast<char>(data[i]);
    if (in_string) {
      out += c;
      if (c == '\\' && i + 1 < size) out += static_cast<char>(data[++i]);
      else if (c == '"') in_string = false;
      continue;
    }
    if (c == '"') in_string = true;
    bool replaced = false;
    for (const char* literal : literals) {
      const std::size_t n = std::char_traits<char>::length(literal);
      if (size - i >= n && std::string(reinterpret_cast<const char*>(data + i), n) == literal) {
        out += "\"\\u0000";
        out += literal;
        out += '"';
        i += n - 1;
        replaced = true;
        break;
      }
    }
    if (!replaced) out += c;
  }
  return out;
}

// Builds the JsonValue straight from nlohmann's SAX events: no recursion, no
// intermediate nlohmann value, and duplicate keys are kept in document order
// (R's jsonlite keeps them too, so the core must cope with them).
class Builder {
 public:
  using number_integer_t = nlohmann::json::number_integer_t;
  using number_unsigned_t = nlohmann::json::number_unsigned_t;
  using number_float_t = nlohmann::json::number_float_t;
  using string_t = nlohmann::json::string_t;
  using binary_t = nlohmann::json::binary_t;

  JsonValue root;

  bool null() { return place(JsonValue::null_value()); }
  bool boolean(bool b) { return place(JsonValue::of(b)); }
  // JSON numbers reach the core as doubles, as from Python and R.
  bool number_integer(number_integer_t x) { return place(JsonValue::of(static_cast<double>(x))); }
  bool number_unsigned(number_unsigned_t x) { return place(JsonValue::of(static_cast<double>(x))); }
  bool number_float(number_float_t x, const string_t&) { return place(JsonValue::of(static_cast<double>(x))); }
  bool string(string_t& s) {
    if (s == kMarker + "NaN") return place(JsonValue::of(std::numeric_limits<double>::quiet_NaN()));
    if (s == kMarker + "Infinity") return place(JsonValue::of(std::numeric_limits<double>::infinity()));
    if (s == kMarker + "-Infinity") return place(JsonValue::of(-std::numeric_limits<double>::infinity()));
    return place(JsonValue::of(std::move(s)));
  }
  bool binary(binary_t&) { return false; }  // not JSON text
  bool start_object(std::size_t) { return open(JsonValue::make_object()); }
  bool key(string_t& k) {
    open_.back()->object.emplace_back(std::move(k), JsonValue());
    return true;
  }
  bool end_object() { return close(); }
  bool start_array(std::size_t) { return open(JsonValue::make_array()); }
  bool end_array() { return close(); }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) { return false; }

 private:
  // The containers still open, innermost last. A pointer stays valid while
  // its container is open: only the innermost container grows.
  std::vector<JsonValue*> open_;

  JsonValue* put(JsonValue v) {
    if (open_.empty()) {
      root = std::move(v);
      return &root;
    }
    JsonValue* top = open_.back();
    if (top->type == JsonValue::Type::array) {
      top->array.push_back(std::move(v));
      return &top->array.back();
    }
    top->object.back().second = std::move(v);  // key() made the slot
    return &top->object.back().second;
  }
  bool place(JsonValue v) {
    put(std::move(v));
    return true;
  }
  bool open(JsonValue v) {
    if (open_.size() >= kMaxDepth) return false;  // ends the parse
    open_.push_back(put(std::move(v)));
    return true;
  }
  bool close() {
    open_.pop_back();
    return true;
  }
};

// How far the inputs got, for the summary of make fuzz: written at exit
// (libFuzzer ends with exit()) to the file SCORESACTIVATION_FUZZ_STATS names.
struct Outcomes {
  unsigned long inputs = 0, not_json = 0, refused = 0, accepted = 0, build_refused = 0, predicted = 0,
                prediction_refused = 0;
  ~Outcomes() {
    const char* path = std::getenv("SCORESACTIVATION_FUZZ_STATS");
    if (path == nullptr || inputs == 0) return;
    if (std::FILE* f = std::fopen(path, "w")) {
      std::fprintf(f,
                   "{\"inputs\": %lu, \"not_json\": %lu, \"refused\": %lu, \"accepted\": %lu, "
                   "\"build_refused\": %lu, \"predicted\": %lu, \"prediction_refused\": %lu}\n",
                   inputs, not_json, refused, accepted, build_refused, predicted, prediction_refused);
      std::fclose(f);
    }
  }
};
Outcomes outcomes;

// ---------------------------------------------------------------- mutator
// Byte mutations of a document are nearly always JSON syntax errors, which
// never reach the core, and libFuzzer stacks several mutations per input.
// So four in five mutations of a JSON input edit one value of the parsed
// document and serialise it again (as tests/fuzz/fuzz_load.py does); the
// rest, and all of a non-JSON input, are libFuzzer's own byte mutations.
using nlohmann::ordered_json;

ordered_json number_value(double x) {  // non-finite numbers as the markers above
  if (std::isnan(x)) return kMarker + "NaN";
  if (std::isinf(x)) return kMarker + (x > 0 ? "Infinity" : "-Infinity");
  return x;
}

ordered_json hostile_value(std::mt19937_64& rng) {
  static const double numbers[] = {0, -1, 1, 2, 3, 0.5, -0.0, 1e308, -1e308, 5e-324, 2e9, 1e300,
                                   16777216, 16777217, 2147483648.0, 4294967296.0,
                                   std::numeric_limits<double>::quiet_NaN(),
                                   std::numeric_limits<double>::infinity(),
                                   -std::numeric_limits<double>::infinity()};
  const std::size_t n_numbers = sizeof(numbers) / sizeof(numbers[0]);
  const std::size_t pick = rng() % (n_numbers + 13);
  if (pick < n_numbers) return number_value(numbers[pick]);
  switch (pick - n_numbers) {
    case 0: return std::uint64_t{9007199254740993u};
    case 1: return std::uint64_t{9223372036854775808u};
    case 2: return "";
    case 3: return "x";
    case 4: return "scoresactivation";
    case 5: return rng() % 2 ? "classification" : "regression";
    case 6: return nullptr;
    case 7: return rng() % 2 == 0;
    case 8: return ordered_json::array();
    case 9: return ordered_json::object();
    case 10: return ordered_json::array({2, 2});
    case 11: return ordered_json{{"shape", {1}}, {"data", {0.0}}};
    default: return ordered_json{{"shape", {2, 2}}, {"data", {0.5, 0.5, 0.5, 0.5}}};
  }
}

struct Slot {
  ordered_json* parent;
  std::string key;  // when parent is an object
  std::size_t index;  // when parent is an array
  ordered_json* value;
};

std::vector<Slot> slots_of(ordered_json& root) {
  std::vector<Slot> slots;
  std::vector<std::pair<ordered_json*, int>> todo{{&root, 0}};
  while (!todo.empty() && slots.size() < 4000) {
    auto [node, depth] = todo.back();
    todo.pop_back();
    if (depth > 50) continue;
    if (node->is_object()) {
      for (auto it = node->begin(); it != node->end(); ++it) {
        slots.push_back({node, it.key(), 0, &it.value()});
        todo.push_back({&it.value(), depth + 1});
      }
    } else if (node->is_array()) {
      for (std::size_t i = 0; i < node->size(); ++i) {
        slots.push_back({node, "", i, &(*node)[i]});
        todo.push_back({&(*node)[i], depth + 1});
      }
    }
  }
  return slots;
}

void mutate_document(ordered_json& root, std::mt19937_64& rng) {
  std::vector<Slot> slots = slots_of(root);
  if (slots.empty()) {
    root = hostile_value(rng);
    return;
  }
  const Slot& slot = slots[rng() % slots.size()];
  ordered_json& value = *slot.value;
  switch (rng() % 6) {
    case 0: value = hostile_value(rng); break;
    case 1:  // drop it
      if (slot.parent->is_object()) slot.parent->erase(slot.key);
      else slot.parent->erase(slot.index);
      break;
    case 2:  // nudge a number
      if (value.is_number()) {
        const double x = value.get<double>();
        const double nudged[] = {x + 1, x - 1, -x, 2 * x, x / 2, x * 1e300, std::trunc(x)};
        value = number_value(nudged[rng() % 7]);
      }
      break;
    case 3:  // resize an array
      if (value.is_array()) {
        if (!value.empty() && rng() % 2) {
          const std::size_t keep = rng() % value.size();
          while (value.size() > keep) value.erase(value.size() - 1);
        } else {
          const ordered_json fill = value.empty() ? ordered_json(0.0) : value[rng() % value.size()];
          const std::size_t extra[] = {1, 2, 7, 64};
          for (std::size_t i = 0, n = extra[rng() % 4]; i < n; ++i) value.push_back(fill);
        }
      }
      break;
    case 4: {  // another slot's value (e.g. a shape where data goes)
      const ordered_json copy = *slots[rng() % slots.size()].value;
      value = copy;
      break;
    }
    default:  // a new member (one of the format's keys) or element
      if (slot.parent->is_object()) {
        const std::string key = slots[rng() % slots.size()].key;
        (*slot.parent)[key.empty() ? "x" : key] = hostile_value(rng);
      } else {
        slot.parent->insert(slot.parent->begin() + static_cast<long>(rng() % (slot.parent->size() + 1)),
                            hostile_value(rng));
      }
  }
}

// The deepest nesting of brackets outside strings: nlohmann's dump() recurses.
std::size_t nesting_depth(const std::string& text) {
  std::size_t depth = 0, deepest = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') ++i;
      else if (c == '"') in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      deepest = std::max(deepest, ++depth);
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return deepest;
}

void replace_all(std::string& text, const std::string& from, const std::string& to) {
  for (std::size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
    text.replace(at, from.size(), to);
}

bool strict_mode() {
  const char* s = std::getenv("SCORESACTIVATION_FUZZ_STRICT");
  return s != nullptr && s[0] == '1';
}

[[noreturn]] void finding(const char* stage, const char* what) {
  std::fprintf(stderr, "\n*** fuzz_model_document: %s: %s\n", stage, what);
  std::fflush(stderr);
  std::abort();  // libFuzzer saves the input as crash-<sha1>
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const bool strict = strict_mode();
  ++outcomes.inputs;
  const std::string text = python_literals_as_markers(data, size);
  Builder builder;
  if (!nlohmann::json::sax_parse(text, &builder)) {  // not JSON, or deeper than the front ends go
    ++outcomes.not_json;
    return 0;
  }

  scoresactivation::ModelDocument doc;
  try {
    doc = scoresactivation::read_model_document(builder.root);
  } catch (const std::invalid_argument&) {
    ++outcomes.refused;
    return 0;
  } catch (const std::logic_error& e) {
    if (strict) finding("read_model_document threw a std::logic_error that is not std::invalid_argument", e.what());
    ++outcomes.refused;
    return 0;
  } catch (const std::exception& e) {
    finding("read_model_document threw an unexpected exception", e.what());
  }

  ++outcomes.accepted;
  std::unique_ptr<scoresactivation::Estimator> est;
  try {
    est = std::make_unique<scoresactivation::Estimator>(doc.core_params, doc.state);
  } catch (const std::logic_error& e) {  // std::invalid_argument included
    if (strict) finding("the Estimator rejected a document read_model_document accepted", e.what());
    ++outcomes.build_refused;
    return 0;
  } catch (const std::exception& e) {
    finding("the Estimator threw an unexpected exception", e.what());
  }

  try {
    const Eigen::MatrixXd out = est->decision_function(Eigen::MatrixXd::Zero(1, doc.state.n_features));
    if (out.rows() != 1 || out.cols() != doc.state.n_outputs)
      finding("decision_function", "output shape differs from (1, n_outputs)");
    ++outcomes.predicted;
  } catch (const std::invalid_argument& e) {
    if (strict && std::string(e.what()).find("overflow") == std::string::npos)
      finding("decision_function refused a model read_model_document accepted", e.what());
    ++outcomes.prediction_refused;
  } catch (const std::logic_error& e) {
    if (strict) finding("decision_function threw a std::logic_error that is not std::invalid_argument", e.what());
    ++outcomes.prediction_refused;
  } catch (const std::exception& e) {
    finding("decision_function threw an unexpected exception", e.what());
  }
  return 0;
}

extern "C" std::size_t LLVMFuzzerMutate(std::uint8_t* data, std::size_t size, std::size_t max_size);

extern "C" std::size_t LLVMFuzzerCustomMutator(std::uint8_t* data, std::size_t size, std::size_t max_size,
                                               unsigned int seed) {
  std::mt19937_64 rng(seed);
  const std::string text_in = python_literals_as_markers(data, size);
  if (rng() % 5 != 0 && nesting_depth(text_in) <= 64) {
    ordered_json doc = ordered_json::parse(text_in, nullptr, false);
    if (!doc.is_discarded()) {
      for (unsigned i = 0, n = 1 + rng() % 3; i < n; ++i) mutate_document(doc, rng);
      std::string text = doc.dump();
      for (const char* literal : {"NaN", "Infinity", "-Infinity"})
        replace_all(text, "\"\\u0000" + std::string(literal) + "\"", literal);
      if (text.size() <= max_size) {
        std::copy(text.begin(), text.end(), data);
        return text.size();
      }
    }
  }
  return LLVMFuzzerMutate(data, size, max_size);
}
