// Each injected defect shows the symptom it is named for, checked from the files themselves
// (one row per defect), and the list is complete.
#include <gtest/gtest.h>

#include <functional>
#include <nlohmann/json.hpp>

#include "defects.hpp"
#include "medq/formats/safetensors.hpp"
#include "test_util.hpp"

namespace medq::synth {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

json load(const fs::path& p) { return json::parse(test::read_file(p)); }

SafetensorsResult read(const fs::path& p) { return read_safetensors(p, p.filename().string()); }

uint64_t last_dim(const fs::path& shard, const std::string& name) {
  const SafetensorsResult r = read(shard);
  for (const TensorInfo& t : r.header->tensors)
    if (t.name == name) return t.shape.back();
  ADD_FAILURE() << name << " not in " << shard;
  return 0;
}

struct Row {
  const char* name;
  std::function<void(const fs::path&)> symptom;
};

const char* kModule = "language_model.model.layers.0.mlp.down_proj";

const std::vector<Row>& rows() {
  static const std::vector<Row> r = {
      {"stale-index",
       [](const fs::path& d) {
         const json idx = load(d / "model.safetensors.index.json");
         EXPECT_FALSE(idx["weight_map"].contains(std::string(kModule) + ".scales"));
         const SafetensorsResult st = read(d / "model.safetensors");
         ASSERT_TRUE(st.ok());
         EXPECT_NE(idx["weight_map"].size(), st.header->tensors.size());
       }},
      {"missing-shard",
       [](const fs::path& d) {
         const json idx = load(d / "model.safetensors.index.json");
         std::set<std::string> files;
         for (const auto& [k, v] : idx["weight_map"].items()) files.insert(v.get<std::string>());
         ASSERT_GE(files.size(), 2u);
         size_t missing = 0;
         for (const std::string& f : files) missing += !fs::exists(d / f);
         EXPECT_EQ(missing, 1u);
       }},
      {"truncated-shard",
       [](const fs::path& d) { EXPECT_FALSE(read(d / "model.safetensors").ok()); }},
      {"bits-mismatch",
       [](const fs::path& d) {
         const json q = load(d / "config.json")["quantization"];
         const uint64_t packed =
             last_dim(d / "model.safetensors", std::string(kModule) + ".weight");
         const uint64_t groups =
             last_dim(d / "model.safetensors", std::string(kModule) + ".scales");
         EXPECT_NE(packed * 32 / q["bits"].get<uint64_t>(),
                   groups * q["group_size"].get<uint64_t>());
         EXPECT_EQ(q["bits"], 8);
       }},
      {"wrong-group-size",
       [](const fs::path& d) {
         const json q = load(d / "config.json")["quantization"];
         const uint64_t packed =
             last_dim(d / "model.safetensors", std::string(kModule) + ".weight");
         const uint64_t groups =
             last_dim(d / "model.safetensors", std::string(kModule) + ".scales");
         EXPECT_NE(packed * 32 / q["bits"].get<uint64_t>(),
                   groups * q["group_size"].get<uint64_t>());
         EXPECT_EQ(q["group_size"], 32);
       }},
      {"special-token-missing",
       [](const fs::path& d) {
         const std::string eos = load(d / "tokenizer_config.json")["eos_token"];
         EXPECT_EQ(eos, "<end_of_turn>");
         EXPECT_FALSE(load(d / "tokenizer.json")["model"]["vocab"].contains(eos));
       }},
      {"vocab-exceeds-embedding",
       [](const fs::path& d) {
         const size_t vocab = load(d / "tokenizer.json")["model"]["vocab"].size();
         const SafetensorsResult st = read(d / "model.safetensors");
         ASSERT_TRUE(st.ok());
         for (const TensorInfo& t : st.header->tensors)
           if (t.name == "model.embed_tokens.weight") {
             EXPECT_GT(vocab, t.shape[0]);
           }
       }},
      {"incomplete-download",
       [](const fs::path& d) {
         size_t incomplete = 0;
         for (const auto& e : fs::recursive_directory_iterator(d / ".cache" / "huggingface"))
           incomplete += e.path().extension() == ".incomplete";
         EXPECT_EQ(incomplete, 1u);
         EXPECT_TRUE(read(d / "model.safetensors").ok());
       }},
      {"duplicate-shard",
       [](const fs::path& d) {
         uint64_t on_disk = 0;
         for (const auto& e : fs::directory_iterator(d))
           if (e.path().extension() == ".safetensors") on_disk += fs::file_size(e.path());
         const uint64_t total = load(d / "model.safetensors.index.json")["metadata"]["total_size"];
         EXPECT_GT(on_disk, 2 * total - total / 100);
         EXPECT_TRUE(fs::exists(d / "model.safetensors"));
         EXPECT_TRUE(fs::exists(d / "model-00001-of-00002.safetensors"));
       }},
      {"lfs-pointer",
       [](const fs::path& d) {
         const std::string s = test::read_file(d / "model.safetensors");
         EXPECT_EQ(s.rfind("version https://git-lfs.github.com/spec/v1\noid sha256:", 0), 0u);
         EXPECT_FALSE(read(d / "model.safetensors").ok());
       }},
      {"invalid-json",
       [](const fs::path& d) { EXPECT_THROW(load(d / "config.json"), json::parse_error); }},
      {"index-path-escape",
       [](const fs::path& d) {
         const json idx = load(d / "model.safetensors.index.json");
         size_t escaping = 0;
         for (const auto& [k, v] : idx["weight_map"].items())
           escaping += v.get<std::string>().find("..") != std::string::npos;
         EXPECT_EQ(escaping, 1u);
       }},
  };
  return r;
}

TEST(Defects, EveryDefectShowsItsSymptom) {
  ASSERT_EQ(rows().size(), list_defects().size()) << "a defect without a test row";
  for (size_t i = 0; i < rows().size(); ++i) {
    SCOPED_TRACE(rows()[i].name);
    EXPECT_EQ(list_defects()[i].name, rows()[i].name);
    test::TempDir tmp;
    write_defect(rows()[i].name, tmp.path(), 0);
    rows()[i].symptom(tmp.path());
  }
}

TEST(Defects, UnknownNameIsRefused) {
  test::TempDir tmp;
  EXPECT_THROW(write_defect("no-such-defect", tmp.path(), 0), std::invalid_argument);
}

}  // namespace
}  // namespace medq::synth
