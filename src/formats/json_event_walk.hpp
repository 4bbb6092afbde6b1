// Drives a SAX handler (nlohmann's null, boolean, number_integer, number_unsigned, start_object,
// end_object, start_array, end_array; and on_number_float(text), on_string(view), on_key(view),
// whose views stay valid until the parser is destroyed, so nothing is copied) from simdjson's
// On-Demand parser, visiting every value of the document. Nothing is skipped, so every value is
// checked (On-Demand validates what it visits; its first stage has checked the UTF-8 and the
// structure characters of the whole input). Private to medq_core.
//
// Why: nlohmann's lexer took ~0.3 s of CPU on Gemma 3's 33 MB tokenizer.json; this walk takes
// well under 0.1 s with ~2x the file in memory (docs/benchmarks.md). On any error the caller
// parses the input again with nlohmann, which reports the line and column.
#pragma once

#include <simdjson.h>

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>

namespace medq::detail {

template <typename Handler>
class JsonEventWalk {
 public:
  JsonEventWalk(simdjson::ondemand::document* doc, Handler* h) : doc_(doc), h_(h) {}

  /// Walks the document, whose root must be an object (anything else is an error here: the
  /// caller takes its slow path). False when the handler stopped (its own reason, e.g. nesting
  /// too deep; recursion stops with it, so the handler's depth limit bounds the stack) or the
  /// input is malformed (`error()` is set).
  bool run() {
    simdjson::ondemand::json_type type;
    if (fail(doc_->type().get(type))) return false;
    if (type != simdjson::ondemand::json_type::object) return !fail(simdjson::INCORRECT_TYPE);
    simdjson::ondemand::object root;
    if (fail(doc_->get_object().get(root))) return false;
    if (!object(root)) return false;
    // Something after the top-level object: the position is readable only when there is one.
    const char* rest = nullptr;
    if (doc_->current_location().get(rest) == simdjson::SUCCESS) {
      return !fail(simdjson::TRAILING_CONTENT);
    }
    return true;
  }

  simdjson::error_code error() const { return error_; }

 private:
  // By reference: passing the value by copy cost a store-forwarding stall per value (~10 % of
  // the walk on Gemma 3's tokenizer.json).
  bool value(simdjson::ondemand::value& v) {
    simdjson::ondemand::json_type type;
    if (fail(v.type().get(type))) return false;
    switch (type) {
      case simdjson::ondemand::json_type::object: {
        simdjson::ondemand::object obj;
        if (fail(v.get_object().get(obj))) return false;
        return object(obj);
      }
      case simdjson::ondemand::json_type::array:
        return array(v);
      case simdjson::ondemand::json_type::string: {
        // Most strings hold no escape: their bytes are the value, read in place.
        if (auto plain = as_is(v.raw_json_token().data() + 1)) {
          simdjson::ondemand::raw_json_string consumed;
          if (fail(v.get_raw_json_string().get(consumed))) return false;
          return h_->on_string(*plain);
        }
        std::string_view s;
        if (fail(v.get_string().get(s))) return false;
        return h_->on_string(s);
      }
      case simdjson::ondemand::json_type::number:
        return number(v);
      case simdjson::ondemand::json_type::boolean: {
        bool b = false;
        if (fail(v.get_bool().get(b))) return false;
        return h_->boolean(b);
      }
      case simdjson::ondemand::json_type::null: {
        bool is_null = false;
        if (fail(v.is_null().get(is_null))) return false;
        if (!is_null) return !fail(simdjson::N_ATOM_ERROR);
        return h_->null();
      }
    }
    return !fail(simdjson::TAPE_ERROR);
  }

  bool object(simdjson::ondemand::object& obj) {
    if (!h_->start_object(static_cast<std::size_t>(-1))) return false;
    for (auto field : obj) {
      simdjson::ondemand::field f;
      if (fail(std::move(field).get(f))) return false;
      std::string_view k;
      if (auto plain = as_is(f.key().raw())) {
        k = *plain;
      } else if (fail(f.unescaped_key().get(k))) {
        return false;
      }
      if (!h_->on_key(k)) return false;
      if (!value(f.value())) return false;
    }
    return h_->end_object();
  }

  bool array(simdjson::ondemand::value& v) {
    simdjson::ondemand::array arr;
    if (fail(v.get_array().get(arr))) return false;
    if (!h_->start_array(static_cast<std::size_t>(-1))) return false;
    for (auto element : arr) {
      simdjson::ondemand::value child;
      if (fail(std::move(element).get(child))) return false;
      if (!value(child)) return false;
    }
    return h_->end_array();
  }

  // nlohmann's conventions: non-negative integers arrive as number_unsigned, negative ones as
  // number_integer, the rest as number_float with the token's text (used in messages).
  bool number(simdjson::ondemand::value& v) {
    std::string_view raw = v.raw_json_token();
    while (!raw.empty() &&
           (raw.back() == ' ' || raw.back() == '\n' || raw.back() == '\r' || raw.back() == '\t')) {
      raw.remove_suffix(1);
    }
    simdjson::ondemand::number n;
    if (simdjson::error_code e = v.get_number().get(n); e != simdjson::SUCCESS) {
      // An integer beyond 64 bits is valid JSON (nlohmann reads it as a float): read it so.
      double d = 0;  // read only to validate the token
      if (fail(v.get_double().get(d))) return false;
      return h_->on_number_float(raw);
    }
    switch (n.get_number_type()) {
      case simdjson::ondemand::number_type::signed_integer: {
        const int64_t i = n.get_int64();
        if (i >= 0) return h_->number_unsigned(static_cast<uint64_t>(i));
        return h_->number_integer(i);
      }
      case simdjson::ondemand::number_type::unsigned_integer:
        return h_->number_unsigned(n.get_uint64());
      case simdjson::ondemand::number_type::floating_point_number:
        break;
    }
    return h_->on_number_float(raw);
  }

  // A string without a backslash needs no unescaping: the first stage has already checked that
  // the input is UTF-8 and that no string holds a control character, so its bytes between the
  // quotes are its value. Reading them in place saves the copy into the parser's string buffer
  // (a third of the walk's time on Gemma 3's tokenizer.json, whose ~1.8 M strings almost never
  // hold an escape). `p`: just past the opening quote. The first stage guarantees a closing
  // quote before the end of the input; a NUL (none in valid input, and the padding after the
  // input is zero) stops the scan all the same. Eight bytes at a time: a word read at or before
  // the closing quote ends at most 7 bytes past it, inside the input's 64 bytes of padding.
  static std::optional<std::string_view> as_is(const char* p) {
    constexpr uint64_t kOnes = 0x0101010101010101ull, kHigh = 0x8080808080808080ull;
    constexpr uint64_t kQuote = kOnes * '"', kBackslash = kOnes * '\\';
    // The lowest set bit of zero_bytes(x) marks x's first zero byte exactly (the borrow can only
    // mark bytes above a real zero).
    const auto zero_bytes = [&](uint64_t x) { return (x - kOnes) & ~x & kHigh; };
    for (const char* q = p;; q += 8) {
      uint64_t w;
      std::memcpy(&w, q, sizeof w);
      const uint64_t stop = zero_bytes(w ^ kQuote) | zero_bytes(w ^ kBackslash) | zero_bytes(w);
      if (stop == 0) continue;
      static_assert(std::endian::native == std::endian::little);  // first byte = lowest
      const char* at = q + (static_cast<unsigned>(__builtin_ctzll(stop)) >> 3);
      if (*at != '"') return std::nullopt;
      return std::string_view(p, static_cast<size_t>(at - p));
    }
  }

  // Keeps the first error; true when `e` is one.
  bool fail(simdjson::error_code e) {
    if (e == simdjson::SUCCESS) return false;
    if (error_ == simdjson::SUCCESS) error_ = e;
    return true;
  }

  simdjson::ondemand::document* doc_;
  Handler* h_;
  simdjson::error_code error_ = simdjson::SUCCESS;
};

}  // namespace medq::detail
