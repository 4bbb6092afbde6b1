// Typed access to the parsed tokenizer.json (simdjson DOM) for the component loaders: a missing
// or mistyped field is a TokenizeError naming the component and the field, never a crash.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <fmt/format.h>
#include <simdjson.h>

#include "medq/tokenize/tokenize_error.hpp"

namespace medq::tokenize_detail {

using Json = simdjson::dom::element;

inline bool is_null(Json e) { return e.type() == simdjson::dom::element_type::NULL_VALUE; }

/// `obj[key]`, nullopt when absent or null.
inline std::optional<Json> field(Json obj, std::string_view key) {
  simdjson::dom::object o;
  if (obj.get(o) != simdjson::SUCCESS) return std::nullopt;
  Json v;
  if (o[key].get(v) != simdjson::SUCCESS || is_null(v)) return std::nullopt;
  return v;
}

inline std::string_view as_string(Json e, std::string_view what) {
  std::string_view s;
  if (e.get(s) != simdjson::SUCCESS) throw TokenizeError(fmt::format("{} is not a string", what));
  return s;
}

inline bool as_bool(Json e, std::string_view what) {
  bool b = false;
  if (e.get(b) != simdjson::SUCCESS) throw TokenizeError(fmt::format("{} is not a boolean", what));
  return b;
}

inline uint64_t as_uint(Json e, std::string_view what) {
  uint64_t u = 0;
  if (e.get(u) != simdjson::SUCCESS) {
    throw TokenizeError(fmt::format("{} is not a non-negative integer", what));
  }
  return u;
}

inline std::string_view string_field(Json obj, std::string_view key, std::string_view what) {
  auto v = field(obj, key);
  if (!v) throw TokenizeError(fmt::format("{} has no \"{}\"", what, key));
  return as_string(*v, fmt::format("{}.{}", what, key));
}

inline bool bool_field(Json obj, std::string_view key, bool dflt, std::string_view what) {
  auto v = field(obj, key);
  return v ? as_bool(*v, fmt::format("{}.{}", what, key)) : dflt;
}

/// The "type" of a component object.
inline std::string_view type_of(Json obj, std::string_view what) {
  return string_field(obj, "type", what);
}

inline TokenizeError unsupported(std::string_view kind, std::string_view name) {
  return TokenizeError(fmt::format("tokenizer component {} '{}' is not supported", kind, name));
}

}  // namespace medq::tokenize_detail
