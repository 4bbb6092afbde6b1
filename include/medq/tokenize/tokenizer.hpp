// A model's own tokenizer, as its folder holds it: tokenizer.json (encoded as Hugging Face
// tokenizers does; json_tokenizer.hpp) or, when there is none, tokenizer.model (SentencePiece;
// sentencepiece_tokenizer.hpp). tokenizer_config.json's add_bos_token / add_eos_token decide the
// tokens added around the text, as transformers' tokenizer(text) does. This is the stage's one
// entry point for the CLI and for `medq quality`.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "medq/io/storage.hpp"

namespace medq {

class Tokenizer {
 public:
  /// Loads the tokenizer of a model folder, read through its storage (the seam every reader
  /// uses); `dir` names the folder in messages and in file(). Throws TokenizeError when it has
  /// neither file, when a file cannot be read, or when it uses a component medq does not
  /// implement.
  /// `files`: the folder's readable top-level files, as its scan listed them (links out of the
  /// folder only with --follow-symlinks).
  static Tokenizer load(const Storage& storage, const std::filesystem::path& dir,
                        const std::vector<std::string>& files);
  /// load() of a local folder (a Hugging Face cache snapshot too: folder_storage), listed here.
  static Tokenizer load(const std::filesystem::path& dir, bool follow_symlinks = false);
  ~Tokenizer();
  Tokenizer(Tokenizer&&) noexcept;
  Tokenizer& operator=(Tokenizer&&) noexcept;

  /// The ids of `text`, which must be UTF-8 (else TokenizeError naming the byte offset). With
  /// `add_special` the BOS / EOS tokens of the template are added (add_special_tokens=True).
  std::vector<uint32_t> encode(std::string_view text, bool add_special = true) const;

  /// The vocabulary string of `id` (as convert_ids_to_tokens), empty when unknown.
  std::string token(uint32_t id) const;
  /// The bytes `id` stands for, for display.
  std::string decode_piece(uint32_t id) const;

  /// The file used (tokenizer.json or tokenizer.model).
  const std::filesystem::path& file() const;
  /// SHA-256 of the tokenizer file and of tokenizer_config.json (when present), joined: two
  /// folders with the same fingerprint encode every text alike.
  const std::string& fingerprint() const;
  /// fingerprint() of the tokenizer load() would use, from the files' hashes alone (nothing
  /// parsed); TokenizeError when the folder has neither file or one cannot be read.
  static std::string fingerprint_of(const Storage& storage, const std::filesystem::path& dir,
                                    const std::vector<std::string>& files);
  static std::string fingerprint_of(const std::filesystem::path& dir, bool follow_symlinks = false);
  /// One line: the kind, the components, the tokens added around a text.
  std::string describe() const;

 private:
  Tokenizer();
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace medq
