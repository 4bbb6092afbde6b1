// Checksum manifests: what a model directory held when it was recorded, so that a copy can be
// checked offline later. Every regular file with its size and SHA-256; every tensor of every
// safetensors file with its dtype, shape, byte range and an XXH3-128 digest of its data bytes
// (so a renamed or re-sharded file whose tensors are unchanged still verifies tensor by tensor).
// The JSON layout is documented in docs/manifest.md.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "medq/formats/dtype.hpp"
#include "medq/io/file_id.hpp"

namespace medq {

/// The value of the manifest's "format" key.
inline constexpr std::string_view kManifestFormat = "medq-manifest";
/// The manifest layout version this medq writes and reads; bumped on any change to the layout.
inline constexpr int kManifestVersion = 1;
/// Files whose name ends with this are manifests and are never recorded.
inline constexpr std::string_view kManifestSuffix = ".manifest.json";
/// medq reads manifests up to this size (a 90,000-tensor model needs about 20 MB).
inline constexpr uint64_t kMaxManifestBytes = 256ull << 20;

struct ManifestTensor {
  std::string name;
  Dtype dtype = Dtype::U8;
  std::vector<uint64_t> shape;
  uint64_t offset = 0;   ///< absolute offset of the first data byte in the file
  uint64_t bytes = 0;    ///< length of the data
  std::string xxh3_128;  ///< 32 lower-case hex digits, XXH3-128 of the data bytes
};

struct ManifestFile {
  std::string path;  ///< relative to the model directory, '/'-separated
  uint64_t size = 0;
  std::string sha256;  ///< 64 lower-case hex digits
  /// The tensors of a safetensors file, sorted by name; nullopt for any other file and for a
  /// safetensors file whose header medq cannot read.
  std::optional<std::vector<ManifestTensor>> tensors;

  // What make_manifest noticed about a safetensors file; not part of the JSON.
  std::string header_error;  ///< why the header was rejected ("code: message"), else empty
  /// Tensors the header describes but whose data lies past the end of a truncated file; their
  /// offset and bytes are set, their digest is empty.
  std::vector<ManifestTensor> tensors_past_end;
};

struct Manifest {
  std::vector<ManifestFile> files;  ///< sorted by path, byte by byte

  size_t tensor_count() const;
};

/// An entry of the directory that was not recorded, and why.
struct SkippedEntry {
  std::string path;
  std::string why;  ///< "symlink (not followed)", "FIFO (never opened)", "a manifest", ...
};

/// A file or directory that could not be read: the manifest is incomplete.
struct ScanError {
  std::string path;  ///< relative path ("" for the directory itself)
  std::string message;
};

// FileId (st_dev, st_ino: one particular file wherever it lies) is io's.

struct ManifestOptions {
  /// Files hashed at once, each on its own thread; 0 means std::thread::hardware_concurrency().
  unsigned threads = 0;
  /// Bytes per positioned read; each thread holds one buffer of this size.
  size_t chunk_bytes = 8u << 20;
  /// Files never recorded, e.g. the manifest being written (stdout redirected into the directory)
  /// or the manifest being verified.
  std::vector<FileId> exclude;
  /// Also record the targets of symlinks that lead out of the directory (--follow-symlinks).
  /// A symlink to a regular file inside the directory is always recorded, under its own name;
  /// symlinks to directories, loops and FIFOs never are.
  bool follow_symlinks = false;
};

struct ManifestScan {
  Manifest manifest;
  std::vector<SkippedEntry> skipped;  ///< sorted by path
  /// Things worth telling the user that do not stop the manifest ("header rejected: recorded
  /// by size and SHA-256 only"), as "path: message" lines, sorted.
  std::vector<std::string> notes;
  std::vector<ScanError> errors;  ///< sorted by path; non-empty means the manifest is incomplete
};

/// Records `dir`: every regular file below it (subdirectories included, symlinks followed only
/// to a regular file inside `dir` unless opts.follow_symlinks, FIFOs/sockets/devices never opened,
/// files named *.manifest.json and `opts.exclude` left out). Each file is read once, sequentially,
/// feeding its SHA-256 and the XXH3-128 of the tensor the bytes belong to. Different files are
/// hashed on different threads. Throws only for medq's own failures; unreadable entries are
/// reported in `errors`.
ManifestScan make_manifest(const std::filesystem::path& dir, const ManifestOptions& opts = {});

/// The identity of the file at `path` (symlinks followed), or nullopt when it cannot be stat'ed.
std::optional<FileId> file_id(const std::filesystem::path& path);
/// The identity of the open file descriptor `fd` when it is a regular file, else nullopt.
std::optional<FileId> file_id_of_fd(int fd);

/// The manifest as JSON text (docs/manifest.md): deterministic, no timestamps, one line per
/// tensor, ending in a newline.
std::string manifest_to_json(const Manifest& m);

struct ManifestParse {
  std::optional<Manifest> manifest;  ///< set when the text is a valid manifest
  std::string error;                 ///< otherwise what is wrong and where (a JSON pointer)
};

/// Parses and strictly validates a manifest: the format and version first, then every key
/// (unknown or duplicate keys are errors), type, digest, path, size, shape and byte range.
ManifestParse manifest_from_json(std::string_view text);

/// Reads and parses the manifest file at `path` (at most kMaxManifestBytes).
ManifestParse read_manifest(const std::filesystem::path& path);

}  // namespace medq
