// A Hugging Face cache snapshot behind the storage seam: recognised from its path, its links into
// ../../blobs/ followed as its own files without --follow-symlinks, a link anywhere else kept
// out as in any folder, and the newer cache-wide shared blob store.
#include "medq/io/hf_snapshot.hpp"

#include <gtest/gtest.h>

#include "../support/fake_hf_cache.hpp"
#include "../support/temp_dir.hpp"

namespace medq {
namespace {

namespace fs = std::filesystem;
using testing::FakeHfCache;
using testing::TempDir;

constexpr const char* kMain = "0123456789abcdef0123456789abcdef01234567";

const StorageEntry* entry(const StorageListing& l, std::string_view name) {
  for (const auto& e : l.entries) {
    if (e.name == name) return &e;
  }
  return nullptr;
}

TEST(HfSnapshot, FolderNames) {
  EXPECT_EQ(hf_repo_folder_name("google/medgemma-4b-it"), "models--google--medgemma-4b-it");
  EXPECT_EQ(hf_repo_id_of_folder("models--google--medgemma-4b-it"), "google/medgemma-4b-it");
  EXPECT_EQ(hf_repo_id_of_folder("models--gpt2"), "gpt2");
  EXPECT_FALSE(hf_repo_id_of_folder("datasets--a--b"));
  EXPECT_FALSE(hf_repo_id_of_folder("models--"));
  EXPECT_FALSE(hf_repo_id_of_folder("models--a--"));
  EXPECT_FALSE(hf_repo_id_of_folder("hf_cache"));
}

TEST(HfSnapshot, RecognisedOnlyInsideARepositoryFolder) {
  TempDir tmp;
  FakeHfCache cache(tmp.path() / "hub");
  tmp.write("src/config.json", "{}");
  const fs::path snap = cache.add_snapshot("org/m", tmp.path() / "src", kMain);
  auto s = find_hf_snapshot(snap);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->repo_id, "org/m");
  EXPECT_EQ(s->commit, kMain);
  EXPECT_EQ(s->snapshot_dir, snap);
  EXPECT_EQ(s->repo_dir, fs::canonical(cache.repo("org/m")));
  ASSERT_EQ(s->store_roots.size(), 1u);
  EXPECT_EQ(s->store_roots[0], fs::canonical(cache.repo("org/m") / "blobs"));
  // Through a link to the snapshot, too.
  fs::create_directory_symlink(snap, tmp.path() / "alias");
  EXPECT_TRUE(find_hf_snapshot(tmp.path() / "alias"));
  // Not a snapshot: the repository folder, a folder named "snapshots" elsewhere, no blobs/.
  EXPECT_FALSE(find_hf_snapshot(cache.repo("org/m")));
  fs::create_directories(tmp.path() / "plain/snapshots/abc");
  fs::create_directories(tmp.path() / "plain/blobs");
  EXPECT_FALSE(find_hf_snapshot(tmp.path() / "plain/snapshots/abc"));
  fs::create_directories(tmp.path() / "hub/models--x--y/snapshots/abc");
  EXPECT_FALSE(find_hf_snapshot(tmp.path() / "hub/models--x--y/snapshots/abc"));
}

TEST(HfSnapshot, BlobLinksAreFollowedOtherLinksOut) {
  TempDir tmp;
  FakeHfCache cache(tmp.path() / "hub");
  tmp.write("src/config.json", "{}");
  tmp.write("src/sub/extra.json", "[]");
  tmp.write("outside.json", "{\"o\": 1}");
  const fs::path snap = cache.add_snapshot("org/m", tmp.path() / "src", kMain);
  fs::create_symlink(tmp.path() / "outside.json", snap / "tokenizer.json");
  auto s = find_hf_snapshot(snap);
  ASSERT_TRUE(s);
  HfSnapshotStorage storage(*s);
  StorageListing l = storage.list({});
  const StorageEntry* config = entry(l, "config.json");
  ASSERT_TRUE(config);
  EXPECT_EQ(config->type, StorageEntry::Type::kFile);
  EXPECT_EQ(config->link, LinkStatus::kFollowed);
  EXPECT_TRUE(config->target_in_store);
  EXPECT_TRUE(config->target_outside);
  EXPECT_EQ(config->bytes, 2u);
  const StorageEntry* out = entry(l, "tokenizer.json");
  ASSERT_TRUE(out);
  EXPECT_EQ(out->link, LinkStatus::kOutside);
  // With --follow-symlinks the link out is followed, and is not in the store.
  ListOptions follow;
  follow.follow_symlinks = true;
  const auto followed_list = storage.list(follow);  // kept: entry() points into it
  const StorageEntry* followed = entry(followed_list, "tokenizer.json");
  ASSERT_TRUE(followed);
  EXPECT_EQ(followed->link, LinkStatus::kFollowed);
  EXPECT_FALSE(followed->target_in_store);
  // A plain LocalStorage of the same folder keeps today's rule: the blob links lead out.
  const auto plain = LocalStorage(snap).list({});
  const StorageEntry* plain_config = entry(plain, "config.json");
  ASSERT_TRUE(plain_config);
  EXPECT_EQ(plain_config->link, LinkStatus::kOutside);
  std::string err;
  auto src = storage.open("config.json", &err);
  ASSERT_TRUE(src) << err;
  EXPECT_EQ(src->size(), 2u);
}

TEST(HfSnapshot, SharedBlobStore) {
  // huggingface_hub's shared store: <cache>/blobs/<2 hex>/<hash>, marked, and each repository's
  // blobs/<etag> a relative link into it.
  TempDir tmp;
  FakeHfCache cache(tmp.path() / "hub");
  tmp.write("src/config.json", "{}");
  const fs::path snap = cache.add_snapshot("org/m", tmp.path() / "src", kMain);
  const fs::path blob = fs::read_symlink(snap / "config.json").filename();
  const fs::path store = tmp.path() / "hub" / "blobs";
  fs::create_directories(store / "ab");
  fs::rename(cache.repo("org/m") / "blobs" / blob, store / "ab" / blob);
  fs::create_symlink("../../blobs/ab/" + blob.string(), cache.repo("org/m") / "blobs" / blob);
  EXPECT_EQ(entry(HfSnapshotStorage(*find_hf_snapshot(snap)).list({}), "config.json")->link,
            LinkStatus::kOutside);  // unmarked: not the cache's store
  std::ofstream(store / ".huggingface-shared-blobs") << "1\n";
  auto s = find_hf_snapshot(snap);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->store_roots.size(), 2u);
  EXPECT_EQ(entry(HfSnapshotStorage(*s).list({}), "config.json")->link, LinkStatus::kFollowed);
}

}  // namespace
}  // namespace medq
