// GPT-2's byte-to-character table, as the ByteLevel pre-tokenizer and decoder of Hugging Face
// tokenizers define it (tokenizers/src/pre_tokenizers/byte_level.rs, bytes_char): every byte maps
// to one printable character, so byte-level vocabularies are strings of those characters.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace medq {

/// Each byte of `bytes` as its GPT-2 character, in UTF-8.
std::string bytes_to_byte_level(std::string_view bytes);

/// The bytes a byte-level token stands for; nullopt when it holds a character outside the
/// table (an added token, for example).
std::optional<std::string> byte_level_to_bytes(std::string_view token);

}  // namespace medq
