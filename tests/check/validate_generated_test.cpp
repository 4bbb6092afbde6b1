// End-to-end: `validate_model` on folders written by the generator (tools/synth,
// docs/generator.md).
//
// 1. Each of the generator's defects yields its specific finding (code, severity, exact
//    location), an error wherever a loader would fail, without the follow-on noise listed in the
//    row, and every other error it raises is one the row names.
// 2. Every clean tiny model (the `samples` set, affine at every bits x group size, the fp modes,
//    the mixed recipes, multi-shard, llama and Gemma 3) validates with zero errors.
// 3. The full-size sparse medgemma-4b-it replicas with the real tokenizer validate with zero
//    errors.
// (The real Gemma 3 tokenizer.json read on its own is covered by
// tests/formats/tokenizer_json_test.cpp, TokenizerJson.RealGemma3.)
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <optional>
#include <ostream>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "../support/temp_dir.hpp"
#include "checkpoint.hpp"
#include "defects.hpp"
#include "medq/check/validate.hpp"
#include "quant_plan.hpp"

namespace medq {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;

// ---------------------------------------------------------------------------------------------
// Helpers

std::string show(const Location& w) {
  std::string s = "file='" + w.file + "'";
  if (!w.json_pointer.empty()) s += " pointer='" + w.json_pointer + "'";
  if (!w.tensor.empty()) s += " tensor='" + w.tensor + "'";
  if (w.byte_offset) s += " byte=" + std::to_string(*w.byte_offset);
  if (w.line) s += " line=" + std::to_string(*w.line);
  if (w.column) s += " column=" + std::to_string(*w.column);
  return s;
}

std::string show(const Finding& f) {
  return f.code + " [" + std::string(severity_name(f.severity)) + "] " + show(f.where) + ": " +
         f.message;
}

std::string show(const Findings& fs) {
  std::string s;
  for (const Finding& f : fs) s += "  " + show(f) + "\n";
  return s;
}

/// `code` matches `pattern`, which is a code or a prefix ending in '*' ("config.missing_*").
bool code_matches(std::string_view code, std::string_view pattern) {
  if (!pattern.empty() && pattern.back() == '*') {
    return code.substr(0, pattern.size() - 1) == pattern.substr(0, pattern.size() - 1);
  }
  return code == pattern;
}

void print_warnings(const std::string& label, const Findings& fs) {
  for (const Finding& f : fs) {
    if (f.severity == Severity::kWarning)
      std::printf("[ warning  ] %s: %s\n", label.c_str(), show(f).c_str());
  }
}

std::string read_text(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(f), {});
}

// ---------------------------------------------------------------------------------------------
// 1. Defects

/// A finding a defect must produce: its code, severity and exact location (every Location
/// field; the unset ones must be unset), and words its message must contain.
struct Expected {
  std::string code;
  Severity severity = Severity::kError;
  Location where;
  std::vector<std::string> says;
};

/// Findings that must not appear: a code pattern, and optionally only in one file.
struct Forbidden {
  std::string pattern;
  std::optional<std::string> file;
};

struct DefectRow {
  std::string defect;
  /// Whether a loader (mlx-lm / mlx-vlm / transformers) fails or misbehaves on this folder; then
  /// the primary finding must be an error.
  bool loader_fails = true;
  Expected primary;
  std::vector<Expected> also;  ///< further findings that must be there
  /// Other errors this defect may raise (follow-on findings accepted as useful or harmless).
  std::vector<std::string> tolerated_errors;
  std::vector<Forbidden> must_not;
  /// Fills in location parts only known once the folder exists (sizes, text positions).
  std::function<void(const fs::path&, DefectRow&)> locate;
};

Location at_file(std::string file) {
  Location l;
  l.file = std::move(file);
  return l;
}

Location at_pointer(std::string file, std::string pointer) {
  Location l;
  l.file = std::move(file);
  l.json_pointer = std::move(pointer);
  return l;
}

Location at_tensor(std::string file, std::string tensor, std::string pointer = "") {
  Location l;
  l.file = std::move(file);
  l.tensor = std::move(tensor);
  l.json_pointer = std::move(pointer);
  return l;
}

constexpr const char* kIndex = "model.safetensors.index.json";

// Checks that mean "something about the weights or the config is wrong", none of which a
// tokenizer-only or directory-only defect may trigger.
const std::vector<Forbidden> kWeightsAndConfig = {
    {"safetensors.*", {}}, {"index.*", {}}, {"config.*", {}}, {"quant.*", {}}};

std::vector<Forbidden> plus(std::vector<Forbidden> a, const std::vector<Forbidden>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

std::vector<DefectRow> defect_rows() {
  std::vector<DefectRow> rows;
  auto row = [&rows](std::string defect) -> DefectRow& {
    rows.emplace_back();
    rows.back().defect = std::move(defect);
    return rows.back();
  };

  {
    DefectRow& r = row("stale-index");
    r.primary = {"index.stale",
                 Severity::kError,
                 at_pointer(kIndex, "/weight_map"),
                 {"32 in the shards but not named", "copied from the unquantized model"}};
    r.also = {{"index.total_size_mismatch",
               Severity::kWarning,
               at_pointer(kIndex, "/metadata/total_size"),
               {"4229632"}}};  // the bf16 size
    r.must_not = {
        {"index.tensor_mismatch", {}},  // index.stale replaces it
        {"index.missing_shard", {}},   {"index.wrong_shard", {}}, {"config.*", {}}, {"quant.*", {}},
        {"safetensors.*", {}}};
  }
  {
    DefectRow& r = row("missing-shard");
    r.primary = {"index.missing_shard",
                 Severity::kError,
                 at_pointer(kIndex, "/weight_map"),
                 {"'model-00002-of-00002.safetensors'", "36 tensors"}};
    // The tensors of the absent shard are absent: config-vs-tensors says which.
    r.tolerated_errors = {"config.missing_tensor", "config.missing_layer",
                          "config.missing_component"};
    r.must_not = {{"index.tensor_mismatch", {}},  // the same 36 tensors, said again
                  {"index.stale", {}},
                  {"index.total_size_mismatch", {}},
                  {"index.unlisted_shard", {}},
                  {"directory.no_weights", {}},
                  {"quant.*", {}},
                  {"safetensors.*", {}}};
  }
  {
    DefectRow& r = row("truncated-shard");
    r.primary = {"safetensors.incomplete_buffer",
                 Severity::kError,
                 at_file("model.safetensors"),
                 {"file is truncated"}};
    // The header of the truncated file is kept, so nothing about names or shapes follows.
    r.must_not = {{"config.*", {}},
                  {"quant.*", {}},
                  {"index.*", {}},
                  {"directory.no_weights", {}},
                  {"tokenizer.id_beyond_embedding", {}}};
    r.locate = [](const fs::path& d, DefectRow& self) {
      // The first missing byte: the end of what is there.
      self.primary.where.byte_offset = fs::file_size(d / "model.safetensors");
    };
  }
  for (const char* defect : {"bits-mismatch", "wrong-group-size"}) {
    const bool bits = std::string_view(defect) == "bits-mismatch";
    DefectRow& r = row(defect);
    // Reported on config.json's quantization, naming the first module and the scheme the shapes
    // do fit; one finding for all 16 quantized modules.
    r.primary = {"quant.packed_shape_mismatch",
                 Severity::kError,
                 at_tensor("config.json", "language_model.lm_head.weight", "/quantization"),
                 {bits ? "affine 8-bit g64" : "affine 4-bit g32", "the shapes fit affine 4-bit g64",
                  "16 modules fail the same way"}};
    r.must_not = {{"config.shape_mismatch", {}},  // the config is wrong, not the tensors
                  {"quant.scheme_mismatch", {}}, {"quant.scales_shape", {}},      {"index.*", {}},
                  {"safetensors.*", {}},         {"tokenizer.*", {"config.json"}}};
  }
  {
    DefectRow& r = row("special-token-missing");
    r.primary = {"tokenizer.special_token_missing",
                 Severity::kError,
                 at_pointer("tokenizer_config.json", "/eos_token"),
                 {"\"<end_of_turn>\""}};
    r.also = {{"tokenizer.special_token_missing",
               Severity::kError,
               at_pointer("special_tokens_map.json", "/eos_token/content"),
               {"\"<end_of_turn>\""}}};
    // Both files agree on the eos token; tokenizer.model was rewritten with tokenizer.json.
    r.must_not = plus({{"tokenizer.special_token_conflict", {}},
                       {"tokenizer.model_vocab_mismatch", {}},
                       {"tokenizer.special_token_ambiguous", {}}},
                      kWeightsAndConfig);
  }
  {
    DefectRow& r = row("vocab-exceeds-embedding");
    r.primary = {"tokenizer.id_beyond_embedding",
                 Severity::kError,
                 at_tensor("model.safetensors", "model.embed_tokens.weight"),
                 {"1088", "found 1024", "ids 1024..1087"}};
    r.also = {{"tokenizer.vocab_size_too_small",
               Severity::kError,
               at_pointer("config.json", "/vocab_size"),
               {"1088", "found 1024"}}};
    r.must_not = plus({{"tokenizer.model_vocab_mismatch", {}},
                       {"tokenizer.embedding_padding", {}},
                       {"tokenizer.generation_id_out_of_range", {}}},
                      kWeightsAndConfig);
  }
  {
    DefectRow& r = row("incomplete-download");
    r.loader_fails = false;  // loaders never look in .cache; the folder just wastes space
    r.primary = {"directory.partial_download", Severity::kWarning, at_file(".cache"), {}};
    r.also = {{"directory.size_overhead", Severity::kWarning, at_file(""), {".cache"}}};
    r.must_not = plus({{"directory.subdirectory", {}},
                       {"directory.unreferenced_file", {}},
                       {"directory.duplicate_weights", {}}},
                      kWeightsAndConfig);
  }
  {
    DefectRow& r = row("duplicate-shard");
    r.primary = {"directory.duplicate_weights",
                 Severity::kError,
                 at_file("model.safetensors"),
                 {"100 of its tensors", "'model-00001-of-00002.safetensors'",
                  "'model-00002-of-00002.safetensors'"}};
    r.also = {{"directory.size_overhead", Severity::kWarning, at_file(""), {"model.safetensors"}}};
    // The shards and the index agree; only the leftover file is wrong, and it is reported once.
    r.must_not = {{"index.*", {}},
                  {"config.*", {}},
                  {"quant.*", {}},
                  {"safetensors.*", {}},
                  {"directory.duplicate_weights", {"model-00001-of-00002.safetensors"}},
                  {"directory.duplicate_weights", {"model-00002-of-00002.safetensors"}}};
  }
  {
    DefectRow& r = row("lfs-pointer");
    r.primary = {"directory.lfs_pointer",
                 Severity::kError,
                 at_file("model.safetensors"),
                 {"Git LFS pointer", "git lfs pull"}};
    // With the only shard absent, config-vs-tensors lists what is missing.
    r.tolerated_errors = {"config.missing_tensor", "config.missing_layer",
                          "config.missing_component"};
    r.must_not = {{"safetensors.*", {}},  // the pointer is never parsed as safetensors
                  {"directory.no_weights", {}},
                  {"index.*", {}},  // the index is right; its shard's content is not there
                  {"quant.*", {}},  // there are no tensors to say anything about
                  {"tokenizer.*", {"model.safetensors"}}};
  }
  {
    DefectRow& r = row("invalid-json");
    r.primary = {
        "config.invalid_json", Severity::kError, at_file("config.json"), {"not valid JSON"}};
    r.must_not = {{"config.missing", {}}, {"config.missing_*", {}},
                  {"quant.*", {}},        {"index.*", {}},
                  {"safetensors.*", {}},  {"tokenizer.vocab_size_too_small", {}}};
    r.locate = [](const fs::path& d, DefectRow& self) {
      // The generator adds "," after the last entry; the parser stops at the closing '}'
      // (column 1 of the last line, as Python's json reports it too).
      const std::string text = read_text(d / "config.json");
      const size_t brace = text.rfind('}');
      ASSERT_NE(brace, std::string::npos);
      ASSERT_EQ(text.find_last_not_of(" \n", brace - 1), text.rfind(','));
      self.primary.where.byte_offset = brace;
      self.primary.where.line =
          1 + static_cast<uint64_t>(std::count(text.begin(), text.begin() + brace, '\n'));
      self.primary.where.column = 1;
    };
  }
  {
    DefectRow& r = row("index-path-escape");
    r.primary = {"index.path_escape",
                 Severity::kError,
                 at_pointer(kIndex, "/weight_map"),
                 {"'../model.safetensors'"}};
    // The escaping entry is also a wrong shard for lm_head, which names the tensor.
    r.tolerated_errors = {"index.wrong_shard"};
    r.must_not = {{"index.missing_shard", {}},  // a path outside is never looked up
                  {"index.tensor_mismatch", {}},
                  {"index.unlisted_shard", {}},
                  {"config.*", {}},
                  {"quant.*", {}},
                  {"safetensors.*", {}}};
  }
  return rows;
}

void PrintTo(const DefectRow& r, std::ostream* os) { *os << r.defect; }

bool same_location(const Location& a, const Location& b) {
  return a.file == b.file && a.json_pointer == b.json_pointer && a.tensor == b.tensor &&
         a.byte_offset == b.byte_offset && a.line == b.line && a.column == b.column;
}

/// Asserts `want` is among `got`, exactly located; returns the matching finding.
const Finding* expect_finding(const Findings& got, const Expected& want) {
  std::vector<const Finding*> same_code;
  for (const Finding& f : got) {
    if (f.code == want.code) same_code.push_back(&f);
  }
  if (same_code.empty()) {
    ADD_FAILURE() << "expected " << want.code << " at " << show(want.where) << "; found:\n"
                  << show(got);
    return nullptr;
  }
  const Finding* hit = nullptr;
  for (const Finding* f : same_code) {
    if (same_location(f->where, want.where)) hit = f;
  }
  if (hit == nullptr) {
    std::string where;
    for (const Finding* f : same_code) where += "  " + show(*f) + "\n";
    ADD_FAILURE() << want.code << " expected at " << show(want.where) << "; found it as:\n"
                  << where;
    return nullptr;
  }
  EXPECT_EQ(hit->severity, want.severity) << show(*hit);
  for (const std::string& s : want.says) {
    EXPECT_NE(hit->message.find(s), std::string::npos)
        << want.code << " message should say \"" << s << "\": " << hit->message;
  }
  return hit;
}

class GeneratedDefect : public ::testing::TestWithParam<DefectRow> {};

TEST_P(GeneratedDefect, GivesItsFindingAtItsLocation) {
  DefectRow row = GetParam();
  TempDir tmp;
  const fs::path dir = tmp.path() / row.defect;
  fs::create_directories(dir);
  synth::write_defect(row.defect, dir, /*seed=*/0);
  if (row.locate) {
    row.locate(dir, row);
    if (HasFatalFailure()) return;
  }

  const Validation v = validate_model(dir);
  const Findings& got = v.findings;
  SCOPED_TRACE("findings for " + row.defect + ":\n" + show(got));

  // The defect's own finding, and an error when a loader would fail on the folder.
  const Finding* primary = expect_finding(got, row.primary);
  if (row.loader_fails) {
    EXPECT_EQ(row.primary.severity, Severity::kError) << "table: a loader fails on " << row.defect;
    EXPECT_GT(count_severity(got, Severity::kError), 0u);
  } else {
    EXPECT_EQ(count_severity(got, Severity::kError), 0u)
        << row.defect << " does not stop a loader, so it must not fail validation";
  }
  if (primary != nullptr && row.loader_fails) {
    EXPECT_EQ(primary->severity, Severity::kError);
  }
  for (const Expected& e : row.also) expect_finding(got, e);

  // Nothing from the list of follow-on noise.
  for (const Forbidden& no : row.must_not) {
    for (const Finding& f : got) {
      if (code_matches(f.code, no.pattern) && (!no.file || f.where.file == *no.file)) {
        ADD_FAILURE() << row.defect << " must not produce " << no.pattern
                      << (no.file ? " in " + *no.file : std::string()) << "; found " << show(f);
      }
    }
  }

  // Every error is the defect's own finding, a required companion, or a tolerated follow-on.
  std::set<std::string> allowed = {row.primary.code};
  for (const Expected& e : row.also) allowed.insert(e.code);
  allowed.insert(row.tolerated_errors.begin(), row.tolerated_errors.end());
  for (const Finding& f : got) {
    if (f.severity == Severity::kError && !allowed.count(f.code)) {
      ADD_FAILURE() << row.defect << ": unexpected error " << show(f);
    }
  }
  print_warnings(row.defect, got);
}

std::string defect_test_name(const ::testing::TestParamInfo<DefectRow>& info) {
  std::string s = info.param.defect;
  std::replace(s.begin(), s.end(), '-', '_');
  return s;
}

INSTANTIATE_TEST_SUITE_P(Synth, GeneratedDefect, ::testing::ValuesIn(defect_rows()),
                         defect_test_name);

TEST(GeneratedDefect, EveryGeneratorDefectHasARow) {
  std::set<std::string> listed, tabled;
  for (const synth::DefectInfo& d : synth::list_defects()) listed.insert(d.name);
  for (const DefectRow& r : defect_rows()) EXPECT_TRUE(tabled.insert(r.defect).second) << r.defect;
  EXPECT_EQ(listed, tabled);
  EXPECT_EQ(listed.size(), 12u);
}

// ---------------------------------------------------------------------------------------------
// 2. Clean tiny models

struct CleanVariant {
  std::string name;
  synth::Arch arch;
  synth::QuantPlan plan;
  uint64_t max_shard_bytes = synth::GenerateOptions{}.max_shard_bytes;
};

std::string arch_label(const synth::Arch& a) {
  return a.family == synth::Family::Llama ? "llama" : "gemma3";
}

std::vector<CleanVariant> clean_variants() {
  std::vector<CleanVariant> v;
  const synth::Arch gemma = synth::tiny_gemma3();
  const synth::Arch llama = synth::tiny_llama();

  // `medq-synth samples` (tools/synth/main.cpp): tiny Gemma 3 at bf16, 8, 6, 4 bits (group 64)
  // and mlx-vlm's mixed_4_8 with layer 0's o_proj skipped.
  v.push_back({"samples_bf16", gemma, {}});
  v.push_back({"samples_8bit", gemma, synth::plan_affine(8, 64)});
  v.push_back({"samples_6bit", gemma, synth::plan_affine(6, 64)});
  v.push_back({"samples_4bit", gemma, synth::plan_affine(4, 64)});
  v.push_back(
      {"samples_mixed_4_8", gemma,
       synth::plan_mixed("mixed_4_8", gemma, {"language_model.model.layers.0.self_attn.o_proj"})});

  for (const synth::Arch& a : {gemma, llama}) {
    const std::string arch = arch_label(a);
    v.push_back({arch + "_bf16", a, {}});
    for (unsigned bits : {2u, 3u, 4u, 5u, 6u, 8u}) {
      for (unsigned group : {32u, 64u, 128u}) {
        v.push_back({arch + "_" + std::to_string(bits) + "bit_g" + std::to_string(group), a,
                     synth::plan_affine(bits, group)});
      }
    }
    for (const char* mode : {"mxfp4", "mxfp8", "nvfp4"}) {
      v.push_back({arch + "_" + mode, a, synth::plan_fp(mode)});
    }
    for (const char* recipe : {"mixed_2_6", "mixed_3_4", "mixed_3_5", "mixed_3_6", "mixed_3_8",
                               "mixed_4_6", "mixed_4_8"}) {
      v.push_back({arch + "_" + recipe, a, synth::plan_mixed(recipe, a, {})});
    }
    // Three shards of about 1 MB, with the index naming each.
    v.push_back({arch + "_8bit_sharded", a, synth::plan_affine(8, 64), 1000000});
  }
  // A module left in bf16 by a `false` entry (mlx-lm's AWQ path), with uniform quantization.
  synth::QuantPlan skip = synth::plan_affine(4, 64);
  skip.overrides["model.layers.1.mlp.up_proj"] = std::nullopt;
  v.push_back({"llama_4bit_skip_up_proj", llama, skip});
  return v;
}

void PrintTo(const CleanVariant& c, std::ostream* os) { *os << c.name; }

class CleanTiny : public ::testing::TestWithParam<CleanVariant> {};

TEST_P(CleanTiny, ValidatesWithoutErrors) {
  const CleanVariant& c = GetParam();
  TempDir tmp;
  synth::GenerateOptions o;
  o.max_shard_bytes = c.max_shard_bytes;
  const synth::Summary s = synth::write_checkpoint(tmp.path(), c.arch, c.plan, o);
  if (c.max_shard_bytes < synth::GenerateOptions{}.max_shard_bytes) {
    ASSERT_GE(s.shards.size(), 2u) << "the sharded variant should have several shards";
  }

  const Validation v = validate_model(tmp.path());
  EXPECT_EQ(count_severity(v.findings, Severity::kError), 0u) << c.name << ":\n"
                                                              << show(v.findings);
  // The headers were read: validation saw every tensor the generator wrote.
  EXPECT_EQ(v.checkpoint.tensors().size(), s.tensors);
  EXPECT_EQ(v.checkpoint.files.size(), s.shards.size());
  print_warnings(c.name, v.findings);
}

INSTANTIATE_TEST_SUITE_P(Synth, CleanTiny, ::testing::ValuesIn(clean_variants()),
                         [](const ::testing::TestParamInfo<CleanVariant>& p) {
                           return p.param.name;
                         });

// ---------------------------------------------------------------------------------------------
// 3. Full-size replicas of mlx-community/medgemma-4b-it (sparse shards, real tokenizer)

fs::path real_tokenizer_dir() {
  const fs::path p = fs::path(MEDQ_SOURCE_DIR) / ".deps" / "gemma3-tokenizer";
  if (fs::exists(p / "tokenizer.json") && fs::exists(p / "tokenizer_config.json")) return p;
  return {};
}

class Replica : public ::testing::TestWithParam<unsigned> {};  // 0 = bf16

TEST_P(Replica, ValidatesWithoutErrors) {
  const fs::path tok = real_tokenizer_dir();
  if (tok.empty()) {
    GTEST_SKIP() << "the real Gemma 3 tokenizer is not in " << MEDQ_SOURCE_DIR
                 << "/.deps/gemma3-tokenizer (run ./scripts/setup.sh); the replicas need it";
  }
  const unsigned bits = GetParam();
  TempDir tmp;
  synth::GenerateOptions o;
  o.sparse = true;
  o.real_tokenizer_dir = tok;
  const synth::QuantPlan plan = bits == 0 ? synth::QuantPlan{} : synth::plan_affine(bits, 64);
  const synth::Summary s = synth::write_checkpoint(tmp.path(), synth::medgemma_4b_it(), plan, o);
  ASSERT_TRUE(s.real_tokenizer);

  const Validation v = validate_model(tmp.path());
  const std::string label = bits == 0 ? "replica_bf16" : "replica_" + std::to_string(bits) + "bit";
  EXPECT_EQ(count_severity(v.findings, Severity::kError), 0u) << label << ":\n" << show(v.findings);
  EXPECT_EQ(v.checkpoint.tensors().size(), s.tensors);
  EXPECT_EQ(v.checkpoint.files.size(), s.shards.size());
  ASSERT_TRUE(v.arch.has_value());
  EXPECT_EQ(v.quant.has_value(), bits != 0);
  print_warnings(label, v.findings);
}

INSTANTIATE_TEST_SUITE_P(Medgemma4bIt, Replica, ::testing::Values(0u, 4u, 6u, 8u),
                         [](const ::testing::TestParamInfo<unsigned>& p) {
                           return p.param == 0 ? std::string("bf16")
                                               : std::to_string(p.param) + "bit";
                         });

}  // namespace
}  // namespace medq
