#include "medq/analysis/comparison.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <map>
#include <set>
#include <stdexcept>
#include <system_error>
#include <thread>

#include "medq/check/validate.hpp"
#include "medq/formats/file_cache.hpp"
#include "medq/io/sha256.hpp"
#include "medq/util/parallel.hpp"
#include "medq/util/units.hpp"

namespace medq {

std::optional<std::string> file_sha256(const ModelDir& dir, std::string_view name,
                                       const FileCache* known) {
  const DirEntry* e = dir.find(name);
  if (!e) return std::nullopt;
  if (e->kind == EntryKind::kSymlink || e->kind == EntryKind::kDirectory ||
      e->kind == EntryKind::kSpecial) {
    return "not a regular file";
  }
  if (known) {
    if (auto d = known->sha256_of(*dir.storage, e->name)) return d;
  }
  std::string err;
  auto src = dir.storage->open(e->name, &err);
  auto d = src ? sha256_source(*src, &err) : std::nullopt;
  return d ? *d : "unreadable: " + err;
}

std::vector<std::string_view> compared_files() {
  return {"tokenizer.json",          "tokenizer.model",        "tokenizer_config.json",
          "special_tokens_map.json", "added_tokens.json",      "chat_template.json",
          "chat_template.jinja",     "generation_config.json", "processor_config.json",
          "preprocessor_config.json"};
}

namespace {

struct Measured {
  Validation validation;
  VariantStats stats;
  std::vector<std::optional<std::string>> digests;  ///< per compared_files() entry
};

Measured measure(const CompareInput& in, bool follow_symlinks, FileCache* files) {
  Measured m;
  ScanOptions scan;
  scan.follow_symlinks = follow_symlinks;
  m.validation = in.storage ? validate_model(scan_model_dir(in.storage, in.dir, scan), files)
                            : validate_model(in.dir, scan, files);
  const Validation& v = m.validation;
  m.stats = analyze_variant(v, in.label);
  // tokenizer.json and the small JSON files were hashed when validation read them (the cache
  // tells identical files apart by their SHA-256); the other files are read here.
  for (std::string_view name : compared_files()) {
    m.digests.push_back(file_sha256(v.dir, name, files));
  }
  return m;
}

Delta delta(uint64_t value, uint64_t base) {
  Delta d;
  d.value = static_cast<int64_t>(value) - static_cast<int64_t>(base);
  if (base > 0) d.percent = 100.0 * static_cast<double>(d.value) / static_cast<double>(base);
  return d;
}

template <typename T>
std::string field_text(const Field<T>& f) {
  if (!f.known()) return "";
  if constexpr (std::is_same_v<T, bool>) {
    return f.value ? "true" : "false";
  } else if constexpr (std::is_same_v<T, double>) {
    return fmt::format("{:g}", f.value);
  } else {
    return std::to_string(f.value);
  }
}

void push_capped(TensorDiffList& list, TensorDiffItem item) {
  ++list.total;
  if (list.items.size() < kMaxDiffItems) list.items.push_back(std::move(item));
}

TensorSetDiff diff_tensors(const std::vector<CompareVariant>& vs) {
  TensorSetDiff d;
  std::set<std::string> names;
  for (const auto& v : vs) {
    for (const auto& [name, t] : v.stats.tensors) names.insert(name);
  }
  for (const auto& name : names) {
    TensorDiffItem presence{name, {}}, shapes{name, {}}, dtypes{name, {}};
    bool missing = false, shape_differs = false, dtype_differs = false, packed = false;
    std::optional<std::vector<uint64_t>> first_shape;
    std::optional<Dtype> first_dtype;
    for (const auto& v : vs) {
      auto it = v.stats.tensors.find(name);
      if (it == v.stats.tensors.end()) {
        missing = true;
        presence.values.emplace_back();
        shapes.values.emplace_back();
        dtypes.values.emplace_back();
        continue;
      }
      const TensorSummary& t = it->second;
      presence.values.emplace_back("yes");
      shapes.values.push_back(shape_to_string(t.shape));
      dtypes.values.emplace_back(t.scheme ? *t.scheme : std::string(dtype_name(t.dtype)));
      if (first_shape && *first_shape != t.shape) shape_differs = true;
      if (!first_shape) first_shape = t.shape;
      if (t.scheme) {
        packed = true;
      } else {
        if (first_dtype && *first_dtype != t.dtype) dtype_differs = true;
        if (!first_dtype) first_dtype = t.dtype;
      }
    }
    if (missing) push_capped(d.presence, std::move(presence));
    if (shape_differs) push_capped(d.shapes, std::move(shapes));
    // Quantized in some variants is the point of the comparison; dtypes of tensors kept in
    // float everywhere should agree.
    if (dtype_differs && !packed) push_capped(d.dtypes, std::move(dtypes));
  }
  return d;
}

}  // namespace

std::vector<std::pair<std::string, std::string>> architecture_fields(
    const std::optional<Architecture>& a) {
  std::vector<std::pair<std::string, std::string>> out;
  auto add = [&](std::string name, std::string value) {
    out.emplace_back(std::move(name), std::move(value));
  };
  const Architecture empty;
  const Architecture& x = a ? *a : empty;
  add("model_type", x.model_type);
  add("text.hidden_size", field_text(x.text.hidden_size));
  add("text.num_hidden_layers", field_text(x.text.num_hidden_layers));
  add("text.num_attention_heads", field_text(x.text.num_attention_heads));
  add("text.num_key_value_heads", field_text(x.text.num_key_value_heads));
  add("text.head_dim", field_text(x.text.head_dim));
  add("text.intermediate_size", field_text(x.text.intermediate_size));
  add("text.vocab_size", field_text(x.text.vocab_size));
  add("text.sliding_window", field_text(x.text.sliding_window));
  add("text.tie_word_embeddings", field_text(x.text.tie_word_embeddings));
  const VisionArchitecture nov;
  const VisionArchitecture& v = x.vision ? *x.vision : nov;
  add("vision.hidden_size", field_text(v.hidden_size));
  add("vision.num_hidden_layers", field_text(v.num_hidden_layers));
  add("vision.num_attention_heads", field_text(v.num_attention_heads));
  add("vision.intermediate_size", field_text(v.intermediate_size));
  add("vision.patch_size", field_text(v.patch_size));
  add("vision.image_size", field_text(v.image_size));
  const ProjectorArchitecture nop;
  const ProjectorArchitecture& p = x.projector ? *x.projector : nop;
  add("projector.mm_tokens_per_image", field_text(p.mm_tokens_per_image));
  return out;
}

bool is_identity_field(std::string_view field) {
  static constexpr std::string_view kFields[] = {"model_type",
                                                 "text.hidden_size",
                                                 "text.num_hidden_layers",
                                                 "text.num_attention_heads",
                                                 "text.num_key_value_heads",
                                                 "text.head_dim",
                                                 "text.intermediate_size",
                                                 "text.vocab_size",
                                                 "vision.hidden_size",
                                                 "vision.num_hidden_layers",
                                                 "vision.num_attention_heads",
                                                 "vision.intermediate_size",
                                                 "vision.patch_size",
                                                 "vision.image_size"};
  return std::find(std::begin(kFields), std::end(kFields), field) != std::end(kFields);
}

namespace {

// compare.different_models: the identity fields on which two variants that both know the value
// disagree, each with its value per variant.
void add_different_models_finding(Comparison& c) {
  std::vector<std::string> fields;
  for (const auto& row : c.architecture) {
    if (!row.differs || !is_identity_field(row.field)) continue;
    std::set<std::string> known;
    for (const auto& v : row.values) {
      if (!v.empty()) known.insert(v);
    }
    if (known.size() < 2) continue;  // unknown in some variants: validation says why
    std::string values;
    for (size_t i = 0; i < row.values.size(); ++i) {
      values +=
          fmt::format("{}{} in '{}'", i ? ", " : "",
                      row.values[i].empty() ? "unknown" : row.values[i], c.variants[i].stats.label);
    }
    fields.push_back(row.field + " " + values);
  }
  if (fields.empty()) return;
  constexpr size_t kShown = 3;
  std::string list;
  for (size_t i = 0; i < fields.size() && i < kShown; ++i) list += (i ? "; " : "") + fields[i];
  if (fields.size() > kShown) list += fmt::format("; and {} more", fields.size() - kShown);
  c.findings.push_back(file_finding(
      "compare.different_models", Severity::kError, "",
      fmt::format("the variants are not one model: {} ({} of the architecture differ, see "
                  "Architecture); sizes, parameters and fidelity against the baseline compare "
                  "unrelated weights",
                  list, count_noun(fields.size(), "field"))));
}

// The resolved config values side by side; fields unknown in every variant are left out.
void add_architecture_rows(Comparison& c) {
  std::vector<std::vector<std::pair<std::string, std::string>>> fields;
  for (const auto& v : c.variants) fields.push_back(architecture_fields(v.stats.arch));
  for (size_t f = 0; f < fields.front().size(); ++f) {
    ArchRow row;
    row.field = fields.front()[f].first;
    for (const auto& vf : fields) {
      row.values.push_back(vf[f].second);
      if (vf[f].second != fields.front()[f].second) row.differs = true;
    }
    bool all_empty = std::all_of(row.values.begin(), row.values.end(),
                                 [](const std::string& s) { return s.empty(); });
    if (all_empty) continue;  // e.g. vision fields of a text-only model
    if (row.differs) c.architecture_identical = false;
    c.architecture.push_back(std::move(row));
  }
}

// --fidelity: every variant against the baseline, one at a time, each over every worker thread.
void measure_against_baseline(Comparison& c, const std::vector<const Validation*>& validations,
                              const CompareOptions& options) {
  FidelityOptions fo;
  fo.threads = options.threads;
  uint64_t done_before = 0, total = 0;
  for (size_t i = 0; i < c.variants.size(); ++i) {
    if (i != c.baseline) total += c.variants[i].stats.tensor_bytes;
  }
  const std::string& base = c.variants[c.baseline].stats.label;
  for (size_t i = 0; i < c.variants.size(); ++i) {
    if (i == c.baseline) continue;
    if (options.progress) {
      fo.progress = [&, done_before](uint64_t d, uint64_t) {
        options.progress(done_before + d, total);
      };
    }
    c.variants[i].fidelity = measure_fidelity(*validations[c.baseline], *validations[i], base,
                                              c.variants[i].stats.label, fo);
    done_before += c.variants[i].stats.tensor_bytes;
  }
}

// --quality: the forward passes of the baseline and of every other valid variant.
void quality_against_baseline(Comparison& c, const std::vector<const Validation*>& validations,
                              const CompareOptions& options) {
  CompareQuality q;
  if (!options.quality->text) q.tokens_file = options.quality->source;
  const CompareVariant& base = c.variants[c.baseline];
  std::vector<QualitySubject> subjects;
  std::vector<size_t> measured;
  for (size_t i = 0; i < c.variants.size(); ++i) {
    if (i == c.baseline) continue;
    if (c.variants[i].stats.errors > 0) {
      q.not_evaluated.push_back(c.variants[i].stats.label);
    } else {
      subjects.push_back({c.variants[i].stats.label, validations[i]});
      measured.push_back(i);
    }
  }
  if (base.stats.errors > 0) {
    q.not_measured = "the baseline has validation errors";
  } else if (count_severity(c.findings, Severity::kError) > 0) {
    q.not_measured = "the variants are not one model";
  } else if (subjects.empty()) {
    q.not_measured = "no valid variant besides the baseline";
  }
  if (!q.not_measured.empty()) {
    c.quality = std::move(q);
    return;
  }
  QualityMeasurement m = measure_quality({base.stats.label, validations[c.baseline]}, subjects,
                                         *options.quality, options.quality_options);
  if (!m.outcome.result) throw std::runtime_error(m.outcome.message);
  for (size_t k = 0; k < measured.size(); ++k)
    c.variants[measured[k]].quality = std::move(m.outcome.result->variants[k]);
  m.outcome.result->variants.clear();
  q.result = std::move(m.outcome.result);
  q.text = std::move(m.text);
  c.quality = std::move(q);
}

// The compared files present in at least one variant, with their digests per variant.
std::vector<FileIdentity> file_identities(
    const std::vector<std::vector<std::optional<std::string>>>& digests) {
  std::vector<FileIdentity> out;
  auto names = compared_files();
  for (size_t f = 0; f < names.size(); ++f) {
    FileIdentity id;
    id.file = std::string(names[f]);
    bool any = false;
    for (const auto& d : digests) {
      id.sha256.push_back(d[f]);
      any = any || d[f].has_value();
    }
    if (!any) continue;
    id.identical = std::all_of(id.sha256.begin(), id.sha256.end(), [&](const auto& s) {
      return s.has_value() && *s == *id.sha256.front();
    });
    out.push_back(std::move(id));
  }
  return out;
}

}  // namespace

std::optional<size_t> find_variant(std::span<const CompareInput> inputs, const std::string& given) {
  for (size_t i = 0; i < inputs.size(); ++i) {
    std::error_code ec;
    if (inputs[i].label == given || std::filesystem::equivalent(inputs[i].dir, given, ec)) return i;
  }
  return std::nullopt;
}

std::vector<CompareInput> discover_variants(const std::filesystem::path& root) {
  namespace fs = std::filesystem;
  std::error_code ec;
  std::vector<std::string> subs;
  for (fs::directory_iterator it(root, ec), end; !ec && it != end; it.increment(ec)) {
    std::error_code e2;
    if (it->is_directory(e2) && !it->is_symlink(e2) &&
        fs::is_regular_file(it->path() / "config.json", e2)) {
      subs.push_back(it->path().filename().string());
    }
  }
  if (ec) throw std::runtime_error("cannot list '" + root.string() + "': " + ec.message());
  std::sort(subs.begin(), subs.end());
  std::vector<CompareInput> inputs;
  for (const auto& s : subs) inputs.push_back({s, root / s});
  if (inputs.empty()) {
    throw std::runtime_error("no subfolder of '" + root.string() + "' holds a config.json");
  }
  return inputs;
}

Comparison compare_models(const std::vector<CompareInput>& inputs, const CompareOptions& options) {
  if (inputs.empty()) throw std::invalid_argument("no model directories to compare");
  // Validate and measure in parallel: header reads and small files, plus hashing the tokenizer.
  // Identical tokenizer.json and small JSON files (the usual case across one model's variants)
  // are parsed once.
  std::vector<Measured> measured(inputs.size());
  FileCache files;
  // By default at least four variants at a time, even on two cores: a variant mostly waits for
  // the tokenizer.json another variant is parsing (or hashes its own on a thread of its own),
  // and one that waits should not keep the next from starting. (Four 33 MB tokenizer parses at
  // once, for four different tokenizers, stay under 300 MB.)
  const unsigned validating = options.threads != 0
                                  ? options.threads
                                  : std::max(4u, std::max(1u, std::thread::hardware_concurrency()));
  parallel_for(inputs.size(), validating, [&](size_t i) {
    measured[i] = measure(inputs[i], options.follow_symlinks, &files);
  });

  // Most precise first.
  std::vector<std::optional<double>> bits;
  for (const auto& m : measured) bits.push_back(m.stats.bits_per_weight);
  const std::vector<size_t> order = precision_order(bits);

  Comparison c;
  c.context = options.context;
  c.memory_budget = options.memory_budget;
  std::vector<std::vector<std::optional<std::string>>> digests;
  std::vector<const Validation*> validations;
  for (size_t i : order) {
    validations.push_back(&measured[i].validation);
    CompareVariant cv;
    cv.stats = std::move(measured[i].stats);
    const Architecture* arch = cv.stats.arch ? &*cv.stats.arch : nullptr;
    cv.memory = estimate_memory(
        arch, cv.stats.tensor_bytes, options.context, cv.stats.activation_dtype,
        options.memory_budget ? std::optional<uint64_t>(options.memory_budget->bytes)
                              : std::nullopt);
    c.variants.push_back(std::move(cv));
    digests.push_back(std::move(measured[i].digests));
  }

  if (options.baseline) {
    auto it = std::find_if(c.variants.begin(), c.variants.end(), [&](const CompareVariant& v) {
      return v.stats.label == *options.baseline;
    });
    if (it == c.variants.end()) {
      throw std::invalid_argument("--baseline '" + *options.baseline +
                                  "' is not one of the compared directories");
    }
    c.baseline = static_cast<size_t>(it - c.variants.begin());
    c.baseline_given = true;
  }
  const VariantStats& base = c.variants[c.baseline].stats;
  for (auto& v : c.variants) {
    v.weight_bytes = delta(v.stats.tensor_bytes, base.tensor_bytes);
    v.directory_bytes = delta(v.stats.directory_bytes, base.directory_bytes);
    v.params = delta(v.stats.params, base.params);
  }

  add_architecture_rows(c);
  add_different_models_finding(c);
  c.tensors = diff_tensors(c.variants);

  if (options.fidelity) measure_against_baseline(c, validations, options);
  if (options.quality) quality_against_baseline(c, validations, options);
  c.files = file_identities(digests);
  return c;
}

}  // namespace medq
