#include "medq/formats/json_file.hpp"

#include <fmt/format.h>

#include <string>
#include <string_view>
#include <unordered_set>
#include <utility>
#include <vector>

#include "medq/formats/json_depth.hpp"
#include "medq/io/local_storage.hpp"
#include "medq/io/padded_buffer.hpp"
#include "medq/io/text_position.hpp"

namespace medq {

namespace {

// Builds the DOM through nlohmann's SAX-to-DOM parser, noting duplicate keys on the way (the
// default parser silently keeps one of them). sax_parse is a template over the handler type, so
// these methods hide the base ones rather than override them.
class DupTrackingSax : public nlohmann::detail::json_sax_dom_parser<nlohmann::json> {
 public:
  using Base = nlohmann::detail::json_sax_dom_parser<nlohmann::json>;
  explicit DupTrackingSax(nlohmann::json& j) : Base(j, /*allow_exceptions=*/false) {}

  bool null() { return value(), Base::null(); }
  bool boolean(bool v) { return value(), Base::boolean(v); }
  bool number_integer(number_integer_t v) { return value(), Base::number_integer(v); }
  bool number_unsigned(number_unsigned_t v) { return value(), Base::number_unsigned(v); }
  bool number_float(number_float_t v, const string_t& s) {
    return value(), Base::number_float(v, s);
  }
  bool string(string_t& v) { return value(), Base::string(v); }
  bool binary(binary_t& v) { return value(), Base::binary(v); }

  bool start_object(std::size_t n) {
    push(/*is_array=*/false);
    return Base::start_object(n);
  }
  bool end_object() {
    --depth_;
    return Base::end_object();
  }
  bool start_array(std::size_t n) {
    push(/*is_array=*/true);
    return Base::start_array(n);
  }
  bool end_array() {
    --depth_;
    return Base::end_array();
  }
  bool key(string_t& k) {
    Frame& f = frames_[depth_ - 1];
    f.key.assign(k);
    // At most 100 kept: each pointer repeats every enclosing key, so an unbounded list could
    // cost far more than the file (one long key above a million duplicates).
    if (!f.insert_key(k) && duplicates.size() < 100) duplicates.push_back(pointer());
    return Base::key(k);
  }
  bool parse_error(std::size_t position, const std::string& last_token,
                   const nlohmann::detail::exception& ex) {
    error_position = position;
    error_message = ex.what();
    return Base::parse_error(position, last_token, ex);
  }

  std::vector<std::string> duplicates;
  std::optional<size_t> error_position;
  std::string error_message;

 private:
  // One open container. Frames are reused as the depth goes up and down (the parse allocates
  // per new depth, not per object), and the pointer tokens are only built for a duplicate.
  struct Frame {
    bool is_array = false;
    size_t index = 0;  // arrays: elements begun so far (the current one is index - 1)
    std::string key;   // objects: the current key, unescaped
    // The keys seen so far: their bytes back to back, compared linearly while the object is
    // small; a hash set once it is not.
    std::string small_keys;
    std::vector<std::pair<uint32_t, uint32_t>> small_spans;
    std::unordered_set<std::string> large_keys;

    void reset(bool array) {
      is_array = array;
      index = 0;
      key.clear();
      small_keys.clear();
      small_spans.clear();
      // A fresh set, not clear(): clearing keeps (and walks) every bucket of the largest object
      // seen at this depth, which a hostile file could make every later object pay for.
      if (!large_keys.empty()) std::unordered_set<std::string>().swap(large_keys);
    }
    /// False when `k` was already a key of this object.
    bool insert_key(std::string_view k) {
      constexpr size_t kSmall = 16;
      if (large_keys.empty() && small_spans.size() < kSmall) {
        for (auto [at, len] : small_spans) {
          if (std::string_view(small_keys).substr(at, len) == k) return false;
        }
        small_spans.emplace_back(static_cast<uint32_t>(small_keys.size()),
                                 static_cast<uint32_t>(k.size()));
        small_keys.append(k);
        return true;
      }
      if (large_keys.empty()) {
        for (auto [at, len] : small_spans) large_keys.emplace(small_keys.substr(at, len));
      }
      return large_keys.emplace(k).second;
    }
  };

  // Called before every value; inside an array it advances the element index.
  void value() {
    if (depth_ > 0 && frames_[depth_ - 1].is_array) ++frames_[depth_ - 1].index;
  }
  void push(bool is_array) {
    value();
    if (depth_ == frames_.size()) frames_.emplace_back();
    frames_[depth_++].reset(is_array);
  }
  std::string pointer() const {
    std::string p;
    for (size_t i = 0; i < depth_; ++i) {
      const Frame& f = frames_[i];
      p += '/';
      p += f.is_array ? std::to_string(f.index - 1) : json_pointer_escape(f.key);
    }
    return p;
  }

  std::vector<Frame> frames_;
  size_t depth_ = 0;
};

}  // namespace

JsonFileResult parse_json_text(std::string_view text, std::string_view file,
                               std::string_view area) {
  JsonFileResult r;
  if (auto deep = json_too_deep_at(text, kMaxSmallJsonDepth)) {
    TextPosition lc = text_position(text, *deep);
    Finding f =
        file_finding(std::string(area) + ".invalid_json", Severity::kError, file,
                     fmt::format("not valid JSON at line {}, column {}: nested deeper than {} "
                                 "levels, more than medq reads",
                                 lc.line, lc.column, kMaxSmallJsonDepth));
    f.where.byte_offset = *deep;
    f.where.line = lc.line;
    f.where.column = lc.column;
    r.findings.push_back(std::move(f));
    return r;
  }
  nlohmann::json value;
  DupTrackingSax sax(value);
  bool ok = nlohmann::json::sax_parse(text.begin(), text.end(), &sax,
                                      nlohmann::json::input_format_t::json, true, false);
  // nlohmann stops at a NUL byte as if the input ended; JSON allows no raw NUL anywhere.
  auto nul = text.find('\0');
  if (ok && nul != std::string_view::npos) {
    ok = false;
    sax.error_position = nul + 1;
    sax.error_message = "unexpected NUL byte";
  }
  if (!ok || sax.is_errored()) {
    size_t pos = sax.error_position.value_or(1);
    size_t offset = pos > 0 ? pos - 1 : 0;
    TextPosition lc = text_position(text, offset);
    std::string msg = sax.error_message;
    if (msg.rfind("[json.exception", 0) == 0) {
      auto colon = msg.find(": ");
      if (colon != std::string::npos) msg = msg.substr(colon + 2);
    }
    Finding f = file_finding(
        std::string(area) + ".invalid_json", Severity::kError, file,
        fmt::format("not valid JSON at line {}, column {}: {}", lc.line, lc.column, msg));
    f.where.byte_offset = offset;
    f.where.line = lc.line;
    f.where.column = lc.column;
    r.findings.push_back(std::move(f));
    return r;
  }
  for (const auto& p : sax.duplicates) {
    Finding f =
        file_finding(std::string(area) + ".duplicate_key", Severity::kWarning, file,
                     "key appears more than once in one object; readers keep only one value");
    f.where.json_pointer = p;
    r.findings.push_back(std::move(f));
  }
  r.value = std::move(value);
  return r;
}

std::optional<JsonFileResult> load_json_file(Opened opened, std::string_view file,
                                             std::string_view area, uint64_t max_bytes,
                                             PaddedBuffer* bytes) {
  *bytes = PaddedBuffer();
  JsonFileResult r;
  std::string err;
  const ByteSource* f = opened.source.get();
  if (!f) {
    r.findings.push_back(
        file_finding(std::string(area) + ".unreadable", Severity::kError, file, opened.error));
    return r;
  }
  if (f->size() > max_bytes) {
    r.findings.push_back(file_finding(std::string(area) + ".too_large", Severity::kError, file,
                                      fmt::format("{} bytes is more than the {} bytes medq reads "
                                                  "for this kind of file",
                                                  f->size(), max_bytes)));
    return r;
  }
  PaddedBuffer loaded(static_cast<size_t>(f->size()));
  if (!f->read_at(0, loaded.data(), loaded.size(), &err)) {
    r.findings.push_back(
        file_finding(std::string(area) + ".unreadable", Severity::kError, file, err));
    return r;
  }
  *bytes = std::move(loaded);
  return std::nullopt;
}

std::optional<JsonFileResult> load_json_file(const std::filesystem::path& path,
                                             std::string_view file, std::string_view area,
                                             uint64_t max_bytes, PaddedBuffer* bytes) {
  return load_json_file(open_local(path), file, area, max_bytes, bytes);
}

JsonFileResult read_json_file(const std::filesystem::path& path, std::string_view file,
                              std::string_view area, uint64_t max_bytes) {
  return read_json_file(open_local(path), file, area, max_bytes);
}

JsonFileResult read_json_file(Opened opened, std::string_view file, std::string_view area,
                              uint64_t max_bytes) {
  PaddedBuffer bytes;
  if (auto failed = load_json_file(std::move(opened), file, area, max_bytes, &bytes)) {
    return std::move(*failed);
  }
  return parse_json_text(std::string_view(bytes.data(), bytes.size()), file, area);
}

}  // namespace medq
