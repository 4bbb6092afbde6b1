// Runs a shell command line in a test and captures its stdout and exit code (tests of the real
// binaries).
#pragma once

#include <sys/wait.h>

#include <cstdio>
#include <string>

namespace medq::testing {

struct CmdResult {
  int exit_code = -1;
  std::string out;
};

inline CmdResult run_command(const std::string& cmd) {
  CmdResult r;
  FILE* pipe = ::popen(cmd.c_str(), "r");
  if (!pipe) return r;
  char buf[4096];
  size_t n = 0;
  while ((n = std::fread(buf, 1, sizeof buf, pipe)) > 0) r.out.append(buf, n);
  const int status = ::pclose(pipe);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

/// The stdout of `cmd` (its exit code ignored: callers parse what it printed).
inline std::string command_output(const std::string& cmd) { return run_command(cmd).out; }

/// Debian's /usr/bin/python3 with NumPy (python3-numpy), which the independent reference
/// computations of the tests run under.
inline bool numpy_available() {
  return run_command("/usr/bin/python3 -c 'import numpy' >/dev/null 2>&1").exit_code == 0;
}

}  // namespace medq::testing
