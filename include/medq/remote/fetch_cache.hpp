// What was fetched from a repository, kept on disk so that a second run reads nothing twice:
// under DIR/hf/KEY/ (DIR is $XDG_CACHE_HOME/medq), KEY a digest of the endpoint, the repository
// and the commit. A commit's files never change, so entries never expire; a branch or tag is
// resolved to its commit on every run (one request) and reaches the entries of that commit.
// Entries are written atomically (a temporary file renamed) and checked when read (a range's
// file must hold exactly its length); a cache that cannot be written is skipped, never an
// error.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace medq {

class FetchCache {
 public:
  /// A cache under `dir` for one commit of one repository; an empty `dir` caches nothing.
  FetchCache(std::filesystem::path dir, std::string_view endpoint, std::string_view repo,
             std::string_view commit);

  bool enabled() const { return !folder_.empty(); }
  const std::filesystem::path& folder() const { return folder_; }

  /// Bytes [offset, offset + length) of `path` as fetched before, if kept.
  std::optional<std::string> get_range(std::string_view path, uint64_t offset,
                                       uint64_t length) const;
  void put_range(std::string_view path, uint64_t offset, std::string_view bytes) const;

  /// The tree listing (tree_to_json) of the commit, if kept.
  std::optional<std::string> get_tree() const;
  void put_tree(std::string_view json) const;

 private:
  std::optional<std::string> read(const std::filesystem::path& file,
                                  std::optional<uint64_t> expected_size, uint64_t cap) const;
  void write(const std::filesystem::path& file, std::string_view bytes) const;
  std::filesystem::path range_file(std::string_view path, uint64_t offset, uint64_t length) const;

  std::filesystem::path folder_;
};

}  // namespace medq
