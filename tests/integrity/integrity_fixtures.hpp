// Shared by the integrity tests: a tiny generated model in a temporary directory, whole-file
// reads and writes, and an independent SHA-256 (the sha256sum tool).
#pragma once

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "../support/temp_dir.hpp"
#include "arch.hpp"
#include "checkpoint.hpp"
#include "medq/integrity/manifest.hpp"
#include "quant_plan.hpp"

namespace medq::integrity_test {

namespace fs = std::filesystem;

/// Writes the tiny Gemma 3 (affine 4-bit, group 64) into `dir`, creating it. With a small
/// `max_shard_bytes` the same tensors are split over several shards.
inline void write_tiny(const fs::path& dir, uint64_t max_shard_bytes = 5ull << 30) {
  fs::create_directories(dir);
  synth::GenerateOptions o;
  o.seed = 7;
  o.max_shard_bytes = max_shard_bytes;
  synth::write_checkpoint(dir, synth::tiny_gemma3(), synth::plan_affine(4, 64), o);
}

inline std::string read_all(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(f), {});
}

inline void write_all(const fs::path& p, const std::string& bytes) {
  std::ofstream(p, std::ios::binary | std::ios::trunc) << bytes;
}

/// Flips every bit of the byte at `offset`.
inline void flip_byte(const fs::path& p, uint64_t offset) {
  std::fstream f(p, std::ios::binary | std::ios::in | std::ios::out);
  f.seekg(static_cast<std::streamoff>(offset));
  char c = 0;
  f.read(&c, 1);
  c = static_cast<char>(~c);
  f.seekp(static_cast<std::streamoff>(offset));
  f.write(&c, 1);
}

/// SHA-256 of a file as the coreutils `sha256sum` tool computes it (empty if it is missing).
inline std::string sha256sum_tool(const fs::path& p) {
  std::string cmd = "sha256sum -- '" + p.string() + "' 2>/dev/null";
  FILE* pipe = ::popen(cmd.c_str(), "r");
  if (!pipe) return "";
  char buf[65] = {};
  size_t n = std::fread(buf, 1, 64, pipe);
  ::pclose(pipe);
  return std::string(buf, n);
}

inline const ManifestFile* find_file(const Manifest& m, const std::string& path) {
  for (const auto& f : m.files) {
    if (f.path == path) return &f;
  }
  return nullptr;
}

inline const ManifestTensor* find_tensor(const ManifestFile& f, const std::string& name) {
  if (!f.tensors) return nullptr;
  for (const auto& t : *f.tensors) {
    if (t.name == name) return &t;
  }
  return nullptr;
}

/// make_manifest with the test's thread count and chunk size, expecting no read errors.
inline ManifestScan scan(const fs::path& dir, size_t chunk = 8u << 20, unsigned threads = 0) {
  ManifestOptions o;
  o.chunk_bytes = chunk;
  o.threads = threads;
  ManifestScan s = make_manifest(dir, o);
  EXPECT_TRUE(s.errors.empty()) << (s.errors.empty() ? "" : s.errors[0].message);
  return s;
}

}  // namespace medq::integrity_test
