#include <cstdio>
#include <filesystem>
#include <map>
#include <system_error>

#include "commands.hpp"

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

void add_follow_symlinks_flag(CLI::App* sub, bool* follow) {
  sub->add_flag("--follow-symlinks", *follow,
                "Also follow symlinks that lead out of the model folder (e.g. a Hugging Face "
                "cache snapshot); links inside it are always followed");
}

void print(const std::string& text) {
  std::fwrite(text.data(), 1, text.size(), stdout);
  std::fflush(stdout);
}

void print_error(const std::string& message) {
  std::fprintf(stderr, "medq: error: %s\n", message.c_str());
}

bool require_directory(const std::string& path, const std::string& hint) {
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
