// The post-processor's template for one sequence, as TemplateProcessing defines it
// (tokenizers/src/processors/template.rs): special tokens before and after the sequence "$A".
// ByteLevel's post-processor adds nothing to the ids (it only trims offsets) and is read as an
// empty template; RobertaProcessing / BertProcessing give <cls> $A <sep>. The template can be
// rebuilt from tokenizer_config.json's add_bos_token / add_eos_token, as transformers'
// LlamaTokenizerFast / GemmaTokenizerFast update_post_processor() do.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace medq {

struct PostProcessor {
  std::vector<uint32_t> before;  ///< ids added before the sequence
  std::vector<uint32_t> after;   ///< ids added after it
  std::string kind = "none";     ///< "TemplateProcessing", "ByteLevel", "none", ...

  /// `ids` with the template's tokens around them.
  std::vector<uint32_t> apply(const std::vector<uint32_t>& ids) const;
};

}  // namespace medq
