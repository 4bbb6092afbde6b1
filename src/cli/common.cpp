#include <sys/ioctl.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <map>
#include <system_error>

#include "commands.hpp"
#include "medq/remote/hf_url.hpp"
#include "medq/util/units.hpp"

namespace medq::cli {

void add_format_option(CLI::App* sub, OutputFormat* format, const std::string& default_name) {
  static const std::map<std::string, OutputFormat> kFormats = {{"text", OutputFormat::kText},
                                                               {"md", OutputFormat::kMarkdown},
                                                               {"json", OutputFormat::kJson}};
  *format = kFormats.at(default_name);
  sub->add_option_function<std::string>(
         "--format", [format](const std::string& name) { *format = kFormats.at(name); },
         "Output format: text, md or json (default " + default_name + ")")
      ->check(CLI::IsMember({"text", "md", "json"}));
}

CLI::Validator whole_number(uint64_t lo, uint64_t hi) {
  return CLI::Validator(
      [lo, hi](std::string& text) -> std::string {
        const std::string range = "a whole number from " + group_digits(lo) + " to " +
                                  group_digits(hi) + " is expected, not '" + text + "'";
        if (text.empty() || text.size() > 20) return range;
        uint64_t v = 0;
        for (char c : text) {
          if (c < '0' || c > '9') return range;
          const uint64_t digit = static_cast<uint64_t>(c - '0');
          if (v > (UINT64_MAX - digit) / 10) return range;
          v = v * 10 + digit;
        }
        return v < lo || v > hi ? range : std::string();
      },
      "", "whole number");
}

void add_threads_option(CLI::App* sub, unsigned* threads, const std::string& what) {
  sub->add_option("--threads", *threads, what + " (1 to 256, default: one per core)")
      ->type_name("N")
      ->check(whole_number(1, 256));
}

void add_follow_symlinks_flag(CLI::App* sub, bool* follow) {
  sub->add_flag("--follow-symlinks", *follow,
                "Also follow symlinks that lead out of the model folder (e.g. a Hugging Face "
                "cache snapshot); links inside it are always followed");
}

size_t output_width() {
  winsize ws{};
  if (isatty(STDOUT_FILENO) && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col >= 20) {
    return ws.ws_col;
  }
  return kTextWidth;
}

void print(const std::string& text) {
  std::fwrite(text.data(), 1, text.size(), stdout);
  std::fflush(stdout);
}

void print_error(const std::string& message) {
  std::fprintf(stderr, "medq: error: %s\n", message.c_str());
}

bool require_directory(const std::string& path, const std::string& hint) {
  if (is_hf_url(path)) {
    print_error("'" + path +
                "' is a remote repository, and this needs the files locally: download it first "
                "(for example `hf download ORG/NAME --local-dir DIR`) and give the folder; "
                "hf:// works with validate, compare, inspect and check (docs/remote.md)");
    return false;
  }
  std::error_code ec;
  auto st = std::filesystem::status(path, ec);
  if (ec || !std::filesystem::exists(st)) {
    print_error("cannot read '" + path + "': " + (ec ? ec.message() : "no such file or directory"));
    return false;
  }
  if (!std::filesystem::is_directory(st)) {
    print_error("'" + path + "' is not a directory" + hint);
    return false;
  }
  return true;
}

}  // namespace medq::cli
