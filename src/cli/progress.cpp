#include "progress.hpp"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>

#include <fmt/format.h>

#include "medq/util/units.hpp"

namespace medq::cli {

Progress::Progress(std::string label, bool quiet)
    : label_(std::move(label)), start_(std::chrono::steady_clock::now()), last_(start_) {
  enabled_ = !quiet && isatty(STDERR_FILENO) && std::getenv("CI") == nullptr;
}

Progress::~Progress() {
  if (drawn_) std::fputs("\r\033[K", stderr);  // clear the line
}

void Progress::update(uint64_t done, uint64_t total) {
  if (!enabled_) return;
  std::lock_guard<std::mutex> lock(mu_);
  auto now = std::chrono::steady_clock::now();
  if (now - last_ < std::chrono::milliseconds(100) && done < total) return;
  last_ = now;
  const double secs = std::chrono::duration<double>(now - start_).count();
  const double rate = secs > 0 ? static_cast<double>(done) / secs : 0;
  std::string left = "";
  if (rate > 0 && total > done) {
    left = fmt::format(", {:.0f} s left", static_cast<double>(total - done) / rate);
  }
  const double pct = total ? 100.0 * static_cast<double>(done) / static_cast<double>(total) : 100;
  std::string line =
      fmt::format("\r\033[K{} {} / {} ({:.0f}%), {}/s{}", label_, human_bytes(done),
                  human_bytes(total), pct, human_bytes(static_cast<uint64_t>(rate)), left);
  std::fputs(line.c_str(), stderr);
  std::fflush(stderr);
  drawn_ = true;
}

std::function<void(uint64_t, uint64_t)> Progress::callback() {
  if (!enabled_) return nullptr;
  return [this](uint64_t d, uint64_t t) { update(d, t); };
}

StepProgressFn StepProgress::callback() {
  if (!Progress("", quiet_).enabled()) return nullptr;
  return
      [this](std::string_view step, uint64_t done, uint64_t total) { update(step, done, total); };
}

void StepProgress::update(std::string_view step, uint64_t done, uint64_t total) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!line_ || step != step_) {
    line_.reset();  // clears the previous step's line
    step_ = std::string(step);
    line_ = std::make_unique<Progress>(step_, quiet_);
  }
  line_->update(done, total);
}

void StepProgress::finish() {
  std::lock_guard<std::mutex> lock(mu_);
  line_.reset();
}

}  // namespace medq::cli
