// tokenizer.model (a SentencePiece ModelProto), encoded by the SentencePiece library itself
// (Debian's libsentencepiece-dev), not a re-implementation: used when a folder has no
// tokenizer.json. BOS / EOS are added as transformers' slow LlamaTokenizer / GemmaTokenizer
// do: add_bos_token (default true) and add_eos_token (default false) from tokenizer_config.json.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace medq {

class SentencePieceTokenizer {
 public:
  /// Throws TokenizeError when the library cannot load the file.
  static SentencePieceTokenizer load(const std::filesystem::path& path);
  /// The most bytes of a tokenizer.model read (real ones are a few MB).
  static constexpr uint64_t kMaxModelBytes = uint64_t{1} << 30;
  static SentencePieceTokenizer parse(std::string_view model_bytes);
  ~SentencePieceTokenizer();
  SentencePieceTokenizer(SentencePieceTokenizer&&) noexcept;
  SentencePieceTokenizer& operator=(SentencePieceTokenizer&&) noexcept;

  std::vector<uint32_t> encode(std::string_view text) const;
  std::optional<std::string> id_to_token(uint32_t id) const;
  std::optional<uint32_t> token_to_id(std::string_view token) const;
  std::string decode_piece(uint32_t id) const;
  std::optional<uint32_t> bos_id() const;
  std::optional<uint32_t> eos_id() const;
  size_t vocab_size() const;

 private:
  SentencePieceTokenizer();
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace medq
