#include "defects.hpp"

#include <openssl/evp.h>

#include <cstdio>
#include <fstream>
#include <functional>
#include <iterator>
#include <stdexcept>

#include "checkpoint.hpp"
#include "config_json.hpp"
#include "files.hpp"
#include "shards.hpp"
#include "tokenizer_synth.hpp"
#include "weights.hpp"

namespace medq::synth {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

std::string read_all(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  if (!f) throw std::runtime_error(p.string() + ": cannot open");
  return std::string(std::istreambuf_iterator<char>(f), {});
}

json read_json(const fs::path& p) { return json::parse(read_all(p)); }

std::string sha256_hex(const std::string& data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), md, &len, EVP_sha256(), nullptr) != 1)
    throw std::runtime_error("sha256 failed");
  std::string hex;
  char b[3];
  for (unsigned i = 0; i < len; ++i) {
    std::snprintf(b, sizeof b, "%02x", md[i]);
    hex += b;
  }
  return hex;
}

// The healthy base most defects start from: tiny Gemma 3, affine 4-bit, group 64.
Summary base(const fs::path& dir, uint64_t seed, unsigned bits = 4,
             uint64_t max_shard = kMaxShardBytes) {
  GenerateOptions o;
  o.seed = seed;
  o.max_shard_bytes = max_shard;
  return write_checkpoint(dir, tiny_gemma3(), plan_affine(bits, 64), o);
}

void set_quant_field(const fs::path& dir, const char* key, unsigned value) {
  json c = read_json(dir / "config.json");
  c["quantization"][key] = value;
  c["quantization_config"][key] = value;
  write_json(dir / "config.json", c);
}

struct Defect {
  DefectInfo info;
  std::function<void(const fs::path&, uint64_t)> make;
};

const std::vector<Defect>& defects() {
  static const std::vector<Defect> all = {
      {{"stale-index",
        "4-bit checkpoint whose model.safetensors.index.json was copied from the bf16 source: "
        "the weight_map lacks every .scales/.biases and total_size is the bf16 size"},
       [](const fs::path& d, uint64_t seed) {
         base(d, seed);
         const auto src = materialize(tiny_gemma3(), QuantPlan{}, seed, Data::kNone);
         json map = json::object();
         uint64_t total = 0;
         for (const OutTensor& t : src) {
           map[t.name] = "model.safetensors";
           total += t.nbytes;
         }
         write_json(d / "model.safetensors.index.json",
                    json{{"metadata", {{"total_size", total}}}, {"weight_map", map}});
       }},
      {{"missing-shard",
        "two-shard checkpoint whose second shard is absent, though the index names it"},
       [](const fs::path& d, uint64_t seed) {
         const Summary s = base(d, seed, 4, 1u << 20);
         if (s.shards.size() < 2) throw std::logic_error("missing-shard: expected 2+ shards");
         fs::remove(d / s.shards.back());
       }},
      {{"truncated-shard",
        "the shard is cut to half its size (interrupted copy); its header promises more data"},
       [](const fs::path& d, uint64_t seed) {
         const Summary s = base(d, seed);
         const fs::path p = d / s.shards.front();
         fs::resize_file(p, fs::file_size(p) / 2);
       }},
      {{"bits-mismatch",
        "weights packed at 4 bits (group 64) but config.json says bits 8, so packed shapes and "
        "scales contradict the config"},
       [](const fs::path& d, uint64_t seed) {
         base(d, seed);
         set_quant_field(d, "bits", 8);
       }},
      {{"wrong-group-size",
        "weights quantized with group size 64 but config.json says group_size 32"},
       [](const fs::path& d, uint64_t seed) {
         base(d, seed);
         set_quant_field(d, "group_size", 32);
       }},
      {{"special-token-missing",
        "tokenizer_config.json and special_tokens_map.json make <end_of_turn> the eos token, "
        "but tokenizer.json (and tokenizer.model) no longer contain it"},
       [](const fs::path& d, uint64_t seed) {
         base(d, seed);
         const Arch a = tiny_gemma3();
         Vocab v = build_vocab(a, seed);
         json cfg = tokenizer_config_json(v, a);
         cfg["eos_token"] = "<end_of_turn>";
         write_json(d / "tokenizer_config.json", cfg, 2);
         json stm = special_tokens_map_json(a);
         stm["eos_token"]["content"] = "<end_of_turn>";
         write_json(d / "special_tokens_map.json", stm, 2);
         const size_t eot = static_cast<size_t>(a.ids.end_of_turn);
         v.pieces[eot] = "<unused0>";
         v.special[eot] = false;
         write_json(d / "tokenizer.json", tokenizer_json(v, a), 2);
         write_text(d / "tokenizer.model", sentencepiece_model(v, a));
       }},
      {{"vocab-exceeds-embedding",
        "tiny llama whose tokenizer has 1088 tokens while the embedding (and config "
        "vocab_size) has 1024 rows: ids 1024..1087 index past the table"},
       [](const fs::path& d, uint64_t seed) {
         Arch a = tiny_llama();
         GenerateOptions o;
         o.seed = seed;
         write_checkpoint(d, a, plan_affine(4, 64), o);
         a.ids.tokenizer_size = 1088;
         const Vocab v = build_vocab(a, seed);
         write_json(d / "tokenizer.json", tokenizer_json(v, a), 2);
         write_text(d / "tokenizer.model", sentencepiece_model(v, a));
       }},
      {{"incomplete-download",
        "healthy checkpoint plus the leftovers of an interrupted huggingface_hub download: "
        ".cache/huggingface/download/model.safetensors.<etag>.incomplete and its .metadata"},
       [](const fs::path& d, uint64_t seed) {
         const Summary s = base(d, seed);
         const fs::path cache = d / ".cache" / "huggingface" / "download";
         fs::create_directories(cache);
         const std::string shard = read_all(d / s.shards.front());
         const std::string etag = sha256_hex(shard);
         write_text(cache / (s.shards.front() + "." + etag + ".incomplete"),
                    shard.substr(0, shard.size() / 3));
         write_text(cache / (s.shards.front() + ".metadata"),
                    "0000000000000000000000000000000000000000\n" + etag + "\n1700000000.0\n");
         write_text(d / ".cache" / "huggingface" / ".gitignore", "*\n");
       }},
      {{"duplicate-shard",
        "8-bit checkpoint in two shards plus a leftover single-file model.safetensors of the "
        "same weights from an earlier conversion: loaders that glob model*.safetensors load "
        "everything twice and the folder is twice its size"},
       [](const fs::path& d, uint64_t seed) {
         const Summary s = base(d, seed, 8, 2u << 20);
         if (s.shards.size() < 2) throw std::logic_error("duplicate-shard: expected 2 shards");
         const auto t = materialize(tiny_gemma3(), plan_affine(8, 64), seed, Data::kHeld);
         write_safetensors(d / "model.safetensors", t, false);
       }},
      {{"lfs-pointer", "the shard is a Git LFS pointer file (repository cloned without git-lfs)"},
       [](const fs::path& d, uint64_t seed) {
         const Summary s = base(d, seed);
         const fs::path p = d / s.shards.front();
         const std::string data = read_all(p);
         write_text(p, "version https://git-lfs.github.com/spec/v1\noid sha256:" +
                           sha256_hex(data) + "\nsize " + std::to_string(data.size()) + "\n");
       }},
      {{"invalid-json", "config.json has a trailing comma after its last entry (hand edit)"},
       [](const fs::path& d, uint64_t seed) {
         base(d, seed);
         std::string c = read_all(d / "config.json");
         const size_t end = c.rfind('}');
         c.insert(c.rfind('\n', end), ",");
         write_text(d / "config.json", c);
       }},
      {{"index-path-escape",
        "the index maps one tensor to ../model.safetensors, a path outside the model folder"},
       [](const fs::path& d, uint64_t seed) {
         base(d, seed);
         json idx = read_json(d / "model.safetensors.index.json");
         idx["weight_map"]["language_model.lm_head.weight"] = "../model.safetensors";
         write_json(d / "model.safetensors.index.json", idx);
       }},
  };
  return all;
}

}  // namespace

const std::vector<DefectInfo>& list_defects() {
  static const std::vector<DefectInfo> infos = [] {
    std::vector<DefectInfo> v;
    for (const Defect& d : defects()) v.push_back(d.info);
    return v;
  }();
  return infos;
}

void write_defect(const std::string& name, const fs::path& dir, uint64_t seed) {
  for (const Defect& d : defects())
    if (d.info.name == name) return d.make(dir, seed);
  throw std::invalid_argument("unknown defect '" + name + "' (see medq-synth defect --list)");
}

}  // namespace medq::synth
