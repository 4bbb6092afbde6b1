#include "medq/io/sha256.hpp"

#include <openssl/evp.h>

#include <array>
#include <memory>
#include <vector>

#include "medq/io/file.hpp"

namespace medq {
namespace {

struct CtxDeleter {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
using Ctx = std::unique_ptr<EVP_MD_CTX, CtxDeleter>;

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

std::optional<std::string> finish(EVP_MD_CTX* ctx) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned n = 0;
  if (EVP_DigestFinal_ex(ctx, digest.data(), &n) != 1) return std::nullopt;
  return to_hex(digest.data(), n);
}

}  // namespace

std::optional<std::string> sha256_file(const std::filesystem::path& path, std::string* err) {
  std::string ignored;
  if (!err) err = &ignored;
  auto file = File::open(path, err);
  if (!file) return std::nullopt;
  Ctx ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1) {
    if (err) *err = "cannot initialise SHA-256";
    return std::nullopt;
  }
  constexpr size_t kChunk = 1 << 20;
  std::vector<unsigned char> buf(kChunk);
  uint64_t offset = 0;
  for (;;) {
    auto got = file->read_some_at(offset, buf.data(), kChunk, err);
    if (!got) return std::nullopt;
    if (*got == 0) break;
    EVP_DigestUpdate(ctx.get(), buf.data(), *got);
    offset += *got;
  }
  auto hex = finish(ctx.get());
  if (!hex && err) *err = "SHA-256 failed";
  return hex;
}

std::string sha256_bytes(std::string_view bytes) {
  Ctx ctx(EVP_MD_CTX_new());
  EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr);
  EVP_DigestUpdate(ctx.get(), bytes.data(), bytes.size());
  return finish(ctx.get()).value_or("");
}

}  // namespace medq
