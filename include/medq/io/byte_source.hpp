// The bytes of one entry of a model directory, read by position: a local file, an entry held in
// memory, or (later) a remote object read with range requests. Readers take a ByteSource and
// never learn where the bytes live; every read may fail with a message, as a network read can.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "medq/io/file_id.hpp"

namespace medq {

class ByteSource {
 public:
  virtual ~ByteSource() = default;

  /// Size in bytes when the entry was opened.
  virtual uint64_t size() const = 0;

  /// Reads up to `n` bytes at `offset` into `buf`; returns how many were read (fewer only at the
  /// end), or nullopt with a message in `*err`.
  virtual std::optional<size_t> read_some_at(uint64_t offset, void* buf, size_t n,
                                             std::string* err) const = 0;

  /// The size the entry has now (a local file can grow or shrink while it is read), or nullopt
  /// with a message in `*err`. Sources that cannot change answer size().
  virtual std::optional<uint64_t> current_size(std::string* /*err*/) const { return size(); }

  /// A hint that the entry will be read front to back (the kernel reads ahead further).
  virtual void advise_sequential() const {}

  /// The file system identity of a local file (to tell a file replaced behind a listing);
  /// nullopt for sources that have none.
  virtual std::optional<FileId> identity() const { return std::nullopt; }

  /// Reads exactly `n` bytes at `offset`. A short read (the entry shrank, or the range passes
  /// its end) or a read error returns false with a message in `*err`.
  bool read_at(uint64_t offset, void* buf, size_t n, std::string* err) const;
};

/// The message for an entry whose size is no longer the `then` bytes it had when its header was
/// read (`now` bytes): it changed in between, and its header no longer describes it.
std::string changed_since_header_message(uint64_t then, uint64_t now);

}  // namespace medq
