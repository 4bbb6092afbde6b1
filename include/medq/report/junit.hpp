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

}  // namespace medq
