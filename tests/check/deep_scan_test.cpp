// validate --deep on the generator's tiny real-weight models with bytes corrupted on purpose.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "../support/temp_dir.hpp"
#include "checkpoint.hpp"
#include "defects.hpp"
#include "medq/check/deep_scan.hpp"
#include "medq/model/logical_tensors.hpp"
#include "quant_plan.hpp"

namespace medq {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;

fs::path make(TempDir& tmp, const char* name, const synth::QuantPlan& plan, bool llama = false) {
  fs::path dir = tmp.path() / name;
  fs::create_directories(dir);
  synth::write_checkpoint(dir, llama ? synth::tiny_llama() : synth::tiny_gemma3(), plan, {});
  return dir;
}

struct Where {
  fs::path file;
  uint64_t offset;  ///< absolute offset of the tensor's data
};

/// Where a stored tensor's data starts (weights, or a packed module's .scales/.biases).
Where locate(const fs::path& dir, const std::string& tensor) {
  Validation v = validate_model(dir);
  for (const auto& wf : v.checkpoint.files) {
    for (const auto& t : wf.header.header->tensors) {
      if (t.name == tensor) return {dir / wf.name, wf.header.header->data_start() + t.begin};
    }
  }
  throw std::runtime_error("no tensor " + tensor);
}

void poke(const Where& w, uint64_t byte, std::initializer_list<uint8_t> bytes) {
  std::fstream f(w.file, std::ios::in | std::ios::out | std::ios::binary);
  f.seekp(static_cast<std::streamoff>(w.offset + byte));
  for (uint8_t b : bytes) f.put(static_cast<char>(b));
}

Findings scan(const fs::path& dir) {
  DataScanOptions o;
  o.threads = 2;
  return deep_scan(validate_model(dir), o);
}

const Finding* find(const Findings& fs, const std::string& code, const std::string& tensor) {
  for (const auto& f : fs) {
    if (f.code == code && f.where.tensor == tensor) return &f;
  }
  return nullptr;
}

constexpr const char* kUp = "language_model.model.layers.0.mlp.up_proj.weight";

TEST(DeepScan, CleanModelsHaveNoDataFindings) {
  TempDir tmp;
  for (auto [name, plan] :
       std::vector<std::pair<const char*, synth::QuantPlan>>{{"bf16", {}},
                                                             {"a4", synth::plan_affine(4, 64)},
                                                             {"a3", synth::plan_affine(3, 32)},
                                                             {"mx4", synth::plan_fp("mxfp4")},
                                                             {"mx8", synth::plan_fp("mxfp8")},
                                                             {"nv4", synth::plan_fp("nvfp4")}}) {
    SCOPED_TRACE(name);
    Findings f = scan(make(tmp, name, plan));
    EXPECT_TRUE(f.empty()) << f.front().code << ": " << f.front().message;
  }
}

TEST(DeepScan, NanInAFloatTensorNamesTheFirstElement) {
  TempDir tmp;
  fs::path dir = make(tmp, "bf16", {});
  Where w = locate(dir, kUp);
  poke(w, 2 * 5, {0xC0, 0x7F});  // bf16 NaN at element 5
  poke(w, 2 * 9, {0x80, 0x7F});  // +Inf at element 9
  Findings f = scan(dir);
  const Finding* x = find(f, "data.non_finite", kUp);
  ASSERT_NE(x, nullptr);
  EXPECT_EQ(x->severity, Severity::kError);
  EXPECT_EQ(x->where.byte_offset, w.offset + 10);
  EXPECT_NE(x->message.find("1 NaN and 1 Inf"), std::string::npos) << x->message;
  EXPECT_NE(x->message.find("element 5"), std::string::npos) << x->message;
}

TEST(DeepScan, AllZeroTensorIsAWarning) {
  TempDir tmp;
  fs::path dir = make(tmp, "bf16", {});
  const std::string norm = "language_model.model.layers.1.input_layernorm.weight";
  Where w = locate(dir, norm);
  std::vector<uint8_t> zeros(256 * 2, 0);  // hidden 256, bf16
  std::fstream f(w.file, std::ios::in | std::ios::out | std::ios::binary);
  f.seekp(static_cast<std::streamoff>(w.offset));
  f.write(reinterpret_cast<const char*>(zeros.data()), static_cast<std::streamsize>(zeros.size()));
  f.close();
  Findings found = scan(dir);
  const Finding* x = find(found, "data.all_zero", norm);
  ASSERT_NE(x, nullptr);
  EXPECT_EQ(x->severity, Severity::kWarning);
}

void zero_tensor(const fs::path& dir, const std::string& name, uint64_t bytes) {
  Where w = locate(dir, name);
  std::fstream f(w.file, std::ios::in | std::ios::out | std::ios::binary);
  f.seekp(static_cast<std::streamoff>(w.offset));
  const std::string zeros(bytes, '\0');
  f.write(zeros.data(), static_cast<std::streamsize>(zeros.size()));
}

size_t count_code(const Findings& fs, const std::string& code) {
  return static_cast<size_t>(
      std::count_if(fs.begin(), fs.end(), [&](const Finding& f) { return f.code == code; }));
}

TEST(DeepScan, ManyAllZeroTensorsAreCapped) {
  TempDir tmp;
  fs::path dir = make(tmp, "bf16", {});
  for (int layer = 0; layer < 2; ++layer) {
    for (const char* n : {"input_layernorm", "post_attention_layernorm",
                          "pre_feedforward_layernorm", "post_feedforward_layernorm"}) {
      zero_tensor(dir, fmt::format("language_model.model.layers.{}.{}.weight", layer, n), 256 * 2);
    }
  }
  Findings f = scan(dir);
  EXPECT_EQ(count_code(f, "data.all_zero"), kAllZeroListed + 1);
  EXPECT_EQ(count_code(f, "data.all_zero_model"), 0u);
  const auto summary = std::find_if(f.begin(), f.end(), [](const Finding& x) {
    return x.code == "data.all_zero" && x.where.tensor.empty();
  });
  ASSERT_NE(summary, f.end());
  EXPECT_NE(summary->message.find("3 more findings with this code (8 in all)"), std::string::npos)
      << summary->message;
}

TEST(DeepScan, AnAllZeroModelIsOneError) {
  TempDir tmp;
  for (auto [name, plan] : std::vector<std::pair<const char*, synth::QuantPlan>>{
           {"bf16", {}}, {"a4", synth::plan_affine(4, 64)}}) {
    SCOPED_TRACE(name);
    fs::path dir = make(tmp, name, plan);
    Validation v = validate_model(dir);
    for (const auto& wf : v.checkpoint.files) {
      const auto& h = *wf.header.header;
      const uint64_t end = fs::file_size(dir / wf.name);
      std::fstream out(dir / wf.name, std::ios::in | std::ios::out | std::ios::binary);
      out.seekp(static_cast<std::streamoff>(h.data_start()));
      const std::string zeros(end - h.data_start(), '\0');
      out.write(zeros.data(), static_cast<std::streamsize>(zeros.size()));
    }
    DeepScanStats stats;
    Findings f = deep_scan(validate_model(dir), {}, &stats);
    ASSERT_EQ(f.size(), 1u) << f.front().code << ": " << f.front().message;
    EXPECT_EQ(f[0].code, "data.all_zero_model");
    EXPECT_EQ(f[0].severity, Severity::kError);
    EXPECT_NE(f[0].message.find("tensors: language_model."), std::string::npos) << f[0].message;
    EXPECT_GT(stats.tensors, kAllZeroListed);
    EXPECT_GT(stats.bytes_read, 0u);
  }
}

TEST(DeepScan, ZeroScaleOverVaryingCodesIsCorrupt) {
  TempDir tmp;
  fs::path dir = make(tmp, "a4", synth::plan_affine(4, 64));
  const std::string scales = "language_model.model.layers.0.mlp.up_proj.scales";
  Where w = locate(dir, scales);
  poke(w, 2 * 3, {0x00, 0x00});  // group 3 of row 0: scale 0, random codes below it
  Findings f = scan(dir);
  const Finding* x = find(f, "data.zero_scale_group", scales);
  ASSERT_NE(x, nullptr);
  EXPECT_EQ(x->severity, Severity::kError);
  EXPECT_EQ(x->where.byte_offset, w.offset + 6);
  EXPECT_NE(x->message.find("group 3, row 0"), std::string::npos) << x->message;
}

TEST(DeepScan, NanInScalesAndBiases) {
  TempDir tmp;
  fs::path dir = make(tmp, "a8", synth::plan_affine(8, 64));
  const std::string scales = "language_model.model.layers.1.self_attn.q_proj.scales";
  const std::string biases = "language_model.model.layers.1.self_attn.q_proj.biases";
  poke(locate(dir, scales), 0, {0xC0, 0xFF});  // -NaN
  poke(locate(dir, biases), 4, {0x80, 0xFF});  // -Inf
  Findings f = scan(dir);
  const Finding* s = find(f, "data.non_finite", scales);
  const Finding* b = find(f, "data.non_finite", biases);
  ASSERT_NE(s, nullptr);
  ASSERT_NE(b, nullptr);
  EXPECT_NE(s->message.find("quantization scales"), std::string::npos);
  EXPECT_NE(b->message.find("element 2"), std::string::npos) << b->message;
}

TEST(DeepScan, FpScaleBytesThatDecodeToNan) {
  TempDir tmp;
  fs::path mx = make(tmp, "mx4", synth::plan_fp("mxfp4"));
  const std::string s1 = "language_model.model.layers.0.self_attn.k_proj.scales";
  poke(locate(mx, s1), 7, {0xFF});  // E8M0 NaN
  Findings fa = scan(mx);
  const Finding* a = find(fa, "data.non_finite", s1);
  ASSERT_NE(a, nullptr);
  EXPECT_NE(a->message.find("E8M0"), std::string::npos) << a->message;
  fs::path nv = make(tmp, "nv4", synth::plan_fp("nvfp4"));
  poke(locate(nv, s1), 1, {0x7F});  // E4M3 NaN
  Findings fb = scan(nv);
  const Finding* b = find(fb, "data.non_finite", s1);
  ASSERT_NE(b, nullptr);
  EXPECT_NE(b->message.find("E4M3"), std::string::npos);
}

TEST(DeepScan, DefectsNeverCrashTheScan) {
  TempDir tmp;
  for (const auto& d : synth::list_defects()) {
    SCOPED_TRACE(d.name);
    fs::path dir = tmp.path() / d.name;
    fs::create_directories(dir);
    synth::write_defect(d.name, dir, 0);
    Findings f = scan(dir);
    for (const auto& x : f) EXPECT_NE(x.code, "data.unreadable") << x.message;
  }
}

TEST(DeepScan, ProgressReachesTheTotal) {
  TempDir tmp;
  fs::path dir = make(tmp, "a4", synth::plan_affine(4, 64));
  Validation v = validate_model(dir);
  std::atomic<uint64_t> last{0}, total{0};
  DataScanOptions o;
  o.progress = [&](uint64_t d, uint64_t t) {
    last = std::max<uint64_t>(last, d);
    total = t;
  };
  deep_scan(v, o);
  EXPECT_EQ(total.load(), deep_scan_bytes(v));
  EXPECT_EQ(last.load(), total.load());
}

}  // namespace
}  // namespace medq
