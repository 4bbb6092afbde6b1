#include "rule_builder.hpp"

#include <fmt/format.h>

#include <system_error>

namespace medq::policy_detail {

namespace fs = std::filesystem;

void Details::add(std::string line) {
  if (lines.size() < kMaxRuleDetails) {
    lines.push_back(std::move(line));
  } else {
    ++more;
  }
}

std::vector<std::string> Details::take() {
  if (more) lines.push_back(fmt::format("... and {} more", more));
  return std::move(lines);
}

RuleResult result(std::string id, bool pass, std::string message, Details details) {
  RuleResult r;
  r.id = std::move(id);
  r.status = pass ? RuleStatus::kPass : RuleStatus::kFail;
  r.message = std::move(message);
  if (!pass) r.details = details.take();
  return r;
}

RuleResult skipped(std::string id, std::string message) {
  RuleResult r;
  r.id = std::move(id);
  r.status = RuleStatus::kSkipped;
  r.message = std::move(message);
  return r;
}

const Validation& validated_reference(const fs::path& dir, std::optional<Validation>& cache,
                                      std::string_view key, bool follow_symlinks) {
  if (!cache) {
    std::error_code ec;
    auto st = fs::status(dir, ec);
    if (ec || !fs::exists(st)) {
      throw PolicyInputError(fmt::format("{}: cannot read '{}': {}", key, dir.string(),
                                         ec ? ec.message() : "no such file or directory"));
    }
    if (!fs::is_directory(st)) {
      throw PolicyInputError(fmt::format("{}: '{}' is not a model directory", key, dir.string()));
    }
    ScanOptions scan;
    scan.follow_symlinks = follow_symlinks;
    cache = validate_model(dir, scan);
  }
  return *cache;
}

std::string reference_name(const fs::path& dir, const EvalOptions& options) {
  return !options.reference_label.empty() && dir == options.reference_dir ? options.reference_label
                                                                          : dir.string();
}

}  // namespace medq::policy_detail
