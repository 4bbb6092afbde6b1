// Each subcommand registers its options on the CLI11 app and, when chosen, leaves a function
// that runs it and returns the exit code.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "medq/analysis/variant_labels.hpp"
#include "medq/hub/resolve.hpp"
#include "medq/report/render.hpp"

namespace medq::cli {

using CommandFn = std::function<int()>;

void register_inspect(CLI::App& app, CommandFn* selected);
void register_validate(CLI::App& app, CommandFn* selected);
void register_compare(CLI::App& app, CommandFn* selected);
void register_fidelity(CLI::App& app, CommandFn* selected);
void register_quality(CLI::App& app, CommandFn* selected);
void register_manifest(CLI::App& app, CommandFn* selected);
void register_verify(CLI::App& app, CommandFn* selected);
void register_check(CLI::App& app, CommandFn* selected);
void register_tokenize(CLI::App& app, CommandFn* selected);

/// Adds `--format text|md|json` to `sub`, writing into `*format`.
/// --format: text, md, json, and html where `html` (compare, fidelity, check).
void add_format_option(CLI::App* sub, OutputFormat* format, const std::string& default_name,
                       bool html = false);

/// Adds `--follow-symlinks` to `sub`, writing into `*follow`.
void add_follow_symlinks_flag(CLI::App* sub, bool* follow);

/// A check for an unsigned option: a whole number from `lo` to `hi`, written in digits only, so
/// that "-1" is a usage error instead of wrapping around to 2^64 - 1. Adds nothing to the help
/// line (the option's description says the range in words).
CLI::Validator whole_number(uint64_t lo, uint64_t hi);

/// `--threads N` (1 to 256; default, 0 in `*threads`: one per core).
void add_threads_option(CLI::App* sub, unsigned* threads, const std::string& what);

/// The width text reports wrap their notes to: the terminal's columns when stdout is a terminal
/// (TIOCGWINSZ), else 80.
size_t output_width();

/// Writes `text` to stdout.
void print(const std::string& text);

/// Writes "medq: error: <message>" to stderr.
void print_error(const std::string& message);

/// True when `path` is an existing directory; otherwise (an hf:// address among the rest) prints
/// why ("cannot read ...", or "... is not a directory" followed by `hint`) and returns false (the
/// caller exits with 2).
bool require_directory(const std::string& path, const std::string& hint = "");

/// Adds `--revision REV` (a branch name or commit hash of the repository ids and cache
/// repository folders given) to `sub`, writing into `*revision`.
void add_revision_option(CLI::App* sub, std::optional<std::string>* revision);

/// The model folder `arg` names (resolve_model_location: a local path, a cache repository
/// folder, or a repository id ORG/NAME in the Hugging Face cache), checked to be a directory;
/// otherwise prints why and returns nullopt (the caller exits with 2).
std::optional<ModelLocation> model_dir(const std::string& arg,
                                       const std::optional<std::string>& revision,
                                       const std::string& hint = "");

/// `--label NAME=DIR` (repeatable): a variant's name in the report, instead of the one medq
/// gives it.
void add_label_option(CLI::App* sub, std::vector<std::string>* labels);

/// What variant_labels and model_name need of each folder: the repository id and commit of a
/// cache snapshot, whether resolved from an id or given by path.
std::vector<LabelInput> label_inputs(const std::vector<ModelLocation>& dirs);

/// The report labels of `dirs` (variant_labels: the repository id, else the shortest path
/// suffix that tells them apart), with `--label NAME=DIR` applied; a DIR that names none of
/// them, or a malformed or repeated NAME, prints why and returns nullopt (exit 2).
std::optional<std::vector<std::string>> labels_for(const std::vector<ModelLocation>& dirs,
                                                   const std::vector<std::string>& label_args);

}  // namespace medq::cli
