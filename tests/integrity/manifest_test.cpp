// make_manifest and the JSON round trip on a tiny generated model: file digests checked against
// the sha256sum tool, tensor digests against a one-shot XXH3-128 of the bytes at the offsets
// the safetensors header gives, and the result independent of chunk size and thread count.
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <set>

#include "integrity_fixtures.hpp"
#include "medq/formats/safetensors.hpp"
#include "medq/io/sha256.hpp"
#include "medq/io/xxh3.hpp"

namespace medq::integrity_test {
namespace {

using testing::TempDir;

TEST(Hashers, KnownVectors) {
  // FIPS 180-2 appendix B.1 and the empty string.
  EXPECT_EQ(sha256_bytes("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha256_bytes(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  // xxhsum -H2 of an empty file.
  EXPECT_EQ(xxh3_128_bytes(""), "99aa06d3014798d86001c324468d497f");
}

TEST(Hashers, IncrementalEqualsOneShotAtEverySplit) {
  std::string data;
  for (int i = 0; i < 600; ++i) data += static_cast<char>((i * 131 + 7) & 0xFF);
  const std::string sha = sha256_bytes(data), xxh = xxh3_128_bytes(data);
  Sha256 s;
  Xxh3_128 x;
  // XXH3 switches algorithms at 16, 128 and 240 bytes and streams in 256-byte stripes blocks.
  for (size_t split : {size_t{0}, size_t{1}, size_t{15}, size_t{16}, size_t{17}, size_t{128},
                       size_t{240}, size_t{241}, size_t{256}, size_t{257}, size_t{599}}) {
    s.update(data.data(), split);
    s.update(data.data() + split, data.size() - split);
    x.update(data.data(), split);
    x.update(data.data() + split, data.size() - split);
    EXPECT_EQ(s.finish(), sha) << split;
    EXPECT_EQ(x.finish(), xxh) << split;  // finish() starts the hasher over
  }
}

TEST(MakeManifest, RecordsEveryFileWithTheSha256OfTheSha256sumTool) {
  TempDir tmp;
  write_tiny(tmp.path());
  ManifestScan s = scan(tmp.path());
  std::set<std::string> on_disk;
  for (const auto& e : fs::directory_iterator(tmp.path())) on_disk.insert(e.path().filename());
  ASSERT_EQ(s.manifest.files.size(), on_disk.size());
  EXPECT_TRUE(
      std::is_sorted(s.manifest.files.begin(), s.manifest.files.end(),
                     [](const ManifestFile& a, const ManifestFile& b) { return a.path < b.path; }));
  for (const auto& f : s.manifest.files) {
    SCOPED_TRACE(f.path);
    EXPECT_TRUE(on_disk.count(f.path));
    EXPECT_EQ(f.size, fs::file_size(tmp.path() / f.path));
    std::string tool = sha256sum_tool(tmp.path() / f.path);
    if (tool.empty()) GTEST_SKIP() << "sha256sum is not installed";
    EXPECT_EQ(f.sha256, tool);
    // Only weight files carry tensors.
    EXPECT_EQ(f.tensors.has_value(), f.path == "model.safetensors");
  }
  EXPECT_TRUE(s.skipped.empty());
  EXPECT_TRUE(s.notes.empty());
}

TEST(MakeManifest, TensorDigestsAreXxh3OfTheBytesTheHeaderPointsAt) {
  TempDir tmp;
  write_tiny(tmp.path());
  ManifestScan s = scan(tmp.path());
  const ManifestFile* f = find_file(s.manifest, "model.safetensors");
  ASSERT_NE(f, nullptr);
  ASSERT_TRUE(f->tensors);
  SafetensorsResult h = read_safetensors(tmp.path() / "model.safetensors", "model.safetensors");
  ASSERT_TRUE(h.ok());
  ASSERT_EQ(f->tensors->size(), h.header->tensors.size());
  EXPECT_EQ(f->tensors->size(), 100u);  // docs/generator.md: 100 tensors at 4 bits
  const std::string bytes = read_all(tmp.path() / "model.safetensors");
  for (const TensorInfo& t : h.header->tensors) {
    SCOPED_TRACE(t.name);
    const ManifestTensor* mt = find_tensor(*f, t.name);
    ASSERT_NE(mt, nullptr);
    EXPECT_EQ(mt->dtype, t.dtype);
    EXPECT_EQ(mt->shape, t.shape);
    EXPECT_EQ(mt->offset, 8 + h.header->header_len + t.begin);
    EXPECT_EQ(mt->bytes, t.end - t.begin);
    EXPECT_EQ(mt->xxh3_128, xxh3_128_bytes(std::string_view(bytes).substr(mt->offset, mt->bytes)));
  }
}

TEST(MakeManifest, SameResultForAnyChunkSizeAndThreadCount) {
  TempDir tmp;
  write_tiny(tmp.path() / "a", 1'000'000);  // two shards: two files hashed at once
  const std::string reference = manifest_to_json(scan(tmp.path(), 8u << 20, 1).manifest);
  // 7 bytes: the header spans many chunks and tensors start and end mid-chunk.
  for (size_t chunk : {size_t{7}, size_t{4096}, size_t{65536}, size_t{1} << 20}) {
    for (unsigned threads : {1u, 2u, 5u}) {
      EXPECT_EQ(manifest_to_json(scan(tmp.path(), chunk, threads).manifest), reference)
          << chunk << " " << threads;
    }
  }
}

TEST(MakeManifest, JsonRoundTripIsExact) {
  TempDir tmp;
  write_tiny(tmp.path());
  const std::string text = manifest_to_json(scan(tmp.path()).manifest);
  ManifestParse p = manifest_from_json(text);
  ASSERT_TRUE(p.manifest) << p.error;
  EXPECT_EQ(manifest_to_json(*p.manifest), text);
  EXPECT_EQ(text.find("time"), std::string::npos);  // nothing that changes from run to run
  // One line per tensor.
  EXPECT_EQ(static_cast<size_t>(std::count(text.begin(), text.end(), '\n')),
            4 + p.manifest->files.size() * 5 + 2 + p.manifest->tensor_count() + 2);
}

TEST(MakeManifest, EmptyDirectory) {
  TempDir tmp;
  ManifestScan s = scan(tmp.path());
  EXPECT_TRUE(s.manifest.files.empty());
  std::string text = manifest_to_json(s.manifest);
  EXPECT_EQ(text, "{\n  \"format\": \"medq-manifest\",\n  \"version\": 1,\n  \"files\": []\n}\n");
  EXPECT_TRUE(manifest_from_json(text).manifest);
}

TEST(MakeManifest, WalksSubdirectoriesButNotOutsideSymlinksFifosOrManifests) {
  TempDir tmp;
  tmp.write("config.json", "{}");
  tmp.write("sub/deeper/notes.txt", "hello");
  tmp.write("model.manifest.json", "{}");
  tmp.write("sub/old.manifest.json", "{}");
  tmp.write("excluded.json", "{}");
  fs::create_symlink("config.json", tmp.path() / "link.json");
  fs::create_directory_symlink("/", tmp.path() / "root");  // would be huge if followed
  ASSERT_EQ(::mkfifo((tmp.path() / "pipe").c_str(), 0600), 0);
  ManifestOptions o;
  o.exclude.push_back(*file_id(tmp.path() / "excluded.json"));
  ManifestScan s = make_manifest(tmp.path(), o);
  EXPECT_TRUE(s.errors.empty());
  std::vector<std::string> paths;
  for (const auto& f : s.manifest.files) paths.push_back(f.path);
  // A link to a file inside the directory is recorded under its own name, as a loader reads it.
  EXPECT_EQ(paths, (std::vector<std::string>{"config.json", "link.json", "sub/deeper/notes.txt"}));
  std::vector<std::string> skipped;
  for (const auto& e : s.skipped) skipped.push_back(e.path + ": " + e.why);
  EXPECT_EQ(skipped, (std::vector<std::string>{
                         "excluded.json: the manifest itself (not recorded)",
                         "model.manifest.json: a manifest (*.manifest.json, not recorded)",
                         "pipe: FIFO (never opened)",
                         "root: symlink to /, a directory (not followed)",
                         "sub/old.manifest.json: a manifest (*.manifest.json, not recorded)",
                     }));
}

TEST(MakeManifest, TruncatedWeightsRecordTheTensorsStillThere) {
  TempDir tmp;
  write_tiny(tmp.path());
  const fs::path w = tmp.path() / "model.safetensors";
  ManifestScan whole = scan(tmp.path());
  fs::resize_file(w, 1'000'000);
  ManifestScan cut = scan(tmp.path());
  const ManifestFile* before = find_file(whole.manifest, "model.safetensors");
  const ManifestFile* after = find_file(cut.manifest, "model.safetensors");
  ASSERT_TRUE(before && after && after->tensors);
  EXPECT_EQ(after->header_error.rfind("safetensors.incomplete_buffer: ", 0), 0u);
  EXPECT_EQ(after->tensors->size() + after->tensors_past_end.size(), 100u);
  EXPECT_FALSE(after->tensors_past_end.empty());
  for (const auto& t : *after->tensors) {
    EXPECT_LE(t.offset + t.bytes, 1'000'000u);
    EXPECT_EQ(t.xxh3_128, find_tensor(*before, t.name)->xxh3_128) << t.name;
  }
  for (const auto& t : after->tensors_past_end) EXPECT_GT(t.offset + t.bytes, 1'000'000u);
  ASSERT_EQ(cut.notes.size(), 1u);
  EXPECT_NE(cut.notes[0].find("lie past the end of the file"), std::string::npos);
}

TEST(MakeManifest, UnreadableSafetensorsIsHashedWhole) {
  TempDir tmp;
  tmp.write("model.safetensors", "version https://git-lfs.github.com/spec/v1\noid sha256:00\n");
  ManifestScan s = scan(tmp.path());
  ASSERT_EQ(s.manifest.files.size(), 1u);
  EXPECT_FALSE(s.manifest.files[0].tensors);
  EXPECT_EQ(s.manifest.files[0].sha256, sha256_bytes(read_all(tmp.path() / "model.safetensors")));
  ASSERT_EQ(s.notes.size(), 1u);
  EXPECT_NE(s.notes[0].find("hashed as a whole file only, no tensor digests"), std::string::npos);
}

TEST(MakeManifest, UnreadableFileIsAnErrorNotASilentGap) {
  if (::geteuid() == 0) GTEST_SKIP() << "root reads files whatever their mode";
  TempDir tmp;
  tmp.write("config.json", "{}");
  tmp.write("secret.bin", "x");
  fs::permissions(tmp.path() / "secret.bin", fs::perms::none);
  ManifestScan s = make_manifest(tmp.path());
  ASSERT_EQ(s.errors.size(), 1u);
  EXPECT_EQ(s.errors[0].path, "secret.bin");
  EXPECT_EQ(s.manifest.files.size(), 1u);
}

}  // namespace
}  // namespace medq::integrity_test
