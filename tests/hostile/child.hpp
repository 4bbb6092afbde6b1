// Runs the real medq binary as a child process with a deadline, and measures it: exit status,
// wall time and peak resident memory (wait4's rusage of that one child). The hostile-input
// tests assert bounds with these, generous ones: they are limits, not benchmarks.
#pragma once

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <vector>

namespace medq::hostile {

#if defined(__SANITIZE_ADDRESS__)
inline constexpr bool kSanitized = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
inline constexpr bool kSanitized = true;
#else
inline constexpr bool kSanitized = false;
#endif
#else
inline constexpr bool kSanitized = false;
#endif

/// Time and memory bounds the tests assert: the documented bounds (docs/security.md), with room
/// for a slow shared CI machine. Under ASan+UBSan time grows several-fold and resident memory
/// counts shadow memory, so only time is bounded there, more loosely.
inline constexpr double kMaxSeconds = kSanitized ? 120.0 : 20.0;

inline const std::string kMedq = std::string(MEDQ_BINARY_DIR) + "/src/medq";

struct ChildRun {
  int exit_code = -1;      ///< -1: killed by a signal (see `signal`)
  int signal = 0;          ///< the signal that ended it, 0 if it exited
  bool timed_out = false;  ///< killed at the deadline
  double seconds = 0;
  /// Peak resident set of the child, in MiB. Linux keeps ru_maxrss across exec, so it includes
  /// this process's resident memory at the fork (a few MiB, but hundreds under ASan).
  long max_rss_mb = 0;
  std::string out;  ///< stdout and stderr, the first `keep` bytes
};

/// Runs `argv` (argv[0] is the program path) with stdout+stderr captured. `as_nobody` drops to
/// uid/gid 65534 in the child before exec (only possible as root).
inline ChildRun run_child(const std::vector<std::string>& argv, double deadline_s = kMaxSeconds,
                          bool as_nobody = false, size_t keep = 1 << 20) {
  ChildRun r;
  int fds[2];
#if defined(__linux__)
  if (::pipe2(fds, O_CLOEXEC) != 0) return r;
#else  // macOS has no pipe2: the child is forked only after both ends are marked
  if (::pipe(fds) != 0) return r;
  ::fcntl(fds[0], F_SETFD, FD_CLOEXEC);
  ::fcntl(fds[1], F_SETFD, FD_CLOEXEC);
#endif
  const auto start = std::chrono::steady_clock::now();
  pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(fds[1], 1);
    ::dup2(fds[1], 2);
    if (as_nobody && (::setgid(65534) != 0 || ::setuid(65534) != 0)) ::_exit(126);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  ::close(fds[1]);
  char buf[65536];
  for (;;) {
    const double left =
        deadline_s -
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (left <= 0) {
      r.timed_out = true;
      ::kill(pid, SIGKILL);
      break;
    }
    pollfd p{fds[0], POLLIN, 0};
    int n = ::poll(&p, 1, static_cast<int>(left * 1000) + 1);
    if (n <= 0) continue;
    ssize_t got = ::read(fds[0], buf, sizeof buf);
    if (got <= 0) break;
    if (r.out.size() < keep) r.out.append(buf, static_cast<size_t>(got));
  }
  ::close(fds[0]);
  int status = 0;
  rusage ru{};
  ::wait4(pid, &status, 0, &ru);
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
#if defined(__APPLE__)
  r.max_rss_mb = ru.ru_maxrss / (1024 * 1024);  // bytes on macOS
#else
  r.max_rss_mb = ru.ru_maxrss / 1024;  // KiB on Linux
#endif
  if (WIFEXITED(status)) r.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) r.signal = WTERMSIG(status);
  return r;
}

/// `medq ARGS...`
inline ChildRun medq(std::vector<std::string> args, double deadline_s = kMaxSeconds,
                     size_t keep = 1 << 20) {
  args.insert(args.begin(), kMedq);
  return run_child(args, deadline_s, false, keep);
}

}  // namespace medq::hostile
