// A parsed JSON value. The core reads and writes no JSON text: each front
// end parses a model file with its own JSON library (Python's json, R's
// jsonlite) and hands the result over in this form, so one validator in the
// core checks every document the same way; and the core lays out every
// document it writes in this form for the front end's library to serialise
// (model_document.hpp).
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace scoresactivation {

struct JsonValue {
  enum class Type { null, boolean, number, string, array, object };

  Type type = Type::null;
  bool boolean = false;
  double number = 0.0;  // numbers are doubles, as in JSON; may be non-finite as parsed
  // A count, size or seed (written without a fraction), or an integer as the
  // front end's language had it (Python int, R integer): the converters back
  // to Python and R keep it an integer.
  bool integer = false;
  std::string string;
  std::vector<JsonValue> array;
  std::vector<std::pair<std::string, JsonValue>> object;  // in document order

  static JsonValue null_value() { return JsonValue(); }
  static JsonValue of(bool b) {
    JsonValue v;
    v.type = Type::boolean;
    v.boolean = b;
    return v;
  }
  static JsonValue of(double x) {
    JsonValue v;
    v.type = Type::number;
    v.number = x;
    return v;
  }
  static JsonValue of_integer(double x) {
    JsonValue v = of(x);
    v.integer = true;
    return v;
  }
  static JsonValue of(std::string s) {
    JsonValue v;
    v.type = Type::string;
    v.string = std::move(s);
    return v;
  }
  static JsonValue make_array() {
    JsonValue v;
    v.type = Type::array;
    return v;
  }
  static JsonValue make_object() {
    JsonValue v;
    v.type = Type::object;
    return v;
  }

  bool is_null() const { return type == Type::null; }
  // The member named key, or null when absent (or when this is not an object).
  const JsonValue* find(const std::string& key) const {
    if (type != Type::object) return nullptr;
    for (const auto& kv : object)
      if (kv.first == key) return &kv.second;
    return nullptr;
  }
};

// The JSON type's name, for error messages ("a string", "an array", ...).
const char* describe(JsonValue::Type type);

}  // namespace scoresactivation
