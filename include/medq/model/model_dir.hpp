// What a model directory holds: every entry classified (weights, index, config, tokenizer
// files, partial downloads, Git LFS pointers, ...) with its size. The scan follows a symlink
// only when it leads to a regular file inside the directory (or anywhere, with
// ScanOptions::follow_symlinks), never follows one to a directory, reports loops and broken
// links, and never opens FIFOs or devices; it reads at most the first bytes of a file (to
// recognise LFS pointers). Checks read this instead of the file system.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "medq/diag/finding.hpp"
#include "medq/io/hf_snapshot.hpp"
#include "medq/io/storage.hpp"

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
  kSymlink,             ///< a symbolic link that is not followed (see DirEntry::link)
};

// LinkStatus (what the scan made of a symbolic link) is the storage listing's.

std::string_view entry_kind_name(EntryKind k);

struct DirEntry {
  std::string name;  ///< relative to the model directory, '/'-separated
  EntryKind kind = EntryKind::kOther;
  uint64_t bytes = 0;        ///< apparent size (a directory: total of the files below it)
  bool lfs_pointer = false;  ///< the file is a Git LFS pointer, not the content
  LinkStatus link = LinkStatus::kNone;
  std::string symlink_target;  ///< the link's text, for any symlink (followed or not)
  /// For a followed link whose target lies outside the folder (--follow-symlinks): the bytes
  /// are not counted in the folder's total twice when the target is inside.
  bool target_outside = false;
  /// A followed link into the blob store of a Hugging Face cache snapshot (ModelDir::snapshot):
  /// the cache's own structure, followed without --follow-symlinks.
  bool target_in_store = false;
  /// For a directory: its largest files (path from the model folder, bytes), largest first,
  /// at most StorageEntry::kLargestFilesKept, and how many files it holds.
  std::vector<std::pair<std::string, uint64_t>> largest_files;
  uint64_t file_count = 0;
};

struct ScanOptions {
  /// Also follow symlinks whose target is outside the folder (a Hugging Face cache snapshot
  /// links every file into ../../blobs). Links to regular files inside the folder are always
  /// followed; links to directories, loops and FIFOs never are.
  bool follow_symlinks = false;
  /// Entries visited in all (subdirectories are summed), so a huge directory stays bounded.
  uint64_t max_entries = 200'000;
};

struct ModelDir {
  std::filesystem::path root;  ///< the folder as the user named it, for messages and manifests
  /// Where every reader gets the entries' bytes (never from `root` directly).
  std::shared_ptr<const Storage> storage;
  std::vector<DirEntry> entries;  ///< top-level entries, sorted by name
  uint64_t total_bytes = 0;       ///< everything under root (plus followed outside targets)
  Findings findings;              ///< problems met while scanning (unreadable entries)
  /// Set when the folder is a snapshot of the Hugging Face cache (find_hf_snapshot): its links
  /// into the repository's blobs are followed as the folder's own files.
  std::optional<HfSnapshot> snapshot;

  const DirEntry* find(std::string_view name) const;
  bool has(EntryKind k) const;
};

/// Scans `dir` (which must be a readable directory). Subdirectories are summed, to at most
/// `opts.max_entries` entries in all, so a directory of a million files stays bounded. A
/// Hugging Face cache snapshot is read through HfSnapshotStorage (ModelDir::snapshot).
ModelDir scan_model_dir(const std::filesystem::path& dir, const ScanOptions& opts = {});

/// Scans what `storage` lists; `root` is only recorded (for messages).
ModelDir scan_model_dir(std::shared_ptr<const Storage> storage, std::filesystem::path root,
                        const ScanOptions& opts = {});

/// The kind a file of this name has in a model folder (by name alone).
EntryKind classify_file_name(std::string_view name);

/// Whether a loader reads a file of this kind (weights, index, config, tokenizer files): a link
/// of such a name that is not followed leaves the model unchecked, an error.
bool loader_reads(EntryKind k);

}  // namespace medq
