// Index-vs-shards and directory hygiene checks on small directories built in the test.
#include <gtest/gtest.h>

#include <sys/stat.h>

#include <algorithm>

#include "../support/temp_dir.hpp"
#include "medq/check/validate.hpp"

namespace medq {
namespace {

using testing::safetensors_bytes;
using testing::TempDir;
using testing::TestTensor;

const std::vector<TestTensor> kShard1 = {{"a.weight", "U32", {4, 2}, 32},
                                         {"a.scales", "BF16", {4, 1}, 8},
                                         {"a.biases", "BF16", {4, 1}, 8}};
const std::vector<TestTensor> kShard2 = {{"norm.weight", "BF16", {8}, 16}};

std::string index_json(const std::vector<std::pair<std::string, std::string>>& map,
                       uint64_t total) {
  std::string s = "{\"metadata\":{\"total_size\":" + std::to_string(total) + "},\"weight_map\":{";
  for (size_t i = 0; i < map.size(); ++i) {
    s += (i ? "," : "") + ("\"" + map[i].first + "\":\"" + map[i].second + "\"");
  }
  return s + "}}";
}

const char* kS1 = "model-00001-of-00002.safetensors";
const char* kS2 = "model-00002-of-00002.safetensors";

void write_model(const TempDir& d, const std::string& index) {
  d.write(kS1, safetensors_bytes(kShard1));
  d.write(kS2, safetensors_bytes(kShard2));
  d.write("model.safetensors.index.json", index);
  d.write("config.json", "{\"model_type\":\"llama\"}");
  d.write("tokenizer.json", "{}");
  d.write("tokenizer_config.json", "{}");
  d.write("special_tokens_map.json", "{}");
  d.write("generation_config.json", "{}");
}

std::string good_index() {
  return index_json({{"a.biases", kS1}, {"a.scales", kS1}, {"a.weight", kS1}, {"norm.weight", kS2}},
                    64);
}

std::vector<const Finding*> with_code(const Validation& v, const std::string& code) {
  std::vector<const Finding*> out;
  for (const auto& f : v.findings) {
    if (f.code == code) out.push_back(&f);
  }
  return out;
}

bool has(const Validation& v, const std::string& code) { return !with_code(v, code).empty(); }

TEST(IndexChecks, CleanShardedModelHasNoIndexOrDirectoryFindings) {
  TempDir d;
  write_model(d, good_index());
  auto v = validate_model(d.path());
  for (const auto& f : v.findings) {
    EXPECT_TRUE(f.code.rfind("index.", 0) != 0 && f.code.rfind("directory.", 0) != 0)
        << f.code << ": " << f.message;
  }
}

TEST(IndexChecks, StaleIndexFromUnquantizedModel) {
  TempDir d;
  write_model(d, index_json({{"a.weight", kS1}, {"norm.weight", kS2}}, 64));
  auto v = validate_model(d.path());
  auto f = with_code(v, "index.stale");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_NE(f[0]->message.find("0 named but not in any shard"), std::string::npos) << f[0]->message;
  EXPECT_NE(f[0]->message.find("2 in the shards but not named"), std::string::npos)
      << f[0]->message;
  EXPECT_EQ(f[0]->where.file, "model.safetensors.index.json");
}

TEST(IndexChecks, NamesMissingFromShardsAreCounted) {
  TempDir d;
  write_model(d, index_json({{"a.biases", kS1},
                             {"a.scales", kS1},
                             {"a.weight", kS1},
                             {"ghost.weight", kS1},
                             {"norm.weight", kS2}},
                            64));
  auto v = validate_model(d.path());
  auto f = with_code(v, "index.tensor_mismatch");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_NE(f[0]->message.find("1 named but not in any shard ('ghost.weight')"), std::string::npos)
      << f[0]->message;
}

TEST(IndexChecks, MissingShardUnlistedShardWrongShardEscapeTotalSize) {
  TempDir d;
  write_model(d, index_json({{"a.biases", kS1},
                             {"a.scales", kS1},
                             {"a.weight", kS1},
                             {"norm.weight", "model-00003-of-00003.safetensors"}},
                            999));
  auto v = validate_model(d.path());
  EXPECT_TRUE(has(v, "index.missing_shard"));
  EXPECT_TRUE(has(v, "index.unlisted_shard"));  // kS2 is not named

  TempDir e;
  write_model(
      e, index_json({{"a.biases", kS1}, {"a.scales", kS1}, {"a.weight", kS2}, {"norm.weight", kS2}},
                    999));
  auto w = validate_model(e.path());
  auto wrong = with_code(w, "index.wrong_shard");
  ASSERT_EQ(wrong.size(), 1u);
  EXPECT_EQ(wrong[0]->where.tensor, "a.weight");
  EXPECT_TRUE(has(w, "index.total_size_mismatch"));

  TempDir x;
  write_model(x, index_json({{"a.biases", kS1},
                             {"a.scales", kS1},
                             {"a.weight", kS1},
                             {"norm.weight", "../outside/model.safetensors"}},
                            64));
  auto esc = validate_model(x.path());
  EXPECT_TRUE(has(esc, "index.path_escape"));
  EXPECT_FALSE(has(esc, "index.missing_shard"));  // never looked up outside
}

TEST(IndexChecks, TensorsOfAnAbsentShardAreReportedOnceForTheShard) {
  // The second shard is deleted: index.missing_shard names it and its tensor count; the same
  // tensors are not listed again as "named but not in any shard", nor is total_size compared.
  TempDir d;
  write_model(d, good_index());
  std::filesystem::remove(d.path() / kS2);
  auto v = validate_model(d.path());
  ASSERT_EQ(with_code(v, "index.missing_shard").size(), 1u);
  EXPECT_FALSE(has(v, "index.tensor_mismatch"));
  EXPECT_FALSE(has(v, "index.total_size_mismatch"));

  // Same for a shard that is a Git LFS pointer: directory.lfs_pointer says what is wrong.
  TempDir e;
  write_model(e, good_index());
  e.write(kS2, "version https://git-lfs.github.com/spec/v1\noid sha256:abc\nsize 16\n");
  auto w = validate_model(e.path());
  EXPECT_TRUE(has(w, "directory.lfs_pointer"));
  for (const auto& f : w.findings) {
    EXPECT_NE(f.code.rfind("index.", 0), 0u) << f.code << ": " << f.message;
  }

  // A tensor the index maps to an absent shard while another shard holds it is still a wrong
  // shard (the index can be fixed), and the absent shard is still reported.
  TempDir x;
  write_model(x, index_json({{"a.biases", kS1},
                             {"a.scales", kS1},
                             {"a.weight", "model-00003-of-00003.safetensors"},
                             {"norm.weight", kS2}},
                            64));
  auto y = validate_model(x.path());
  EXPECT_TRUE(has(y, "index.missing_shard"));
  auto wrong = with_code(y, "index.wrong_shard");
  ASSERT_EQ(wrong.size(), 1u);
  EXPECT_EQ(wrong[0]->where.tensor, "a.weight");
  EXPECT_FALSE(has(y, "index.tensor_mismatch"));
}

TEST(IndexChecks, ACopyOfAShardIsADuplicateNotAWrongOrUnlistedShard) {
  // A copy of the first shard whose name sorts before it (" (1)" < ".safetensors"): every tensor
  // is in the shard the index names, so no wrong_shard; the copy is reported once, as
  // directory.duplicate_weights, not also as index.unlisted_shard.
  TempDir d;
  write_model(d, good_index());
  const std::string copy = "model-00001-of-00002 (1).safetensors";
  d.write(copy, safetensors_bytes(kShard1));
  auto v = validate_model(d.path());
  auto dup = with_code(v, "directory.duplicate_weights");
  ASSERT_EQ(dup.size(), 1u);
  EXPECT_EQ(dup[0]->where.file, copy);
  for (const auto& f : v.findings) {
    EXPECT_NE(f.code.rfind("index.", 0), 0u) << f.code << ": " << f.message;
  }

  // A file the index leaves out that holds tensors of its own is still an unlisted shard.
  TempDir e;
  write_model(e, good_index());
  e.write("model-extra.safetensors", safetensors_bytes({{"extra.weight", "BF16", {2}, 4}}));
  auto w = validate_model(e.path());
  auto unlisted = with_code(w, "index.unlisted_shard");
  ASSERT_EQ(unlisted.size(), 1u);
  EXPECT_NE(unlisted[0]->message.find("'model-extra.safetensors'"), std::string::npos);
  EXPECT_FALSE(has(w, "directory.duplicate_weights"));
}

TEST(IndexChecks, ShardsWithoutIndexWarn) {
  TempDir d;
  write_model(d, good_index());
  std::filesystem::remove(d.path() / "model.safetensors.index.json");
  auto v = validate_model(d.path());
  auto f = with_code(v, "index.missing");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0]->severity, Severity::kWarning);
}

TEST(DirectoryChecks, LeftoverDownloadsAndDuplicatedShardExplainTheSize) {
  TempDir d;
  write_model(d, good_index());
  d.write(".cache/huggingface/download/model-00001-of-00002.safetensors.incomplete",
          std::string(5000, 'x'));
  d.write("model-00001-of-00002 (1).safetensors", safetensors_bytes(kShard1));
  auto v = validate_model(d.path());
  auto partial = with_code(v, "directory.partial_download");
  ASSERT_EQ(partial.size(), 1u);
  EXPECT_EQ(partial[0]->where.file, ".cache");
  EXPECT_NE(partial[0]->message.find("5,000 bytes"), std::string::npos) << partial[0]->message;
  auto dup = with_code(v, "directory.duplicate_weights");
  ASSERT_EQ(dup.size(), 1u);
  EXPECT_NE(dup[0]->message.find("3 of its tensors"), std::string::npos) << dup[0]->message;
  EXPECT_TRUE(has(v, "directory.size_overhead"));
}

TEST(DirectoryChecks, LeftoverDownloadFolderNamesItsFilesLargestFirst) {
  TempDir d;
  write_model(d, good_index());
  d.write(".cache/huggingface/download/a.safetensors.lock", "");
  d.write(".cache/huggingface/download/a.safetensors.metadata", std::string(90, 'm'));
  d.write(".cache/huggingface/download/a.safetensors.0123.incomplete", std::string(7000, 'x'));
  for (int i = 0; i < 6; ++i)
    d.write(".cache/huggingface/download/b" + std::to_string(i) + ".lock", std::string(1, 'l'));
  auto v = validate_model(d.path());
  auto partial = with_code(v, "directory.partial_download");
  ASSERT_EQ(partial.size(), 1u);
  const std::string& m = partial[0]->message;
  EXPECT_NE(m.find("it holds 9 files: .cache/huggingface/download/a.safetensors.0123.incomplete "
                   "(7,000 bytes), .cache/huggingface/download/a.safetensors.metadata "
                   "(90 bytes)"),
            std::string::npos)
      << m;
  EXPECT_NE(m.find(" and 4 more"), std::string::npos) << m;
  EXPECT_EQ(m.find("a.safetensors.lock"), std::string::npos) << m;  // capped: 0 bytes, last
}

TEST(DirectoryChecks, LfsPointerRequiredFilesAndJsonSyntax) {
  TempDir d;
  d.write("model.safetensors",
          "version https://git-lfs.github.com/spec/v1\noid sha256:abc\nsize 123\n");
  d.write("config.json", "{\n  \"model_type\": \"llama\",\n  \"x\": [1, 2,]\n}");
  auto v = validate_model(d.path());
  EXPECT_TRUE(has(v, "directory.lfs_pointer"));
  EXPECT_FALSE(has(v, "directory.no_weights"));
  EXPECT_TRUE(has(v, "tokenizer.missing"));
  EXPECT_TRUE(has(v, "tokenizer.missing_config"));
  auto syntax = with_code(v, "config.invalid_json");
  ASSERT_EQ(syntax.size(), 1u);
  EXPECT_EQ(syntax[0]->where.line, 3u);
  EXPECT_EQ(syntax[0]->where.column, 14u);  // the "]" after the trailing comma
}

TEST(DirectoryChecks, EmptyDirectory) {
  TempDir d;
  auto v = validate_model(d.path());
  EXPECT_TRUE(has(v, "directory.no_weights"));
  EXPECT_TRUE(has(v, "config.missing"));
}

TEST(DirectoryChecks, VisionModelNeedsProcessorFiles) {
  TempDir d;
  write_model(d, good_index());
  d.write("config.json", "{\"model_type\":\"gemma3\",\"vision_config\":{}}");
  auto v = validate_model(d.path());
  auto f = with_code(v, "config.missing_preprocessor_config");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0]->severity, Severity::kError);
  EXPECT_TRUE(has(v, "config.missing_processor_config"));
}

TEST(DirectoryChecks, FifoAndSymlinkAreNotOpened) {
  TempDir d;
  write_model(d, good_index());
  ASSERT_EQ(mkfifo((d.path() / "pipe.safetensors").c_str(), 0600), 0);
  std::filesystem::create_symlink("/etc/passwd", d.path() / "tokenizer.model");
  auto v = validate_model(d.path());  // must not block on the FIFO
  EXPECT_TRUE(has(v, "directory.special_file"));
  // A link out of the folder with a name a loader reads: an error, and not read.
  auto out = with_code(v, "directory.symlink_outside");
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0]->severity, Severity::kError);
  EXPECT_FALSE(has(v, "tokenizer.spm_malformed"));  // /etc/passwd was not parsed
}

TEST(DirectoryChecks, SymlinksInsideAreFollowedOutsideOnlyWhenAsked) {
  TempDir d;
  write_model(d, good_index());
  d.write("store/generation_config.json", "{}");
  std::filesystem::remove(d.path() / "generation_config.json");
  std::filesystem::create_symlink("store/generation_config.json",
                                  d.path() / "generation_config.json");
  TempDir elsewhere;
  elsewhere.write("config.json", "{\"model_type\":\"llama\"}");
  std::filesystem::remove(d.path() / "config.json");
  std::filesystem::create_symlink(elsewhere.path() / "config.json", d.path() / "config.json");
  std::filesystem::create_symlink("nowhere", d.path() / "README.md");
  std::filesystem::create_symlink("loop2", d.path() / "loop1");
  std::filesystem::create_symlink("loop1", d.path() / "loop2");

  auto v = validate_model(d.path());
  EXPECT_FALSE(has(v, "config.missing_generation_config"));
  auto followed = with_code(v, "directory.symlink");
  ASSERT_EQ(followed.size(), 1u);
  EXPECT_EQ(followed[0]->where.file, "generation_config.json");
  EXPECT_EQ(followed[0]->severity, Severity::kInfo);
  auto out = with_code(v, "directory.symlink_outside");
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0]->severity, Severity::kError);
  EXPECT_NE(out[0]->message.find("--follow-symlinks"), std::string::npos);
  EXPECT_FALSE(has(v, "config.missing"));  // reported once, as the link
  auto broken = with_code(v, "directory.symlink_broken");
  ASSERT_EQ(broken.size(), 1u);
  EXPECT_EQ(broken[0]->severity, Severity::kWarning);  // README.md: no loader reads it
  EXPECT_EQ(with_code(v, "directory.symlink_loop").size(), 2u);

  ScanOptions follow;
  follow.follow_symlinks = true;
  auto w = validate_model(d.path(), follow);
  EXPECT_FALSE(has(w, "directory.symlink_outside"));
  EXPECT_EQ(with_code(w, "directory.symlink").size(), 2u);
  EXPECT_TRUE(w.config() != nullptr);
  EXPECT_EQ(with_code(w, "directory.symlink_loop").size(), 2u);
}

}  // namespace
}  // namespace medq
