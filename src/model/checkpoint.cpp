#include "medq/model/checkpoint.hpp"

#include <algorithm>
#include <system_error>

namespace medq {

std::vector<Checkpoint::Entry> Checkpoint::tensors() const {
  std::vector<Entry> out;
  for (const auto& f : files) {
    if (!f.header.header) continue;
    for (const auto& t : f.header.header->tensors) out.push_back({&t, &f});
  }
  return out;
}

Checkpoint load_checkpoint(const std::filesystem::path& dir) {
  Checkpoint cp;
  cp.root = dir;
  std::vector<std::string> names;
  std::error_code ec;
  for (std::filesystem::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const auto name = it->path().filename().string();
    if (name.size() <= 12 || name.compare(name.size() - 12, 12, ".safetensors") != 0) continue;
    names.push_back(name);
  }
  std::sort(names.begin(), names.end());
  for (const auto& name : names) {
    WeightFile wf;
    wf.name = name;
    wf.header = read_safetensors(dir / name, name);
    cp.findings.insert(cp.findings.end(), wf.header.findings.begin(), wf.header.findings.end());
    cp.files.push_back(std::move(wf));
  }
  if (names.empty()) {
    Finding f;
    f.code = "directory.no_weights";
    f.severity = Severity::kError;
    f.message = "no *.safetensors weight files in the directory";
    cp.findings.push_back(std::move(f));
  }
  auto index_path = dir / std::string(kShardIndexFile);
  if (std::filesystem::exists(std::filesystem::symlink_status(index_path, ec))) {
    cp.has_index_file = true;
    auto idx = read_shard_index(index_path, std::string(kShardIndexFile));
    cp.findings.insert(cp.findings.end(), idx.findings.begin(), idx.findings.end());
    cp.index = std::move(idx.index);
  }
  return cp;
}

Checkpoint load_checkpoint(const ModelDir& dir) {
  Checkpoint cp;
  cp.root = dir.root;
  for (const auto& e : dir.entries) {
    if (e.kind != EntryKind::kWeights || e.lfs_pointer) continue;
    WeightFile wf;
    wf.name = e.name;
    wf.header = read_safetensors(dir.root / e.name, e.name);
    cp.findings.insert(cp.findings.end(), wf.header.findings.begin(), wf.header.findings.end());
    cp.files.push_back(std::move(wf));
  }
  if (!dir.has(EntryKind::kWeights)) {
    Finding f;
    f.code = "directory.no_weights";
    f.severity = Severity::kError;
    f.message = "no *.safetensors weight files in the directory";
    cp.findings.push_back(std::move(f));
  }
  if (const DirEntry* e = dir.find(kShardIndexFile); e && e->kind == EntryKind::kIndex) {
    cp.has_index_file = true;
    auto idx = read_shard_index(dir.root / e->name, e->name);
    cp.findings.insert(cp.findings.end(), idx.findings.begin(), idx.findings.end());
    cp.index = std::move(idx.index);
  }
  return cp;
}

Checkpoint load_single_file(const std::filesystem::path& file) {
  Checkpoint cp;
  cp.root = file.parent_path();
  WeightFile wf;
  wf.name = file.filename().string();
  wf.header = read_safetensors(file, wf.name);
  cp.findings = wf.header.findings;
  cp.files.push_back(std::move(wf));
  return cp;
}

}  // namespace medq
