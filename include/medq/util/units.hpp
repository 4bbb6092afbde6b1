// How numbers read in messages and reports: digit grouping, byte sizes, shapes. Used by checks
// (messages) and renderers alike, so it sits below both.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace medq {

/// 1234567 -> "1,234,567".
std::string group_digits(uint64_t v);
/// "1 tensor", "1,402 tensors".
std::string count_noun(uint64_t n, std::string_view noun);
/// Shape as "[2560, 320]"; "[]" for a scalar.
std::string shape_to_string(const std::vector<uint64_t>& shape);
/// 3212345678 -> "3.21 GB" (decimal units, as file managers and the Hub show sizes).
std::string human_bytes(uint64_t v);
/// "224 B", or "3.21 GB (3,212,345,678 bytes)" from 1000 bytes up.
std::string byte_size(uint64_t v);

}  // namespace medq
