#include <cstdio>
#include <map>

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

void print(const std::string& text) {
  std::fwrite(text.data(), 1, text.size(), stdout);
  std::fflush(stdout);
}

void print_error(const std::string& message) {
  std::fprintf(stderr, "medq: error: %s\n", message.c_str());
}

}  // namespace medq::cli
