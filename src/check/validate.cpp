#include "medq/check/validate.hpp"

#include <future>
#include <iterator>
#include <map>
#include <memory>
#include <utility>

#include "medq/check/config_quant.hpp"
#include "medq/check/directory_checks.hpp"
#include "medq/check/index_checks.hpp"
#include "medq/check/tokenizer_checks.hpp"
#include "medq/formats/file_cache.hpp"
#include "medq/formats/generation_config.hpp"
#include "medq/formats/json_file.hpp"
#include "medq/formats/sentencepiece.hpp"
#include "medq/formats/tokenizer_config.hpp"
#include "medq/formats/tokenizer_json.hpp"
#include "medq/hub/cache_findings.hpp"

namespace medq {

const nlohmann::json* Validation::config() const { return config_json ? &*config_json : nullptr; }

std::string_view json_area(std::string_view name) {
  if (name == "model.safetensors.index.json") return "index";
  if (name == "tokenizer.json" || name == "tokenizer_config.json" ||
      name == "special_tokens_map.json" || name == "added_tokens.json") {
    return "tokenizer";
  }
  if (name == "config.json" || name == "generation_config.json" ||
      name == "processor_config.json" || name == "preprocessor_config.json") {
    return "config";
  }
  return "directory";
}

namespace {

void append(Findings& to, const Findings& from) { to.insert(to.end(), from.begin(), from.end()); }

bool is_small_json(EntryKind k) {
  switch (k) {
    case EntryKind::kConfig:
    case EntryKind::kGenerationConfig:
    case EntryKind::kTokenizerConfig:
    case EntryKind::kSpecialTokensMap:
    case EntryKind::kProcessorConfig:
    case EntryKind::kPreprocessorConfig:
    case EntryKind::kOtherJson:
      return true;
    default:
      return false;  // the index is read by the checkpoint loader, tokenizer.json is streamed
  }
}

const DirEntry* find_entry(const ModelDir& dir, EntryKind kind) {
  for (const auto& e : dir.entries) {
    if (e.kind == kind) return &e;
  }
  return nullptr;
}

/// The token-embedding tensor of the language model: "<prefix>embed_tokens.weight" outside the
/// vision tower. Its first dimension is the number of rows whether or not it is packed.
const Checkpoint::Entry* find_embedding(std::span<const Checkpoint::Entry> tensors) {
  constexpr std::string_view kSuffix = "embed_tokens.weight";
  for (const auto& e : tensors) {
    std::string_view name = e.tensor->name;
    if (name.size() >= kSuffix.size() && name.substr(name.size() - kSuffix.size()) == kSuffix &&
        name.find("vision") == std::string_view::npos && !e.tensor->shape.empty()) {
      return &e;
    }
  }
  return nullptr;
}

/// Item 7: read the tokenizer files (the small JSON ones are already parsed) and compare them
/// with each other, config.json's vocab_size and the embedding.
/// Starts reading tokenizer.json on its own thread (the largest single piece of header work:
/// 33 MB for Gemma 3), so that it overlaps the headers, the small JSON files and their checks.
std::future<std::shared_ptr<const TokenizerJsonResult>> start_tokenizer_json(const ModelDir& dir,
                                                                             FileCache* cache) {
  const DirEntry* e = find_entry(dir, EntryKind::kTokenizerJson);
  if (e == nullptr) return {};
  return std::async(std::launch::async, [storage = dir.storage, label = e->name, cache] {
    return cache != nullptr ? cache->tokenizer_json(*storage, label, label)
                            : std::make_shared<const TokenizerJsonResult>(
                                  read_tokenizer_json(open_entry(*storage, label), label));
  });
}

using JsonFiles = std::map<std::string, std::shared_ptr<const JsonFileResult>>;

/// `json_files`: the small JSON files that parsed; released here before the wait for
/// tokenizer.json.
Findings tokenizer_findings(const Validation& v, JsonFiles json_files,
                            std::span<const Checkpoint::Entry> tensors,
                            std::future<std::shared_ptr<const TokenizerJsonResult>> pending) {
  Findings out;
  TokenizerInputs in;

  std::optional<SentencePieceModel> sentencepiece;
  if (const DirEntry* e = find_entry(v.dir, EntryKind::kTokenizerModel)) {
    auto r = read_sentencepiece(open_entry(*v.dir.storage, e->name), e->name);
    append(out, r.findings);
    sentencepiece = std::move(r.model);
    if (sentencepiece) in.sentencepiece = &*sentencepiece;
  }
  std::optional<TokenizerConfig> tokenizer_config, special_tokens_map;
  if (auto it = json_files.find("tokenizer_config.json"); it != json_files.end()) {
    auto r = tokenizer_config_from_json(*it->second->value, it->first);
    append(out, r.findings);
    tokenizer_config = std::move(r.config);
    if (tokenizer_config) in.tokenizer_config = &*tokenizer_config;
  }
  if (auto it = json_files.find("special_tokens_map.json"); it != json_files.end()) {
    auto r = tokenizer_config_from_json(*it->second->value, it->first);
    append(out, r.findings);
    special_tokens_map = std::move(r.config);
    if (special_tokens_map) in.special_tokens_map = &*special_tokens_map;
  }
  std::optional<GenerationConfig> generation_config;
  if (auto it = json_files.find("generation_config.json"); it != json_files.end()) {
    auto r = generation_config_from_json(*it->second->value, it->first);
    append(out, r.findings);
    generation_config = std::move(r.config);
    if (generation_config) in.generation_config = &*generation_config;
  }

  // tokenizer.json last: everything above runs while its thread is still reading it.
  json_files.clear();
  std::shared_ptr<const TokenizerJsonResult> tokenizer_json;
  if (pending.valid()) {
    tokenizer_json = pending.get();
    Findings read = tokenizer_json->findings;
    read.insert(read.end(), std::make_move_iterator(out.begin()),
                std::make_move_iterator(out.end()));
    out = std::move(read);  // in the order the files were always reported
    if (tokenizer_json->tokenizer) in.tokenizer_json = &*tokenizer_json->tokenizer;
  }

  if (v.arch) {
    in.config_vocab_size = v.arch->text.vocab_size.get();
    in.config_vocab_pointer = v.arch->text.vocab_size.pointer;
  }
  if (const Checkpoint::Entry* emb = find_embedding(tensors)) {
    in.embedding_rows = emb->tensor->shape.front();
    in.embedding_file = emb->file->name;
    in.embedding_tensor = emb->tensor->name;
  }
  append(out, check_tokenizer(in));
  return out;
}

}  // namespace

Validation validate_model(const std::filesystem::path& dir, const ScanOptions& scan,
                          FileCache* cache) {
  return validate_model(scan_model_dir(dir, scan), cache);
}

Validation validate_model(ModelDir scanned, FileCache* cache) {
  Validation v;
  v.dir = std::move(scanned);
  append(v.findings, v.dir.findings);
  auto tokenizer_json = start_tokenizer_json(v.dir, cache);

  // Safetensors headers and the index.
  v.checkpoint = load_checkpoint(v.dir);
  append(v.findings, v.checkpoint.findings);

  // Every JSON file parses.
  JsonFiles json_files;
  for (const auto& e : v.dir.entries) {
    if (!is_small_json(e.kind)) continue;
    const auto area = json_area(e.name);
    auto r = cache != nullptr ? cache->json_file(*v.dir.storage, e.name, e.name, area)
                              : std::make_shared<const JsonFileResult>(read_json_file(
                                    open_entry(*v.dir.storage, e.name), e.name, area));
    append(v.findings, r->findings);
    if (!r->value) continue;
    if (e.name == "config.json") v.config_json = *r->value;  // a few KB, kept with the result
    json_files.emplace(e.name, std::move(r));
  }
  const nlohmann::json* config = v.config();
  bool vision = config && config->is_object() && config->contains("vision_config");

  bool image_processor = false;
  if (auto it = json_files.find("processor_config.json"); it != json_files.end()) {
    const nlohmann::json& pc = *it->second->value;
    image_processor =
        pc.is_object() && pc.contains("image_processor") && pc.at("image_processor").is_object();
  }
  append(v.findings, check_directory({&v.dir, &v.checkpoint, vision, image_processor}));
  append(v.findings, check_index(v.dir, v.checkpoint));
  if (v.dir.snapshot) {
    v.cache_repo = scan_cache_repo(*v.dir.snapshot);
    append(v.findings, cache_repo_findings(*v.dir.snapshot, *v.cache_repo));
  }

  // Config vs tensors, quantization vs packed weights.
  const auto tensors = v.checkpoint.tensors();
  if (config) {
    auto cq = check_config_and_quantization(*config, tensors);
    append(v.findings, cq.findings);
    v.arch = std::move(cq.arch);
    v.quant = std::move(cq.quant);
    v.layout = std::move(cq.layout);
  } else {
    v.layout = detect_layout(v.checkpoint, std::nullopt);
  }

  append(v.findings,
         tokenizer_findings(v, std::move(json_files), tensors, std::move(tokenizer_json)));

  sort_findings(v.findings);
  return v;
}

}  // namespace medq
