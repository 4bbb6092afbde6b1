#include <sys/ioctl.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <map>
#include <system_error>

#include "commands.hpp"
#include "medq/analysis/variant_labels.hpp"
#include "medq/diag/quote.hpp"
#include "medq/io/hf_snapshot.hpp"
#include "medq/remote/hf_url.hpp"
#include "medq/util/units.hpp"

namespace medq::cli {

void add_format_option(CLI::App* sub, OutputFormat* format, const std::string& default_name,
                       bool html) {
  static const std::map<std::string, OutputFormat> kFormats = {{"text", OutputFormat::kText},
                                                               {"md", OutputFormat::kMarkdown},
                                                               {"json", OutputFormat::kJson},
                                                               {"html", OutputFormat::kHtml}};
  *format = kFormats.at(default_name);
  std::vector<std::string> names = {"text", "md", "json"};
  if (html) names.emplace_back("html");
  sub->add_option_function<std::string>(
         "--format", [format](const std::string& name) { *format = kFormats.at(name); },
         std::string("Output format: text, md") + (html ? ", json or html" : " or json") +
             " (default " + default_name + ")")
      ->check(CLI::IsMember(names));
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

void add_revision_option(CLI::App* sub, std::optional<std::string>* revision) {
  sub->add_option_function<std::string>(
         "--revision", [revision](const std::string& rev) { *revision = rev; },
         "The revision to read of a Hugging Face repository id (ORG/NAME) or cache repository "
         "folder: a branch name or commit hash (default main)")
      ->type_name("REV");
}

std::optional<ModelLocation> model_dir(const std::string& arg,
                                       const std::optional<std::string>& revision,
                                       const std::string& hint) {
  std::optional<ModelLocation> loc;
  try {
    loc = resolve_model_location(arg, revision, process_environment());
  } catch (const HubError& e) {
    print_error(e.what());
    return std::nullopt;
  }
  if (!require_directory(loc->dir.string(), hint)) return std::nullopt;
  return loc;
}

void add_label_option(CLI::App* sub, std::vector<std::string>* labels) {
  sub->add_option("--label", *labels,
                  "Name a variant in the report: NAME=DIR, DIR as given (repeatable; default: "
                  "its repository id, or the shortest part of its path that tells it apart)")
      ->type_name("NAME=DIR");
}

std::vector<LabelInput> label_inputs(const std::vector<ModelLocation>& dirs) {
  std::vector<LabelInput> inputs;
  for (const ModelLocation& loc : dirs) {
    LabelInput in;
    in.given = loc.given;
    in.dir = loc.dir;
    std::string err;
    if (loc.hub) {
      in.repo_id = loc.hub->repo_id;
      in.commit = loc.hub->commit;
    } else if (auto ref = is_hf_url(loc.given) ? parse_hf_url(loc.given, &err) : std::nullopt) {
      // A remote repository is named as a cached one: its id (and revision when two differ).
      in.repo_id = ref->repo;
      in.commit = ref->revision;
    } else if (auto snap = find_hf_snapshot(loc.dir)) {
      in.repo_id = snap->repo_id;
      in.commit = snap->commit;
    }
    inputs.push_back(std::move(in));
  }
  return inputs;
}

std::optional<std::vector<std::string>> labels_for(const std::vector<ModelLocation>& dirs,
                                                   const std::vector<std::string>& label_args) {
  std::vector<std::string> labels = variant_labels(label_inputs(dirs));
  auto same_folder = [](const std::filesystem::path& a, const std::filesystem::path& b) {
    std::error_code ec;
    return std::filesystem::equivalent(a, b, ec) && !ec;
  };
  std::vector<bool> named(dirs.size(), false);
  for (const std::string& arg : label_args) {
    const size_t eq = arg.find('=');
    const std::string name = eq == std::string::npos ? "" : arg.substr(0, eq);
    const std::string dir = eq == std::string::npos ? "" : arg.substr(eq + 1);
    if (name.empty() || dir.empty()) {
      print_error("--label " + quote_text(arg) + ": give NAME=DIR");
      return std::nullopt;
    }
    if (display_text(name, 100) != name) {
      print_error("--label " + quote_text(arg) +
                  ": the name must be printable ASCII without a backquote, at most 100 "
                  "characters");
      return std::nullopt;
    }
    bool found = false;
    for (size_t i = 0; i < dirs.size(); ++i) {
      if (dirs[i].given == dir || same_folder(dirs[i].dir, dir)) {
        labels[i] = name;
        named[i] = true;
        found = true;
      }
    }
    if (!found) {
      print_error("--label " + quote_text(arg) + ": " + quote_text(dir) +
                  " is none of the model directories given");
      return std::nullopt;
    }
  }
  // Different folders may not share a label.
  for (size_t i = 0; i < dirs.size(); ++i) {
    for (size_t j = i + 1; j < dirs.size(); ++j) {
      if (labels[i] == labels[j] && (named[i] || named[j]) &&
          !same_folder(dirs[i].dir, dirs[j].dir)) {
        print_error("the label " + quote_text(labels[i]) + " names two variants, '" +
                    dirs[i].given + "' and '" + dirs[j].given + "'; give each its own --label");
        return std::nullopt;
      }
    }
  }
  return labels;
}

}  // namespace medq::cli
