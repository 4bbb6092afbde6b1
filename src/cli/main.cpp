// medq command-line entry point: parses options, runs one subcommand, and holds the one
// top-level catch that turns medq's own failures into exit code 2.
#include <exception>

#include "commands.hpp"
#include "exit_codes.hpp"

int main(int argc, char** argv) {
  using namespace medq::cli;
  CLI::App app{"medq: is this quantized model fit to ship?", "medq"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "medq 0.1.0");
  CommandFn selected;
  register_inspect(app, &selected);
  register_validate(app, &selected);
  register_compare(app, &selected);
  register_fidelity(app, &selected);
  register_quality(app, &selected);
  register_manifest(app, &selected);
  register_verify(app, &selected);
  register_check(app, &selected);
  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);  // prints the message and usage
    return kExitToolError;
  }
  try {
    return selected ? selected() : kExitToolError;
  } catch (const std::exception& e) {
    print_error(e.what());
    return kExitToolError;
  }
}
