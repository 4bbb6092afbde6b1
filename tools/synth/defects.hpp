// Defect injection: one broken checkpoint per directory, each a failure seen in the field
// (stale index, missing or truncated shard, config contradicting the packed shapes, tokenizer
// problems, leftovers of an interrupted download, LFS pointers, bad JSON, escaping paths).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace medq::synth {

struct DefectInfo {
  std::string name;
  std::string description;
};

/// Every defect the generator can write, in a stable order.
const std::vector<DefectInfo>& list_defects();

/// Writes defect `name` into `dir` (which must exist and be empty). Throws
/// std::invalid_argument for an unknown name.
void write_defect(const std::string& name, const std::filesystem::path& dir, uint64_t seed);

}  // namespace medq::synth
