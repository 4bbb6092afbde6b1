#include "medq/report/compare_report.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "medq/report/fidelity_report.hpp"
#include "medq/report/quality_report.hpp"
#include "medq/util/units.hpp"

namespace medq {

bool CompareReport::all_valid() const {
  return std::all_of(comparison.variants.begin(), comparison.variants.end(),
                     [](const CompareVariant& v) { return v.stats.errors == 0; });
}

bool CompareReport::passed() const {
  return all_valid() && count_severity(comparison.findings, Severity::kError) == 0;
}

namespace {

std::string signed_bytes(int64_t v) {
  if (v == 0) return "0 B";
  uint64_t mag = v < 0 ? static_cast<uint64_t>(-(v + 1)) + 1 : static_cast<uint64_t>(v);
  return (v < 0 ? "-" : "+") + human_bytes(mag);
}

std::string percent(const std::optional<double>& p) {
  if (!p) return "";
  return fmt::format(" ({:+.1f}%)", *p);
}

std::string bits(const std::optional<double>& b) { return b ? fmt::format("{:.2f}", *b) : "-"; }

std::string status(const VariantStats& s) {
  if (s.errors == 0) {
    return s.warnings == 0 ? "PASS" : fmt::format("PASS, {}", count_noun(s.warnings, "warning"));
  }
  std::string codes;
  size_t shown = 0;
  for (const auto& [code, n] : s.error_codes) {
    if (shown++ == 3) {
      codes += ", ...";
      break;
    }
    codes += (codes.empty() ? "" : ", ") + code + (n > 1 ? fmt::format(" x{}", n) : "");
  }
  return fmt::format("FAIL: {} ({})", count_noun(s.errors, "error"), codes);
}

std::string quant_line(const VariantStats& s) {
  bool any = std::any_of(s.schemes.begin(), s.schemes.end(),
                         [](const SchemeUse& u) { return u.quantized; });
  if (!any) {
    return s.schemes.empty() ? "none" : "none (" + s.schemes.front().scheme + ")";
  }
  // The scheme with most parameters is the headline; the rest are "mixed".
  const SchemeUse* main = nullptr;
  size_t quantized_schemes = 0;
  for (const auto& u : s.schemes) {
    if (!u.quantized) continue;
    ++quantized_schemes;
    if (!main || u.params > main->params) main = &u;
  }
  return quantized_schemes > 1 ? main->scheme + ", mixed" : main->scheme;
}

}  // namespace

std::string format_delta_bytes(const Delta& d, bool is_baseline) {
  if (is_baseline) return "baseline";
  return signed_bytes(d.value) + percent(d.percent);
}

std::string format_delta_count(const Delta& d, bool is_baseline) {
  if (is_baseline) return "baseline";
  std::string sign = d.value < 0 ? "-" : "+";
  uint64_t mag =
      d.value < 0 ? static_cast<uint64_t>(-(d.value + 1)) + 1 : static_cast<uint64_t>(d.value);
  return sign + group_digits(mag) + percent(d.percent);
}

namespace {

// The context every section reads: the variants (most precise first) and which is the baseline.
struct Layout {
  const Comparison& c;
  const std::vector<CompareVariant>& vs = c.variants;
  size_t base = c.baseline;
};

RichText headline(const Layout& l) {
  size_t invalid = 0;
  for (const auto& v : l.vs) invalid += v.stats.errors > 0 ? 1 : 0;
  const bool different = std::any_of(l.c.findings.begin(), l.c.findings.end(), [](const auto& f) {
    return f.code == "compare.different_models";
  });
  std::string verdict = invalid == 0
                            ? (different ? "Each variant validates without errors on its own."
                                         : "Every variant validates without errors.")
                            : fmt::format("{} of {} variants {} errors: see Validation.", invalid,
                                          l.vs.size(), invalid == 1 ? "has" : "have");
  return count_noun(l.vs.size(), "variant") +
         " compared, most precise first; baseline: " + code_span(l.vs[l.base].stats.label) +
         fmt::format(" ({}). {}{}",
                     l.c.baseline_given ? "chosen with --baseline" : "the most precise",
                     different ? "These are DIFFERENT MODELS, not variants of one model (see "
                                 "Comparison). "
                               : "",
                     verdict);
}

// Findings about the comparison itself (variants that are not one model), before everything
// else; no section when there are none.
std::optional<ReportSection> comparison_section(const Layout& l) {
  if (l.c.findings.empty()) return std::nullopt;
  ReportSection s;
  s.title = "Comparison";
  for (const auto& f : l.c.findings) {
    s.notes_before.push_back(fmt::format("{}: ", severity_name(f.severity)) + code_span(f.code) +
                             ": " + f.message);
  }
  return s;
}

// The header cells "field"/"tensor"/... followed by one column per variant.
void add_variant_columns(RichTable& t, const Layout& l, bool right_align) {
  for (const auto& v : l.vs) {
    t.headers.push_back(code_span(v.stats.label));
    t.right_align.push_back(right_align);
  }
}

// What --quality measured, or why it measured nothing.
RichText quality_note(const Layout& l) {
  const CompareQuality& q = *l.c.quality;
  RichText note("mean KLD / same top-1 / PPL ratio: ");
  if (!q.result) {
    note += "not measured: " + q.not_measured + ".";
  } else {
    const QualityResult& r = *q.result;
    note +=
        "the output distribution against the baseline's, from a float32 forward pass of "
        "each (";
    if (q.text) {
      note += q.text->bundled ? RichText(q.text->source) : code_span(q.text->source);
      note += fmt::format(", SHA-256 {}..., ", q.text->sha256.substr(0, 16));
    } else if (q.tokens_file) {
      note += code_span(*q.tokens_file) + ": ";
    }
    note += fmt::format(
        "{} in {} of up to {} tokens, positions {} to each chunk's end scored: {} positions; "
        "baseline PPL {}): "
        "KL(P_baseline || P_variant) in nats averaged over the scored positions, the share of "
        "them where both put the same token first, and PPL_variant / PPL_baseline. ",
        count_noun(r.tokens, "token"), count_noun(r.chunks, "chunk"), group_digits(r.context),
        r.score_from, group_digits(r.scored), quality_number(r.reference.ppl));
    note += code_span("medq quality") + " for the details.";
  }
  if (!q.not_evaluated.empty()) {
    note += " Not evaluated (validation errors): ";
    for (size_t i = 0; i < q.not_evaluated.size(); ++i) {
      if (i) note += ", ";
      note += code_span(q.not_evaluated[i]);
    }
    note += ".";
  }
  return note;
}

ReportSection summary_section(const Layout& l) {
  ReportSection s;
  s.title = "Summary";
  s.key = "summary";
  s.table = {{"variant", "quantization", "validation", "weights", "vs baseline", "bits/weight",
              fmt::format("memory @ {} tokens", group_digits(l.c.context))},
             {false, false, false, true, true, true, true},
             {}};
  const bool fid = std::any_of(l.vs.begin(), l.vs.end(),
                               [](const CompareVariant& v) { return v.fidelity.has_value(); });
  if (fid) {
    s.table.headers.insert(s.table.headers.end() - 1, {"rel. error", "cosine"});
    s.table.right_align.insert(s.table.right_align.end() - 1, {true, true});
  }
  const bool quality = l.c.quality.has_value();
  if (quality) {
    s.table.headers.insert(s.table.headers.end() - 1, {"mean KLD", "same top-1", "PPL ratio"});
    s.table.right_align.insert(s.table.right_align.end() - 1, {true, true, true});
  }
  for (size_t i = 0; i < l.vs.size(); ++i) {
    const auto& v = l.vs[i];
    std::string mem = human_bytes(v.memory.total);
    if (v.memory.fits && l.c.memory_budget) {
      mem += fmt::format(" ({}, {})", *v.memory.fits ? "fits" : "DOES NOT FIT",
                         l.c.memory_budget->headroom_text(v.memory.headroom.value_or(0)));
    }
    std::vector<RichText> row = {code_span(v.stats.label),
                                 quant_line(v.stats),
                                 status(v.stats),
                                 human_bytes(v.stats.tensor_bytes),
                                 format_delta_bytes(v.weight_bytes, i == l.base),
                                 bits(v.stats.bits_per_weight)};
    if (fid) {
      if (v.fidelity) {
        row.push_back(format_metric(v.fidelity->overall.mean_rel_rms));
        row.push_back(format_metric(v.fidelity->overall.mean_cosine, 6));
      } else {
        const char* none = i == l.base ? "reference" : "-";
        row.insert(row.end(), {none, none});
      }
    }
    if (quality) {
      if (v.quality) {
        row.push_back(quality_number(v.quality->kld.mean));
        row.push_back(quality_percent(v.quality->top1_agreement));
        row.push_back(quality_number(v.quality->ppl_ratio));
      } else {
        const char* none = i == l.base && l.c.quality->result ? "reference" : "-";
        row.insert(row.end(), {none, none, none});
      }
    }
    row.push_back(mem);
    s.table.rows.push_back(std::move(row));
  }
  if (fid) {
    s.notes_after.push_back(
        "rel. error / cosine: the weights measured against the baseline's, dequantized from the "
        "data (parameter-weighted means over tensors; `medq fidelity` for the details).");
  }
  if (quality) s.notes_after.push_back(quality_note(l));
  s.notes_after.push_back(
      "weights: bytes of tensor data a loader reads (duplicate weight files excluded). "
      "bits/weight: weight bytes x 8 / logical parameters over the whole model, as mlx-lm "
      "prints it.");
  return s;
}

ReportSection quantization_section(const Layout& l) {
  ReportSection s;
  s.title = "Quantization";
  s.key = "quantization";
  s.notes_before.push_back(
      "Measured from the packed tensors (U32 weights with .scales): each Linear/Embedding "
      "module counted once under the scheme its shapes and config.json give it; modules left "
      "in float are counted by dtype.");
  s.table = {{"variant", "config.json says", "scheme", "modules", "parameters"},
             {false, false, false, true, true},
             {}};
  for (const auto& v : l.vs) {
    bool first = true;
    for (const auto& u : v.stats.schemes) {
      s.table.rows.push_back({first ? code_span(v.stats.label) : RichText(),
                              first ? v.stats.config_quantization : "", u.scheme,
                              group_digits(u.modules), group_digits(u.params)});
      first = false;
    }
    if (first) {
      s.table.rows.push_back(
          {code_span(v.stats.label), v.stats.config_quantization, "(no weights read)", "", ""});
    }
  }
  for (const auto& v : l.vs) {
    if (v.stats.params_from_shapes > 0) {
      s.notes_after.push_back(
          code_span(v.stats.label) +
          fmt::format(": for {} parameters config.json is unreadable or contradicts the packed "
                      "shapes; they are counted with the scheme the shapes imply (see Validation).",
                      group_digits(v.stats.params_from_shapes)));
    }
  }
  return s;
}

ReportSection sizes_section(const Layout& l) {
  ReportSection s;
  s.title = "Sizes";
  s.key = "sizes";
  s.table = {{"variant", "weight files", "tensor data", "vs baseline", "config/tokenizer files",
              "other files", "directory", "vs baseline"},
             {false, true, true, true, true, true, true, true},
             {}};
  for (size_t i = 0; i < l.vs.size(); ++i) {
    const auto& v = l.vs[i].stats;
    s.table.rows.push_back(
        {code_span(v.label),
         fmt::format("{} in {}", human_bytes(v.weight_file_bytes),
                     count_noun(v.weight_files, "file")),
         human_bytes(v.tensor_bytes), format_delta_bytes(l.vs[i].weight_bytes, i == l.base),
         human_bytes(v.metadata_bytes), human_bytes(v.extra_bytes), human_bytes(v.directory_bytes),
         format_delta_bytes(l.vs[i].directory_bytes, i == l.base)});
  }
  for (const auto& v : l.vs) {
    for (const auto& e : v.stats.extra) {
      s.notes_after.push_back(code_span(v.stats.label) + ": " + code_span(e.name) +
                              fmt::format(" ({}) takes {}", e.why, byte_size(e.bytes)));
    }
  }
  return s;
}

bool tied(const VariantStats& v) {
  return v.arch && v.arch->text.tie_word_embeddings.known() &&
         v.arch->text.tie_word_embeddings.value;
}

/// Why `v` has another number of tensors than the baseline `b`: the .scales/.biases of packed
/// modules, and the tensors (by logical name) only one of them has; nullopt when the counts agree.
std::optional<RichText> tensor_count_note(const VariantStats& v, const VariantStats& b) {
  if (v.tensor_count == b.tensor_count) return std::nullopt;
  std::vector<std::string> only_v, only_b;
  uint64_t only_v_params = 0;
  for (const auto& [name, t] : v.tensors) {
    if (b.tensors.count(name)) continue;
    only_v.push_back(name);
    uint64_t n = 1;
    for (uint64_t d : t.shape) n *= d;
    only_v_params += n;
  }
  for (const auto& [name, t] : b.tensors) {
    if (!v.tensors.count(name)) only_b.push_back(name);
  }
  const int64_t diff = static_cast<int64_t>(v.tensor_count) - static_cast<int64_t>(b.tensor_count);
  RichText note =
      code_span(v.label) +
      fmt::format(" has {} {} tensors than ", group_digits(diff < 0 ? -diff : diff),
                  diff < 0 ? "fewer" : "more") +
      code_span(b.label) +
      fmt::format(" ({} vs {}):", group_digits(v.tensor_count), group_digits(b.tensor_count));
  std::vector<RichText> parts;
  auto companions = [&](const VariantStats& x) {
    uint64_t modules = 0;
    for (const auto& u : x.schemes) modules += u.quantized ? u.modules : 0;
    return code_span(x.label) +
           fmt::format(" has {} .scales/.biases tensors of its {} packed modules",
                       group_digits(x.companion_tensors), group_digits(modules));
  };
  if (v.companion_tensors != b.companion_tensors) {
    if (v.companion_tensors > 0) parts.push_back(companions(v));
    if (b.companion_tensors > 0) parts.push_back(companions(b));
  }
  auto names = [](const std::vector<std::string>& list) {
    RichText t;
    for (size_t i = 0; i < list.size() && i < 3; ++i) t += (i ? ", " : "") + code_span(list[i]);
    if (list.size() > 3) t += fmt::format(" and {} more", list.size() - 3);
    return t;
  };
  if (!only_v.empty()) {
    RichText t = fmt::format("{} only in ", count_noun(only_v.size(), "tensor")) +
                 code_span(v.label) + " (" + names(only_v) + ")";
    const bool head_copy = only_v.size() == 1 && only_v.front().ends_with("lm_head.weight");
    if (head_copy && tied(b)) {
      t += fmt::format(": MLX's separate copy of the embedding, which the tied ") +
           code_span(b.label) +
           fmt::format(" does not store; its {} parameters are counted",
                       group_digits(only_v_params));
    }
    parts.push_back(std::move(t));
  }
  if (!only_b.empty()) {
    parts.push_back(fmt::format("{} only in ", count_noun(only_b.size(), "tensor")) +
                    code_span(b.label) + " (" + names(only_b) + ")");
  }
  for (size_t i = 0; i < parts.size(); ++i) note += (i ? "; " : " ") + parts[i];
  note += ".";
  return note;
}

ReportSection parameters_section(const Layout& l) {
  ReportSection s;
  s.title = "Tensors and parameters";
  s.key = "parameters";
  s.table.headers = {"variant", "layout", "tensors", "parameters", "vs baseline"};
  s.table.right_align = {false, false, true, true, true};
  for (ModelPart p : kModelParts) {
    s.table.headers.emplace_back(model_part_name(p));
    s.table.right_align.push_back(true);
  }
  for (size_t i = 0; i < l.vs.size(); ++i) {
    const auto& v = l.vs[i].stats;
    std::vector<RichText> row = {code_span(v.label), std::string(layout_kind_name(v.layout)),
                                 group_digits(v.tensor_count), group_digits(v.params),
                                 format_delta_count(l.vs[i].params, i == l.base)};
    for (ModelPart p : kModelParts) {
      auto it = v.parts.find(p);
      row.emplace_back(it == v.parts.end() ? "0" : group_digits(it->second.params));
    }
    s.table.rows.push_back(std::move(row));
  }
  s.notes_after.push_back(
      "Logical parameters: a packed weight counts columns x 32 / bits; scales and biases are "
      "storage, not parameters. embeddings = token embedding and lm_head.");
  const bool layouts_differ = std::any_of(l.vs.begin(), l.vs.end(), [&](const CompareVariant& v) {
    return v.stats.layout != l.vs[l.base].stats.layout;
  });
  if (layouts_differ) {
    s.notes_after.emplace_back(
        "Tensors are matched by meaning across layouts (the same module of the same layer), not "
        "by their stored names; a transformers convolution (OIHW) is compared channels-last.");
  }
  for (size_t i = 0; i < l.vs.size(); ++i) {
    if (i == l.base) continue;
    if (auto note = tensor_count_note(l.vs[i].stats, l.vs[l.base].stats)) {
      s.notes_after.push_back(std::move(*note));
    }
  }
  return s;
}

ReportSection bits_section(const Layout& l) {
  ReportSection s;
  s.title = "Bits per weight";
  s.key = "bits";
  s.table = {{"variant", "quantized layers", "whole model", "quantized parameters"},
             {false, true, true, true},
             {}};
  for (const auto& v : l.vs) {
    const auto& st = v.stats;
    std::string share = st.params ? fmt::format("{} ({:.1f}%)", group_digits(st.quantized_params),
                                                100.0 * static_cast<double>(st.quantized_params) /
                                                    static_cast<double>(st.params))
                                  : "0";
    s.table.rows.push_back(
        {code_span(st.label), bits(st.bits_quantized), bits(st.bits_per_weight), share});
  }
  s.notes_after.push_back(
      "quantized layers: (packed weight + scales + biases bytes) x 8 / their parameters, i.e. "
      "bits + scale/bias overhead per group. whole model: all tensor bytes x 8 / all logical "
      "parameters.");
  return s;
}

// How the baseline's KV cache was estimated, in one sentence.
std::string kv_cache_note(const MemoryEstimate& m, uint64_t context) {
  if (!m.kv_cache) return "KV cache: unknown (config.json lacks layers, kv heads or head_dim).";
  return fmt::format(
      "KV cache at {} tokens: 2 (K, V) x {} kv heads x head_dim {} x {} bytes ({}) per token and "
      "layer, over {} layers{}.",
      group_digits(context), m.kv_heads, m.head_dim, std::max(1u, dtype_bits(m.kv_dtype) / 8),
      dtype_name(m.kv_dtype), m.layers,
      m.sliding_layers && m.window
          ? fmt::format(", of which {} sliding-window layers cache at most {} tokens",
                        m.sliding_layers, group_digits(*m.window))
          : "");
}

ReportSection memory_section(const Layout& l) {
  ReportSection s;
  s.title = "Estimated memory at inference";
  s.key = "memory";
  s.table = {
      {"variant", "weights", "KV cache", "overhead", "total"}, {false, true, true, true, true}, {}};
  if (l.c.memory_budget) {
    s.table.headers.emplace_back("budget " + l.c.memory_budget->text());
    s.table.right_align.push_back(false);
    s.table.headers.emplace_back("headroom");
    s.table.right_align.push_back(true);
  }
  for (const auto& v : l.vs) {
    const auto& m = v.memory;
    std::vector<RichText> row = {code_span(v.stats.label), human_bytes(m.weights),
                                 m.kv_cache ? human_bytes(*m.kv_cache) : "unknown",
                                 human_bytes(m.overhead), human_bytes(m.total)};
    if (m.fits && l.c.memory_budget) {
      row.emplace_back(*m.fits ? "fits" : "DOES NOT FIT");
      row.emplace_back(l.c.memory_budget->headroom_text(m.headroom.value_or(0)));
    }
    s.table.rows.push_back(std::move(row));
  }
  s.notes_after.push_back(
      "weights: tensor bytes as stored (MLX keeps packed weights packed). " +
      kv_cache_note(l.vs[l.base].memory, l.c.context) +
      fmt::format(" overhead: {:.0f}% of weights + KV cache for activations and runtime "
                  "buffers, a rule of thumb rather than a measurement.",
                  kMemoryOverheadFraction * 100));
  return s;
}

// With --fidelity: the weights' error per part of the model, per variant against the baseline.
std::optional<ReportSection> fidelity_section(const Layout& l) {
  std::vector<VariantFidelity> measured;
  for (const auto& v : l.vs)
    if (v.fidelity) measured.push_back(*v.fidelity);
  if (measured.empty()) return std::nullopt;
  ReportSection s = fidelity_parts_section(measured);
  s.title = "Fidelity by part";
  s.key = "fidelity";
  s.notes_after.push_back(
      "Against the baseline " + code_span(l.vs[l.base].stats.label) +
      ": rel. RMS error and cosine averaged over each part's tensors, weighted by parameters; SNR "
      "over all its values. " +
      code_span("medq fidelity") + " lists the worst tensors.");
  return s;
}

// With --quality: the output distributions' statistics, per variant against the baseline (medq
// quality's summary); the reason when nothing was measured.
std::optional<ReportSection> quality_section(const Layout& l) {
  if (!l.c.quality) return std::nullopt;
  const CompareQuality& q = *l.c.quality;
  if (!q.result) {
    ReportSection s;
    s.title = "Output quality";
    s.key = "quality";
    s.notes_before.emplace_back("Not measured: " + q.not_measured + ".");
    return s;
  }
  QualityResult result = *q.result;
  result.variants.clear();
  for (size_t i = 0; i < l.vs.size(); ++i)
    if (i != l.base && l.vs[i].quality) result.variants.push_back(*l.vs[i].quality);
  ReportSection s = quality_summary_section(result, l.vs[l.base].stats.label);
  s.title = "Output quality";
  s.key = "quality";
  return s;
}

ReportSection validation_section(const Layout& l) {
  ReportSection s;
  s.title = "Validation";
  s.key = "validation";
  s.table = {{"variant", "errors", "warnings", "error codes"}, {false, true, true, false}, {}};
  for (const auto& v : l.vs) {
    RichText codes;
    for (const auto& [k, n] : v.stats.error_codes) {
      if (!codes.spans.empty()) codes += ", ";
      codes += code_span(k);
      if (n > 1) codes += fmt::format(" x{}", n);
    }
    s.table.rows.push_back({code_span(v.stats.label), std::to_string(v.stats.errors),
                            std::to_string(v.stats.warnings), codes});
  }
  s.notes_after.push_back("Details: " + code_span("medq validate DIR") + " on a variant.");
  return s;
}

ReportSection architecture_section(const Layout& l) {
  ReportSection s;
  s.title = "Architecture";
  s.key = "architecture";
  s.notes_before.emplace_back(
      l.c.architecture_identical
          ? "Identical in every variant (config.json resolved with each architecture's defaults)."
          : "DIFFERS between variants: the rows marked below.");
  s.table.headers = {"field"};
  s.table.right_align = {false};
  add_variant_columns(s.table, l, true);
  s.table.headers.emplace_back("");
  s.table.right_align.push_back(false);
  for (const auto& row : l.c.architecture) {
    std::vector<RichText> cells = {row.field};
    for (const auto& val : row.values) cells.emplace_back(val.empty() ? "-" : val);
    cells.emplace_back(row.differs ? "differs" : "");
    s.table.rows.push_back(std::move(cells));
  }
  return s;
}

ReportSection tensor_set_section(const Layout& l) {
  ReportSection s;
  s.title = "Tensor set";
  s.key = "architecture";
  const auto& d = l.c.tensors;
  if (d.presence.total == 0 && d.shapes.total == 0 && d.dtypes.total == 0) {
    s.notes_before.emplace_back(
        "Every variant has the same tensors with the same logical shapes, and tensors kept in "
        "float have the same dtype everywhere.");
    return s;
  }
  s.notes_before.emplace_back(fmt::format(
      "{} present in some variants only; {} with different logical shapes after unpacking; "
      "{} kept in float with different dtypes.",
      count_noun(d.presence.total, "tensor"), count_noun(d.shapes.total, "tensor"),
      count_noun(d.dtypes.total, "tensor")));
  s.table.headers = {"tensor", "differs in"};
  s.table.right_align = {false, false};
  add_variant_columns(s.table, l, false);
  constexpr size_t kShow = 10;
  auto add = [&](const TensorDiffList& list, const char* what) {
    for (size_t i = 0; i < list.items.size() && i < kShow; ++i) {
      std::vector<RichText> cells = {code_span(list.items[i].name), what};
      for (const auto& val : list.items[i].values) cells.emplace_back(val.empty() ? "-" : val);
      s.table.rows.push_back(std::move(cells));
    }
    if (list.total > kShow) {
      s.notes_after.emplace_back(
          fmt::format("{}: {} more not shown (all in --format json, up to {}).", what,
                      list.total - kShow, kMaxDiffItems));
    }
  };
  add(d.presence, "presence");
  add(d.shapes, "shape");
  add(d.dtypes, "dtype");
  return s;
}

ReportSection files_section(const Layout& l) {
  ReportSection s;
  s.title = "Tokenizer and generation files";
  s.key = "tokenizer";
  s.table.headers = {"file", "verdict"};
  s.table.right_align = {false, false};
  add_variant_columns(s.table, l, false);
  for (const auto& f : l.c.files) {
    std::vector<RichText> cells = {code_span(f.file), f.identical ? "identical" : "DIFFERS"};
    for (const auto& dgst : f.sha256) cells.emplace_back(dgst ? dgst->substr(0, 12) : "absent");
    s.table.rows.push_back(std::move(cells));
  }
  s.notes_after.emplace_back("Cells: the first 12 hex digits of each file's SHA-256.");
  return s;
}

}  // namespace

CompareReport build_compare_report(Comparison c, const CompareCriteria& criteria) {
  CompareReport r;
  const Layout l{c};
  r.headline = headline(l);
  r.recommendation = recommend(c, criteria);
  r.sections.push_back(decision_section(r.recommendation, c));
  if (auto s = comparison_section(l)) r.sections.push_back(std::move(*s));
  for (auto* section : {summary_section, quantization_section, sizes_section, parameters_section,
                        bits_section, memory_section}) {
    r.sections.push_back(section(l));
  }
  for (auto* section : {fidelity_section, quality_section}) {
    if (auto s = section(l)) r.sections.push_back(std::move(*s));
  }
  for (auto* section :
       {validation_section, architecture_section, tensor_set_section, files_section}) {
    r.sections.push_back(section(l));
  }
  r.comparison = std::move(c);
  return r;
}

void add_remote_reads(CompareReport& r, std::vector<RemoteRead> reads) {
  if (reads.empty()) return;
  ReportSection s;
  s.title = "Remote reads";
  s.key = "remote";
  s.notes_before.push_back(
      "What was read of each repository (headers, small files) instead of downloading it.");
  s.table.headers = {"variant", "commit", "requests", "fetched", "from cache", "repository"};
  s.table.right_align = {false, false, true, true, true, true};
  for (const auto& x : reads) {
    s.table.rows.push_back({code_span(x.source), code_span(x.commit), group_digits(x.requests),
                            human_bytes(x.bytes_fetched), human_bytes(x.bytes_from_cache),
                            human_bytes(x.repo_bytes) + " in " + count_noun(x.repo_files, "file")});
  }
  r.sections.push_back(std::move(s));
  r.remote = std::move(reads);
}

void check_sections(const SectionSelection& selection, const CompareOptions& options,
                    bool any_remote) {
  struct Need {
    const char* section;
    bool given;
    const char* what;
  };
  for (const Need& n : {Need{"fidelity", options.fidelity, "--fidelity"},
                        Need{"quality", options.quality.has_value(), "--quality"},
                        Need{"remote", any_remote, "an hf:// variant"}}) {
    if (!n.given && !selection.names.empty() && selection.shows(n.section)) {
      throw std::invalid_argument(std::string("--sections ") + n.section + ": there is no " +
                                  n.section + " section without " + n.what);
    }
  }
}

CompareReport run_compare(const CompareRequest& request) {
  std::vector<CompareInput> inputs;
  if (!request.root.empty()) {
    inputs = discover_variants(request.root);
  } else {
    for (size_t i = 0; i < request.dirs.size(); ++i) {
      const std::string& d = request.dirs[i];
      inputs.push_back({i < request.labels.size() ? request.labels[i] : d, d,
                        i < request.storages.size() ? request.storages[i] : nullptr});
    }
  }
  CompareOptions options = request.options;
  check_sections(request.sections, options,
                 std::any_of(request.storages.begin(), request.storages.end(),
                             [](const auto& s) { return s != nullptr; }));
  std::string baseline = request.baseline;
  const CompareCriteria criteria = make_criteria(request.criteria, options, inputs, baseline);
  if (!baseline.empty()) {
    auto i = find_variant(inputs, baseline);
    if (!i) {
      throw std::invalid_argument("--baseline '" + baseline +
                                  "' is not one of the compared directories");
    }
    options.baseline = inputs[*i].label;
  }
  if (request.progress) {
    options.progress = progress_step(request.progress, "measuring fidelity");
    options.quality_options.progress = [p = request.progress](const std::string& label,
                                                              uint64_t done, uint64_t total) {
      p("running " + label, done, total);
    };
  }
  CompareReport r = build_compare_report(compare_models(inputs, options), criteria);
  r.model_name = request.model_name;
  r.selection = request.sections;
  return r;
}

}  // namespace medq
