#include "medq/model/config_json.hpp"

#include <cmath>

#include <fmt/format.h>

namespace medq::detail {

std::string json_pointer(std::string_view prefix, std::string_view key) {
  std::string p(prefix);
  p += '/';
  for (char c : key) {
    if (c == '~') {
      p += "~0";
    } else if (c == '/') {
      p += "~1";
    } else {
      p += c;
    }
  }
  return p;
}

namespace {
std::string_view type_phrase(const nlohmann::json& v) {
  switch (v.type()) {
    case nlohmann::json::value_t::null:
      return "null";
    case nlohmann::json::value_t::object:
      return "an object";
    case nlohmann::json::value_t::array:
      return "an array";
    case nlohmann::json::value_t::string:
      return "a string";
    case nlohmann::json::value_t::boolean:
      return "a boolean";
    case nlohmann::json::value_t::number_float:
      return "a non-integer number";
    case nlohmann::json::value_t::number_integer:
    case nlohmann::json::value_t::number_unsigned:
      return "an integer";
    default:
      return "an unsupported value";
  }
}
}  // namespace

std::string describe_json(const nlohmann::json& v) {
  std::string text = v.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  constexpr size_t kMax = 40;
  if (text.size() > kMax) text = text.substr(0, kMax) + "...";
  return fmt::format("{} ({})", text, type_phrase(v));
}

void FindingSink::add(std::string_view code, Severity sev, std::string pointer,
                      std::string message) const {
  if (out == nullptr) return;
  Finding f;
  f.code = std::string(code);
  f.severity = sev;
  f.where.file = file;
  f.where.json_pointer = std::move(pointer);
  f.message = std::move(message);
  out->push_back(std::move(f));
}

namespace {
const nlohmann::json* lookup(const nlohmann::json& obj, std::string_view key) {
  if (!obj.is_object()) return nullptr;
  auto it = obj.find(std::string(key));
  if (it == obj.end() || it->is_null()) return nullptr;
  return &*it;
}
}  // namespace

ReadStatus read_positive(const nlohmann::json& obj, std::string_view key, const std::string& ptr,
                         const FindingSink& sink, uint64_t& out, bool allow_zero) {
  const nlohmann::json* v = lookup(obj, key);
  if (v == nullptr) return ReadStatus::kAbsent;
  const char* want = allow_zero ? "a non-negative integer" : "a positive integer";
  // Built in memory, a non-negative integer may be stored signed; parsed, it is unsigned.
  if (v->is_number_integer()) {
    if (!v->is_number_unsigned() && v->get<int64_t>() < 0) {
      sink.add("config.invalid_value", Severity::kError, ptr,
               fmt::format("{} must be {}; found {}", key, want, v->get<int64_t>()));
      return ReadStatus::kBad;
    }
    out = v->is_number_unsigned() ? v->get<uint64_t>() : static_cast<uint64_t>(v->get<int64_t>());
    if (out == 0 && !allow_zero) {
      sink.add("config.invalid_value", Severity::kError, ptr,
               fmt::format("{} must be {}; found 0", key, want));
      return ReadStatus::kBad;
    }
    return ReadStatus::kOk;
  }
  sink.add("config.wrong_type", Severity::kError, ptr,
           fmt::format("{} must be {}; found {}", key, want, describe_json(*v)));
  return ReadStatus::kBad;
}

ReadStatus read_bool(const nlohmann::json& obj, std::string_view key, const std::string& ptr,
                     const FindingSink& sink, bool& out) {
  const nlohmann::json* v = lookup(obj, key);
  if (v == nullptr) return ReadStatus::kAbsent;
  if (v->is_boolean()) {
    out = v->get<bool>();
    return ReadStatus::kOk;
  }
  sink.add("config.wrong_type", Severity::kError, ptr,
           fmt::format("{} must be true or false; found {}", key, describe_json(*v)));
  return ReadStatus::kBad;
}

ReadStatus read_positive_real(const nlohmann::json& obj, std::string_view key,
                              const std::string& ptr, const FindingSink& sink, double& out) {
  const nlohmann::json* v = lookup(obj, key);
  if (v == nullptr) return ReadStatus::kAbsent;
  if (!v->is_number()) {
    sink.add("config.wrong_type", Severity::kError, ptr,
             fmt::format("{} must be a number; found {}", key, describe_json(*v)));
    return ReadStatus::kBad;
  }
  out = v->get<double>();
  if (!std::isfinite(out) || out <= 0) {
    sink.add("config.invalid_value", Severity::kError, ptr,
             fmt::format("{} must be a number > 0; found {}", key, v->dump()));
    return ReadStatus::kBad;
  }
  return ReadStatus::kOk;
}

}  // namespace medq::detail
