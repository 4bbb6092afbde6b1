// The safetensors header reader. The checks follow the reference reader (huggingface/safetensors,
// SafeTensors::read_metadata and Metadata::validate) in its order, so the first finding is the one
// the reference would have failed with. The JSON is parsed by a SAX handler that enforces the
// same schema serde derives for the reference (HashMetadata / TensorInfo), including its
// recursion limit, without building a DOM: a 100 MB header costs one pass.
#include "medq/formats/safetensors.hpp"

#include <algorithm>
#include <array>
#include <nlohmann/json.hpp>
#include <unordered_set>
#include <utility>

#include "medq/diag/json_pointer.hpp"
#include "medq/io/checked.hpp"
#include "medq/io/endian.hpp"
#include "medq/io/local_storage.hpp"
#include "medq/util/utf8.hpp"

namespace medq {

uint64_t TensorInfo::num_elements() const {
  uint64_t n = 1;
  for (uint64_t d : shape) n *= d;
  return n;
}

namespace {

using json = nlohmann::json;

// serde_json refuses to nest deeper than this many arrays/objects (its remaining_depth starts
// at 128 and errors when it reaches zero), so depth 127 parses and 128 does not.
constexpr size_t kMaxJsonDepth = 127;

// What went wrong while reading the header JSON: a code, a message and where.
struct JsonProblem {
  std::string code;
  std::string message;
  std::string pointer;
  std::string tensor;
};

// SAX handler for the header. Depth 1 is the top-level object; its values are either
// `__metadata__` (null or an object of strings) or tensor entries (an object with dtype, shape
// and data_offsets, unknown fields ignored, or the 3-element array form serde also accepts).
class HeaderHandler : public nlohmann::json_sax<json> {
 public:
  std::vector<TensorInfo> tensors;
  std::optional<std::map<std::string, std::string>> metadata;
  // The first schema problem. Parsing continues after it so that a later syntax error, which
  // serde would have reported first (schema errors surface only once the map is buffered), wins.
  std::optional<JsonProblem> schema_problem;
  std::optional<JsonProblem> syntax_problem;
  size_t syntax_position = 0;

  bool null() override { return scalar(Kind::kNull); }
  bool boolean(bool) override { return scalar(Kind::kOther); }
  bool number_integer(number_integer_t v) override {
    // nlohmann reports only negative integers here, and `-0` as the integer 0: serde reads `-0`
    // as a float, so the reference rejects it where an integer is expected.
    if (v == 0) return scalar(Kind::kNegativeZero);
    return v < 0 ? scalar(Kind::kNegative) : unsigned_value(static_cast<uint64_t>(v));
  }
  bool number_unsigned(number_unsigned_t v) override { return unsigned_value(v); }
  bool number_float(number_float_t, const string_t&) override { return scalar(Kind::kFloat); }
  bool string(string_t& s) override { return string_value(s); }
  bool binary(binary_t&) override { return scalar(Kind::kOther); }

  bool start_object(std::size_t) override { return open(/*is_object=*/true); }
  bool end_object() override { return close(); }
  bool start_array(std::size_t) override { return open(/*is_object=*/false); }
  bool end_array() override { return close(); }

  bool key(string_t& k) override {
    if (depth_ == 1) {
      top_key_ = k;
      in_metadata_ = (k == "__metadata__");
      if (in_metadata_) {
        if (seen_metadata_) fail_schema("safetensors.duplicate_key", "duplicate `__metadata__`");
        seen_metadata_ = true;
      } else if (!seen_names_.insert(k).second) {
        // The one deliberate divergence: the reference keeps the last entry silently.
        fail_schema("safetensors.duplicate_tensor", "tensor name appears more than once");
      }
    } else if (depth_ == 2 && in_tensor_object_) {
      field_ = Field::kIgnored;
      if (k == "dtype") {
        field_ = Field::kDtype;
      } else if (k == "shape") {
        field_ = Field::kShape;
      } else if (k == "data_offsets") {
        field_ = Field::kOffsets;
      }
      if (field_ != Field::kIgnored) {
        auto bit = 1u << static_cast<unsigned>(field_);
        if (fields_seen_ & bit)
          fail_schema("safetensors.duplicate_key", "duplicate field `" + k + "`");
        fields_seen_ |= bit;
      }
    } else if (depth_ == 2 && in_metadata_) {
      metadata_key_ = k;
    }
    return true;
  }

  bool parse_error(std::size_t position, const std::string&,
                   const nlohmann::detail::exception& ex) override {
    syntax_position = position;
    syntax_problem = JsonProblem{"safetensors.json_syntax", clean_message(ex.what()), "", ""};
    return false;
  }

 private:
  enum class Kind { kNull, kNegative, kNegativeZero, kFloat, kOther };
  enum class Field : unsigned { kDtype = 0, kShape = 1, kOffsets = 2, kIgnored = 3 };

  // ---- structure ------------------------------------------------------------------------

  bool open(bool is_object) {
    if (depth_ + 1 > kMaxJsonDepth) {
      syntax_problem =
          JsonProblem{"safetensors.json_syntax",
                      "recursion limit exceeded (more than 127 nested levels)", "", ""};
      return false;
    }
    ++depth_;
    if (depth_ == 1) {
      if (!is_object) fail_top_level();
      return true;
    }
    if (depth_ == 2) {
      if (in_metadata_) {
        if (!is_object) {
          fail_schema("safetensors.metadata_invalid",
                      "`__metadata__` must be an object of strings or null, found an array");
        } else {
          metadata.emplace();
        }
        return true;
      }
      begin_tensor(is_object);
      return true;
    }
    // depth >= 3
    if (depth_ == 3 && in_metadata_) {
      fail_schema("safetensors.metadata_invalid",
                  "`__metadata__` value for key `" + metadata_key_ + "` must be a string");
      return true;
    }
    if (depth_ == 3 && (in_tensor_object_ || in_tensor_array_)) {
      Field f = in_tensor_object_ ? field_ : array_field();
      if (f == Field::kShape || f == Field::kOffsets) {
        if (!is_object) {
          list_ = {};
          list_field_ = f;
          in_list_ = true;
          return true;
        }
        fail_tensor(std::string(f == Field::kShape ? "`shape`" : "`data_offsets`") +
                    " must be an array of non-negative integers");
      } else if (f == Field::kDtype) {
        fail_tensor("`dtype` must be a string");
      }
      return true;
    }
    if (depth_ == 4 && in_list_) {
      fail_tensor(list_name() + " must hold non-negative integers, found a nested value");
      in_list_ = false;
    }
    return true;
  }

  bool close() {
    if (depth_ == 3 && in_list_) finish_list();
    if (depth_ == 2 && (in_tensor_object_ || in_tensor_array_)) finish_tensor();
    if (depth_ == 2 && in_metadata_) in_metadata_ = false;
    if (depth_ == 3 && in_tensor_array_) ++array_index_;
    --depth_;
    return true;
  }

  // ---- values ---------------------------------------------------------------------------

  bool scalar(Kind kind) {
    if (depth_ == 0) {
      fail_top_level();
      return true;
    }
    if (depth_ == 1) {
      if (in_metadata_) {
        if (kind != Kind::kNull) {
          fail_schema("safetensors.metadata_invalid",
                      "`__metadata__` must be an object of strings or null");
        }
      } else {
        fail_schema_at_top("safetensors.tensor_entry_invalid",
                           "tensor entry must be an object with dtype, shape and data_offsets");
      }
      return true;
    }
    if (depth_ == 2 && in_metadata_) {
      fail_schema("safetensors.metadata_invalid",
                  "`__metadata__` value for key `" + metadata_key_ + "` must be a string");
      return true;
    }
    if (depth_ == 2 && (in_tensor_object_ || in_tensor_array_)) {
      Field f = in_tensor_object_ ? field_ : array_field();
      if (in_tensor_array_) ++array_index_;
      if (f == Field::kDtype) fail_tensor("`dtype` must be a string");
      if (f == Field::kShape) fail_tensor("`shape` must be an array of non-negative integers");
      if (f == Field::kOffsets) fail_tensor("`data_offsets` must be an array of two integers");
      return true;
    }
    if (depth_ == 3 && in_list_) {
      const char* what = kind == Kind::kNegative       ? "a negative number"
                         : kind == Kind::kNegativeZero ? "-0 (a float to serde, not an integer)"
                         : kind == Kind::kFloat
                             ? "a fraction, an exponent or a number beyond 2^64-1"
                             : "a non-number";
      fail_tensor(list_name() + " must hold non-negative integers, found " + what);
      in_list_ = false;
    }
    return true;
  }

  bool unsigned_value(uint64_t v) {
    if (depth_ == 3 && in_list_) {
      list_.push_back(v);
      return true;
    }
    return scalar(Kind::kOther);
  }

  bool string_value(const std::string& s) {
    if (depth_ == 2 && in_metadata_) {
      // serde's HashMap keeps the last value. Moved: the lexer clears its buffer before reusing it.
      if (metadata) (*metadata)[metadata_key_] = std::move(s);
      return true;
    }
    if (depth_ == 2 && (in_tensor_object_ || in_tensor_array_)) {
      Field f = in_tensor_object_ ? field_ : array_field();
      if (in_tensor_array_) ++array_index_;
      if (f == Field::kDtype) {
        auto d = parse_dtype(s);
        if (!d) {
          fail_schema("safetensors.unknown_dtype", "unknown dtype \"" + s + "\"");
        } else {
          current_.dtype = *d;
        }
        return true;
      }
      if (f == Field::kShape) fail_tensor("`shape` must be an array of non-negative integers");
      if (f == Field::kOffsets) fail_tensor("`data_offsets` must be an array of two integers");
      return true;
    }
    return scalar(Kind::kOther);
  }

  // ---- tensor entries --------------------------------------------------------------------

  void begin_tensor(bool is_object) {
    current_ = TensorInfo{};
    current_.name = top_key_;
    fields_seen_ = 0;
    have_shape_ = have_offsets_ = false;
    in_tensor_object_ = is_object;
    in_tensor_array_ = !is_object;
    array_index_ = 0;
    field_ = Field::kIgnored;
  }

  Field array_field() const {
    switch (array_index_) {
      case 0:
        return Field::kDtype;
      case 1:
        return Field::kShape;
      case 2:
        return Field::kOffsets;
      default:
        return Field::kIgnored;
    }
  }

  void finish_list() {
    in_list_ = false;
    if (list_field_ == Field::kShape) {
      current_.shape = std::move(list_);
      have_shape_ = true;
    } else if (list_field_ == Field::kOffsets) {
      if (list_.size() != 2) {
        fail_tensor("`data_offsets` must hold exactly 2 integers, found " +
                    std::to_string(list_.size()));
      } else {
        current_.begin = list_[0];
        current_.end = list_[1];
        have_offsets_ = true;
      }
    }
    list_ = {};
  }

  void finish_tensor() {
    if (in_tensor_array_ && array_index_ != 3) {
      fail_tensor("tensor entry written as an array must have exactly 3 elements, found " +
                  std::to_string(array_index_));
    } else if (in_tensor_object_) {
      for (auto [bit, name] : {std::pair{0u, "dtype"}, {1u, "shape"}, {2u, "data_offsets"}}) {
        if (!(fields_seen_ & (1u << bit))) fail_tensor(std::string("missing field `") + name + "`");
      }
    }
    if (!schema_problem && (have_shape_ && have_offsets_)) tensors.push_back(std::move(current_));
    in_tensor_object_ = in_tensor_array_ = false;
  }

  std::string list_name() const {
    return list_field_ == Field::kShape ? "`shape`" : "`data_offsets`";
  }

  // ---- problems --------------------------------------------------------------------------

  void fail_top_level() {
    fail_schema("safetensors.json_not_object", "header JSON must be an object");
  }
  void fail_schema(std::string code, std::string message) {
    if (schema_problem) return;
    std::string pointer =
        depth_ >= 1 && !top_key_.empty() ? "/" + json_pointer_escape(top_key_) : "";
    std::string tensor = depth_ >= 1 && !in_metadata_ ? top_key_ : "";
    schema_problem = JsonProblem{std::move(code), std::move(message), pointer, tensor};
  }
  void fail_schema_at_top(std::string code, std::string message) {
    fail_schema(std::move(code), std::move(message));
  }
  void fail_tensor(std::string message) {
    fail_schema("safetensors.tensor_entry_invalid", std::move(message));
  }

  static std::string clean_message(std::string what) {
    // nlohmann prefixes "[json.exception.parse_error.101] parse error at line 1, column 3: ".
    if (what.rfind("[json.exception", 0) == 0) {
      auto colon = what.find(": ");
      if (colon != std::string::npos) what = what.substr(colon + 2);
    }
    return what;
  }

  size_t depth_ = 0;
  std::string top_key_;
  std::string metadata_key_;
  bool in_metadata_ = false;
  bool seen_metadata_ = false;
  std::unordered_set<std::string> seen_names_;

  TensorInfo current_;
  bool in_tensor_object_ = false;
  bool in_tensor_array_ = false;
  size_t array_index_ = 0;
  Field field_ = Field::kIgnored;
  unsigned fields_seen_ = 0;
  bool have_shape_ = false;
  bool have_offsets_ = false;

  bool in_list_ = false;
  Field list_field_ = Field::kIgnored;
  std::vector<uint64_t> list_;
};

Finding make_finding(std::string code, std::string_view file, std::string message,
                     std::optional<uint64_t> offset = std::nullopt, std::string tensor = "",
                     std::string pointer = "") {
  Finding f;
  f.code = std::move(code);
  f.severity = Severity::kError;
  f.where.file = std::string(file);
  f.where.byte_offset = offset;
  f.where.tensor = std::move(tensor);
  f.where.json_pointer = std::move(pointer);
  f.message = std::move(message);
  return f;
}

SafetensorsResult reject(Finding f) {
  SafetensorsResult r;
  r.findings.push_back(std::move(f));
  return r;
}

std::string shape_string(const std::vector<uint64_t>& shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i) s += ", ";
    s += std::to_string(shape[i]);
  }
  return s + "]";
}

}  // namespace

SafetensorsResult parse_safetensors(std::span<const uint8_t> prefix, uint64_t file_size,
                                    std::string_view file) {
  // 1. The 8-byte length.
  if (file_size < 8 || prefix.size() < 8) {
    return reject(make_finding("safetensors.header_too_small", file,
                               "file is " + std::to_string(file_size) +
                                   " bytes; a safetensors file starts with an 8-byte header length",
                               0));
  }
  const uint64_t n = load_le64(prefix.data());

  // 2. The reference's 100,000,000-byte cap.
  if (n > kMaxSafetensorsHeader) {
    return reject(make_finding("safetensors.header_too_large", file,
                               "header length " + std::to_string(n) + " exceeds the limit of " +
                                   std::to_string(kMaxSafetensorsHeader) + " bytes",
                               0));
  }
  // 3. The header must fit in the file.
  auto stop = checked_add(n, 8);
  if (!stop || *stop > file_size) {
    return reject(make_finding("safetensors.invalid_header_length", file,
                               "header length " + std::to_string(n) + " runs past the end of the " +
                                   std::to_string(file_size) + "-byte file",
                               0));
  }
  if (prefix.size() < *stop) {
    // The caller promised at least 8 + N bytes; treat a shorter buffer as a short file.
    return reject(make_finding("safetensors.invalid_header_length", file,
                               "header length " + std::to_string(n) + " runs past the " +
                                   std::to_string(prefix.size()) + " bytes available",
                               0));
  }
  auto header = prefix.subspan(8, static_cast<size_t>(n));

  // 4. UTF-8.
  if (auto bad = first_invalid_utf8(header)) {
    return reject(make_finding("safetensors.invalid_utf8", file,
                               "header is not valid UTF-8 (byte " + std::to_string(8 + *bad) + ")",
                               8 + *bad));
  }

  // 5. JSON, against the reference's schema. serde_json does not skip a byte-order mark, but
  // nlohmann does, so it is refused here first.
  if (header.size() >= 3 && header[0] == 0xEF && header[1] == 0xBB && header[2] == 0xBF) {
    return reject(make_finding("safetensors.json_syntax", file,
                               "header JSON starts with a UTF-8 byte-order mark", 8));
  }
  // nlohmann also treats a NUL byte as the end of its input, so `{}` followed by NUL padding
  // would parse; serde rejects it ("trailing characters"), and JSON never allows a raw NUL.
  if (auto nul = std::find(header.begin(), header.end(), uint8_t{0}); nul != header.end()) {
    auto pos = static_cast<uint64_t>(nul - header.begin());
    return reject(make_finding("safetensors.json_syntax", file,
                               "header JSON contains a NUL byte (NUL padding is not allowed)",
                               8 + pos));
  }
  HeaderHandler handler;
  const char* begin = reinterpret_cast<const char*>(header.data());
  json::sax_parse(begin, begin + header.size(), &handler, nlohmann::json::input_format_t::json,
                  /*strict=*/true, /*ignore_comments=*/false);
  if (handler.syntax_problem) {
    // nlohmann's position counts characters read, one past the offending byte.
    uint64_t pos = handler.syntax_position > 0 ? handler.syntax_position - 1 : 0;
    auto msg = handler.syntax_problem->message;
    if (header.empty()) msg = "header JSON is empty";
    return reject(
        make_finding("safetensors.json_syntax", file, "invalid header JSON: " + msg, 8 + pos));
  }
  if (handler.schema_problem) {
    auto& p = *handler.schema_problem;
    return reject(make_finding(p.code, file, p.message, std::nullopt, p.tensor, p.pointer));
  }

  // 6. Tiling: sorted by (begin, end), each tensor must start where the previous one ended.
  std::vector<TensorInfo> tensors = std::move(handler.tensors);
  std::stable_sort(tensors.begin(), tensors.end(), [](const TensorInfo& a, const TensorInfo& b) {
    return std::pair(a.begin, a.end) < std::pair(b.begin, b.end);
  });
  const uint64_t data_start = *stop;
  uint64_t cursor = 0;
  for (const auto& t : tensors) {
    if (t.begin != cursor || t.end < t.begin) {
      std::string why;
      if (t.end < t.begin) {
        why = "ends before it begins";
      } else if (t.begin < cursor) {
        why = "overlaps the previous tensor, which ends at " + std::to_string(cursor);
      } else if (cursor == 0) {
        why = "leaves a gap: the data region starts at 0";
      } else {
        why = "leaves a gap after the previous tensor, which ends at " + std::to_string(cursor);
      }
      return reject(make_finding(
          "safetensors.invalid_offset", file,
          "data_offsets [" + std::to_string(t.begin) + ", " + std::to_string(t.end) + "] " + why,
          checked_add(data_start, t.begin), t.name));
    }
    cursor = t.end;
    std::optional<uint64_t> elements = 1;
    for (uint64_t d : t.shape) {
      elements = checked_mul(*elements, d);
      if (!elements) break;
    }
    std::optional<uint64_t> bits =
        elements ? checked_mul(*elements, dtype_bits(t.dtype)) : std::nullopt;
    if (!bits) {
      return reject(make_finding("safetensors.shape_overflow", file,
                                 "shape " + shape_string(t.shape) + " of " +
                                     std::string(dtype_name(t.dtype)) +
                                     " overflows 64 bits when sized",
                                 checked_add(data_start, t.begin), t.name));
    }
    if (*bits % 8 != 0) {
      return reject(make_finding("safetensors.misaligned_bits", file,
                                 std::to_string(*elements) + " elements of " +
                                     std::string(dtype_name(t.dtype)) + " make " +
                                     std::to_string(*bits) + " bits, not a whole number of bytes",
                                 checked_add(data_start, t.begin), t.name));
    }
    if (t.end - t.begin != *bits / 8) {
      return reject(make_finding(
          "safetensors.size_mismatch", file,
          std::string(dtype_name(t.dtype)) + " " + shape_string(t.shape) + " needs " +
              std::to_string(*bits / 8) + " bytes, data_offsets [" + std::to_string(t.begin) +
              ", " + std::to_string(t.end) + "] give " + std::to_string(t.end - t.begin),
          checked_add(data_start, t.begin), t.name));
    }
  }

  // 7. The file must end exactly at the last tensor.
  auto expected_size = checked_add(data_start, cursor);
  if (!expected_size || *expected_size != file_size) {
    std::string msg;
    if (expected_size && *expected_size > file_size) {
      msg = "file is truncated: the header describes " + std::to_string(*expected_size) +
            " bytes, the file has " + std::to_string(file_size) + " (" +
            std::to_string(*expected_size - file_size) + " missing)";
    } else if (expected_size) {
      msg = "file has " + std::to_string(file_size - *expected_size) +
            " bytes after the last tensor, which ends at byte " + std::to_string(*expected_size);
    } else {
      msg = "tensor data extends past 2^64 bytes";
    }
    SafetensorsResult r = reject(make_finding(
        "safetensors.incomplete_buffer", file, msg,
        expected_size ? std::optional(std::min(*expected_size, file_size)) : std::nullopt));
    if (expected_size) {
      // The header is sound; keep it so that checks of names and shapes can still run.
      SafetensorsHeader h;
      h.header_len = n;
      h.file_size = file_size;
      h.tensors = std::move(tensors);
      h.metadata = std::move(handler.metadata);
      r.header_of_incomplete_file = std::move(h);
    }
    return r;
  }

  SafetensorsResult r;
  SafetensorsHeader h;
  h.header_len = n;
  h.file_size = file_size;
  h.tensors = std::move(tensors);
  h.metadata = std::move(handler.metadata);
  r.header = std::move(h);
  return r;
}

std::optional<SafetensorsResult> read_safetensors_header(const ByteSource& src,
                                                         std::span<const uint8_t> first,
                                                         std::string_view label, std::string* err) {
  const uint64_t size = src.size();
  std::array<uint8_t, 8> len{};
  const size_t have = static_cast<size_t>(std::min<uint64_t>(size, len.size()));
  if (first.size() >= have) {
    std::copy(first.begin(), first.begin() + static_cast<std::ptrdiff_t>(have), len.begin());
  } else if (!src.read_at(0, len.data(), have, err)) {
    return std::nullopt;
  }
  if (have < len.size()) {  // too short to hold the length: the reader says so
    return parse_safetensors(std::span<const uint8_t>(len.data(), have), size, label);
  }
  const uint64_t n = load_le64(len.data());
  // Read the header only when the checks on N would pass; otherwise the 8 bytes decide.
  auto stop = checked_add(n, 8);
  if (n > kMaxSafetensorsHeader || !stop || *stop > size) {
    return parse_safetensors(len, size, label);
  }
  if (*stop <= first.size()) return parse_safetensors(first, size, label);
  std::vector<uint8_t> buf(static_cast<size_t>(*stop));
  std::copy(len.begin(), len.end(), buf.begin());
  if (!src.read_at(8, buf.data() + 8, static_cast<size_t>(n), err)) return std::nullopt;
  return parse_safetensors(buf, size, label);
}

SafetensorsResult read_safetensors(Opened file, std::string_view label) {
  if (!file.source) return reject(make_finding("safetensors.io_error", label, file.error));
  std::string err;
  auto r = read_safetensors_header(*file.source, {}, label, &err);
  if (!r) return reject(make_finding("safetensors.io_error", label, err));
  return std::move(*r);
}

SafetensorsResult read_safetensors(const std::filesystem::path& path, std::string_view label) {
  return read_safetensors(open_local(path), label);
}

}  // namespace medq
