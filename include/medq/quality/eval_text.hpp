// The evaluation text bundled with medq: what `medq quality` measures when it is given neither
// token ids nor a text. data/eval/clinical_en.txt, written for the project (synthetic clinical
// documentation and general English prose, MIT; docs/quality.md), embedded in the binary at
// build time so that an installed medq needs no source tree.
#pragma once

#include <string_view>

namespace medq {

/// How reports name the bundled text.
inline constexpr std::string_view kBundledEvalTextName = "bundled evaluation text";
/// The file in the source tree it is built from.
inline constexpr std::string_view kBundledEvalTextFile = "data/eval/clinical_en.txt";

/// The bytes of data/eval/clinical_en.txt (UTF-8).
std::string_view bundled_eval_text();

}  // namespace medq
