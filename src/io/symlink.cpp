#include "medq/io/symlink.hpp"

#include <cerrno>
#include <system_error>

namespace medq {

bool path_within(const std::filesystem::path& root_canonical, const std::filesystem::path& p) {
  auto r = root_canonical.begin(), re = root_canonical.end();
  auto i = p.begin(), ie = p.end();
  for (; r != re; ++r, ++i) {
    if (r->empty()) continue;  // a trailing separator in root
    if (i == ie || *i != *r) return false;
  }
  return true;
}

LinkTarget resolve_link(const std::filesystem::path& root_canonical,
                        const std::filesystem::path& link) {
  LinkTarget t;
  std::error_code ec;
  t.text = std::filesystem::read_symlink(link, ec).string();
  auto resolved = std::filesystem::canonical(link, ec);
  if (ec) {
    if (ec == std::errc::too_many_symbolic_link_levels) {
      t.where = LinkWhere::kLoop;
    } else if (ec == std::errc::no_such_file_or_directory || ec == std::errc::not_a_directory) {
      t.where = LinkWhere::kBroken;
    } else {
      t.where = LinkWhere::kError;
      t.error = ec.message();
    }
    return t;
  }
  t.resolved = resolved;
  t.where = path_within(root_canonical, resolved) ? LinkWhere::kInside : LinkWhere::kOutside;
  return t;
}

}  // namespace medq
