#include "medq/io/sha256.hpp"

#include <openssl/evp.h>

#include <array>
#include <stdexcept>
#include <vector>

#include "medq/io/local_storage.hpp"

namespace medq {
namespace {

std::string to_hex(const unsigned char* d, unsigned n) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string s;
  s.reserve(2 * n);
  for (unsigned i = 0; i < n; ++i) {
    s += kHex[d[i] >> 4];
    s += kHex[d[i] & 15];
  }
  return s;
}

}  // namespace

// OpenSSL's EVP interface picks the fastest implementation the CPU offers (SHA-NI where present).
struct Sha256::Ctx {
  struct Deleter {
    void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
  };
  std::unique_ptr<EVP_MD_CTX, Deleter> md;

  void init() {
    if (!md || EVP_DigestInit_ex(md.get(), EVP_sha256(), nullptr) != 1) {
      // Only an allocation failure inside OpenSSL gets here: medq's own failure, not the input's.
      throw std::runtime_error("cannot initialise SHA-256");
    }
  }
};

Sha256::Sha256() : ctx_(std::make_unique<Ctx>()) {
  ctx_->md.reset(EVP_MD_CTX_new());
  ctx_->init();
}

Sha256::~Sha256() = default;
Sha256::Sha256(Sha256&&) noexcept = default;
Sha256& Sha256::operator=(Sha256&&) noexcept = default;

void Sha256::update(const void* data, size_t n) {
  if (n > 0 && EVP_DigestUpdate(ctx_->md.get(), data, n) != 1) {
    throw std::runtime_error("SHA-256 update failed");
  }
}

std::string Sha256::finish() {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned n = 0;
  if (EVP_DigestFinal_ex(ctx_->md.get(), digest.data(), &n) != 1) {
    throw std::runtime_error("SHA-256 failed");
  }
  ctx_->init();
  return to_hex(digest.data(), n);
}

std::optional<std::string> sha256_file(const std::filesystem::path& path, std::string* err) {
  std::string ignored;
  if (!err) err = &ignored;
  auto file = open_local_file(path, err);
  if (!file) return std::nullopt;
  return sha256_source(*file, err);
}

std::optional<std::string> sha256_source(const ByteSource& src, std::string* err) {
  std::string ignored;
  if (!err) err = &ignored;
  const ByteSource* file = &src;
  Sha256 sha;
  constexpr size_t kChunk = 1 << 20;
  std::vector<unsigned char> buf(kChunk);
  uint64_t offset = 0;
  for (;;) {
    auto got = file->read_some_at(offset, buf.data(), kChunk, err);
    if (!got) return std::nullopt;
    if (*got == 0) break;
    sha.update(buf.data(), *got);
    offset += *got;
  }
  return sha.finish();
}

std::string sha256_bytes(std::string_view bytes) {
  Sha256 sha;
  sha.update(bytes.data(), bytes.size());
  return sha.finish();
}

}  // namespace medq
