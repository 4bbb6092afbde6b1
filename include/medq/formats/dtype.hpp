// The safetensors element types, sized in bits (F4 and F6 are sub-byte), in the reference
// crate's enum order ("increasing alignment order").
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace medq {

enum class Dtype : uint8_t {
  BOOL,
  F4,
  F6_E2M3,
  F6_E3M2,
  U8,
  I8,
  F8_E5M2,
  F8_E4M3,
  F8_E8M0,
  F8_E4M3FNUZ,
  F8_E5M2FNUZ,
  I16,
  U16,
  F16,
  BF16,
  I32,
  U32,
  F32,
  C64,
  F64,
  I64,
  U64,
};

/// Parses the exact, case-sensitive JSON spelling ("BF16", "F8_E4M3", ...).
std::optional<Dtype> parse_dtype(std::string_view s);

/// The JSON spelling of `d`.
std::string_view dtype_name(Dtype d);

/// Bits per element: 4 for F4, 6 for the F6 types, 64 for C64, ...
unsigned dtype_bits(Dtype d);

/// True for the floating-point types (F4 ... F64, C64 excluded).
bool dtype_is_float(Dtype d);

/// Every dtype, in enum order.
std::span<const Dtype> all_dtypes();

}  // namespace medq
