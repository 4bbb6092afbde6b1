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

}  // namespace medq::testing
