// medq command-line entry point: parses options, runs one subcommand, and holds the one
// top-level catch that turns medq's own failures into exit code 2. Every usage error is one line
// on stderr that starts with "medq: error:" and says what was wrong and what is valid.
#include <cctype>
#include <cstdio>
#include <exception>
#include <string>
#include <string_view>

#include "commands.hpp"
#include "exit_codes.hpp"

namespace {

using namespace medq::cli;

/// "inspect, validate, ..." in the order the commands were registered.
std::string command_list(const CLI::App& app) {
  std::string out;
  for (const CLI::App* sub : app.get_subcommands({})) {
    out += (out.empty() ? "" : ", ") + sub->get_name();
  }
  return out;
}

/// The subcommand the user named, or nullptr.
CLI::App* find_command(CLI::App& app, std::string_view name) {
  for (CLI::App* sub : app.get_subcommands({})) {
    if (sub->get_name() == name) return sub;
  }
  return nullptr;
}

/// `medq help [COMMAND]`: the same text as --help. Returns -1 when argv is not a help request.
int help_command(CLI::App& app, int argc, char** argv) {
  if (argc < 2 || std::string_view(argv[1]) != "help") return -1;
  if (argc == 2) {
    print(app.help());
    return kExitOk;
  }
  CLI::App* sub = argc == 3 ? find_command(app, argv[2]) : nullptr;
  if (sub == nullptr) {
    print_error(argc == 3 ? "unknown command '" + std::string(argv[2]) +
                                "'; the commands are: " + command_list(app)
                          : "usage: medq help [COMMAND]");
    return kExitToolError;
  }
  print(sub->help("medq"));
  return kExitOk;
}

/// A parse error as one line: which command or flag is wrong, and where the valid ones are.
std::string usage_message(CLI::App& app, int argc, char** argv, const CLI::ParseError& e) {
  // The first word that is not an option names the command.
  const char* first = nullptr;
  for (int i = 1; i < argc && first == nullptr; ++i) {
    if (argv[i][0] != '-') first = argv[i];
  }
  if (first != nullptr && find_command(app, first) == nullptr) {
    return "unknown command '" + std::string(first) + "'; the commands are: " + command_list(app) +
           " (medq help COMMAND for one)";
  }
  if (first == nullptr) {
    for (int i = 1; i < argc; ++i) {
      if (argv[i][0] == '-' && std::string_view(argv[i]) != "--version") {
        return "unknown option '" + std::string(argv[i]) +
               "'; before the command only --help and --version are options; the commands "
               "are: " +
               command_list(app);
      }
    }
    return "a command is required; the commands are: " + command_list(app) +
           " (medq help COMMAND for one)";
  }
  std::string what = e.what();
  if (!what.empty()) what[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(what[0])));
  return std::string(first) + ": " + what + " (medq help " + first + " for its options)";
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"medq: is this quantized model fit to ship?", "medq"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "medq 0.1.0");
  app.footer("medq help COMMAND shows one command's options.");
  CommandFn selected;
  register_inspect(app, &selected);
  register_validate(app, &selected);
  register_compare(app, &selected);
  register_fidelity(app, &selected);
  register_quality(app, &selected);
  register_manifest(app, &selected);
  register_verify(app, &selected);
  register_check(app, &selected);
  register_tokenize(app, &selected);
  if (int code = help_command(app, argc, argv); code >= 0) return code;
  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& e) {
    return app.exit(e);  // --help, --version
  } catch (const CLI::ParseError& e) {
    print_error(usage_message(app, argc, argv, e));
    return kExitToolError;
  }
  try {
    return selected ? selected() : kExitToolError;
  } catch (const std::exception& e) {
    print_error(e.what());
    return kExitToolError;
  }
}
