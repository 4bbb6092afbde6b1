// The `medq check` verdict as JUnit XML, for CI test reporters (GitLab, Jenkins, GitHub test
// report actions): one <testsuite name="medq check"> with one <testcase> per rule evaluated,
// "validation" first; a failed rule carries <failure>, a skipped one <skipped>. Deterministic: no
// timestamps, no durations, no host name.
#pragma once

#include <string>
#include <string_view>

#include "medq/report/check_report.hpp"

namespace medq {

std::string render_junit(const CheckReport& r);

/// `s` escaped for XML text and attribute values: & < > " ', characters XML 1.0 forbids and
/// bytes that are not UTF-8 replaced by U+FFFD.
std::string xml_escape(std::string_view s);

}  // namespace medq
