// The exit codes every medq command shares (README "Exit codes").
#pragma once

namespace medq::cli {

enum ExitCode : int {
  kExitOk = 0,           ///< the input is valid (and, for `check`, the policy passed)
  kExitInvalid = 1,      ///< the model has errors (or warnings under --strict)
  kExitToolError = 2,    ///< bad flags, unreadable paths, or medq's own failure
  kExitPolicyFailed = 3  ///< `medq check`: the model is valid but the policy failed
};

}  // namespace medq::cli
