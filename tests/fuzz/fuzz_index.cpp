// libFuzzer target: model.safetensors.index.json as `medq validate` reads it, from memory: the
// JSON parse, the index interpretation, and the index-vs-shards checks against a fixed directory
// of two parsed shards. Shard names in the index are compared, never opened, so a name such as
// "../x.safetensors" or "/etc/passwd" must come out as a finding and nothing else.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "medq/check/index_checks.hpp"
#include "medq/formats/json_file.hpp"
#include "medq/formats/shard_index.hpp"
#include "medq/model/checkpoint.hpp"
#include "medq/model/model_dir.hpp"

namespace {

// A minimal safetensors file: 8-byte length, header, data.
std::vector<uint8_t> shard(const std::string& header, size_t data_bytes) {
  std::vector<uint8_t> out(8 + header.size() + data_bytes, 0);
  uint64_t n = header.size();
  std::memcpy(out.data(), &n, 8);
  std::memcpy(out.data() + 8, header.data(), header.size());
  return out;
}

medq::WeightFile weight_file(const std::string& name, const std::string& header, size_t bytes) {
  medq::WeightFile wf;
  wf.name = name;
  auto b = shard(header, bytes);
  wf.header = medq::parse_safetensors(b, b.size(), name);
  return wf;
}

struct Fixture {
  medq::ModelDir dir;
  medq::Checkpoint cp;
  Fixture() {
    const char* s1 = "model-00001-of-00002.safetensors";
    const char* s2 = "model-00002-of-00002.safetensors";
    cp.files.push_back(
        weight_file(s1,
                    R"({"a.weight":{"dtype":"U32","shape":[4,2],"data_offsets":[0,32]},)"
                    R"("a.scales":{"dtype":"BF16","shape":[4,1],"data_offsets":[32,40]}})",
                    40));
    cp.files.push_back(weight_file(
        s2, R"({"norm.weight":{"dtype":"BF16","shape":[8],"data_offsets":[0,16]}})", 16));
    for (const char* n : {s1, s2}) {
      medq::DirEntry e;
      e.name = n;
      e.kind = medq::EntryKind::kWeights;
      e.bytes = 100;
      dir.entries.push_back(e);
    }
    medq::DirEntry idx;
    idx.name = std::string(medq::kShardIndexFile);
    idx.kind = medq::EntryKind::kIndex;
    dir.entries.push_back(idx);
    cp.has_index_file = true;
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const Fixture fx;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto parsed = medq::parse_json_text(text, std::string(medq::kShardIndexFile), "index");
  if (!parsed.value) return 0;
  auto idx = medq::parse_shard_index(*parsed.value, std::string(medq::kShardIndexFile));
  medq::Checkpoint cp = fx.cp;
  cp.index = std::move(idx.index);
  (void)medq::check_index(fx.dir, cp);
  return 0;
}
