// What a report says about a remote repository it read (RemoteRead): one text line, the same
// in Markdown, and the JSON object "remote" (docs/json.md).
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "medq/remote/remote_read.hpp"

namespace medq {

/// "remote: hf://ORG/NAME@main at commit C: 14 requests (6 redirects, 0 retries), 1.2 MB
/// fetched, 0 B from the cache; the repository holds 3.4 GB in 12 files"
std::string remote_read_line(const RemoteRead& r);

/// {"source", "endpoint", "repo", "revision", "commit", "requests", "redirects", "retries",
/// "bytes_fetched", "bytes_from_cache", "repo_files", "repo_bytes"}
nlohmann::ordered_json remote_read_json(const RemoteRead& r);

}  // namespace medq
