#include "config_fields.hpp"

#include <fmt/format.h>

namespace medq::detail {

using nlohmann::json;

void missing_required(const FindingSink& sink, const std::string& ptr, std::string_view key,
                      const Who& who, const std::string& assumed) {
  sink.add("config.missing_key", Severity::kError, ptr,
           fmt::format("{} is required: {} has no default for it, so loading fails; found no "
                       "key (the checks below assume {}'s default {})",
                       key, who.loader, who.reference, assumed));
}

/// Reads an integer field and applies kValue / kRequired / kNone. Derived rules are left
/// kMissing-when-absent for the caller.
Field<uint64_t> int_field(const json& obj, std::string_view prefix, std::string_view key,
                          const IntDefault& d, const FindingSink& sink, const Who& who,
                          bool allow_zero) {
  Field<uint64_t> f;
  f.pointer = json_pointer(prefix, key);
  uint64_t v = 0;
  switch (read_positive(obj, key, f.pointer, sink, v, allow_zero)) {
    case ReadStatus::kOk:
      f.value = v;
      f.source = ValueSource::kFile;
      return f;
    case ReadStatus::kBad:
      return f;
    case ReadStatus::kAbsent:
      break;
  }
  if (d.rule == Rule::kValue) {
    f.value = d.value;
    f.source = ValueSource::kDefault;
  } else if (d.rule == Rule::kRequired) {
    missing_required(sink, f.pointer, key, who, std::to_string(d.value));
    f.value = d.value;
    f.source = ValueSource::kDefault;
  }
  return f;
}

Field<bool> bool_field(const json& obj, std::string_view prefix, std::string_view key,
                       const BoolDefault& d, const FindingSink& sink, const Who& who) {
  Field<bool> f;
  f.pointer = json_pointer(prefix, key);
  bool v = false;
  switch (read_bool(obj, key, f.pointer, sink, v)) {
    case ReadStatus::kOk:
      f.value = v;
      f.source = ValueSource::kFile;
      return f;
    case ReadStatus::kBad:
      return f;
    case ReadStatus::kAbsent:
      break;
  }
  if (d.rule == Rule::kValue || d.rule == Rule::kRequired) {
    if (d.rule == Rule::kRequired) {
      missing_required(sink, f.pointer, key, who, d.value ? "true" : "false");
    }
    f.value = d.value;
    f.source = ValueSource::kDefault;
  }
  return f;
}

}  // namespace medq::detail
