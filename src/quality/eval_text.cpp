#include "medq/quality/eval_text.hpp"

namespace medq {
namespace {

// The file's bytes, written by cmake/embed_bytes.cmake at build time (src/CMakeLists.txt).
constexpr unsigned char kText[] = {
#include "clinical_en_text.inc"
};

}  // namespace

std::string_view bundled_eval_text() {
  return {reinterpret_cast<const char*>(kText), sizeof kText};
}

}  // namespace medq
