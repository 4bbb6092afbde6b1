// The storage seam: a model held in memory validates (and deep-scans) to exactly the findings
// the same files give on disk, so a storage that is not a local folder plugs in without any
// reader knowing; and the local listing keeps the scan's symlink policy and entry cap.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "arch.hpp"
#include "checkpoint.hpp"
#include "medq/check/deep_scan.hpp"
#include "medq/check/validate.hpp"
#include "medq/formats/safetensors.hpp"
#include "medq/io/dir_walk.hpp"
#include "medq/io/endian.hpp"
#include "medq/io/local_storage.hpp"
#include "medq/io/memory_storage.hpp"
#include "medq/model/model_dir.hpp"
#include "quant_plan.hpp"

namespace medq {
namespace {

namespace fs = std::filesystem;

class TempDir {
 public:
  TempDir() {
    std::random_device rd;
    path_ =
        fs::temp_directory_path() / ("medq-io-test-" + std::to_string(rd()) + std::to_string(rd()));
    fs::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

std::string slurp(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(f), {});
}

// Every field of every finding, one line each, so that a difference shows in the failure.
std::vector<std::string> lines(const Findings& fs) {
  std::vector<std::string> out;
  for (const Finding& f : fs) {
    out.push_back(f.code + " " + std::to_string(static_cast<int>(f.severity)) + " " + f.where.file +
                  " " + f.where.json_pointer + " " + f.where.tensor + " " +
                  std::to_string(f.where.byte_offset.value_or(~0ull)) + " " +
                  std::to_string(f.where.line.value_or(0)) + ":" +
                  std::to_string(f.where.column.value_or(0)) + " " + f.message);
  }
  return out;
}

// The regular files of `dir`, loaded into a MemoryStorage.
std::shared_ptr<MemoryStorage> load_into_memory(const fs::path& dir) {
  auto mem = std::make_shared<MemoryStorage>("memory-" + dir.filename().string());
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.is_regular_file()) mem->put(e.path().filename().string(), slurp(e.path()));
  }
  return mem;
}

void expect_same_validation(const fs::path& dir) {
  const Validation disk = validate_model(dir);
  const Validation mem = validate_model(scan_model_dir(load_into_memory(dir), dir));
  EXPECT_EQ(lines(mem.findings), lines(disk.findings));
  ASSERT_EQ(mem.dir.entries.size(), disk.dir.entries.size());
  for (size_t i = 0; i < disk.dir.entries.size(); ++i) {
    EXPECT_EQ(mem.dir.entries[i].name, disk.dir.entries[i].name);
    EXPECT_EQ(mem.dir.entries[i].kind, disk.dir.entries[i].kind);
    EXPECT_EQ(mem.dir.entries[i].bytes, disk.dir.entries[i].bytes);
  }
  EXPECT_EQ(mem.dir.total_bytes, disk.dir.total_bytes);
  EXPECT_EQ(mem.checkpoint.tensors().size(), disk.checkpoint.tensors().size());
  // The data scan reads tensor bytes through the same seam.
  EXPECT_EQ(lines(deep_scan(mem)), lines(deep_scan(disk)));
}

TEST(MemoryStorage, ValidatesAGeneratedModelAsTheSameFilesOnDisk) {
  TempDir tmp;
  synth::GenerateOptions o;
  o.seed = 11;
  synth::write_checkpoint(tmp.path(), synth::tiny_gemma3(), synth::plan_affine(4, 64), o);
  expect_same_validation(tmp.path());
}

TEST(MemoryStorage, FindingsOfABrokenModelAreTheSameAsOnDisk) {
  TempDir tmp;
  synth::GenerateOptions o;
  o.seed = 12;
  synth::write_checkpoint(tmp.path(), synth::tiny_llama(), synth::plan_affine(8, 64), o);
  // A truncated weight file and a config that is not JSON: findings from two readers.
  const fs::path weights = tmp.path() / "model.safetensors";
  ASSERT_TRUE(fs::exists(weights));
  fs::resize_file(weights, fs::file_size(weights) - 100);
  std::ofstream(tmp.path() / "config.json") << "{\"model_type\": \"llama\",";
  const Validation disk = validate_model(tmp.path());
  EXPECT_FALSE(disk.findings.empty());
  expect_same_validation(tmp.path());
}

TEST(MemoryStorage, ReadsByRangeAndReportsMissingEntries) {
  MemoryStorage mem;
  mem.put("a.bin", "hello world");
  std::string err;
  auto src = mem.open("a.bin", &err);
  ASSERT_TRUE(src);
  EXPECT_EQ(src->size(), 11u);
  char buf[5] = {};
  ASSERT_TRUE(src->read_at(6, buf, 5, &err)) << err;
  EXPECT_EQ(std::string(buf, 5), "world");
  EXPECT_FALSE(src->read_at(8, buf, 5, &err));
  EXPECT_NE(err.find("unexpected end of file"), std::string::npos) << err;
  EXPECT_FALSE(mem.open("none", &err));
  uint64_t too_large = 0;
  EXPECT_FALSE(read_entry(mem, "a.bin", 4, &err, &too_large));
  EXPECT_EQ(too_large, 11u);
  EXPECT_EQ(read_entry(mem, "a.bin", 64, &err, &too_large),
            std::optional<std::string>("hello world"));
}

TEST(Endian, LoadLe64) {
  const uint8_t b[8] = {0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x80};
  EXPECT_EQ(load_le64(b), 0x8007060504030201ull);
}

TEST(SafetensorsHeader, FromTheFirstChunkOrByReadingOnIsTheSame) {
  const std::string header = R"({"t":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}})";
  std::string file(8, '\0');
  for (size_t i = 0; i < 8; ++i) file[i] = static_cast<char>((header.size() >> (8 * i)) & 0xff);
  file += header;
  file += std::string(4, '\0');
  MemoryStorage mem;
  mem.put("m.safetensors", file);
  std::string err;
  auto src = mem.open("m.safetensors", &err);
  ASSERT_TRUE(src);
  const auto* bytes = reinterpret_cast<const uint8_t*>(file.data());
  for (size_t first : {size_t{0}, size_t{3}, size_t{8}, size_t{20}, file.size()}) {
    auto r = read_safetensors_header(*src, {bytes, first}, "m", &err);
    ASSERT_TRUE(r) << err;
    ASSERT_TRUE(r->ok()) << first;
    EXPECT_EQ(r->header->tensors.size(), 1u);
  }
}

TEST(LocalStorage, ListingKeepsTheSymlinkPolicy) {
  TempDir tmp;
  const fs::path root = tmp.path() / "model";
  fs::create_directories(root / "sub");
  std::ofstream(root / "a.json") << "{}";
  std::ofstream(root / "sub" / "x.bin") << "12345";
  std::ofstream(tmp.path() / "outside.bin") << "abc";
  fs::create_symlink("a.json", root / "inside_link.json");
  fs::create_symlink("../outside.bin", root / "out_link.bin");
  fs::create_directory_symlink("sub", root / "dir_link");
  fs::create_symlink("nowhere", root / "broken");

  auto by_name = [](const StorageListing& l, const std::string& n) {
    for (const auto& e : l.entries) {
      if (e.name == n) return e;
    }
    ADD_FAILURE() << "no entry " << n;
    return StorageEntry{};
  };
  const LocalStorage s(root);
  const StorageListing l = s.list({});
  EXPECT_TRUE(l.problems.empty());
  EXPECT_FALSE(l.truncated);
  EXPECT_EQ(by_name(l, "sub").type, StorageEntry::Type::kDirectory);
  EXPECT_EQ(by_name(l, "sub").bytes, 5u);
  EXPECT_EQ(by_name(l, "inside_link.json").link, LinkStatus::kFollowed);
  EXPECT_EQ(by_name(l, "inside_link.json").type, StorageEntry::Type::kFile);
  EXPECT_EQ(by_name(l, "out_link.bin").link, LinkStatus::kOutside);
  EXPECT_EQ(by_name(l, "dir_link").link, LinkStatus::kDirectory);
  EXPECT_EQ(by_name(l, "broken").link, LinkStatus::kBroken);

  const StorageListing follow = s.list({.follow_symlinks = true});
  EXPECT_EQ(by_name(follow, "out_link.bin").link, LinkStatus::kFollowed);
  EXPECT_TRUE(by_name(follow, "out_link.bin").target_outside);
  EXPECT_EQ(by_name(follow, "out_link.bin").bytes, 3u);

  const StorageListing capped = s.list({.max_entries = 2});
  EXPECT_TRUE(capped.truncated);
}

TEST(WalkTree, VisitsEveryEntryOnceAndStopsAtTheCap) {
  TempDir tmp;
  fs::create_directories(tmp.path() / "a" / "b");
  std::ofstream(tmp.path() / "a" / "b" / "f") << "x";
  std::ofstream(tmp.path() / "g") << "y";
  std::vector<std::string> seen;
  auto visit = [&](const WalkEntry& e) {
    seen.push_back(e.rel);
    return true;
  };
  auto no_error = [](const std::string& rel, bool, const std::string& msg) {
    ADD_FAILURE() << rel << ": " << msg;
  };
  WalkResult r = walk_tree(tmp.path(), 100, visit, no_error);
  EXPECT_FALSE(r.truncated);
  std::sort(seen.begin(), seen.end());
  EXPECT_EQ(seen, (std::vector<std::string>{"a", "a/b", "a/b/f", "g"}));
  seen.clear();
  r = walk_tree(tmp.path(), 3, visit, no_error);
  EXPECT_TRUE(r.truncated);
  EXPECT_EQ(seen.size(), 3u);
}

}  // namespace
}  // namespace medq
