#include "medq/policy/snapshot.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "medq/analysis/comparison.hpp"
#include "medq/analysis/memory.hpp"
#include "medq/analysis/variant.hpp"
#include "medq/io/local_storage.hpp"
#include "medq/io/sha256.hpp"
#include "medq/util/units.hpp"

namespace medq {
namespace {

using ojson = nlohmann::ordered_json;
using json = nlohmann::ordered_json;  // read in document order: architecture fields keep theirs

/// A baseline report is read whole; a 90,000-tensor model's report is about 10 MB.
constexpr uint64_t kMaxBaselineBytes = 256ull << 20;

struct BadBaseline {
  std::string message;
};

[[noreturn]] void bad(const std::string& pointer, const std::string& what) {
  throw BadBaseline{pointer + ": " + what};
}

const json& member(const json& obj, const std::string& pointer, const std::string& key) {
  if (!obj.is_object()) bad(pointer, "must be an object");
  auto it = obj.find(key);
  if (it == obj.end()) bad(pointer + "/" + key, "missing");
  return *it;
}

uint64_t uint_member(const json& obj, const std::string& pointer, const std::string& key) {
  const json& v = member(obj, pointer, key);
  if (!v.is_number_unsigned()) bad(pointer + "/" + key, "must be a non-negative integer");
  return v.get<uint64_t>();
}

std::string string_member(const json& obj, const std::string& pointer, const std::string& key) {
  const json& v = member(obj, pointer, key);
  if (!v.is_string()) bad(pointer + "/" + key, "must be a string");
  return v.get<std::string>();
}

ModelSnapshot snapshot_from_json(const json& m) {
  const std::string base = "/model";
  ModelSnapshot s;
  const json& mt = member(m, base, "model_type");
  if (!mt.is_null() && !mt.is_string()) bad(base + "/model_type", "must be a string or null");
  if (mt.is_string()) s.model_type = mt.get<std::string>();
  const json& arch = member(m, base, "architecture");
  if (!arch.is_object()) bad(base + "/architecture", "must be an object");
  for (const auto& [k, v] : arch.items()) {
    if (!v.is_string()) bad(base + "/architecture/" + k, "must be a string");
    s.architecture.emplace_back(k, v.get<std::string>());
  }
  s.parameters = uint_member(m, base, "parameters");
  s.weight_bytes = uint_member(m, base, "weight_bytes");
  s.directory_bytes = uint_member(m, base, "directory_bytes");
  const json& q = member(m, base, "quantization");
  s.config_quantization = string_member(q, base + "/quantization", "config");
  const json& ts = member(member(m, base, "tensor_set"), base + "/tensor_set", "tensors");
  if (!ts.is_array()) bad(base + "/tensor_set/tensors", "must be an array");
  for (size_t i = 0; i < ts.size(); ++i) {
    std::string p = fmt::format("{}/tensor_set/tensors/{}", base, i);
    SnapshotTensor t;
    t.name = string_member(ts[i], p, "name");
    t.storage = string_member(ts[i], p, "storage");
    const json& shape = member(ts[i], p, "shape");
    if (!shape.is_array()) bad(p + "/shape", "must be an array");
    for (const auto& d : shape) {
      if (!d.is_number_unsigned()) bad(p + "/shape", "must hold non-negative integers");
      t.shape.push_back(d.get<uint64_t>());
    }
    s.tensors.push_back(std::move(t));
  }
  std::sort(s.tensors.begin(), s.tensors.end(),
            [](const SnapshotTensor& a, const SnapshotTensor& b) { return a.name < b.name; });
  s.tensor_set_sha256 = tensor_set_digest(s.tensors);
  return s;
}

}  // namespace

ModelSnapshot take_snapshot(const Validation& v, uint64_t context_tokens) {
  VariantStats st = analyze_variant(v, "");
  ModelSnapshot s;
  s.model_type = st.model_type;
  for (auto& [field, value] : architecture_fields(st.arch)) {
    if (!value.empty()) s.architecture.emplace_back(field, std::move(value));
  }
  s.config_quantization = st.config_quantization;
  for (const SchemeUse& u : st.schemes) {
    s.schemes.push_back({u.scheme, u.quantized, u.modules, u.params});
  }
  s.parameters = st.params;
  s.weight_bytes = st.tensor_bytes;
  s.directory_bytes = st.directory_bytes;
  MemoryEstimate m = estimate_memory(st.arch ? &*st.arch : nullptr, st.tensor_bytes, context_tokens,
                                     st.activation_dtype, std::nullopt);
  s.context_tokens = context_tokens;
  s.kv_cache_bytes = m.kv_cache;
  s.memory_bytes = m.total;
  for (const auto& [name, t] : st.tensors) {
    s.tensors.push_back({name, t.shape, t.scheme ? *t.scheme : std::string(dtype_name(t.dtype))});
  }
  s.tensor_set_sha256 = tensor_set_digest(s.tensors);
  return s;
}

std::string tensor_set_digest(const std::vector<SnapshotTensor>& tensors) {
  Sha256 h;
  for (const SnapshotTensor& t : tensors) {
    std::string line = t.name + " " + shape_to_string(t.shape) + " " + t.storage + "\n";
    h.update(line.data(), line.size());
  }
  return h.finish();
}

ojson snapshot_to_json(const ModelSnapshot& s) {
  ojson j;
  j["model_type"] = s.model_type.empty() ? ojson(nullptr) : ojson(s.model_type);
  ojson arch = ojson::object();
  for (const auto& [k, v] : s.architecture) arch[k] = v;
  j["architecture"] = std::move(arch);
  ojson q;
  q["config"] = s.config_quantization;
  ojson schemes = ojson::array();
  for (const auto& u : s.schemes) {
    schemes.push_back({{"scheme", u.scheme},
                       {"quantized", u.quantized},
                       {"modules", u.modules},
                       {"parameters", u.parameters}});
  }
  q["schemes"] = std::move(schemes);
  j["quantization"] = std::move(q);
  j["parameters"] = s.parameters;
  j["weight_bytes"] = s.weight_bytes;
  j["directory_bytes"] = s.directory_bytes;
  j["memory"] = {{"context_tokens", s.context_tokens},
                 {"kv_cache", s.kv_cache_bytes ? ojson(*s.kv_cache_bytes) : ojson(nullptr)},
                 {"total", s.memory_bytes}};
  ojson ts = ojson::array();
  for (const auto& t : s.tensors) {
    ts.push_back({{"name", t.name}, {"shape", t.shape}, {"storage", t.storage}});
  }
  j["tensor_set"] = {
      {"count", s.tensors.size()}, {"sha256", s.tensor_set_sha256}, {"tensors", std::move(ts)}};
  return j;
}

BaselineParse parse_baseline(std::string_view text) {
  BaselineParse r;
  json j = json::parse(text.begin(), text.end(), nullptr, false);
  if (j.is_discarded()) {
    r.error = "not valid JSON";
    return r;
  }
  // Another JSON file given by mistake (a policy, a manifest, another command's report): say
  // what file was expected rather than which member is missing.
  constexpr std::string_view kNotReport = "not a medq check --format json report";
  if (!j.is_object()) {
    r.error = fmt::format("{} (a JSON {}, not an object with schema_version and command \"check\")",
                          kNotReport, j.type_name());
    return r;
  }
  const bool has_version = j.contains("schema_version");
  const auto cmd = j.find("command");
  if (cmd == j.end() || *cmd != "check") {
    r.error = fmt::format(
        "{} ({}{})", kNotReport, has_version ? "" : "no schema_version; ",
        cmd == j.end() ? "no command \"check\"" : "command " + cmd->dump() + ", not \"check\"");
    return r;
  }
  if (!has_version) {
    r.error = fmt::format("{} (no schema_version)", kNotReport);
    return r;
  }
  try {
    const json& version = member(j, "", "schema_version");
    if (!version.is_number_integer() || version.get<int64_t>() != 1) {
      bad("/schema_version", "version " + version.dump() + " is not supported (medq reads 1)");
    }
    const json& command = member(j, "", "command");
    if (command != "check") {
      bad("/command", command.dump() + ": not a `medq check --format json` report");
    }
    r.snapshot = snapshot_from_json(member(j, "", "model"));
  } catch (const BadBaseline& e) {
    r.error = e.message;
  }
  return r;
}

BaselineParse read_baseline(const std::filesystem::path& report) {
  BaselineParse r;
  SmallFile f = read_small_file(report, kMaxBaselineBytes);
  if (f.too_large) {
    r.error = fmt::format("{} bytes is more than the {} bytes medq reads for a report",
                          *f.too_large, kMaxBaselineBytes);
    return r;
  }
  if (!f.text) {
    r.error = "cannot read: " + f.error;
    return r;
  }
  return parse_baseline(*f.text);
}

}  // namespace medq
