// The synthesized tokenizer: a loadable tokenizer.json (version 1.0, contiguous ids, special
// tokens as added_tokens at their ids, BPE merges over known pieces), a consistent
// tokenizer_config.json, and a tokenizer.model whose pieces match tokenizer.json id by id
// (decoded here with a minimal protobuf reader, docs/formats.md §C.1).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>

#include "arch.hpp"
#include "checkpoint.hpp"
#include "quant_plan.hpp"
#include "test_util.hpp"

namespace medq::synth {
namespace {

using nlohmann::json;

uint64_t varint(const std::string& s, size_t& i) {
  uint64_t v = 0;
  for (unsigned shift = 0; i < s.size(); shift += 7) {
    const uint8_t b = static_cast<uint8_t>(s[i++]);
    v |= static_cast<uint64_t>(b & 0x7f) << shift;
    if (!(b & 0x80)) break;
  }
  return v;
}

struct SpPiece {
  std::string piece;
  int type = 1;
};

// Top-level field 1 = SentencePiece {1: piece, 2: score, 3: type}; field 2 = TrainerSpec.
std::vector<SpPiece> sp_pieces(const std::string& m, uint64_t* vocab_size) {
  std::vector<SpPiece> out;
  size_t i = 0;
  while (i < m.size()) {
    const uint64_t key = varint(m, i);
    EXPECT_EQ(key & 7, 2u) << "top-level fields are length-delimited";
    const uint64_t len = varint(m, i);
    const std::string body = m.substr(i, len);
    i += len;
    if ((key >> 3) == 1) {
      SpPiece p;
      size_t j = 0;
      while (j < body.size()) {
        const uint64_t k = varint(body, j);
        if (k == 0x0a) {
          const uint64_t n = varint(body, j);
          p.piece = body.substr(j, n);
          j += n;
        } else if (k == 0x15) {
          j += 4;
        } else if (k == 0x18) {
          p.type = static_cast<int>(varint(body, j));
        } else {
          ADD_FAILURE() << "unexpected piece field " << k;
          break;
        }
      }
      out.push_back(p);
    } else if ((key >> 3) == 2) {
      size_t j = 0;
      while (j < body.size()) {
        const uint64_t k = varint(body, j);
        if ((k & 7) == 0) {
          const uint64_t v = varint(body, j);
          if ((k >> 3) == 4) *vocab_size = v;
        } else {
          j += varint(body, j);
        }
      }
    }
  }
  return out;
}

class TinyTokenizer : public ::testing::TestWithParam<Family> {};

TEST_P(TinyTokenizer, FilesAreConsistent) {
  const Arch a = GetParam() == Family::Gemma3 ? tiny_gemma3() : tiny_llama();
  test::TempDir tmp;
  GenerateOptions o;
  write_checkpoint(tmp.path(), a, QuantPlan{}, o);
  const json tj = json::parse(test::read_file(tmp.path() / "tokenizer.json"));
  EXPECT_EQ(tj["version"], "1.0");
  EXPECT_EQ(tj["model"]["type"], "BPE");
  // As in the real Gemma 3 tokenizer, the model vocabulary holds ids 0..n-1 and the image soft
  // token (id n) exists only in added_tokens; together they are contiguous.
  const json& vocab = tj["model"]["vocab"];
  const bool gemma = a.family == Family::Gemma3;
  ASSERT_EQ(vocab.size(), a.ids.tokenizer_size - (gemma ? 1 : 0));
  std::vector<std::string> by_id(a.ids.tokenizer_size);
  for (const auto& [piece, id] : vocab.items()) {
    const uint64_t i = id.get<uint64_t>();
    ASSERT_LT(i, vocab.size());
    EXPECT_TRUE(by_id[i].empty()) << "duplicate id " << i;
    by_id[i] = piece;
  }
  for (const json& t : tj["added_tokens"]) {
    const uint64_t i = t["id"].get<uint64_t>();
    ASSERT_LT(i, by_id.size());
    if (by_id[i].empty()) by_id[i] = t["content"].get<std::string>();
    EXPECT_EQ(by_id[i], t["content"].get<std::string>()) << "added token " << i;
  }
  for (size_t i = 0; i < by_id.size(); ++i) EXPECT_FALSE(by_id[i].empty()) << "hole at " << i;
  if (gemma) {
    EXPECT_FALSE(vocab.contains("<image_soft_token>"));
  }
  struct Named {
    int64_t id;
    const char* text;
  };
  std::vector<Named> want = {{a.ids.pad, "<pad>"},
                             {a.ids.eos, "<eos>"},
                             {a.ids.bos, "<bos>"},
                             {a.ids.unk, "<unk>"},
                             {a.ids.start_of_turn, "<start_of_turn>"},
                             {a.ids.end_of_turn, "<end_of_turn>"}};
  if (a.family == Family::Gemma3) {
    want.push_back({a.ids.start_of_image, "<start_of_image>"});
    want.push_back({a.ids.end_of_image, "<end_of_image>"});
    want.push_back({a.ids.image_soft, "<image_soft_token>"});
  }
  std::set<int64_t> added;
  for (const json& t : tj["added_tokens"]) added.insert(t["id"].get<int64_t>());
  EXPECT_EQ(added.size(), want.size());
  for (const Named& n : want) {
    EXPECT_EQ(by_id[static_cast<size_t>(n.id)], n.text);
    EXPECT_EQ(added.count(n.id), 1u) << n.text;
  }
  for (const json& m : tj["model"]["merges"]) {
    const std::string s = m;
    const size_t sp = s.find(' ');
    ASSERT_NE(sp, std::string::npos);
    const std::string l = s.substr(0, sp), r = s.substr(sp + 1);
    EXPECT_TRUE(vocab.contains(l) && vocab.contains(r) && vocab.contains(l + r)) << s;
  }
  const json tc = json::parse(test::read_file(tmp.path() / "tokenizer_config.json"));
  for (const char* k : {"bos_token", "eos_token", "pad_token", "unk_token"})
    EXPECT_TRUE(vocab.contains(tc[k].get<std::string>())) << k;
  EXPECT_EQ(tc["eos_token"], gemma ? "<end_of_turn>" : "<eos>");

  uint64_t sp_vocab = 0;
  const std::vector<SpPiece> sp =
      sp_pieces(test::read_file(tmp.path() / "tokenizer.model"), &sp_vocab);
  ASSERT_EQ(sp.size(), vocab.size());
  EXPECT_EQ(sp_vocab, vocab.size());
  int unknown = 0;
  for (size_t i = 0; i < sp.size(); ++i) {
    EXPECT_EQ(sp[i].piece, by_id[i]) << "id " << i;
    unknown += sp[i].type == 2;
  }
  EXPECT_EQ(unknown, 1);
  EXPECT_EQ(sp[static_cast<size_t>(a.ids.unk)].type, 2);
  size_t bytes = 0;
  for (const SpPiece& p : sp) bytes += p.type == 6;  // BYTE pieces <0x00>..<0xFF>
  EXPECT_EQ(bytes, 256u);
}

INSTANTIATE_TEST_SUITE_P(Families, TinyTokenizer, ::testing::Values(Family::Gemma3, Family::Llama),
                         [](const auto& i) {
                           return i.param == Family::Gemma3 ? "gemma3" : "llama";
                         });

}  // namespace
}  // namespace medq::synth
