#include "medq/tokenize/pre_tokenizer.hpp"

#include <algorithm>
#include <utility>

#include "medq/tokenize/byte_level.hpp"

namespace medq {

const char* gpt2_split_pattern() {
  return R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+)";
}

void split_pieces(const UnicodeRegex& re, SplitBehavior behavior, bool invert,
                  const PreToken& piece, std::vector<PreToken>& out) {
  const std::string& s = piece.text;
  // pattern.rs, find_matches: the whole string as (range, is_match) parts.
  struct Part {
    size_t b, e;
    bool match;
  };
  std::vector<Part> parts;
  if (s.empty()) {
    parts.push_back({0, 0, false});
  } else {
    size_t prev = 0;
    for (const auto& [b, e] : re.find_all(s)) {
      if (prev != b) parts.push_back({prev, b, false});
      parts.push_back({b, e, true});
      prev = e;
    }
    if (prev != s.size()) parts.push_back({prev, s.size(), false});
  }
  if (invert) {
    for (Part& p : parts) p.match = !p.match;
  }
  // normalizer.rs, NormalizedString::split: (range, remove) per behaviour.
  std::vector<Part> keep;  // here `match` means "remove"
  switch (behavior) {
    case SplitBehavior::kIsolated:
      for (const Part& p : parts) keep.push_back({p.b, p.e, false});
      break;
    case SplitBehavior::kRemoved:
      keep = parts;
      break;
    case SplitBehavior::kContiguous: {
      bool prev_match = false;
      for (const Part& p : parts) {
        if (p.match == prev_match && !keep.empty()) {
          keep.back().e = p.e;
        } else {
          keep.push_back({p.b, p.e, false});
        }
        prev_match = p.match;
      }
      break;
    }
    case SplitBehavior::kMergedWithPrevious: {
      bool prev_match = false;
      for (const Part& p : parts) {
        if (p.match && !prev_match && !keep.empty()) {
          keep.back().e = p.e;
        } else {
          keep.push_back({p.b, p.e, false});
        }
        prev_match = p.match;
      }
      break;
    }
    case SplitBehavior::kMergedWithNext: {
      bool prev_match = false;
      for (size_t i = parts.size(); i-- > 0;) {
        const Part& p = parts[i];
        if (p.match && !prev_match && !keep.empty()) {
          keep.back().b = p.b;
        } else {
          keep.push_back({p.b, p.e, false});
        }
        prev_match = p.match;
      }
      std::reverse(keep.begin(), keep.end());
      break;
    }
  }
  for (const Part& k : keep) {
    if (k.match || k.e <= k.b) continue;
    out.push_back({s.substr(k.b, k.e - k.b), piece.at_origin && k.b == 0});
  }
}

namespace {

void run_step(const PreTokenizer::Step& st, std::vector<PreToken>& pieces) {
  std::vector<PreToken> out;
  out.reserve(pieces.size());
  switch (st.kind) {
    case PreTokenizer::Kind::kSplit:
      for (const PreToken& p : pieces) split_pieces(*st.pattern, st.behavior, st.invert, p, out);
      break;
    case PreTokenizer::Kind::kByteLevel:
      // byte_level.rs, pre_tokenize: prefix space, optional GPT-2 split, then bytes to chars.
      for (PreToken& p : pieces) {
        if (st.add_prefix_space && (p.text.empty() || p.text[0] != ' ')) p.text.insert(0, " ");
        if (st.pattern) {
          split_pieces(*st.pattern, SplitBehavior::kIsolated, false, p, out);
        } else if (!p.text.empty()) {
          out.push_back(std::move(p));
        }
      }
      for (PreToken& p : out) p.text = bytes_to_byte_level(p.text);
      break;
    case PreTokenizer::Kind::kMetaspace: {
      // metaspace.rs, pre_tokenize: ' ' -> replacement, the prepend scheme, then a split on the
      // replacement merged with the next piece.
      const std::string& rep = st.replacement;
      const UnicodeRegex* re = st.split ? st.pattern.get() : nullptr;
      for (PreToken& p : pieces) {
        std::string t;
        t.reserve(p.text.size() + rep.size());
        for (const char c : p.text) {
          if (c == ' ') {
            t += rep;
          } else {
            t += c;
          }
        }
        const bool starts = t.compare(0, rep.size(), rep) == 0;
        if (!starts && (st.prepend == PreTokenizer::Prepend::kAlways ||
                        (st.prepend == PreTokenizer::Prepend::kFirst && p.at_origin))) {
          t.insert(0, rep);
        }
        PreToken q{std::move(t), p.at_origin};
        if (re != nullptr) {
          split_pieces(*re, SplitBehavior::kMergedWithNext, false, q, out);
        } else if (!q.text.empty()) {
          out.push_back(std::move(q));
        }
      }
      break;
    }
  }
  pieces = std::move(out);
}

}  // namespace

void PreTokenizer::apply(std::vector<PreToken>& pieces) const {
  for (const Step& st : steps_) run_step(st, pieces);
}

bool PreTokenizer::byte_level() const {
  for (const Step& st : steps_) {
    if (st.kind == Kind::kByteLevel) return true;
  }
  return false;
}

std::string PreTokenizer::describe() const {
  std::string out;
  for (const Step& st : steps_) {
    if (!out.empty()) out += ", ";
    out += st.kind == Kind::kSplit       ? "Split"
           : st.kind == Kind::kByteLevel ? "ByteLevel"
                                         : "Metaspace";
  }
  return out.empty() ? "none" : out;
}

}  // namespace medq
