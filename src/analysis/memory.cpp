#include "medq/analysis/memory.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <string>

#include <fmt/format.h>

#include "medq/io/checked.hpp"

namespace medq {

MemoryEstimate estimate_memory(const Architecture* arch, uint64_t weight_bytes, uint64_t context,
                               Dtype kv_dtype, std::optional<uint64_t> budget) {
  MemoryEstimate m;
  m.weights = weight_bytes;
  m.context = context;
  m.kv_dtype = kv_dtype;
  m.budget = budget;
  if (arch) {
    const TextArchitecture& t = arch->text;
    auto layers = t.num_hidden_layers.get();
    auto kv = t.num_key_value_heads.get();
    auto hd = t.head_dim.get();
    if (layers && kv && hd && *layers <= kMaxLayers) {
      m.layers = *layers;
      m.kv_heads = *kv;
      m.head_dim = *hd;
      m.window = t.sliding_window.get();
      uint64_t tokens_total = 0;  // sum over layers of cached tokens
      bool ok = true;
      for (uint64_t i = 0; i < *layers; ++i) {
        bool sliding = m.window && i < t.sliding_layers.size() && t.sliding_layers[i];
        if (sliding) ++m.sliding_layers;
        uint64_t tokens = sliding ? std::min(context, *m.window) : context;
        auto sum = checked_add(tokens_total, tokens);
        if (!sum) ok = false;
        tokens_total = sum.value_or(0);
      }
      const uint64_t elem_bytes = std::max<uint64_t>(1, dtype_bits(kv_dtype) / 8);
      auto per_token = checked_mul(2 * elem_bytes, *kv);
      if (per_token) per_token = checked_mul(*per_token, *hd);
      std::optional<uint64_t> kv_bytes;
      if (ok && per_token) kv_bytes = checked_mul(*per_token, tokens_total);
      m.kv_cache = kv_bytes;
    }
  }
  const uint64_t base = m.weights + m.kv_cache.value_or(0);
  m.overhead =
      static_cast<uint64_t>(std::llround(static_cast<double>(base) * kMemoryOverheadFraction));
  m.total = base + m.overhead;
  if (budget) {
    m.fits = m.total <= *budget;
    // Both under 9e18 (parse_memory_budget's cap; totals of real models are far below).
    m.headroom = static_cast<int64_t>(std::min<uint64_t>(*budget, INT64_MAX)) -
                 static_cast<int64_t>(std::min<uint64_t>(m.total, INT64_MAX));
  }
  return m;
}

std::string MemoryBudget::text() const { return number + " " + unit; }

std::string MemoryBudget::in_unit(uint64_t v) const {
  if (unit == "B") return fmt::format("{} B", v);
  return fmt::format("{:.2f} {}", static_cast<double>(v) / unit_bytes, unit);
}

std::string MemoryBudget::headroom_text(int64_t headroom) const {
  const uint64_t mag =
      headroom < 0 ? static_cast<uint64_t>(-(headroom + 1)) + 1 : static_cast<uint64_t>(headroom);
  return in_unit(mag) + (headroom < 0 ? " over" : " under");
}

std::optional<MemoryBudget> parse_memory_budget(std::string_view text, std::string* why) {
  static constexpr std::pair<std::string_view, double> kUnits[] = {
      {"B", 1},
      {"kB", 1e3},
      {"MB", 1e6},
      {"GB", 1e9},
      {"TB", 1e12},
      {"KiB", 1024.0},
      {"MiB", 1024.0 * 1024},
      {"GiB", 1024.0 * 1024 * 1024},
      {"TiB", 1024.0 * 1024 * 1024 * 1024}};
  auto fail = [&](std::string message) -> std::optional<MemoryBudget> {
    if (why) *why = std::move(message);
    return std::nullopt;
  };
  std::string s;
  for (char c : text) {
    if (!std::isspace(static_cast<unsigned char>(c))) s += c;
  }
  size_t i = 0;
  while (i < s.size() && (std::isdigit(static_cast<unsigned char>(s[i])) || s[i] == '.')) ++i;
  MemoryBudget b;
  b.number = s.substr(0, i);
  const std::string unit = s.substr(i);
  if (b.number.empty() || b.number == "." ||
      std::count(b.number.begin(), b.number.end(), '.') > 1) {
    return fail("is not a size (examples: 6GB, 7.5GiB, 6000MB)");
  }
  if (unit.empty()) {
    return fail(fmt::format(
        "has no unit: write {0}GB or {0}GiB (units: B, kB, MB, GB, TB, KiB, MiB, GiB, TiB)",
        b.number));
  }
  auto lower = [](std::string_view x) {
    std::string out(x);
    for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
  };
  for (const auto& [name, mult] : kUnits) {
    if (lower(name) == lower(unit)) {
      b.unit = std::string(name);
      b.unit_bytes = mult;
    }
  }
  if (b.unit.empty()) {
    return fail(
        fmt::format("has an unknown unit '{}' (units: B, kB, MB, GB, TB, KiB, MiB, GiB, "
                    "TiB)",
                    unit));
  }
  const double v = std::stod(b.number) * b.unit_bytes;
  if (!(v >= 1)) return fail("is not a size: a budget is at least 1 byte");
  if (v >= 9.0e18) return fail("is beyond any memory (at most 9 EB)");
  b.bytes = static_cast<uint64_t>(std::llround(v));
  return b;
}

std::optional<uint64_t> parse_byte_size(std::string_view text) {
  std::string s;
  for (char c : text) {
    if (!std::isspace(static_cast<unsigned char>(c))) s += c;
  }
  size_t i = 0;
  while (i < s.size() && (std::isdigit(static_cast<unsigned char>(s[i])) || s[i] == '.')) ++i;
  if (i == 0) return std::nullopt;
  std::string number = s.substr(0, i);
  if (std::count(number.begin(), number.end(), '.') > 1 || number == ".") return std::nullopt;
  std::string unit = s.substr(i);
  for (auto& c : unit) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  double mult = 0;
  if (unit.empty() || unit == "b")
    mult = 1;
  else if (unit == "kb" || unit == "k")
    mult = 1e3;
  else if (unit == "mb" || unit == "m")
    mult = 1e6;
  else if (unit == "gb" || unit == "g")
    mult = 1e9;
  else if (unit == "tb" || unit == "t")
    mult = 1e12;
  else if (unit == "kib")
    mult = 1024.0;
  else if (unit == "mib")
    mult = 1024.0 * 1024;
  else if (unit == "gib")
    mult = 1024.0 * 1024 * 1024;
  else if (unit == "tib")
    mult = 1024.0 * 1024 * 1024 * 1024;
  else
    return std::nullopt;
  double v = std::stod(number) * mult;
  if (!(v >= 0) || v >= 9.0e18) return std::nullopt;  // beyond any memory, and llround's range
  return static_cast<uint64_t>(std::llround(v));
}

}  // namespace medq
