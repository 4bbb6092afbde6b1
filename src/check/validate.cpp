#include "medq/check/validate.hpp"

#include "medq/check/directory_checks.hpp"
#include "medq/check/index_checks.hpp"
#include "medq/formats/json_file.hpp"

namespace medq {

const nlohmann::json* Validation::config() const {
  auto it = json_files.find("config.json");
  return it == json_files.end() ? nullptr : &it->second;
}

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

}  // namespace

Validation validate_model(const std::filesystem::path& dir) {
  Validation v;
  v.dir = scan_model_dir(dir);
  append(v.findings, v.dir.findings);

  // Safetensors headers and the index.
  v.checkpoint = load_checkpoint(v.dir);
  append(v.findings, v.checkpoint.findings);

  // Every JSON file parses.
  for (const auto& e : v.dir.entries) {
    if (!is_small_json(e.kind)) continue;
    auto r = read_json_file(v.dir.root / e.name, e.name, json_area(e.name));
    append(v.findings, r.findings);
    if (r.value) v.json_files.emplace(e.name, std::move(*r.value));
  }
  const nlohmann::json* config = v.config();
  bool vision = config && config->is_object() && config->contains("vision_config");

  append(v.findings, check_directory({&v.dir, &v.checkpoint, vision}));
  append(v.findings, check_index(v.dir, v.checkpoint));

  sort_findings(v.findings);
  return v;
}

}  // namespace medq
