// Renderers for `medq verify`: the verdict, then only what is not as recorded (files, tensors,
// tensors moved to other files), what was not checked, and notes. Pure functions of the
// VerifyReport; the JSON layout is documented in docs/manifest.md.
#pragma once

#include <cstddef>
#include <string>

#include "medq/integrity/verify.hpp"

namespace medq {

/// Text and Markdown list at most this many problem tensors; JSON lists every one.
inline constexpr size_t kVerifyTensorRowLimit = 50;

std::string render_text(const VerifyReport& r);
std::string render_markdown(const VerifyReport& r);
std::string render_json(const VerifyReport& r);

}  // namespace medq
