// nlohmann::json -> the core's JsonValue, as the front ends convert what
// their own JSON libraries parse (test-only: the core reads no JSON text).
#pragma once

#include <nlohmann/json.hpp>
#include <stdexcept>

#include "scoresactivation/json_value.hpp"

namespace sa_test {

inline scoresactivation::JsonValue to_json_value(const nlohmann::json& j, int depth = 0) {
  using scoresactivation::JsonValue;
  if (depth > 64) throw std::invalid_argument("model document: nested too deeply");
  switch (j.type()) {
    case nlohmann::json::value_t::null: return JsonValue::null_value();
    case nlohmann::json::value_t::boolean: return JsonValue::of(j.get<bool>());
    case nlohmann::json::value_t::number_integer:
    case nlohmann::json::value_t::number_unsigned:
    case nlohmann::json::value_t::number_float: return JsonValue::of(j.get<double>());
    case nlohmann::json::value_t::string: return JsonValue::of(j.get<std::string>());
    case nlohmann::json::value_t::array: {
      JsonValue out = JsonValue::make_array();
      out.array.reserve(j.size());
      for (const auto& item : j) out.array.push_back(to_json_value(item, depth + 1));
      return out;
    }
    case nlohmann::json::value_t::object: {
      JsonValue out = JsonValue::make_object();
      for (const auto& item : j.items()) out.object.emplace_back(item.key(), to_json_value(item.value(), depth + 1));
      return out;
    }
    default: throw std::invalid_argument("model document: unsupported JSON value");
  }
}

}  // namespace sa_test
