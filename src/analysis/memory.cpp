#include "medq/analysis/memory.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <string>

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
  if (budget) m.fits = m.total <= *budget;
  return m;
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
