// Validating a model in a fake Hugging Face cache: the snapshot's links into its blobs are its
// files (no link findings, no --follow-symlinks), the repository's hygiene is reported, a link
// out of the snapshot keeps the rule of any folder, and many links out are one finding.
#include <gtest/gtest.h>

#include "../support/fake_hf_cache.hpp"
#include "../support/temp_dir.hpp"
#include "arch.hpp"
#include "checkpoint.hpp"
#include "medq/check/validate.hpp"
#include "quant_plan.hpp"

namespace medq {
namespace {

namespace fs = std::filesystem;
using testing::FakeHfCache;
using testing::TempDir;

constexpr const char* kMain = "0123456789abcdef0123456789abcdef01234567";

std::vector<const Finding*> with_prefix(const Validation& v, std::string_view prefix) {
  std::vector<const Finding*> out;
  for (const Finding& f : v.findings) {
    if (f.code.compare(0, prefix.size(), prefix) == 0) out.push_back(&f);
  }
  return out;
}

fs::path tiny(const TempDir& tmp) {
  const fs::path dir = tmp.path() / "src";
  fs::create_directories(dir);
  synth::GenerateOptions o;
  o.seed = 7;
  synth::write_checkpoint(dir, synth::tiny_gemma3(), synth::plan_affine(4, 64), o);
  return dir;
}

TEST(HfCache, ASnapshotValidatesLikeItsFolder) {
  TempDir tmp;
  const fs::path src = tiny(tmp);
  FakeHfCache cache(tmp.path() / "hub");
  const fs::path snap = cache.add_snapshot("org/tiny", src, kMain);
  Validation plain = validate_model(src);
  Validation v = validate_model(snap);
  ASSERT_TRUE(v.dir.snapshot);
  EXPECT_EQ(v.dir.snapshot->repo_id, "org/tiny");
  EXPECT_TRUE(with_prefix(v, "directory.symlink").empty());  // the cache's structure
  EXPECT_TRUE(with_prefix(v, "hf_cache.").empty());          // a clean repository
  EXPECT_EQ(v.findings.size(), plain.findings.size());
  EXPECT_EQ(v.dir.total_bytes, plain.dir.total_bytes);
  EXPECT_EQ(v.checkpoint.tensors().size(), plain.checkpoint.tensors().size());
  ASSERT_TRUE(v.cache_repo);
  EXPECT_EQ(v.cache_repo->read.refs, std::vector<std::string>{"main"});
}

TEST(HfCache, HygieneAndALinkOutOfTheSnapshot) {
  TempDir tmp;
  const fs::path src = tiny(tmp);
  FakeHfCache cache(tmp.path() / "hub");
  const fs::path snap = cache.add_snapshot("org/tiny", src, kMain);
  cache.add_blob("org/tiny", std::string(64, 'a') + ".incomplete", 10);
  tmp.write("elsewhere/notes.txt", "x");
  fs::create_symlink(tmp.path() / "elsewhere/notes.txt", snap / "notes.txt");
  Validation v = validate_model(snap);
  auto inc = with_prefix(v, "hf_cache.incomplete_download");
  ASSERT_EQ(inc.size(), 1u);
  auto out = with_prefix(v, "directory.symlink_outside");
  ASSERT_EQ(out.size(), 1u);  // the one link that is not the cache's
  EXPECT_EQ(out[0]->where.file, "notes.txt");
  EXPECT_EQ(out[0]->severity, Severity::kWarning);  // no loader reads it
}

TEST(HfCache, ACopiedSnapshotsLinksAreOneFinding) {
  // The snapshot's links copied out of the cache (cp -P): every one leads out of the folder.
  TempDir tmp;
  const fs::path src = tiny(tmp);
  FakeHfCache cache(tmp.path() / "hub");
  const fs::path snap = cache.add_snapshot("org/tiny", src, kMain);
  fs::create_directories(tmp.path() / "copy/snapshots");
  fs::create_directories(tmp.path() / "copy/blobs");
  fs::copy(snap, tmp.path() / "copy/snapshots/c",
           fs::copy_options::copy_symlinks | fs::copy_options::recursive);
  for (const auto& e : fs::directory_iterator(cache.repo("org/tiny") / "blobs")) {
    fs::copy(e.path(), tmp.path() / "copy/blobs" / e.path().filename());
  }
  Validation v = validate_model(tmp.path() / "copy/snapshots/c");
  EXPECT_FALSE(v.dir.snapshot);
  EXPECT_TRUE(with_prefix(v, "directory.symlink_outside").empty());
  auto many = with_prefix(v, "directory.symlinks_outside");
  ASSERT_EQ(many.size(), 1u);
  EXPECT_EQ(many[0]->severity, Severity::kError);
  EXPECT_EQ(many[0]->where.file, "");
  EXPECT_NE(many[0]->message.find("symbolic links lead out of the model folder"), std::string::npos)
      << many[0]->message;
  EXPECT_NE(many[0]->message.find("--follow-symlinks"), std::string::npos);
  EXPECT_NE(many[0]->message.find("models--ORG--NAME/snapshots/COMMIT"), std::string::npos);
  EXPECT_NE(many[0]->message.find(" more"), std::string::npos);  // five named, the rest counted
  EXPECT_FALSE(with_prefix(v, "config.missing").size());         // not reported twice
  ScanOptions follow;
  follow.follow_symlinks = true;
  EXPECT_TRUE(with_prefix(validate_model(tmp.path() / "copy/snapshots/c", follow),
                          "directory.symlinks_outside")
                  .empty());
}

}  // namespace
}  // namespace medq
