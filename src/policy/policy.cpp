#include "medq/policy/policy.hpp"

#include <fmt/format.h>

#include <cmath>
#include <functional>
#include <limits>
#include <nlohmann/json.hpp>
#include <set>
#include <stdexcept>
#include <utility>
#include <vector>

#include "medq/analysis/memory.hpp"
#include "medq/analysis/variant.hpp"
#include "medq/io/local_storage.hpp"

namespace medq {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

/// A problem in the policy, carrying the message that names the key path.
struct PolicyError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

[[noreturn]] void fail(const std::string& path, const std::string& what) {
  throw PolicyError(path + ": " + what);
}

std::string type_name(const json& v) {
  if (v.is_number_integer() || v.is_number_unsigned()) return "an integer";
  if (v.is_number_float()) return "a number";
  if (v.is_string()) return "a string";
  if (v.is_boolean()) return "a boolean";
  if (v.is_null()) return "null";
  if (v.is_array()) return "an array";
  return "an object";
}

/// One JSON object of the policy: typed getters that name the key path, and a final check that
/// every key was known.
class Section {
 public:
  Section(const json& obj, std::string path) : obj_(obj), path_(std::move(path)) {
    if (!obj_.is_object()) fail(path_, "must be an object, not " + type_name(obj_));
  }

  const json* get(const std::string& key) {
    known_.insert(key);
    auto it = obj_.find(key);
    return it == obj_.end() ? nullptr : &*it;
  }
  std::string path(const std::string& key) const { return path_ + "." + key; }

  std::optional<bool> boolean(const std::string& key) {
    const json* v = get(key);
    if (!v) return std::nullopt;
    if (!v->is_boolean()) fail(path(key), "must be true or false, not " + type_name(*v));
    return v->get<bool>();
  }

  std::optional<double> number(const std::string& key, double lo, double hi) {
    const json* v = get(key);
    if (!v) return std::nullopt;
    if (!v->is_number()) fail(path(key), "must be a number, not " + type_name(*v));
    double d = v->get<double>();
    if (!std::isfinite(d) || d < lo || d > hi) {
      fail(path(key), fmt::format("{:g} is out of range (from {:g} to {:g})", d, lo, hi));
    }
    return d;
  }

  std::optional<uint64_t> integer(const std::string& key, uint64_t lo, uint64_t hi) {
    const json* v = get(key);
    if (!v) return std::nullopt;
    if (!v->is_number_unsigned() && !v->is_number_integer()) {
      fail(path(key), "must be a whole number, not " + type_name(*v));
    }
    if (v->is_number_integer() && v->get<int64_t>() < 0) {
      fail(path(key), fmt::format("{} is out of range (from {} to {})", v->get<int64_t>(), lo, hi));
    }
    uint64_t n = v->get<uint64_t>();
    if (n < lo || n > hi)
      fail(path(key), fmt::format("{} is out of range (from {} to {})", n, lo, hi));
    return n;
  }

  std::optional<std::string> string(const std::string& key) {
    const json* v = get(key);
    if (!v) return std::nullopt;
    if (!v->is_string()) fail(path(key), "must be a string, not " + type_name(*v));
    std::string s = v->get<std::string>();
    if (s.empty()) fail(path(key), "must not be empty");
    return s;
  }

  /// A byte size: a whole number of bytes, or a string such as "3.5 GB" or "3 GiB".
  std::optional<uint64_t> size(const std::string& key) {
    const json* v = get(key);
    if (!v) return std::nullopt;
    if (v->is_number_unsigned() || (v->is_number_integer() && v->get<int64_t>() >= 0)) {
      return v->get<uint64_t>();
    }
    if (v->is_string()) {
      if (auto n = parse_byte_size(v->get<std::string>())) return n;
      fail(path(key), "'" + v->get<std::string>() +
                          "' is not a size (examples: 3500000000, \"3.5 GB\", \"3 GiB\", "
                          "\"512MiB\")");
    }
    fail(path(key), "must be a size in bytes or a string such as \"3.5 GB\", not " + type_name(*v));
  }

  std::optional<fs::path> file_path(const std::string& key, const fs::path& base) {
    auto s = string(key);
    if (!s) return std::nullopt;
    fs::path p(*s);
    return p.is_absolute() || base.empty() ? p : base / p;
  }

  std::vector<std::string> codes(const std::string& key) {
    const json* v = get(key);
    if (!v) return {};
    if (!v->is_array()) fail(path(key), "must be an array of finding codes, not " + type_name(*v));
    std::vector<std::string> out;
    for (size_t i = 0; i < v->size(); ++i) {
      const json& c = (*v)[i];
      std::string p = fmt::format("{}[{}]", path(key), i);
      if (!c.is_string()) fail(p, "must be a finding code (a string), not " + type_name(c));
      std::string s = c.get<std::string>();
      // "<area>.<name>", an area prefix "<area>.*", or "*"-terminated prefixes in general.
      bool ok = !s.empty();
      for (size_t k = 0; k < s.size() && ok; ++k) {
        char ch = s[k];
        bool word = (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_' || ch == '.';
        ok = word || (ch == '*' && k + 1 == s.size());
      }
      if (!ok) {
        fail(p, "'" + s +
                    "' is not a finding code (lower-case \"<area>.<name>\", or a prefix ending "
                    "in '*', such as \"tokenizer.*\")");
      }
      out.push_back(std::move(s));
    }
    return out;
  }

  /// Every key must have been asked for.
  void finish() const {
    for (const auto& [k, v] : obj_.items()) {
      if (!known_.count(k)) fail(path(k), "unknown key");
    }
  }

  const json& object() const { return obj_; }

 private:
  const json& obj_;
  std::string path_;
  std::set<std::string> known_;
};

FidelityThresholds thresholds(Section& s) {
  FidelityThresholds t;
  t.min_cosine = s.number("min_cosine", -1.0, 1.0);
  t.max_relative_error = s.number("max_relative_error", 0.0, std::numeric_limits<double>::max());
  return t;
}

/// Parses JSON, refusing a key given twice in one object (the policy must say one thing).
json parse_strict(std::string_view text) {
  std::vector<std::set<std::string>> keys;
  std::string duplicate;
  json::parser_callback_t cb = [&](int /*depth*/, json::parse_event_t event, json& parsed) {
    if (event == json::parse_event_t::object_start) {
      keys.emplace_back();
    } else if (event == json::parse_event_t::object_end) {
      if (!keys.empty()) keys.pop_back();
    } else if (event == json::parse_event_t::key && !keys.empty()) {
      std::string k = parsed.get<std::string>();
      if (!keys.back().insert(k).second && duplicate.empty()) duplicate = k;
    }
    return true;
  };
  json j;
  try {
    j = json::parse(text.begin(), text.end(), cb);
  } catch (const json::parse_error& e) {
    // "[json.exception.parse_error.101] parse error at line 3, column 5: ..." -> from "at line".
    // nlohmann's "; last read: '...'" can quote bytes that are not UTF-8: left out.
    std::string what = e.what();
    auto at = what.find("at line");
    if (at != std::string::npos) what = what.substr(at);
    what = what.substr(0, what.find("; last read"));
    throw PolicyError("not valid JSON: " + what);
  }
  if (!duplicate.empty()) throw PolicyError("the key '" + duplicate + "' is given twice");
  return j;
}

Policy parse(std::string_view text, const fs::path& base) {
  json j = parse_strict(text);
  Section top(j, "policy");
  const json* version = top.get("medq_policy");
  if (!version) {
    fail("policy",
         fmt::format("not a medq policy: the key \"medq_policy\": {} is missing", kPolicyVersion));
  }
  if (!version->is_number_integer() || version->get<int64_t>() != kPolicyVersion) {
    fail("policy.medq_policy",
         fmt::format("version {} is not supported (this medq reads version {})", version->dump(),
                     kPolicyVersion));
  }
  if (const json* d = top.get("description"); d && !d->is_string()) {
    fail("policy.description", "must be a string, not " + type_name(*d));
  }
  Policy p;
  if (const json* v = top.get("findings")) {
    Section s(*v, "policy.findings");
    FindingsPolicy f;
    f.fail_on_warnings = s.boolean("fail_on_warnings").value_or(false);
    f.fail_on = s.codes("fail_on");
    f.allow = s.codes("allow");
    f.deep = s.boolean("deep").value_or(false);
    for (const auto& code : f.fail_on) {
      for (const auto& a : f.allow) {
        if (code_matches(code, a) || code_matches(a, code)) {
          fail("policy.findings", "'" + code + "' is both in fail_on and allowed by '" + a + "'");
        }
      }
    }
    s.finish();
    p.findings = std::move(f);
  }
  if (const json* v = top.get("quantization")) {
    Section s(*v, "policy.quantization");
    QuantizationPolicy q;
    q.mode = s.string("mode");
    if (q.mode && *q.mode != "none" && !parse_quant_mode(*q.mode)) {
      fail(s.path("mode"), "'" + *q.mode + "' is not affine, mxfp4, mxfp8, nvfp4 or none");
    }
    if (auto b = s.integer("bits", 1, 16)) q.bits = static_cast<unsigned>(*b);
    if (auto g = s.integer("group_size", 1, 1u << 20)) q.group_size = static_cast<unsigned>(*g);
    q.allow_mixed = s.boolean("allow_mixed");
    if (q.mode == "none" && (q.bits || q.group_size)) {
      fail("policy.quantization", "mode \"none\" (unquantized) cannot have bits or group_size");
    }
    s.finish();
    p.quantization = q;
  }
  if (const json* v = top.get("limits")) {
    Section s(*v, "policy.limits");
    LimitsPolicy l;
    l.max_weight_bytes = s.size("max_weight_bytes");
    l.max_directory_bytes = s.size("max_directory_bytes");
    l.max_memory_bytes = s.size("max_memory_bytes");
    l.context_tokens = s.integer("context_tokens", 1, uint64_t{1} << 40).value_or(l.context_tokens);
    s.finish();
    p.limits = l;
  }
  if (const json* v = top.get("fidelity")) {
    Section s(*v, "policy.fidelity");
    FidelityPolicy f;
    f.reference = s.file_path("reference", base);
    f.overall = thresholds(s);
    if (const json* c = s.get("components")) {
      Section cs(*c, s.path("components"));
      for (const auto& [name, value] : c->items()) {
        bool known = false;
        for (ModelPart part : kModelParts) known = known || model_part_name(part) == name;
        if (!known) {
          fail(cs.path(name),
               "not a model part (language_model, embeddings, vision_tower or "
               "projector)");
        }
        cs.get(name);
        Section one(value, cs.path(name));
        f.components[name] = thresholds(one);
        one.finish();
      }
      cs.finish();
    }
    s.finish();
    p.fidelity = std::move(f);
  }
  if (const json* v = top.get("quality")) {
    Section s(*v, "policy.quality");
    QualityPolicy q;
    q.reference = s.file_path("reference", base);
    q.tokens = s.file_path("tokens", base);
    q.text = s.file_path("text", base);
    if (q.tokens && q.text) {
      fail("policy.quality",
           "give tokens or text, not both (neither: the bundled evaluation text)");
    }
    q.context = s.integer("context", 1, uint64_t{1} << 20).value_or(q.context);
    q.score_from = s.integer("score_from", 0, uint64_t{1} << 20);
    if (q.score_from && *q.score_from >= q.context) {
      fail(s.path("score_from"),
           fmt::format("{} leaves nothing to score in chunks of {} tokens (context)", *q.score_from,
                       q.context));
    }
    constexpr double kMax = std::numeric_limits<double>::max();
    q.max_mean_kld = s.number("max_mean_kld", 0.0, kMax);
    q.max_kld_p99 = s.number("max_kld_p99", 0.0, kMax);
    q.min_top1_agreement = s.number("min_top1_agreement", 0.0, 1.0);
    q.max_ppl_ratio = s.number("max_ppl_ratio", 0.0, kMax);
    s.finish();
    p.quality = std::move(q);
  }
  if (const json* v = top.get("integrity")) {
    Section s(*v, "policy.integrity");
    IntegrityPolicy i;
    i.manifest = s.file_path("manifest", base);
    s.finish();
    p.integrity = i;
  }
  if (const json* v = top.get("tokenizer")) {
    Section s(*v, "policy.tokenizer");
    TokenizerPolicy t;
    t.identical_to = s.file_path("identical_to", base);
    s.finish();
    p.tokenizer = t;
  }
  if (const json* v = top.get("baseline")) {
    Section s(*v, "policy.baseline");
    BaselinePolicy b;
    b.report = s.file_path("report", base);
    b.allow_tensor_set_change = s.boolean("allow_tensor_set_change").value_or(false);
    b.allow_architecture_change = s.boolean("allow_architecture_change").value_or(false);
    b.max_size_growth_percent = s.number("max_size_growth_percent", 0.0, 1e9);
    s.finish();
    p.baseline = b;
  }
  top.finish();
  return p;
}

}  // namespace

bool code_matches(std::string_view code, std::string_view pattern) {
  if (!pattern.empty() && pattern.back() == '*') {
    return code.substr(0, pattern.size() - 1) == pattern.substr(0, pattern.size() - 1);
  }
  return code == pattern;
}

PolicyParse parse_policy(std::string_view text, const fs::path& base_dir) {
  PolicyParse r;
  try {
    r.policy = parse(text, base_dir);
  } catch (const PolicyError& e) {
    r.error = e.what();
  }
  return r;
}

PolicyParse read_policy(const fs::path& path) {
  PolicyParse r;
  SmallFile f = read_small_file(path, kMaxPolicyBytes);
  if (f.too_large) {
    r.error = fmt::format("{} bytes is more than the {} bytes medq reads for a policy",
                          *f.too_large, kMaxPolicyBytes);
    return r;
  }
  if (!f.text) {
    r.error = "cannot read: " + f.error;
    return r;
  }
  r = parse_policy(*f.text, path.parent_path());
  if (r.policy) r.policy->file = path;
  return r;
}

void apply_overrides(Policy& p, const PolicyOverrides& o) {
  if (o.baseline) {
    if (!p.baseline) p.baseline.emplace();
    p.baseline->report = o.baseline;
  }
  if (o.manifest) {
    if (!p.integrity) p.integrity.emplace();
    p.integrity->manifest = o.manifest;
  }
  if (o.reference) {
    if (p.fidelity) p.fidelity->reference = o.reference;
    if (p.quality) p.quality->reference = o.reference;
    if (p.tokenizer) p.tokenizer->identical_to = o.reference;
  }
}

std::optional<fs::path> quality_reference(const Policy& p) {
  if (p.quality && p.quality->reference) return p.quality->reference;
  if (p.fidelity && p.fidelity->reference) return p.fidelity->reference;
  return std::nullopt;
}

std::vector<std::string> policy_rules(const Policy& p) {
  std::vector<std::string> r = {"validation"};
  if (p.findings) {
    if (p.findings->fail_on_warnings) r.emplace_back("findings.fail_on_warnings");
    if (!p.findings->fail_on.empty()) r.emplace_back("findings.fail_on");
  }
  if (p.quantization) {
    const QuantizationPolicy& q = *p.quantization;
    if (q.mode) r.emplace_back("quantization.mode");
    if (q.bits) r.emplace_back("quantization.bits");
    if (q.group_size) r.emplace_back("quantization.group_size");
    if (q.allow_mixed == false) r.emplace_back("quantization.allow_mixed");
  }
  if (p.limits) {
    if (p.limits->max_weight_bytes) r.emplace_back("limits.max_weight_bytes");
    if (p.limits->max_directory_bytes) r.emplace_back("limits.max_directory_bytes");
    if (p.limits->max_memory_bytes) r.emplace_back("limits.max_memory_bytes");
  }
  if (p.fidelity) {
    if (p.fidelity->overall.min_cosine) r.emplace_back("fidelity.min_cosine");
    if (p.fidelity->overall.max_relative_error) r.emplace_back("fidelity.max_relative_error");
    // Components in the report's part order, not by name.
    for (ModelPart part : kModelParts) {
      std::string name(model_part_name(part));
      auto it = p.fidelity->components.find(name);
      if (it == p.fidelity->components.end()) continue;
      if (it->second.min_cosine) r.push_back("fidelity.components." + name + ".min_cosine");
      if (it->second.max_relative_error) {
        r.push_back("fidelity.components." + name + ".max_relative_error");
      }
    }
  }
  if (p.quality) {
    const QualityPolicy& q = *p.quality;
    if (q.max_mean_kld) r.emplace_back("quality.max_mean_kld");
    if (q.max_kld_p99) r.emplace_back("quality.max_kld_p99");
    if (q.min_top1_agreement) r.emplace_back("quality.min_top1_agreement");
    if (q.max_ppl_ratio) r.emplace_back("quality.max_ppl_ratio");
  }
  if (p.integrity && p.integrity->manifest) r.emplace_back("integrity.manifest");
  if (p.tokenizer) r.emplace_back("tokenizer.identical_to");
  if (p.baseline) {
    if (!p.baseline->allow_tensor_set_change) r.emplace_back("baseline.tensor_set");
    if (!p.baseline->allow_architecture_change) r.emplace_back("baseline.architecture");
    if (p.baseline->max_size_growth_percent) r.emplace_back("baseline.max_size_growth_percent");
  }
  return r;
}

std::string policy_usage_problem(const Policy& p) {
  std::vector<std::string> rules = policy_rules(p);
  bool fidelity_rules = false;
  for (const auto& r : rules) fidelity_rules = fidelity_rules || r.starts_with("fidelity.");
  if (fidelity_rules && !(p.fidelity && p.fidelity->reference)) {
    return "policy.fidelity.reference: the fidelity thresholds need a reference variant (give "
           "fidelity.reference or --reference DIR)";
  }
  if (p.quality && p.quality->any_threshold() && !quality_reference(p)) {
    return "policy.quality.reference: the quality thresholds need a reference variant (give "
           "quality.reference, fidelity.reference or --reference DIR)";
  }
  if (p.tokenizer && !p.tokenizer->identical_to && !(p.fidelity && p.fidelity->reference)) {
    return "policy.tokenizer.identical_to: no variant to compare the tokenizer with (give "
           "tokenizer.identical_to, fidelity.reference or --reference DIR)";
  }
  if (p.integrity && !p.integrity->manifest) {
    return "policy.integrity.manifest: no manifest to verify (give integrity.manifest or "
           "--manifest FILE)";
  }
  // Rules that will run: the baseline's are skipped without a report.
  size_t evaluated = 0;
  for (const auto& r : rules) {
    if (r == "validation") continue;
    if (r.starts_with("baseline.") && !(p.baseline && p.baseline->report)) continue;
    ++evaluated;
  }
  if (evaluated == 0) {
    return "the policy checks nothing beyond validation: give at least one rule (docs/ci.md "
           "lists them)";
  }
  return "";
}

}  // namespace medq
