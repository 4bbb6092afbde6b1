#include "medq/remote/hub_json.hpp"

#include <nlohmann/json.hpp>

#include "medq/diag/quote.hpp"
#include "medq/formats/json_depth.hpp"
#include "medq/remote/hf_url.hpp"
#include "medq/util/utf8.hpp"

namespace medq {
namespace {

std::optional<nlohmann::json> parse_checked(std::string_view body, std::string* err) {
  if (json_too_deep_at(body, kMaxHubJsonDepth)) {
    *err = "nested deeper than " + std::to_string(kMaxHubJsonDepth) + " levels";
    return std::nullopt;
  }
  nlohmann::json j = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) {
    *err = "not valid JSON";
    return std::nullopt;
  }
  return j;
}

std::optional<uint64_t> whole_size(const nlohmann::json& v) {
  if (v.is_number_unsigned()) {
    const auto n = v.get<uint64_t>();
    if (n < (uint64_t{1} << 62)) return n;
    return std::nullopt;
  }
  if (v.is_number_integer()) {
    const auto n = v.get<int64_t>();
    if (n >= 0) return static_cast<uint64_t>(n);
  }
  return std::nullopt;
}

}  // namespace

bool safe_repo_path(std::string_view path) {
  if (path.empty() || path.size() > 4096) return false;
  if (first_invalid_utf8({reinterpret_cast<const uint8_t*>(path.data()), path.size()})) {
    return false;
  }
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    std::string_view part = path.substr(start, end - start);
    if (part.empty() || part == "." || part == "..") return false;
    for (char c : part) {
      const auto u = static_cast<unsigned char>(c);
      if (u < 0x20 || u == 0x7f || c == '\\') return false;
    }
    start = end + 1;
  }
  return true;
}

std::optional<std::string> parse_revision_commit(std::string_view body, std::string* err) {
  auto j = parse_checked(body, err);
  if (!j) return std::nullopt;
  if (!j->is_object()) {
    *err = "the revision info is not a JSON object";
    return std::nullopt;
  }
  auto it = j->find("sha");
  if (it == j->end() || !it->is_string()) {
    *err = "the revision info has no \"sha\" string";
    return std::nullopt;
  }
  const auto& sha = it->get_ref<const std::string&>();
  if (!is_commit_id(sha)) {
    *err = "the revision info's \"sha\" " + quote_text(sha) +
           " is not a 40-digit lower-case hex commit id";
    return std::nullopt;
  }
  return sha;
}

std::optional<std::vector<HubTreeEntry>> parse_tree_page(std::string_view body, std::string* err) {
  auto j = parse_checked(body, err);
  if (!j) return std::nullopt;
  if (!j->is_array()) {
    *err = "the tree listing is not a JSON array";
    return std::nullopt;
  }
  std::vector<HubTreeEntry> out;
  out.reserve(j->size());
  size_t i = 0;
  for (const auto& item : *j) {
    const std::string where = "tree entry " + std::to_string(i++);
    if (!item.is_object()) {
      *err = where + " is not an object";
      return std::nullopt;
    }
    auto type = item.find("type");
    auto path = item.find("path");
    if (type == item.end() || !type->is_string() || path == item.end() || !path->is_string()) {
      *err = where + " lacks a \"type\" or \"path\" string";
      return std::nullopt;
    }
    HubTreeEntry e;
    const auto& t = type->get_ref<const std::string&>();
    if (t == "file") {
      e.type = HubTreeEntry::Type::kFile;
    } else if (t == "directory") {
      e.type = HubTreeEntry::Type::kDirectory;
    } else {
      *err = where + " has the unknown type " + quote_text(t);
      return std::nullopt;
    }
    e.path = path->get<std::string>();
    if (!safe_repo_path(e.path)) {
      *err = where + " has the unsafe path " + quote_text(e.path);
      return std::nullopt;
    }
    auto size = item.find("size");
    if (size != item.end()) {
      auto n = whole_size(*size);
      if (!n) {
        *err = where + " (" + quote_text(e.path) + ") has a size that is not a whole number";
        return std::nullopt;
      }
      e.size = *n;
    } else if (e.type == HubTreeEntry::Type::kFile) {
      *err = where + " (" + quote_text(e.path) + ") has no size";
      return std::nullopt;
    }
    if (auto lfs = item.find("lfs"); lfs != item.end() && lfs->is_object()) {
      if (auto ls = lfs->find("size"); ls != lfs->end()) {
        auto n = whole_size(*ls);
        if (!n || *n != e.size) {
          *err = where + " (" + quote_text(e.path) + ") has an LFS size unlike its size";
          return std::nullopt;
        }
      }
    }
    if (e.type == HubTreeEntry::Type::kDirectory) e.size = 0;
    out.push_back(std::move(e));
  }
  return out;
}

std::string tree_to_json(const std::vector<HubTreeEntry>& entries) {
  nlohmann::json j = nlohmann::json::array();
  for (const auto& e : entries) {
    j.push_back({{"type", e.type == HubTreeEntry::Type::kFile ? "file" : "directory"},
                 {"path", e.path},
                 {"size", e.size}});
  }
  return j.dump();
}

}  // namespace medq
