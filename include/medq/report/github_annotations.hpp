// The `medq check` verdict as GitHub Actions workflow commands, so that failures show as
// annotations on the run: `::error file=<policy>,title=<rule>::<message>` per failed rule,
// `::notice` per skipped rule, and `::error` / `::warning` per error / warning finding located at
// its file in the model directory (warnings the policy allows left out).
#pragma once

#include <string>
#include <string_view>

#include "medq/report/check_report.hpp"

namespace medq {

std::string render_github_annotations(const CheckReport& r);

/// Workflow-command escaping of a message: % CR LF as %25 %0D %0A.
std::string annotation_escape_data(std::string_view s);
/// Of a property value (file, title): also : and , as %3A and %2C.
std::string annotation_escape_property(std::string_view s);

}  // namespace medq
