// What a model directory holds: every entry classified (weights, index, config, tokenizer
// files, partial downloads, Git LFS pointers, ...) with its size. The scan never follows a
// symlink out of the directory and never opens FIFOs or devices; it reads at most the first
// bytes of a file (to recognise LFS pointers). Checks read this instead of the file system.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "medq/check/finding.hpp"

namespace medq {

enum class EntryKind : uint8_t {
  kWeights,  ///< *.safetensors
  kIndex,    ///< model.safetensors.index.json
  kConfig,   ///< config.json
  kGenerationConfig,
  kTokenizerJson,
  kTokenizerModel,  ///< SentencePiece tokenizer.model
  kTokenizerConfig,
  kSpecialTokensMap,
  kProcessorConfig,     ///< processor_config.json
  kPreprocessorConfig,  ///< preprocessor_config.json
  kOtherJson,           ///< any other *.json (chat_template.json, added_tokens.json, ...)
  kDocs,                ///< README.md, LICENSE, .gitattributes, *.jinja, ...: expected, harmless
  kPartialDownload,     ///< *.incomplete, *.part, *.lock, anything under .cache/
  kOther,               ///< a file nothing refers to
  kDirectory,           ///< a subdirectory (its size is the sum of what it holds)
  kSpecial,             ///< FIFO, socket, device: never opened
  kSymlink,             ///< a symbolic link (not followed)
};

std::string_view entry_kind_name(EntryKind k);

struct DirEntry {
  std::string name;  ///< relative to the model directory, '/'-separated
  EntryKind kind = EntryKind::kOther;
  uint64_t bytes = 0;          ///< apparent size (a directory: total of the files below it)
  bool lfs_pointer = false;    ///< the file is a Git LFS pointer, not the content
  std::string symlink_target;  ///< for kSymlink
};

struct ModelDir {
  std::filesystem::path root;
  std::vector<DirEntry> entries;  ///< top-level entries, sorted by name
  uint64_t total_bytes = 0;       ///< everything under root (symlinks not followed)
  Findings findings;              ///< problems met while scanning (unreadable entries)

  const DirEntry* find(std::string_view name) const;
  bool has(EntryKind k) const;
};

/// Scans `dir` (which must be a readable directory). Subdirectories are summed, to at most
/// `max_entries` entries in all, so a directory of a million files stays bounded.
ModelDir scan_model_dir(const std::filesystem::path& dir, uint64_t max_entries = 200'000);

}  // namespace medq
