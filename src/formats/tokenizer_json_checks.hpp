// Whole-file checks on a parsed tokenizer.json (private to medq_core): version, model type,
// vocab integrity (duplicates, holes, unk), byte fallback and added tokens. They run after the
// SAX pass because they need the complete vocab.
#pragma once

#include "medq/diag/finding_cap.hpp"
#include "medq/formats/tokenizer_json.hpp"
#include "tokenizer_json_sax.hpp"

namespace medq::detail {

/// Resolves tok.model_type, finishes tok.vocab and appends what is wrong to `findings`.
void check_tokenizer_json(TokenizerJson& tok, const TokenizerJsonFacts& facts,
                          CappedFindings* findings);

}  // namespace medq::detail
