#include "tokenizer_synth.hpp"

#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <unordered_set>

#include "rng.hpp"

namespace medq::synth {

namespace {

using nlohmann::ordered_json;

struct Named {
  int64_t id;
  const char* text;
};

std::vector<Named> specials(const Arch& a) {
  std::vector<Named> s = {{a.ids.pad, "<pad>"},
                          {a.ids.eos, "<eos>"},
                          {a.ids.bos, "<bos>"},
                          {a.ids.unk, "<unk>"},
                          {a.ids.start_of_turn, "<start_of_turn>"},
                          {a.ids.end_of_turn, "<end_of_turn>"},
                          {a.ids.start_of_image, "<start_of_image>"},
                          {a.ids.end_of_image, "<end_of_image>"},
                          {a.ids.image_soft, "<image_soft_token>"}};
  std::vector<Named> out;
  for (const Named& n : s)
    if (n.id >= 0) out.push_back(n);
  return out;
}

const std::string& piece(const Vocab& v, int64_t id) { return v.pieces[static_cast<size_t>(id)]; }

ordered_json added_token(int64_t id, const std::string& content) {
  return {{"id", id},        {"content", content},  {"single_word", false}, {"lstrip", false},
          {"rstrip", false}, {"normalized", false}, {"special", true}};
}

// Protobuf wire helpers for the SentencePiece model.
void varint(std::string& o, uint64_t v) {
  while (v >= 0x80) {
    o.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  o.push_back(static_cast<char>(v));
}
void field_bytes(std::string& o, unsigned field, const std::string& b) {
  varint(o, (field << 3) | 2);
  varint(o, b.size());
  o += b;
}
void field_varint(std::string& o, unsigned field, uint64_t v) {
  varint(o, field << 3);
  varint(o, v);
}
void field_float(std::string& o, unsigned field, float f) {
  varint(o, (field << 3) | 5);
  char b[4];
  std::memcpy(b, &f, 4);  // little-endian host, as protobuf's fixed32
  o.append(b, 4);
}

}  // namespace

Vocab build_vocab(const Arch& a, uint64_t seed) {
  const size_t n = a.ids.tokenizer_size;
  Vocab v;
  v.pieces.assign(n, std::string());
  v.special.assign(n, false);
  v.added_only.assign(n, false);
  if (a.ids.image_soft >= 0) v.added_only[static_cast<size_t>(a.ids.image_soft)] = true;
  std::unordered_set<std::string> used;
  for (const Named& s : specials(a)) {
    v.pieces[static_cast<size_t>(s.id)] = s.text;
    v.special[static_cast<size_t>(s.id)] = true;
    used.insert(s.text);
  }
  size_t next = 0;
  auto place = [&](const std::string& p) {
    while (next < n && !v.pieces[next].empty()) ++next;
    if (next >= n) return false;
    v.pieces[next] = p;
    used.insert(p);
    return true;
  };
  for (int b = 0; b < 256; ++b) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "<0x%02X>", b);
    if (!place(buf)) throw std::invalid_argument("tokenizer too small for byte fallback");
  }
  std::vector<std::string> atoms = {"\xe2\x96\x81"};  // U+2581, SentencePiece's space
  for (char c = 'a'; c <= 'z'; ++c) atoms.emplace_back(1, c);
  for (char c = 'A'; c <= 'Z'; ++c) atoms.emplace_back(1, c);
  for (char c = '0'; c <= '9'; ++c) atoms.emplace_back(1, c);
  for (char c : std::string(".,!?'-:;()")) atoms.emplace_back(1, c);
  std::vector<std::string> mergeable;
  for (const std::string& s : atoms) {
    if (!place(s)) break;
    mergeable.push_back(s);
  }
  Rng rng = Rng::for_name(seed, "tokenizer");
  while (true) {
    while (next < n && !v.pieces[next].empty()) ++next;
    if (next >= n) break;
    // Merge a random known piece with a random atom-or-piece; short pieces stay likely.
    const auto pick = [&](size_t limit) {
      return mergeable[static_cast<size_t>(rng.next_u64() % limit)];
    };
    const std::string l = pick(mergeable.size());
    const std::string r = pick(std::min<size_t>(mergeable.size(), atoms.size() * 4));
    const std::string m = l + r;
    if (used.count(m) || m.size() > 24) continue;
    v.merges.push_back(l + " " + r);
    place(m);
    mergeable.push_back(m);
  }
  return v;
}

ordered_json tokenizer_json(const Vocab& v, const Arch& a) {
  ordered_json added = ordered_json::array();
  for (size_t i = 0; i < v.pieces.size(); ++i)
    if (v.special[i]) added.push_back(added_token(static_cast<int64_t>(i), v.pieces[i]));
  // The vocabulary is written in id order, as the tokenizers library does. ordered_json's map
  // searches linearly on every insert, which is quadratic for 262k pieces; the pieces are unique
  // by construction, so they are appended to its underlying vector directly.
  ordered_json vocab = ordered_json::object();
  auto& entries = static_cast<std::vector<std::pair<const std::string, ordered_json>>&>(
      vocab.get_ref<ordered_json::object_t&>());
  entries.reserve(v.pieces.size());
  for (size_t i = 0; i < v.pieces.size(); ++i)
    if (!v.added_only[i]) entries.emplace_back(v.pieces[i], i);
  const std::string bos = piece(v, a.ids.bos);
  ordered_json post = {
      {"type", "TemplateProcessing"},
      {"single",
       {{{"SpecialToken", {{"id", bos}, {"type_id", 0}}}},
        {{"Sequence", {{"id", "A"}, {"type_id", 0}}}}}},
      {"pair",
       {{{"SpecialToken", {{"id", bos}, {"type_id", 0}}}},
        {{"Sequence", {{"id", "A"}, {"type_id", 0}}}},
        {{"Sequence", {{"id", "B"}, {"type_id", 1}}}}}},
      {"special_tokens", {{bos, {{"id", bos}, {"ids", {a.ids.bos}}, {"tokens", {bos}}}}}}};
  ordered_json decoder = {
      {"type", "Sequence"},
      {"decoders",
       {{{"type", "Replace"}, {"pattern", {{"String", "\xe2\x96\x81"}}}, {"content", " "}},
        {{"type", "ByteFallback"}},
        {{"type", "Fuse"}}}}};
  ordered_json model = {{"type", "BPE"},
                        {"dropout", nullptr},
                        {"unk_token", piece(v, a.ids.unk)},
                        {"continuing_subword_prefix", nullptr},
                        {"end_of_word_suffix", nullptr},
                        {"fuse_unk", true},
                        {"byte_fallback", true},
                        {"ignore_merges", false},
                        {"vocab", vocab},
                        {"merges", v.merges}};
  return {{"version", "1.0"},
          {"truncation", nullptr},
          {"padding", nullptr},
          {"added_tokens", added},
          {"normalizer",
           {{"type", "Replace"}, {"pattern", {{"String", " "}}}, {"content", "\xe2\x96\x81"}}},
          {"pre_tokenizer", nullptr},
          {"post_processor", post},
          {"decoder", decoder},
          {"model", model}};
}

ordered_json tokenizer_config_json(const Vocab& v, const Arch& a) {
  ordered_json dec = ordered_json::object();
  for (size_t i = 0; i < v.pieces.size(); ++i) {
    if (!v.special[i]) continue;
    ordered_json t = added_token(static_cast<int64_t>(i), v.pieces[i]);
    t.erase("id");
    dec[std::to_string(i)] = t;
  }
  ordered_json c = {
      {"add_bos_token", true},
      {"add_eos_token", false},
      {"added_tokens_decoder", dec},
      {"bos_token", piece(v, a.ids.bos)},
      {"chat_template",
       "{{ bos_token }}{% for message in messages %}<start_of_turn>{{ message['role'] }}\n"
       "{{ message['content'] }}<end_of_turn>\n{% endfor %}{% if add_generation_prompt %}"
       "<start_of_turn>model\n{% endif %}"},
      {"clean_up_tokenization_spaces", false},
      // The instruction-tuned Gemma 3 ends turns with <end_of_turn> and names it the eos token.
      {"eos_token", piece(v, a.family == Family::Gemma3 ? a.ids.end_of_turn : a.ids.eos)},
      {"model_max_length", a.family == Family::Gemma3 ? 32768 : 2048},
      {"pad_token", piece(v, a.ids.pad)},
      {"padding_side", "left"},
      {"sp_model_kwargs", nullptr},
      {"spaces_between_special_tokens", false},
      {"tokenizer_class", a.family == Family::Gemma3 ? "GemmaTokenizer" : "LlamaTokenizer"},
      {"unk_token", piece(v, a.ids.unk)},
      {"use_default_system_prompt", false}};
  if (a.family == Family::Gemma3) {
    c["extra_special_tokens"] = {{"boi_token", piece(v, a.ids.start_of_image)},
                                 {"eoi_token", piece(v, a.ids.end_of_image)},
                                 {"image_token", piece(v, a.ids.image_soft)}};
    c["boi_token"] = piece(v, a.ids.start_of_image);
    c["eoi_token"] = piece(v, a.ids.end_of_image);
    c["image_token"] = piece(v, a.ids.image_soft);
    c["processor_class"] = "Gemma3Processor";
  }
  return c;
}

ordered_json special_tokens_map_json(const Arch& a) {
  auto tok = [](const char* s) {
    return ordered_json{{"content", s},
                        {"lstrip", false},
                        {"normalized", false},
                        {"rstrip", false},
                        {"single_word", false}};
  };
  ordered_json m = ordered_json::object();
  if (a.family == Family::Gemma3) {
    m["boi_token"] = "<start_of_image>";
    m["eoi_token"] = "<end_of_image>";
    m["image_token"] = "<image_soft_token>";
  }
  m["bos_token"] = tok("<bos>");
  m["eos_token"] = tok("<eos>");
  m["pad_token"] = tok("<pad>");
  m["unk_token"] = tok("<unk>");
  return m;
}

std::string sentencepiece_model(const Vocab& v, const Arch& a) {
  enum { kNormal = 1, kUnknown = 2, kControl = 3, kByte = 6 };
  std::string out;
  uint64_t count = 0;
  for (size_t i = 0; i < v.pieces.size(); ++i) {
    if (v.added_only[i]) continue;
    ++count;
    const std::string& p = v.pieces[i];
    int type = kNormal;
    float score = -static_cast<float>(i);
    if (static_cast<int64_t>(i) == a.ids.unk) {
      type = kUnknown;
      score = 0;
    } else if (v.special[i]) {
      type = kControl;
      score = 0;
    } else if (p.size() == 6 && p.rfind("<0x", 0) == 0 && p.back() == '>') {
      type = kByte;
      score = 0;
    }
    std::string sp;
    field_bytes(sp, 1, p);
    field_float(sp, 2, score);
    if (type != kNormal) field_varint(sp, 3, static_cast<uint64_t>(type));
    field_bytes(out, 1, sp);
  }
  std::string trainer;
  field_varint(trainer, 3, 2);  // model_type BPE
  field_varint(trainer, 4, count);
  field_varint(trainer, 35, 1);  // byte_fallback
  field_varint(trainer, 40, static_cast<uint64_t>(a.ids.unk));
  field_varint(trainer, 41, static_cast<uint64_t>(a.ids.bos));
  field_varint(trainer, 42, static_cast<uint64_t>(a.ids.eos));
  field_varint(trainer, 43, static_cast<uint64_t>(a.ids.pad));
  field_bytes(trainer, 45, "<unk>");
  field_bytes(trainer, 46, "<bos>");
  field_bytes(trainer, 47, "<eos>");
  field_bytes(trainer, 48, "<pad>");
  field_bytes(out, 2, trainer);
  std::string norm;
  field_bytes(norm, 1, "identity");
  field_varint(norm, 3, 0);  // add_dummy_prefix
  field_varint(norm, 4, 0);  // remove_extra_whitespaces
  field_varint(norm, 5, 1);  // escape_whitespaces
  field_bytes(out, 3, norm);
  return out;
}

}  // namespace medq::synth
