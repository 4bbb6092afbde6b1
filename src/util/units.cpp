// Number, size and shape formatting for messages and reports.
#include <fmt/format.h>

#include "medq/util/units.hpp"

namespace medq {

std::string group_digits(uint64_t v) {
  std::string s = std::to_string(v);
  std::string out;
  int n = static_cast<int>(s.size());
  for (int i = 0; i < n; ++i) {
    out += s[static_cast<size_t>(i)];
    int left = n - 1 - i;
    if (left > 0 && left % 3 == 0) out += ',';
  }
  return out;
}

std::string count_noun(uint64_t n, std::string_view noun) {
  return group_digits(n) + " " + std::string(noun) + (n == 1 ? "" : "s");
}

std::string shape_to_string(const std::vector<uint64_t>& shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i) s += ", ";
    s += std::to_string(shape[i]);
  }
  return s + "]";
}

std::string human_bytes(uint64_t v) {
  const char* units[] = {"B", "kB", "MB", "GB", "TB", "PB"};
  double x = static_cast<double>(v);
  int u = 0;
  while (x >= 1000.0 && u < 5) {
    x /= 1000.0;
    ++u;
  }
  if (u == 0) return fmt::format("{} B", v);
  return fmt::format("{:.2f} {}", x, units[u]);
}

std::string byte_size(uint64_t v) {
  if (v < 1000) return human_bytes(v);
  return human_bytes(v) + " (" + group_digits(v) + " bytes)";
}

}  // namespace medq
