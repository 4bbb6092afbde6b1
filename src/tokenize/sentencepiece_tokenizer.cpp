#include "medq/tokenize/sentencepiece_tokenizer.hpp"

#include <sentencepiece_processor.h>

#include <fmt/format.h>

#include "medq/io/local_storage.hpp"
#include "medq/tokenize/tokenize_error.hpp"

namespace medq {

struct SentencePieceTokenizer::Impl {
  sentencepiece::SentencePieceProcessor sp;
};

SentencePieceTokenizer::SentencePieceTokenizer() : impl_(std::make_unique<Impl>()) {}
SentencePieceTokenizer::~SentencePieceTokenizer() = default;
SentencePieceTokenizer::SentencePieceTokenizer(SentencePieceTokenizer&&) noexcept = default;
SentencePieceTokenizer& SentencePieceTokenizer::operator=(SentencePieceTokenizer&&) noexcept =
    default;

SentencePieceTokenizer SentencePieceTokenizer::parse(std::string_view model_bytes) {
  SentencePieceTokenizer t;
  const auto st =
      t.impl_->sp.LoadFromSerializedProto(std::string(model_bytes.data(), model_bytes.size()));
  if (!st.ok()) {
    throw TokenizeError(
        fmt::format("tokenizer.model: SentencePiece cannot load it: {}", st.ToString()));
  }
  return t;
}

SentencePieceTokenizer SentencePieceTokenizer::load(const std::filesystem::path& path) {
  std::string err;
  uint64_t too_large = 0;
  const LocalStorage folder(path.parent_path());
  const auto bytes = read_entry(folder, path.filename().string(), kMaxModelBytes, &err, &too_large);
  if (!bytes) {
    throw TokenizeError(err.empty() ? fmt::format("{}: larger than 1 GiB", path.string())
                                    : "cannot read " + path.string() + ": " + err);
  }
  return parse(*bytes);
}

std::vector<uint32_t> SentencePieceTokenizer::encode(std::string_view text) const {
  std::vector<int> ids;
  const auto st = impl_->sp.Encode(std::string(text), &ids);
  if (!st.ok()) throw TokenizeError("SentencePiece encoding failed: " + st.ToString());
  std::vector<uint32_t> out;
  out.reserve(ids.size());
  for (const int id : ids) {
    if (id >= 0) out.push_back(static_cast<uint32_t>(id));
  }
  return out;
}

std::optional<std::string> SentencePieceTokenizer::id_to_token(uint32_t id) const {
  if (id >= vocab_size()) return std::nullopt;
  return impl_->sp.IdToPiece(static_cast<int>(id));
}

std::optional<uint32_t> SentencePieceTokenizer::token_to_id(std::string_view token) const {
  const int id = impl_->sp.PieceToId(std::string(token));
  if (id < 0 || (id == impl_->sp.unk_id() && impl_->sp.IdToPiece(id) != token)) {
    return std::nullopt;
  }
  return static_cast<uint32_t>(id);
}

std::string SentencePieceTokenizer::decode_piece(uint32_t id) const {
  if (id >= vocab_size()) return {};
  if (impl_->sp.IsControl(static_cast<int>(id))) return impl_->sp.IdToPiece(static_cast<int>(id));
  std::string out;
  const auto st = impl_->sp.Decode(std::vector<int>{static_cast<int>(id)}, &out);
  if (!st.ok()) return impl_->sp.IdToPiece(static_cast<int>(id));
  const std::string piece = impl_->sp.IdToPiece(static_cast<int>(id));
  // Decode drops a leading space; the piece's "▁" says it was there.
  if (piece.rfind("\xE2\x96\x81", 0) == 0 && (out.empty() || out[0] != ' ')) out.insert(0, " ");
  return out;
}

std::optional<uint32_t> SentencePieceTokenizer::bos_id() const {
  const int id = impl_->sp.bos_id();
  return id < 0 ? std::nullopt : std::optional<uint32_t>(static_cast<uint32_t>(id));
}

std::optional<uint32_t> SentencePieceTokenizer::eos_id() const {
  const int id = impl_->sp.eos_id();
  return id < 0 ? std::nullopt : std::optional<uint32_t>(static_cast<uint32_t>(id));
}

size_t SentencePieceTokenizer::vocab_size() const {
  const int n = impl_->sp.GetPieceSize();
  return n < 0 ? 0 : static_cast<size_t>(n);
}

}  // namespace medq
