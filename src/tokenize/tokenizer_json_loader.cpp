// tokenizer.json to the components of a JsonTokenizer. What is read, and what each field means,
// follows tokenizers' serde definitions (models/bpe/serialization.rs, normalizers/mod.rs,
// pre_tokenizers/mod.rs, processors/template.rs, tokenizer/serialization.rs). Every component
// type that is not listed here is refused by name ("tokenizer component normalizer 'Lowercase'
// is not supported") rather than skipped: skipping would give wrong ids without a word.
#include <simdjson.h>

#include "json_access.hpp"
#include "medq/formats/tokenizer_json.hpp"
#include "medq/io/local_storage.hpp"
#include "medq/io/padded_buffer.hpp"
#include "medq/tokenize/json_tokenizer.hpp"

namespace medq {

using namespace tokenize_detail;

namespace {

std::shared_ptr<UnicodeRegex> load_pattern(Json obj, std::string_view what) {
  auto p = field(obj, "pattern");
  if (!p) throw TokenizeError(fmt::format("{} has no pattern", what));
  if (auto s = field(*p, "String")) {
    return std::make_shared<UnicodeRegex>(UnicodeRegex::literal(as_string(*s, what)));
  }
  if (auto r = field(*p, "Regex")) {
    return std::make_shared<UnicodeRegex>(as_string(*r, what));
  }
  throw TokenizeError(fmt::format("{}: pattern is neither String nor Regex", what));
}

void load_normalizer(Json n, std::vector<Normalizer::Step>& steps, size_t depth) {
  if (depth > kMaxJsonDepth) throw TokenizeError("normalizer nested too deeply");
  const std::string_view type = type_of(n, "normalizer");
  using K = Normalizer::Kind;
  if (type == "Sequence") {
    auto list = field(n, "normalizers");
    simdjson::dom::array arr;
    if (!list || list->get(arr) != simdjson::SUCCESS) {
      throw TokenizeError("normalizer Sequence has no normalizers list");
    }
    for (Json e : arr) load_normalizer(e, steps, depth + 1);
  } else if (type == "Replace") {
    steps.push_back({K::kReplace, load_pattern(n, "normalizer Replace"),
                     std::string(string_field(n, "content", "normalizer Replace"))});
  } else if (type == "Prepend") {
    steps.push_back(
        {K::kPrepend, nullptr, std::string(string_field(n, "prepend", "normalizer Prepend"))});
  } else if (type == "NFC") {
    steps.push_back({K::kNfc, nullptr, {}});
  } else if (type == "NFD") {
    steps.push_back({K::kNfd, nullptr, {}});
  } else if (type == "NFKC") {
    steps.push_back({K::kNfkc, nullptr, {}});
  } else if (type == "NFKD") {
    steps.push_back({K::kNfkd, nullptr, {}});
  } else {
    throw unsupported("normalizer", type);
  }
}

SplitBehavior load_behavior(Json n) {
  const std::string_view b = string_field(n, "behavior", "pre-tokenizer Split");
  if (b == "Removed") return SplitBehavior::kRemoved;
  if (b == "Isolated") return SplitBehavior::kIsolated;
  if (b == "MergedWithPrevious") return SplitBehavior::kMergedWithPrevious;
  if (b == "MergedWithNext") return SplitBehavior::kMergedWithNext;
  if (b == "Contiguous") return SplitBehavior::kContiguous;
  throw unsupported("Split behavior", b);
}

void load_pre_tokenizer(Json n, std::vector<PreTokenizer::Step>& steps, size_t depth) {
  if (depth > kMaxJsonDepth) throw TokenizeError("pre-tokenizer nested too deeply");
  const std::string_view type = type_of(n, "pre-tokenizer");
  PreTokenizer::Step st;
  if (type == "Sequence") {
    auto list = field(n, "pretokenizers");
    simdjson::dom::array arr;
    if (!list || list->get(arr) != simdjson::SUCCESS) {
      throw TokenizeError("pre-tokenizer Sequence has no pretokenizers list");
    }
    for (Json e : arr) load_pre_tokenizer(e, steps, depth + 1);
    return;
  }
  if (type == "Split") {
    st.kind = PreTokenizer::Kind::kSplit;
    st.pattern = load_pattern(n, "pre-tokenizer Split");
    st.behavior = load_behavior(n);
    st.invert = bool_field(n, "invert", false, "pre-tokenizer Split");
  } else if (type == "ByteLevel") {
    // byte_level.rs: add_prefix_space defaults to true, use_regex to true.
    st.kind = PreTokenizer::Kind::kByteLevel;
    st.add_prefix_space = bool_field(n, "add_prefix_space", true, "pre-tokenizer ByteLevel");
    if (bool_field(n, "use_regex", true, "pre-tokenizer ByteLevel")) {
      st.pattern = std::make_shared<UnicodeRegex>(gpt2_split_pattern());
    }
  } else if (type == "Metaspace") {
    // metaspace.rs: replacement, prepend_scheme (always / first / never; older files say
    // add_prefix_space, true meaning always), split (default true).
    st.kind = PreTokenizer::Kind::kMetaspace;
    st.replacement = std::string(string_field(n, "replacement", "pre-tokenizer Metaspace"));
    if (auto ps = field(n, "prepend_scheme")) {
      const std::string_view s = as_string(*ps, "Metaspace prepend_scheme");
      if (s == "always") {
        st.prepend = PreTokenizer::Prepend::kAlways;
      } else if (s == "first") {
        st.prepend = PreTokenizer::Prepend::kFirst;
      } else if (s == "never") {
        st.prepend = PreTokenizer::Prepend::kNever;
      } else {
        throw unsupported("Metaspace prepend_scheme", s);
      }
    } else {
      st.prepend = bool_field(n, "add_prefix_space", true, "pre-tokenizer Metaspace")
                       ? PreTokenizer::Prepend::kAlways
                       : PreTokenizer::Prepend::kNever;
    }
    st.split = bool_field(n, "split", true, "pre-tokenizer Metaspace");
    if (st.split)
      st.pattern = std::make_shared<UnicodeRegex>(UnicodeRegex::literal(st.replacement));
  } else {
    throw unsupported("pre-tokenizer", type);
  }
  steps.push_back(std::move(st));
}

std::unique_ptr<BpeModel> load_bpe(Json m) {
  const std::string_view type = field(m, "type") ? type_of(m, "model") : "BPE";
  if (type != "BPE") throw unsupported("model", type);
  if (auto d = field(m, "dropout")) {
    double v = 0;
    if (d->get(v) != simdjson::SUCCESS || v != 0.0) throw unsupported("BPE option", "dropout");
  }
  BpeModel::Options opt;
  const auto opt_string = [&](std::string_view key) -> std::optional<std::string> {
    auto v = field(m, key);
    if (!v) return std::nullopt;
    return std::string(as_string(*v, fmt::format("model.{}", key)));
  };
  opt.unk_token = opt_string("unk_token");
  opt.continuing_subword_prefix = opt_string("continuing_subword_prefix");
  opt.end_of_word_suffix = opt_string("end_of_word_suffix");
  opt.fuse_unk = bool_field(m, "fuse_unk", false, "model");
  opt.byte_fallback = bool_field(m, "byte_fallback", false, "model");
  opt.ignore_merges = bool_field(m, "ignore_merges", false, "model");

  // Views into the parsed document, which outlives the model's construction.
  std::vector<std::pair<std::string_view, uint32_t>> vocab;
  auto v = field(m, "vocab");
  simdjson::dom::object vo;
  if (!v || v->get(vo) != simdjson::SUCCESS) throw TokenizeError("model.vocab is not an object");
  vocab.reserve(vo.size());
  for (auto [key, val] : vo) {
    const uint64_t id = as_uint(val, "a model.vocab id");
    if (id >= BpeModel::kMaxTokenId)
      throw TokenizeError(fmt::format("model.vocab id {} is too large", id));
    vocab.emplace_back(key, static_cast<uint32_t>(id));
  }
  std::vector<std::pair<std::string_view, std::string_view>> merges;
  if (auto mg = field(m, "merges")) {
    simdjson::dom::array arr;
    if (mg->get(arr) != simdjson::SUCCESS) throw TokenizeError("model.merges is not a list");
    merges.reserve(arr.size());
    size_t rank = 0;
    for (Json e : arr) {
      std::string_view s;
      simdjson::dom::array pair;
      if (e.get(s) == simdjson::SUCCESS) {
        // convert_merges_to_hashmap: "a b", exactly one space.
        const size_t sp = s.find(' ');
        if (sp == std::string_view::npos || s.find(' ', sp + 1) != std::string_view::npos) {
          throw TokenizeError(fmt::format("model.merges[{}] is not two tokens", rank));
        }
        merges.emplace_back(s.substr(0, sp), s.substr(sp + 1));
      } else if (e.get(pair) == simdjson::SUCCESS && pair.size() == 2) {
        merges.emplace_back(as_string(pair.at(0).value_unsafe(), "a merge"),
                            as_string(pair.at(1).value_unsafe(), "a merge"));
      } else {
        throw TokenizeError(fmt::format("model.merges[{}] is not two tokens", rank));
      }
      ++rank;
    }
  }
  return std::make_unique<BpeModel>(vocab, merges, std::move(opt));
}

uint32_t special_id(Json specials, std::string_view name) {
  auto s = field(specials, name);
  auto ids = s ? field(*s, "ids") : std::nullopt;
  simdjson::dom::array arr;
  if (!ids || ids->get(arr) != simdjson::SUCCESS || arr.size() != 1) {
    throw TokenizeError(fmt::format(
        "post-processor TemplateProcessing: special token '{}' has no single id", name));
  }
  const uint64_t id = as_uint(arr.at(0).value_unsafe(), "a special token id");
  if (id >= BpeModel::kMaxTokenId) throw TokenizeError("special token id too large");
  return static_cast<uint32_t>(id);
}

void load_post(Json p, PostProcessor& post, size_t depth) {
  if (depth > kMaxJsonDepth) throw TokenizeError("post-processor nested too deeply");
  const std::string_view type = type_of(p, "post-processor");
  if (type == "Sequence") {
    auto list = field(p, "processors");
    simdjson::dom::array arr;
    if (!list || list->get(arr) != simdjson::SUCCESS) {
      throw TokenizeError("post-processor Sequence has no processors list");
    }
    for (Json e : arr) load_post(e, post, depth + 1);
    post.kind = "Sequence";
    return;
  }
  if (type == "ByteLevel") {
    if (post.kind == "none") post.kind = "ByteLevel";
    return;  // offsets only (byte_level.rs, process)
  }
  if (type != "TemplateProcessing") throw unsupported("post-processor", type);
  post.kind = "TemplateProcessing";
  auto single = field(p, "single");
  auto specials = field(p, "special_tokens");
  simdjson::dom::array arr;
  if (!single || single->get(arr) != simdjson::SUCCESS || !specials) {
    throw TokenizeError("post-processor TemplateProcessing has no single template");
  }
  post.before.clear();
  post.after.clear();
  bool seen_a = false;
  for (Json piece : arr) {
    if (auto st = field(piece, "SpecialToken")) {
      const uint32_t id = special_id(*specials, string_field(*st, "id", "SpecialToken"));
      (seen_a ? post.after : post.before).push_back(id);
    } else if (auto sq = field(piece, "Sequence")) {
      if (string_field(*sq, "id", "Sequence") != "A" || seen_a) {
        throw TokenizeError("post-processor TemplateProcessing: single template is not one $A");
      }
      seen_a = true;
    } else {
      throw TokenizeError("post-processor TemplateProcessing: unknown template piece");
    }
  }
  if (!seen_a) throw TokenizeError("post-processor TemplateProcessing: single has no $A");
}

}  // namespace

struct JsonTokenizerLoader {
  static JsonTokenizer from_dom(Json root) {
    JsonTokenizer t;
    for (const char* unsupported_field : {"truncation", "padding"}) {
      if (field(root, unsupported_field)) {
        throw TokenizeError(
            fmt::format("tokenizer component {} is not supported", unsupported_field));
      }
    }
    std::vector<Normalizer::Step> nsteps;
    if (auto n = field(root, "normalizer")) load_normalizer(*n, nsteps, 0);
    t.normalizer_ = Normalizer(std::move(nsteps));
    std::vector<PreTokenizer::Step> psteps;
    if (auto p = field(root, "pre_tokenizer")) load_pre_tokenizer(*p, psteps, 0);
    t.pre_tokenizer_ = PreTokenizer(std::move(psteps));
    auto m = field(root, "model");
    if (!m) throw TokenizeError("tokenizer.json has no model");
    t.model_ = load_bpe(*m);
    if (auto p = field(root, "post_processor")) load_post(*p, t.post_, 0);
    if (auto d = field(root, "decoder")) {
      if (auto dt = field(*d, "type")) t.decoder_ = std::string(as_string(*dt, "decoder.type"));
    }
    std::vector<AddedTokenSpec> added;
    if (auto a = field(root, "added_tokens")) {
      simdjson::dom::array arr;
      if (a->get(arr) != simdjson::SUCCESS) throw TokenizeError("added_tokens is not a list");
      for (Json e : arr) {
        AddedTokenSpec s;
        s.content = std::string(string_field(e, "content", "an added token"));
        auto idv = field(e, "id");
        if (!idv) throw TokenizeError("an added token has no id");
        const uint64_t id = as_uint(*idv, "an added token id");
        if (id >= BpeModel::kMaxTokenId) throw TokenizeError("added token id too large");
        // add_tokens: a content the model knows keeps the model's id.
        s.id = t.model_->token_to_id(s.content).value_or(static_cast<uint32_t>(id));
        s.special = bool_field(e, "special", false, "an added token");
        s.single_word = bool_field(e, "single_word", false, "an added token");
        s.lstrip = bool_field(e, "lstrip", false, "an added token");
        s.rstrip = bool_field(e, "rstrip", false, "an added token");
        s.normalized = bool_field(e, "normalized", !s.special, "an added token");
        added.push_back(std::move(s));
      }
    }
    t.added_ = AddedVocabulary(std::move(added), &t.normalizer_);
    return t;
  }
};

JsonTokenizer JsonTokenizer::parse(std::string_view text) {
  simdjson::dom::parser parser;
  Json root;
  const auto err = parser.parse(text.data(), text.size(), true).get(root);
  if (err != simdjson::SUCCESS) {
    throw TokenizeError(
        fmt::format("tokenizer.json is not valid JSON: {}", simdjson::error_message(err)));
  }
  return JsonTokenizerLoader::from_dom(root);
}

JsonTokenizer JsonTokenizer::load(const std::filesystem::path& path) {
  return load(open_local(path), path.string());
}

JsonTokenizer JsonTokenizer::load(Opened file, std::string_view label) {
  PaddedBuffer bytes;
  if (auto failed = load_tokenizer_json(std::move(file), label, &bytes)) {
    std::string msg = "cannot read " + std::string(label);
    if (!failed->findings.empty()) msg = failed->findings.front().message;
    throw TokenizeError(msg);
  }
  simdjson::dom::parser parser;
  Json root;
  const auto err = parser.parse(bytes.data(), bytes.size(), false).get(root);
  if (err != simdjson::SUCCESS) {
    throw TokenizeError(
        fmt::format("{} is not valid JSON: {}", label, simdjson::error_message(err)));
  }
  return JsonTokenizerLoader::from_dom(root);
}

}  // namespace medq
