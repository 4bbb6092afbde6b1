#include "medq/check/deep_scan.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <mutex>
#include <optional>
#include <thread>

#include "medq/data/decode.hpp"
#include "medq/diag/finding_cap.hpp"
#include "medq/io/byte_source.hpp"
#include "medq/model/logical_tensors.hpp"
#include "medq/util/parallel.hpp"
#include "medq/util/units.hpp"

namespace medq {
namespace {

constexpr uint64_t kChunkBytes = 8u << 20;
constexpr uint64_t kMaxZeroScaleChecks = 4096;  ///< groups whose codes are read per tensor

/// What a float scan found in one tensor.
struct FloatScan {
  uint64_t nan = 0, inf = 0, nonzero = 0, zero_scales = 0;
  std::optional<uint64_t> first_bad;  ///< element index of the first NaN/Inf
  /// Indices of the first kMaxZeroScaleChecks zero scales (= group indices), in order.
  std::vector<uint64_t> zero_scale_groups;
};

/// Classifies one element of a float dtype by its bits: 0 finite non-zero, 1 zero, 2 NaN, 3 Inf.
inline int classify(Dtype d, const uint8_t* p) {
  switch (d) {
    case Dtype::BF16:
    case Dtype::F16: {
      const uint16_t u = static_cast<uint16_t>(p[0] | (p[1] << 8));
      const uint16_t exp_mask = d == Dtype::BF16 ? 0x7F80 : 0x7C00;
      if ((u & 0x7FFF) == 0) return 1;
      if ((u & exp_mask) == exp_mask) return (u & ~exp_mask & 0x7FFF) ? 2 : 3;
      return 0;
    }
    case Dtype::F32: {
      uint32_t u;
      std::memcpy(&u, p, 4);
      if ((u & 0x7FFFFFFFu) == 0) return 1;
      if ((u & 0x7F800000u) == 0x7F800000u) return (u & 0x007FFFFFu) ? 2 : 3;
      return 0;
    }
    case Dtype::F64: {
      uint64_t u;
      std::memcpy(&u, p, 8);
      constexpr uint64_t kExp = 0x7FF0000000000000ull;
      if ((u & 0x7FFFFFFFFFFFFFFFull) == 0) return 1;
      if ((u & kExp) == kExp) return (u & 0x000FFFFFFFFFFFFFull) ? 2 : 3;
      return 0;
    }
    case Dtype::U8: {  // fp-mode scale byte, classified by what it decodes to (E8M0 / E4M3)
      return 0;
    }
    default:
      return 0;
  }
}

struct Job {
  const LogicalTensor* t = nullptr;
  uint64_t bytes = 0;
};

class Scanner {
 public:
  Scanner(const Validation& v, const DataScanOptions& o, uint64_t total)
      : v_(v), o_(o), total_(total) {}

  void run(const Job& job) {
    const LogicalTensor& t = *job.t;
    if (!t.quantized()) {
      if (decodable_float(t.data.info->dtype)) scan_float(t.data, t.name, /*is_scales=*/false);
      return;
    }
    const bool fp = t.scheme->mode != QuantMode::kAffine;
    if (fp) {
      scan_fp_scales(t);
    } else {
      FloatScan s = scan_float(*t.scales, t.scales->info->name, /*is_scales=*/true, &t);
      std::optional<FloatScan> b;
      if (t.biases) b = scan_float(*t.biases, t.biases->info->name, false, nullptr, true);
      if (s.nonzero == 0 && s.nan == 0 && s.inf == 0 &&
          (!b || (b->nonzero == 0 && b->nan == 0 && b->inf == 0))) {
        add("data.all_zero", Severity::kWarning, t.data, t.name, std::nullopt,
            fmt::format("every scale{} is zero, so all {} weights dequantize to 0",
                        t.biases ? " and bias" : "", group_digits(t.params)));
      }
    }
    advance(t.data.info->nbytes());
  }

  Findings take() { return std::move(findings_); }
  uint64_t bytes_read() const { return read_; }

 private:
  void advance(uint64_t n) {
    const uint64_t done = done_ += n;
    if (o_.progress) o_.progress(done, total_);
  }

  void add(const char* code, Severity sev, const StoredTensor& st, const std::string& tensor,
           std::optional<uint64_t> element, std::string msg) {
    Finding f;
    f.code = code;
    f.severity = sev;
    f.where.file = st.file->name;
    f.where.tensor = tensor;
    if (element) {
      f.where.byte_offset =
          st.file_offset() + *element * std::max(1u, dtype_bits(st.info->dtype) / 8);
    }
    f.message = std::move(msg);
    std::lock_guard<std::mutex> lock(mu_);
    findings_.push_back(std::move(f));
  }

  /// Reads `st` in chunks and calls fn(chunk, first_element_index, elements).
  template <typename Fn>
  bool stream(const StoredTensor& st, const std::string& tensor, Fn fn) {
    std::string err;
    auto file = v_.dir.storage->open(st.file->name, &err);
    if (!file) {
      add("data.unreadable", Severity::kError, st, tensor, std::nullopt, err);
      return false;
    }
    // The header was read earlier, from a file of another size: it changed in between.
    const SafetensorsHeader* h = st.file->header.readable_header();
    if (h && file->size() != h->file_size) {
      add("data.unreadable", Severity::kError, st, tensor, std::nullopt,
          changed_since_header_message(h->file_size, file->size()));
      return false;
    }
    const uint64_t elem = std::max(1u, dtype_bits(st.info->dtype) / 8);
    const uint64_t total = st.info->nbytes();
    const uint64_t chunk = kChunkBytes / elem * elem;
    std::vector<uint8_t> buf(static_cast<size_t>(std::min(total, chunk)));
    for (uint64_t off = 0; off < total; off += chunk) {
      const uint64_t n = std::min(chunk, total - off);
      if (!file->read_at(st.file_offset() + off, buf.data(), static_cast<size_t>(n), &err)) {
        add("data.unreadable", Severity::kError, st, tensor, off / elem,
            "cannot read the tensor's data: " + err);
        return false;
      }
      read_ += n;
      fn(buf.data(), off / elem, n / elem);
    }
    if (auto now = file->current_size(&err); !now || *now != file->size()) {
      add("data.unreadable", Severity::kError, st, tensor, std::nullopt,
          now ? fmt::format("the file changed size while medq was reading it: {} bytes when "
                            "opened, {} now",
                            file->size(), *now)
              : err);
      return false;
    }
    return true;
  }

  FloatScan scan_float(const StoredTensor& st, const std::string& name, bool is_scales,
                       const LogicalTensor* module = nullptr, bool is_biases = false) {
    FloatScan s;
    const Dtype d = st.info->dtype;
    const uint64_t elem = std::max(1u, dtype_bits(d) / 8);
    stream(st, name, [&](const uint8_t* p, uint64_t first, uint64_t n) {
      for (uint64_t i = 0; i < n; ++i) {
        switch (classify(d, p + i * elem)) {
          case 0:
            ++s.nonzero;
            break;
          case 1:
            if (is_scales) {
              ++s.zero_scales;
              if (s.zero_scale_groups.size() < kMaxZeroScaleChecks) {
                s.zero_scale_groups.push_back(first + i);
              }
            }
            break;
          case 2:
            ++s.nan;
            if (!s.first_bad) s.first_bad = first + i;
            break;
          default:
            ++s.inf;
            if (!s.first_bad) s.first_bad = first + i;
            break;
        }
      }
    });
    const uint64_t count = st.info->num_elements();
    if (s.nan || s.inf) {
      add("data.non_finite", Severity::kError, st, name, s.first_bad,
          fmt::format("{}{} NaN and {} Inf among {} values; the first at element {}",
                      is_scales   ? "quantization scales: "
                      : is_biases ? "quantization biases: "
                                  : "",
                      group_digits(s.nan), group_digits(s.inf), group_digits(count),
                      group_digits(*s.first_bad)));
    }
    if (!is_scales && !is_biases && s.nonzero == 0 && s.nan == 0 && s.inf == 0 && count > 0) {
      add("data.all_zero", Severity::kWarning, st, name, std::nullopt,
          fmt::format("all {} values are zero", group_digits(count)));
    }
    if (is_scales && module && !s.zero_scale_groups.empty()) {
      check_zero_scale_groups(*module, s.zero_scale_groups);
    }
    if (!is_scales && !is_biases) advance(st.info->nbytes());
    return s;
  }

  /// Groups with a zero scale must have constant codes; varying codes under a zero scale mean a
  /// corrupted scale (the quantizer never writes one).
  void check_zero_scale_groups(const LogicalTensor& t, const std::vector<uint64_t>& groups) {
    const QuantScheme& q = *t.scheme;
    const uint64_t cols = t.shape.empty() ? 1 : t.shape.back();
    if (cols == 0 || q.group_size == 0) return;
    const uint64_t groups_per_row = cols / q.group_size;
    const uint64_t group_bytes = uint64_t{q.group_size} * q.bits / 8;
    const uint64_t row_bytes = cols * q.bits / 8;
    std::string err;
    auto wfile = v_.dir.storage->open(t.data.file->name, &err);
    if (!wfile || groups_per_row == 0) return;
    uint64_t checked = 0, varying = 0;
    std::optional<uint64_t> first;
    std::vector<uint8_t> codes(static_cast<size_t>(group_bytes));
    // Only the codes of the groups the scales pass found with a zero scale are read.
    for (const uint64_t g : groups) {
      const uint64_t row = g / groups_per_row, gi = g % groups_per_row;
      const uint64_t off = t.data.file_offset() + row * row_bytes + gi * group_bytes;
      if (!wfile->read_at(off, codes.data(), codes.size(), &err)) break;
      read_ += codes.size();
      ++checked;
      const uint32_t c0 = packed_code(codes.data(), codes.size(), q.bits, 0);
      for (uint64_t j = 1; j < q.group_size; ++j) {
        if (packed_code(codes.data(), codes.size(), q.bits, j) != c0) {
          ++varying;
          if (!first) first = g;
          break;
        }
      }
    }
    if (varying) {
      add("data.zero_scale_group", Severity::kError, *t.scales, t.scales->info->name, first,
          fmt::format("{} of the {} zero-scale groups checked have varying codes (first: group "
                      "{}, row {}): their weights dequantize to a constant though the codes "
                      "differ, so the scale is corrupt",
                      group_digits(varying), group_digits(checked), group_digits(*first),
                      group_digits(*first / groups_per_row)));
    }
  }

  void scan_fp_scales(const LogicalTensor& t) {
    const bool e8m0 = t.scheme->mode != QuantMode::kNvfp4;
    uint64_t bad = 0, zero = 0;
    std::optional<uint64_t> first;
    const StoredTensor& st = *t.scales;
    stream(st, st.info->name, [&](const uint8_t* p, uint64_t f, uint64_t n) {
      for (uint64_t i = 0; i < n; ++i) {
        const float v = e8m0 ? e8m0_to_float(p[i]) : e4m3_to_float(p[i]);
        if (!std::isfinite(v)) {
          ++bad;
          if (!first) first = f + i;
        } else if (v == 0.0f) {
          ++zero;
        }
      }
    });
    if (bad) {
      add("data.non_finite", Severity::kError, st, st.info->name, first,
          fmt::format("{} scale bytes: {} of {} decode to NaN (first at element {})",
                      e8m0 ? "E8M0" : "E4M3", group_digits(bad),
                      group_digits(st.info->num_elements()), group_digits(*first)));
    }
    if (zero == st.info->num_elements() && zero > 0) {
      add("data.all_zero", Severity::kWarning, t.data, t.name, std::nullopt,
          fmt::format("every scale is zero, so all {} weights dequantize to 0",
                      group_digits(t.params)));
    }
  }

  const Validation& v_;
  const DataScanOptions& o_;
  const uint64_t total_;
  std::atomic<uint64_t> done_{0};
  std::atomic<uint64_t> read_{0};
  std::mutex mu_;
  Findings findings_;
};

std::vector<Job> jobs_of(const LogicalTensors& lts) {
  std::vector<Job> jobs;
  for (const auto& t : lts.tensors) {
    // Only tensors whose file was accepted: a truncated file's data is not there to read.
    if (!t.data.file->header.ok()) continue;
    if (t.scales && !t.scales->file->header.ok()) continue;
    if (t.biases && !t.biases->file->header.ok()) continue;
    if (!t.quantized() && !decodable_float(t.data.info->dtype)) continue;
    jobs.push_back({&t, t.stored_bytes()});
  }
  // Largest first, so the last job to finish is a small one.
  std::stable_sort(jobs.begin(), jobs.end(),
                   [](const Job& a, const Job& b) { return a.bytes > b.bytes; });
  return jobs;
}

}  // namespace

uint64_t deep_scan_bytes(const Validation& v) {
  LogicalTensors lts = logical_tensors(v.checkpoint, v.quant, v.arch);
  uint64_t n = 0;
  for (const auto& j : jobs_of(lts)) n += j.t->data.info->nbytes();
  return n;
}

namespace {

// Repeated all-zero tensors: the first kAllZeroListed and a summary, or, when every tensor with
// data is all zero, one error for the model (`zeros` sorted; `with_data` tensors were scanned).
void cap_all_zero(Findings& out, std::vector<Finding> zeros, uint64_t with_data) {
  if (!zeros.empty() && zeros.size() == with_data) {
    std::string names;
    const size_t named = std::min<size_t>(3, zeros.size());
    for (size_t i = 0; i < named; ++i) names += (i ? ", " : "") + zeros[i].where.tensor;
    if (zeros.size() > named) names += fmt::format(" and {} more", zeros.size() - named);
    out.push_back(file_finding(
        "data.all_zero_model", Severity::kError, "",
        fmt::format("every float and quantized tensor is all zero ({}: {}): the model computes "
                    "nothing",
                    count_noun(zeros.size(), "tensor"), names)));
    return;
  }
  CappedFindings capped(&out, kAllZeroListed);
  for (Finding& f : zeros) capped.add(std::move(f));
  capped.flush("");
}

}  // namespace

Findings deep_scan(const Validation& v, const DataScanOptions& options, DeepScanStats* stats) {
  LogicalTensors lts = logical_tensors(v.checkpoint, v.quant, v.arch);
  std::vector<Job> jobs = jobs_of(lts);
  uint64_t total = 0, with_data = 0;
  for (const auto& j : jobs) {
    total += j.t->data.info->nbytes();
    if (j.t->params > 0) ++with_data;
  }
  Scanner scanner(v, options, total);
  parallel_for(jobs.size(), options.threads, [&](size_t i) { scanner.run(jobs[i]); });
  Findings raw = scanner.take();
  sort_findings(raw);
  Findings f;
  std::vector<Finding> zeros;
  for (Finding& x : raw) {
    if (x.code == "data.all_zero") {
      zeros.push_back(std::move(x));
    } else {
      f.push_back(std::move(x));
    }
  }
  cap_all_zero(f, std::move(zeros), with_data);
  sort_findings(f);
  if (stats) *stats = {jobs.size(), scanner.bytes_read()};
  return f;
}

DeepScanStats add_deep_scan_findings(Validation* v, const DataScanOptions& options) {
  DeepScanStats stats;
  Findings data = deep_scan(*v, options, &stats);
  v->findings.insert(v->findings.end(), data.begin(), data.end());
  sort_findings(v->findings);
  return stats;
}

}  // namespace medq
