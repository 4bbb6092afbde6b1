// Progress of a long run, reported to whoever called the library (the CLI draws a line on
// stderr). The library never prints; it calls these.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace medq {

/// Bytes done out of a total, for one step; may be called from worker threads.
using ProgressFn = std::function<void(uint64_t done, uint64_t total)>;

/// Progress of a run made of steps one after another: `step` names the current one ("scanning
/// tensor data", "comparing 4bit"); a new name means the previous step has ended.
using StepProgressFn = std::function<void(std::string_view step, uint64_t done, uint64_t total)>;

/// The ProgressFn of one step of `progress` (null when `progress` is null).
inline ProgressFn progress_step(const StepProgressFn& progress, std::string_view step) {
  if (!progress) return nullptr;
  return [progress, name = std::string(step)](uint64_t done, uint64_t total) {
    progress(name, done, total);
  };
}

}  // namespace medq
