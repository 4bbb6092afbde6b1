#include "file_digest.hpp"

#include <algorithm>
#include <span>

#include "medq/formats/safetensors.hpp"
#include "medq/io/sha256.hpp"
#include "medq/io/xxh3.hpp"

namespace medq::integrity {
namespace {

// A tensor's data as an absolute byte range of the file, and where its digest goes.
struct Span {
  uint64_t begin = 0, end = 0;
  size_t tensor = 0;  // index into the output tensor list
};

}  // namespace

bool digest_file(const Storage& storage, const std::string& rel, const FileId& id,
                 std::string_view label, bool safetensors, std::vector<uint8_t>& buf,
                 ManifestFile* out, std::string* err) {
  auto file = storage.open(rel, err);
  if (!file) return false;
  // open() follows symlinks; the listing did not. The same device and inode means the same file.
  if (file->identity() != id) {
    *err = "the file was replaced while the directory was being read";
    return false;
  }
  // A hint only: the kernel reads ahead further for a file read front to back.
  file->advise_sequential();
  const uint64_t size = file->size();
  out->size = size;
  size_t n = static_cast<size_t>(std::min<uint64_t>(size, buf.size()));
  if (!file->read_at(0, buf.data(), n, err)) return false;

  std::vector<ManifestTensor> tensors;
  std::vector<Span> spans;
  out->tensors.reset();
  out->header_error.clear();
  out->tensors_past_end.clear();
  if (safetensors) {
    // The first chunk already holds the header unless the header is longer than a chunk.
    auto header =
        read_safetensors_header(*file, std::span<const uint8_t>(buf.data(), n), label, err);
    if (!header) return false;
    const SafetensorsResult& r = *header;
    if (!r.ok() && !r.findings.empty()) {
      out->header_error = r.findings.front().code + ": " + r.findings.front().message;
    }
    if (const SafetensorsHeader* h = r.readable_header()) {
      for (const TensorInfo& t : h->tensors) {
        ManifestTensor mt;
        mt.name = t.name;
        mt.dtype = t.dtype;
        mt.shape = t.shape;
        mt.bytes = t.nbytes();
        // The reader has checked that data_start() + end fits in 64 bits.
        mt.offset = h->absolute_offset(t);
        if (mt.offset + mt.bytes <= size) {
          spans.push_back({mt.offset, mt.offset + mt.bytes, tensors.size()});
          tensors.push_back(std::move(mt));
        } else {
          out->tensors_past_end.push_back(std::move(mt));
        }
      }
    }
    if (r.readable_header()) out->tensors.emplace();
  }
  // Zero-byte tensors sort before a tensor starting at the same offset.
  std::sort(spans.begin(), spans.end(), [](const Span& a, const Span& b) {
    return a.begin != b.begin ? a.begin < b.begin : a.end < b.end;
  });

  Sha256 sha;
  Xxh3_128 xxh;
  size_t next = 0;  // the first span not finished yet
  uint64_t pos = 0;
  for (;;) {
    const uint64_t c0 = pos, c1 = pos + n;
    sha.update(buf.data(), n);
    // Feed the chunk to the spans it covers. Tensors tile the data region, so at most one span
    // is open across a chunk boundary and one XXH3 state suffices.
    while (next < spans.size()) {
      const Span& s = spans[next];
      if (s.begin > c1 || (s.begin == c1 && s.end > c1)) break;
      uint64_t a = std::max(s.begin, c0), b = std::min(s.end, c1);
      if (b > a) xxh.update(buf.data() + (a - c0), static_cast<size_t>(b - a));
      if (s.end > c1) break;
      tensors[s.tensor].xxh3_128 = xxh.finish();
      ++next;
    }
    pos = c1;
    if (pos >= size) break;
    n = static_cast<size_t>(std::min<uint64_t>(size - pos, buf.size()));
    if (!file->read_at(pos, buf.data(), n, err)) {
      *err += " (the file changed while it was being read)";
      return false;
    }
  }
  // Reading stopped at the size fstat gave; a file that grew meanwhile would be hashed short.
  uint8_t probe = 0;
  auto more = file->read_some_at(size, &probe, 1, err);
  if (!more) return false;
  if (*more != 0) {
    *err = "the file grew while it was being read";
    return false;
  }
  out->sha256 = sha.finish();
  if (out->tensors) {
    std::sort(tensors.begin(), tensors.end(),
              [](const ManifestTensor& a, const ManifestTensor& b) { return a.name < b.name; });
    *out->tensors = std::move(tensors);
    std::sort(out->tensors_past_end.begin(), out->tensors_past_end.end(),
              [](const ManifestTensor& a, const ManifestTensor& b) { return a.name < b.name; });
  }
  return true;
}

}  // namespace medq::integrity
