// hf:// arguments in the CLI: the options they take (--token, --timeout), opening a repository as
// a storage (resolved, listed and prefetched, with a message and exit 2 when it cannot be), and
// the refusal of everything that needs tensor data, which medq never downloads silently.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include <CLI/CLI.hpp>

#include "medq/remote/hf_url.hpp"
#include "medq/remote/remote_storage.hpp"

namespace medq::cli {

struct RemoteOptions {
  std::optional<std::string> token;  ///< --token
  unsigned timeout_s = 60;           ///< --timeout: one HTTP request, start to end
};

/// Adds --token and --timeout to `sub`.
void add_remote_options(CLI::App* sub, RemoteOptions* o);

/// Opens `arg` (an hf:// address) and prefetches what validation reads; on failure prints why
/// and returns null (the caller exits with 2). `revision` (--revision) names the revision when
/// `arg` has no @REV; both, different, is an error.
std::shared_ptr<RemoteStorage> open_remote_model(const std::string& arg, const RemoteOptions& o,
                                                 const std::optional<std::string>& revision);

/// When `arg` is an hf:// address: prints that `what` needs the files locally and returns true
/// (the caller exits with 2).
bool refuse_remote(const std::string& arg, const std::string& what);

/// Prints the reads that failed after the prefetch, if any, and returns true when there were
/// some (the caller exits with 2: the report would describe a model it could not read).
bool remote_reads_failed(const RemoteStorage& s);

}  // namespace medq::cli
