// A progress line on stderr for long runs: bytes done, rate, time left. Shown only when stderr is
// a terminal, not under CI (the CI variable set) and not with --quiet.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "medq/util/progress.hpp"

namespace medq::cli {

class Progress {
 public:
  /// `label` prefixes the line, e.g. "scanning".
  Progress(std::string label, bool quiet);
  ~Progress();
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  bool enabled() const { return enabled_; }
  /// Thread-safe; redraws at most ten times a second.
  void update(uint64_t done, uint64_t total);
  /// A callback suitable for the core's progress options (null when disabled).
  std::function<void(uint64_t, uint64_t)> callback();

 private:
  std::string label_;
  bool enabled_ = false;
  bool drawn_ = false;
  std::mutex mu_;
  std::chrono::steady_clock::time_point start_, last_;
};

/// The progress line of a run made of steps (the library's StepProgressFn): each step gets a line
/// of its own, labelled with the step's name.
class StepProgress {
 public:
  explicit StepProgress(bool quiet) : quiet_(quiet) {}
  StepProgress(const StepProgress&) = delete;
  StepProgress& operator=(const StepProgress&) = delete;

  /// Null when no line would show (--quiet, stderr not a terminal, under CI).
  StepProgressFn callback();
  /// Clears the line; call it before the report is printed.
  void finish();

 private:
  void update(std::string_view step, uint64_t done, uint64_t total);

  bool quiet_;
  std::mutex mu_;
  std::string step_;
  std::unique_ptr<Progress> line_;
};

}  // namespace medq::cli
