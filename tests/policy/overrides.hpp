// Command-line overrides for the policy tests (what --baseline, --reference and --manifest set).
#pragma once

#include <filesystem>

#include "medq/policy/policy.hpp"

namespace medq::test {

inline PolicyOverrides with_baseline(const std::filesystem::path& p) {
  PolicyOverrides o;
  o.baseline = p;
  return o;
}
inline PolicyOverrides with_reference(const std::filesystem::path& p) {
  PolicyOverrides o;
  o.reference = p;
  return o;
}
inline PolicyOverrides with_manifest(const std::filesystem::path& p) {
  PolicyOverrides o;
  o.manifest = p;
  return o;
}

}  // namespace medq::test
