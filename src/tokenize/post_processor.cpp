#include "medq/tokenize/post_processor.hpp"

namespace medq {

std::vector<uint32_t> PostProcessor::apply(const std::vector<uint32_t>& ids) const {
  std::vector<uint32_t> out;
  out.reserve(before.size() + ids.size() + after.size());
  out.insert(out.end(), before.begin(), before.end());
  out.insert(out.end(), ids.begin(), ids.end());
  out.insert(out.end(), after.begin(), after.end());
  return out;
}

}  // namespace medq
