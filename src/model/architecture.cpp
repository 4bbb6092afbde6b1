#include "medq/model/architecture.hpp"

#include <cmath>

#include <fmt/format.h>

#include "architecture_defaults.hpp"
#include "config_fields.hpp"
#include "medq/io/checked.hpp"
#include "medq/model/config_json.hpp"
#include "vision_architecture.hpp"

namespace medq {

std::string_view value_source_name(ValueSource s) {
  switch (s) {
    case ValueSource::kMissing:
      return "missing";
    case ValueSource::kFile:
      return "file";
    case ValueSource::kDefault:
      return "default";
    case ValueSource::kDerived:
      return "derived";
  }
  return "missing";
}

std::string_view family_name(Family f) {
  switch (f) {
    case Family::kGemma3:
      return "gemma3";
    case Family::kGemma3Text:
      return "gemma3_text";
    case Family::kLlama:
      return "llama";
    case Family::kMistral:
      return "mistral";
    case Family::kQwen2:
      return "qwen2";
    case Family::kQwen3:
      return "qwen3";
    case Family::kPhi3:
      return "phi3";
    case Family::kUnknown:
      break;
  }
  return "unknown";
}

namespace {

using detail::bool_field;
using detail::FindingSink;
using detail::int_field;
using detail::IntDefault;
using detail::missing_required;
using detail::ReadStatus;
using detail::resolve_projector;
using detail::resolve_vision;
using detail::Rule;
using detail::Who;
using nlohmann::json;

/// head_dim = hidden / heads, or unknown when either is unknown or the division is not exact.
std::optional<uint64_t> hidden_over_heads(const TextArchitecture& t) {
  if (!t.hidden_size.known() || !t.num_attention_heads.known()) return std::nullopt;
  if (t.num_attention_heads.value == 0 || t.hidden_size.value % t.num_attention_heads.value != 0) {
    return std::nullopt;
  }
  return t.hidden_size.value / t.num_attention_heads.value;
}

void resolve_head_dim(const json& obj, const std::string& prefix, const detail::TextDefaults& d,
                      const FindingSink& sink, const Who& who, TextArchitecture& t) {
  const Rule rule = d.head_dim.rule;
  if (rule == Rule::kValue || rule == Rule::kRequired || rule == Rule::kNone) {
    t.head_dim = int_field(obj, prefix, "head_dim", d.head_dim, sink, who);
    return;
  }
  const bool derived_always = rule == Rule::kAlwaysHiddenOverHeads;
  Field<uint64_t> file = int_field(obj, prefix, "head_dim", {Rule::kNone, 0}, sink, who);
  t.head_dim.pointer = file.pointer;
  if (file.known() && !derived_always) {
    t.head_dim = file;
    return;
  }
  const std::optional<uint64_t> derived = hidden_over_heads(t);
  if (t.hidden_size.known() && t.num_attention_heads.known() && !derived) {
    sink.add("config.invalid_value", Severity::kError, t.num_attention_heads.pointer,
             fmt::format("hidden_size ({}) must be a multiple of num_attention_heads ({}) because "
                         "{} derives head_dim from them; found remainder {}",
                         t.hidden_size.value, t.num_attention_heads.value, who.loader,
                         t.hidden_size.value % t.num_attention_heads.value));
  }
  if (!derived) return;
  t.head_dim.value = *derived;
  t.head_dim.source = ValueSource::kDerived;
  if (derived_always && file.known() && file.value != *derived) {
    sink.add("config.ignored_value", Severity::kWarning, file.pointer,
             fmt::format("head_dim is ignored by {}, which uses hidden_size / num_attention_heads "
                         "= {}; found head_dim {}",
                         who.loader, *derived, file.value));
  }
}

/// Which layers slide: `layer_types` when present, else Gemma's every-Nth-is-global pattern.
void resolve_sliding_layers(const json& obj, const std::string& prefix, Family family,
                            const FindingSink& sink, TextArchitecture& t) {
  if (!t.num_hidden_layers.known() || t.num_hidden_layers.value > kMaxLayers) return;
  const auto n = static_cast<size_t>(t.num_hidden_layers.value);
  std::vector<bool> from_pattern(n, false);
  const bool gemma = family == Family::kGemma3 || family == Family::kGemma3Text;
  if (gemma && t.sliding_window_pattern.known()) {
    // mlx-lm gemma3_text.py / mlx-vlm gemma3 language.py: layer i is global iff
    // i % pattern == pattern - 1.
    const uint64_t p = t.sliding_window_pattern.value;
    for (size_t i = 0; i < n; ++i) from_pattern[i] = (i % p) != p - 1;
  }
  const std::string ptr = detail::json_pointer(prefix, "layer_types");
  const auto it = obj.is_object() ? obj.find("layer_types") : obj.end();
  if (!obj.is_object() || it == obj.end() || it->is_null()) {
    t.sliding_layers = std::move(from_pattern);
    return;
  }
  if (!it->is_array()) {
    sink.add("config.wrong_type", Severity::kError, ptr,
             fmt::format("layer_types must be a list of \"sliding_attention\" / "
                         "\"full_attention\"; found {}",
                         detail::describe_json(*it)));
    t.sliding_layers = std::move(from_pattern);
    return;
  }
  if (it->size() != n) {
    sink.add("config.invalid_value", Severity::kError, ptr,
             fmt::format("layer_types must have one entry per layer (num_hidden_layers = {}); "
                         "found {} entries",
                         n, it->size()));
  }
  std::vector<bool> sliding(n, false);
  for (size_t i = 0; i < it->size() && i < n; ++i) {
    const json& e = (*it)[i];
    if (e.is_string() && e.get_ref<const std::string&>() == "sliding_attention") {
      sliding[i] = true;
    } else if (!(e.is_string() && e.get_ref<const std::string&>() == "full_attention")) {
      sink.add("config.invalid_value", Severity::kError,
               detail::json_pointer(ptr, std::to_string(i)),
               fmt::format("layer_types[{}] must be \"sliding_attention\" or \"full_attention\"; "
                           "found {}",
                           i, detail::describe_json(e)));
    }
  }
  if (gemma && t.sliding_window_pattern.known() && sliding != from_pattern) {
    // The MLX Gemma 3 code ignores layer_types and follows the pattern.
    size_t differ = 0;
    for (size_t i = 0; i < n; ++i) differ += sliding[i] != from_pattern[i] ? 1 : 0;
    sink.add("config.inconsistent_value", Severity::kWarning, ptr,
             fmt::format("layer_types should agree with sliding_window_pattern {} (which the MLX "
                         "Gemma 3 code follows); found {} of {} layers that differ",
                         t.sliding_window_pattern.value, differ, n));
  }
  t.sliding_layers = std::move(sliding);
}

void check_text_consistency(const FindingSink& sink, const TextArchitecture& t) {
  if (t.num_attention_heads.known() && t.num_key_value_heads.known() &&
      t.num_attention_heads.value % t.num_key_value_heads.value != 0) {
    sink.add("config.invalid_value", Severity::kError, t.num_key_value_heads.pointer,
             fmt::format("num_attention_heads ({}) must be a multiple of num_key_value_heads; "
                         "found {} kv heads",
                         t.num_attention_heads.value, t.num_key_value_heads.value));
  }
  if (t.num_hidden_layers.known() && t.num_hidden_layers.value > kMaxLayers) {
    sink.add("config.invalid_value", Severity::kError, t.num_hidden_layers.pointer,
             fmt::format("num_hidden_layers must be at most {}; found {}", kMaxLayers,
                         t.num_hidden_layers.value));
  }
}

TextArchitecture resolve_text(const json& obj, const std::string& prefix, Family family,
                              const FindingSink& sink) {
  const detail::TextDefaults& d = detail::text_defaults(family);
  const Who who{d.loader, d.reference};
  TextArchitecture t;
  t.hidden_size = int_field(obj, prefix, "hidden_size", d.hidden_size, sink, who);
  t.num_hidden_layers = int_field(obj, prefix, "num_hidden_layers", d.num_hidden_layers, sink, who);
  t.num_attention_heads =
      int_field(obj, prefix, "num_attention_heads", d.num_attention_heads, sink, who);
  t.intermediate_size = int_field(obj, prefix, "intermediate_size", d.intermediate_size, sink, who);
  t.vocab_size = int_field(obj, prefix, "vocab_size", d.vocab_size, sink, who);
  t.max_position_embeddings =
      int_field(obj, prefix, "max_position_embeddings", d.max_position_embeddings, sink, who);
  // An explicit null window means "no sliding window" (Mistral v0.2+ configs), not "default".
  const bool no_window =
      obj.is_object() && obj.contains("sliding_window") && obj.at("sliding_window").is_null();
  t.sliding_window =
      int_field(obj, prefix, "sliding_window",
                no_window ? IntDefault{Rule::kNone, 0} : d.sliding_window, sink, who);
  t.sliding_window_pattern =
      int_field(obj, prefix, "sliding_window_pattern", d.sliding_window_pattern, sink, who);

  if (d.num_key_value_heads.rule == Rule::kFromHeads) {
    t.num_key_value_heads =
        int_field(obj, prefix, "num_key_value_heads", {Rule::kNone, 0}, sink, who);
    if (!t.num_key_value_heads.known() && t.num_attention_heads.known()) {
      t.num_key_value_heads.value = t.num_attention_heads.value;
      t.num_key_value_heads.source = ValueSource::kDerived;
    }
  } else {
    t.num_key_value_heads =
        int_field(obj, prefix, "num_key_value_heads", d.num_key_value_heads, sink, who);
  }
  resolve_head_dim(obj, prefix, d, sink, who, t);

  t.tie_word_embeddings =
      bool_field(obj, prefix, "tie_word_embeddings", d.tie_word_embeddings, sink, who);
  t.attention_bias = bool_field(obj, prefix, "attention_bias", d.attention_bias, sink, who);
  t.mlp_bias = bool_field(obj, prefix, "mlp_bias", d.mlp_bias, sink, who);

  t.rms_norm_eps.pointer = detail::json_pointer(prefix, "rms_norm_eps");
  double eps = 0;
  switch (detail::read_positive_real(obj, "rms_norm_eps", t.rms_norm_eps.pointer, sink, eps)) {
    case ReadStatus::kOk:
      t.rms_norm_eps.value = eps;
      t.rms_norm_eps.source = ValueSource::kFile;
      break;
    case ReadStatus::kBad:
      break;
    case ReadStatus::kAbsent:
      if (d.rms_norm_eps.rule == Rule::kRequired) {
        missing_required(sink, t.rms_norm_eps.pointer, "rms_norm_eps", who,
                         fmt::format("{}", d.rms_norm_eps.value));
      }
      if (d.rms_norm_eps.rule != Rule::kNone) {
        t.rms_norm_eps.value = d.rms_norm_eps.value;
        t.rms_norm_eps.source = ValueSource::kDefault;
      }
      break;
  }
  // mlx-lm qwen3.py ModelArgs also requires rope_theta (no default).
  if (family == Family::kQwen3 && obj.is_object() && !obj.contains("rope_theta")) {
    sink.add(
        "config.missing_key", Severity::kError, detail::json_pointer(prefix, "rope_theta"),
        fmt::format("rope_theta is required: {} has no default for it; found no key", d.loader));
  }
  check_text_consistency(sink, t);
  resolve_sliding_layers(obj, prefix, family, sink, t);
  return t;
}

}  // namespace

ArchitectureResult resolve_architecture(const nlohmann::json& config, std::string_view file_label) {
  ArchitectureResult r;
  const FindingSink sink{std::string(file_label), &r.findings};
  static const json kEmpty = json::object();
  if (!config.is_object()) {
    sink.add("config.wrong_type", Severity::kError, "",
             fmt::format("config.json must hold a JSON object; found {}",
                         detail::describe_json(config)));
    r.arch.text = resolve_text(kEmpty, "", Family::kUnknown, FindingSink{});
    return r;
  }
  Architecture& a = r.arch;
  const auto mt = config.find("model_type");
  if (mt == config.end() || mt->is_null()) {
    sink.add("config.missing_key", Severity::kError, "/model_type",
             "model_type is required to pick the architecture; found no key");
  } else if (!mt->is_string()) {
    sink.add("config.wrong_type", Severity::kError, "/model_type",
             fmt::format("model_type must be a string; found {}", detail::describe_json(*mt)));
  } else {
    a.model_type = mt->get<std::string>();
    a.family = detail::family_for_model_type(a.model_type);
    if (a.family == Family::kUnknown) {
      sink.add("config.unknown_model_type", Severity::kWarning, "/model_type",
               fmt::format("model_type must be one medq knows (gemma3, gemma3_text, llama, "
                           "mistral, qwen2, qwen3, phi3) for architecture-specific checks; found "
                           "\"{}\" (only generic checks run)",
                           a.model_type));
    }
  }

  // Nested sub-configs: required for gemma3 (mlx-vlm indexes config["text_config"] and
  // config["vision_config"]), read when present for unknown types.
  auto sub = [&](const char* key, bool required) -> const json* {
    const std::string ptr = detail::json_pointer("", key);
    const auto it = config.find(key);
    if (it == config.end() || it->is_null()) {
      if (required) {
        sink.add(
            "config.missing_key", Severity::kError, ptr,
            fmt::format("{} is required for model_type \"{}\"; found no key", key, a.model_type));
      }
      return nullptr;
    }
    if (!it->is_object()) {
      sink.add("config.wrong_type", Severity::kError, ptr,
               fmt::format("{} must be an object; found {}", key, detail::describe_json(*it)));
      return nullptr;
    }
    return &*it;
  };
  const bool gemma3 = a.family == Family::kGemma3;
  const bool unknown = a.family == Family::kUnknown;
  const json* text_cfg = (gemma3 || unknown) ? sub("text_config", gemma3) : nullptr;
  const json* vision_cfg = (gemma3 || unknown) ? sub("vision_config", gemma3) : nullptr;

  if (gemma3) {
    a.text_pointer = "/text_config";
    // A missing or broken sub-config is one finding; its keys are not reported one by one.
    const FindingSink quiet{};
    const json& text_obj = text_cfg != nullptr ? *text_cfg : kEmpty;
    a.text = resolve_text(text_obj, a.text_pointer, a.family, text_cfg != nullptr ? sink : quiet);
    a.vision = resolve_vision(vision_cfg != nullptr ? *vision_cfg : kEmpty, "/vision_config", true,
                              vision_cfg != nullptr ? sink : quiet);
    a.projector = resolve_projector(config, text_obj, *a.vision, sink);
  } else if (unknown && text_cfg != nullptr) {
    a.text_pointer = "/text_config";
    a.text = resolve_text(*text_cfg, a.text_pointer, a.family, sink);
  } else {
    a.text = resolve_text(config, "", a.family, sink);
  }
  if (unknown && vision_cfg != nullptr) {
    a.vision = resolve_vision(*vision_cfg, "/vision_config", false, sink);
  }
  return r;
}

}  // namespace medq
