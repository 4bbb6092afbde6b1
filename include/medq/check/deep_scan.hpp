// `medq validate --deep`: a scan of every tensor's data. NaN and Inf in float tensors and in
// quantization scales/biases, tensors that are entirely zero, quantization groups whose scale is
// zero while their codes vary, and fp-mode scale bytes that decode to non-finite values.
// Streams each tensor in bounded chunks; tensors are spread over worker threads.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>

#include "medq/check/validate.hpp"
#include "medq/diag/finding.hpp"

namespace medq {

struct DataScanOptions {
  unsigned threads = 0;  ///< 0 = one per core
  /// Called from worker threads with the bytes scanned so far and the total (may be null).
  std::function<void(uint64_t done, uint64_t total)> progress;
};

/// What a deep scan read: the tensors it checked (a quantized module counts once) and the bytes
/// it read (float tensors whole; of a quantized module its scales and biases, and the codes of
/// zero-scale groups).
struct DeepScanStats {
  uint64_t tensors = 0;
  uint64_t bytes_read = 0;
};

/// At most this many `data.all_zero` findings are listed; one more says how many were left out.
inline constexpr size_t kAllZeroListed = 5;

/// Bytes the deep scan reads for `v` (for progress and benchmarks).
uint64_t deep_scan_bytes(const Validation& v);

/// Scans the data of every tensor of `v` whose file header was accepted. Findings ("data.*")
/// name the tensor and the first bad element; they are sorted. `data.all_zero` is capped at
/// kAllZeroListed findings plus a summary; when every tensor with data is all zero, one
/// `data.all_zero_model` error replaces them. `*stats` (when given) says what was read.
Findings deep_scan(const Validation& v, const DataScanOptions& options = {},
                   DeepScanStats* stats = nullptr);

/// Runs deep_scan on `*v` and merges its findings into v->findings (sorted again), as
/// `validate --deep` and a policy with findings.deep report them; returns what it read.
DeepScanStats add_deep_scan_findings(Validation* v, const DataScanOptions& options = {});

}  // namespace medq
