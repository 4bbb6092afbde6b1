#include "medq/analysis/variant_labels.hpp"

#include <algorithm>
#include <map>
#include <system_error>

namespace medq {

namespace fs = std::filesystem;

namespace {

// The path's components, absolute and lexically normal, without a trailing empty one.
std::vector<std::string> components(const std::string& given) {
  std::error_code ec;
  fs::path p = fs::absolute(fs::path(given), ec);
  if (ec) p = fs::path(given);
  std::vector<std::string> out;
  for (const auto& c : p.lexically_normal()) {
    const std::string s = c.string();
    if (!s.empty() && s != "/") out.push_back(s);
  }
  return out;
}

// The key that makes two inputs the same folder.
std::string identity(const LabelInput& in) {
  std::error_code ec;
  fs::path c = fs::canonical(in.dir, ec);
  if (!ec) return c.string();
  return fs::absolute(in.dir, ec).lexically_normal().string();
}

std::string suffix(const std::vector<std::string>& parts, size_t k) {
  std::string s;
  const size_t from = parts.size() > k ? parts.size() - k : 0;
  for (size_t i = from; i < parts.size(); ++i) s += (s.empty() ? "" : "/") + parts[i];
  return s;
}

bool separator(char c) { return c == '-' || c == '_' || c == '.' || c == ' '; }

}  // namespace

std::vector<std::string> variant_labels(const std::vector<LabelInput>& inputs) {
  const size_t n = inputs.size();
  std::vector<std::string> ids(n);
  for (size_t i = 0; i < n; ++i) ids[i] = identity(inputs[i]);
  std::vector<std::string> labels(n);
  std::vector<std::vector<std::string>> parts(n);
  std::vector<size_t> depth(n, 1);
  for (size_t i = 0; i < n; ++i) {
    if (inputs[i].repo_id.empty()) parts[i] = components(inputs[i].given);
  }
  // Cache snapshots: the repository id, with the commit when one repository appears twice.
  std::map<std::string, std::map<std::string, int>> folders_of_repo;
  for (size_t i = 0; i < n; ++i) {
    if (!inputs[i].repo_id.empty()) folders_of_repo[inputs[i].repo_id][ids[i]] = 1;
  }
  auto compute = [&](size_t i) {
    if (!inputs[i].repo_id.empty()) {
      labels[i] = inputs[i].repo_id;
      if (folders_of_repo[inputs[i].repo_id].size() > 1) {
        labels[i] += "@" + inputs[i].commit.substr(0, depth[i] == 1 ? 7 : std::string::npos);
      }
    } else {
      labels[i] = parts[i].empty() ? inputs[i].given : suffix(parts[i], depth[i]);
    }
  };
  for (size_t i = 0; i < n; ++i) compute(i);
  // Lengthen the labels that different folders share, until none is shared (or they cannot
  // grow: then they stay as they are).
  for (int round = 0; round < 64; ++round) {
    std::map<std::string, std::vector<size_t>> by_label;
    for (size_t i = 0; i < n; ++i) by_label[labels[i]].push_back(i);
    bool grew = false;
    for (auto& [label, members] : by_label) {
      bool distinct = false;
      for (size_t m : members) distinct = distinct || ids[m] != ids[members.front()];
      if (!distinct) continue;
      for (size_t m : members) {
        const size_t max = inputs[m].repo_id.empty() ? parts[m].size() : 2;
        if (depth[m] < max) {
          ++depth[m];
          compute(m);
          grew = true;
        }
      }
    }
    if (!grew) break;
  }
  return labels;
}

std::string model_name(const std::vector<LabelInput>& inputs) {
  if (inputs.empty()) return "";
  const bool one_repo = !inputs.front().repo_id.empty() &&
                        std::all_of(inputs.begin(), inputs.end(), [&](const LabelInput& in) {
                          return in.repo_id == inputs.front().repo_id;
                        });
  if (one_repo) return inputs.front().repo_id;

  std::vector<std::string> names;
  for (const LabelInput& in : inputs) {
    if (!in.repo_id.empty()) {
      names.push_back(in.repo_id.substr(in.repo_id.find('/') + 1));
    } else {
      auto parts = components(in.given);
      names.push_back(parts.empty() ? in.given : parts.back());
    }
  }
  size_t len = names.front().size();
  for (const auto& s : names) {
    size_t k = 0;
    while (k < len && k < s.size() && s[k] == names.front()[k]) ++k;
    len = k;
  }
  // Back off to where a word ends in every name.
  auto at_boundary = [&](size_t k) {
    return std::all_of(names.begin(), names.end(),
                       [&](const std::string& s) { return k == s.size() || separator(s[k]); });
  };
  while (len > 0 && !at_boundary(len)) --len;
  std::string common = names.front().substr(0, len);
  while (!common.empty() && separator(common.back())) common.pop_back();
  if (common.size() >= 3) return common;

  // The folder every path as typed lies in.
  std::vector<std::vector<std::string>> typed;
  for (const LabelInput& in : inputs) {
    if (!in.repo_id.empty()) return "";
    std::vector<std::string> parts;
    for (const auto& c : fs::path(in.given).lexically_normal()) {
      if (!c.empty()) parts.push_back(c.string());
    }
    if (parts.size() < 2) return "";
    parts.pop_back();  // the folder itself
    typed.push_back(std::move(parts));
  }
  std::vector<std::string> prefix = typed.front();
  for (const auto& t : typed) {
    size_t k = 0;
    while (k < prefix.size() && k < t.size() && prefix[k] == t[k]) ++k;
    prefix.resize(k);
  }
  if (prefix.empty()) return "";
  const std::string& last = prefix.back();
  if (last == "." || last == ".." || last == "/") return "";
  return last;
}

}  // namespace medq
