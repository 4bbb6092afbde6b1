#include "medq/model/checkpoint.hpp"

#include <algorithm>
#include <set>

#include "medq/io/local_storage.hpp"

namespace medq {

std::vector<Checkpoint::Entry> Checkpoint::tensors() const {
  std::vector<Entry> out;
  for (const auto& f : files) {
    const SafetensorsHeader* h = f.header.readable_header();
    if (!h) continue;
    for (const auto& t : h->tensors) out.push_back({&t, &f});
  }
  return out;
}

std::map<std::string, std::map<std::string, size_t>, std::less<>> Checkpoint::duplicate_files()
    const {
  std::set<std::string, std::less<>> indexed;
  if (index) {
    for (const auto& [tensor, shard] : index->weight_map) indexed.insert(shard);
  }
  std::vector<const WeightFile*> order;
  for (const auto& wf : files) order.push_back(&wf);
  std::stable_partition(order.begin(), order.end(),
                        [&](const WeightFile* wf) { return indexed.count(wf->name) > 0; });
  std::map<std::string, std::string, std::less<>> first_file_of;  // tensor -> first file
  std::map<std::string, std::map<std::string, size_t>, std::less<>> shared;
  for (const WeightFile* wf : order) {
    const SafetensorsHeader* h = wf->header.readable_header();
    if (!h) continue;
    for (const auto& t : h->tensors) {
      auto [it, inserted] = first_file_of.emplace(t.name, wf->name);
      if (!inserted && it->second != wf->name) ++shared[wf->name][it->second];
    }
  }
  return shared;
}

Checkpoint load_checkpoint(const std::filesystem::path& dir) {
  return load_checkpoint(scan_model_dir(dir));
}

Checkpoint load_checkpoint(const ModelDir& dir) {
  Checkpoint cp;
  cp.root = dir.root;
  cp.storage = dir.storage;
  for (const auto& e : dir.entries) {
    if (e.kind != EntryKind::kWeights || e.lfs_pointer) continue;
    WeightFile wf;
    wf.name = e.name;
    wf.header = read_safetensors(open_entry(*dir.storage, e.name), e.name);
    cp.findings.insert(cp.findings.end(), wf.header.findings.begin(), wf.header.findings.end());
    cp.files.push_back(std::move(wf));
  }
  // Weight files present only as links medq does not follow are reported by the link findings.
  const bool unfollowed_weights =
      std::any_of(dir.entries.begin(), dir.entries.end(), [](const DirEntry& e) {
        return e.kind == EntryKind::kSymlink && e.link != LinkStatus::kDirectory &&
               e.link != LinkStatus::kSpecial && classify_file_name(e.name) == EntryKind::kWeights;
      });
  if (!dir.has(EntryKind::kWeights) && !unfollowed_weights) {
    Finding f;
    f.code = "directory.no_weights";
    f.severity = Severity::kError;
    f.message = "no *.safetensors weight files in the directory";
    cp.findings.push_back(std::move(f));
  }
  if (const DirEntry* e = dir.find(kShardIndexFile); e && e->kind == EntryKind::kIndex) {
    cp.has_index_file = true;
    auto idx = read_shard_index(open_entry(*dir.storage, e->name), e->name);
    cp.findings.insert(cp.findings.end(), idx.findings.begin(), idx.findings.end());
    cp.index = std::move(idx.index);
  }
  return cp;
}

Checkpoint load_single_file(const std::filesystem::path& file) {
  Checkpoint cp;
  cp.root = file.parent_path();
  cp.storage = std::make_shared<LocalStorage>(cp.root);
  WeightFile wf;
  wf.name = file.filename().string();
  wf.header = read_safetensors(open_local(file), wf.name);
  cp.findings = wf.header.findings;
  cp.files.push_back(std::move(wf));
  return cp;
}

}  // namespace medq
