// Bounded work on hostile input (issue 8): each case runs the real medq binary on a folder built
// to hurt it and asserts that it ends on its own, without a crash, within a time bound and (outside
// the sanitizer build) a memory bound, with the right finding. docs/security.md lists the bounds.
#include <gtest/gtest.h>

#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "../integrity/integrity_fixtures.hpp"
#include "../support/temp_dir.hpp"
#include "child.hpp"
#include "medq/check/deep_scan.hpp"
#include "medq/check/validate.hpp"
#include "medq/formats/safetensors.hpp"
#include "medq/formats/tokenizer_json.hpp"

namespace medq::hostile {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;

// Memory bound for one command on these inputs, MiB (not asserted under ASan).
constexpr long kMaxRssMb = 400;

/// Asserts that a run ended by itself (no signal, no deadline), with an exit code medq documents,
/// within the time bound and, without sanitizers, `max_mb` of resident memory.
void expect_bounded(const ChildRun& r, const std::string& what, long max_mb = kMaxRssMb,
                    double max_s = kMaxSeconds) {
  EXPECT_FALSE(r.timed_out) << what << ": still running after " << r.seconds << " s";
  EXPECT_EQ(r.signal, 0) << what << ": killed by signal " << r.signal << "\n" << r.out;
  EXPECT_GE(r.exit_code, 0) << what;
  EXPECT_LE(r.exit_code, 2) << what << "\n" << r.out;
  EXPECT_LT(r.seconds, max_s) << what;
  if (!kSanitized) {
    EXPECT_LT(r.max_rss_mb, max_mb) << what;
  }
  std::printf("[ bounds ] %-48s %6.2f s %5ld MiB exit %d\n", what.c_str(), r.seconds, r.max_rss_mb,
              r.exit_code);
}

bool has(const ChildRun& r, const std::string& code) {
  return r.out.find(code) != std::string::npos;
}

/// Writes head + `n` copies of `fill` + tail, in 1 MiB writes (real bytes, not a sparse file).
void write_big(const fs::path& p, const std::string& head, char fill, uint64_t n,
               const std::string& tail) {
  std::FILE* f = std::fopen(p.c_str(), "wb");
  ASSERT_NE(f, nullptr);
  std::fwrite(head.data(), 1, head.size(), f);
  std::string chunk(1 << 20, fill);
  for (uint64_t left = n; left > 0;) {
    size_t k = static_cast<size_t>(std::min<uint64_t>(left, chunk.size()));
    std::fwrite(chunk.data(), 1, k, f);
    left -= k;
  }
  std::fwrite(tail.data(), 1, tail.size(), f);
  std::fclose(f);
}

std::string le64(uint64_t n) {
  std::string s(8, '\0');
  for (int i = 0; i < 8; ++i) s[static_cast<size_t>(i)] = static_cast<char>((n >> (8 * i)) & 0xFF);
  return s;
}

// The tiny generated Gemma 3 (4-bit): a complete, valid model folder.
fs::path tiny_model(const TempDir& tmp, const std::string& name = "model") {
  fs::path dir = tmp.path() / name;
  integrity_test::write_tiny(dir);
  return dir;
}

TEST(Hostile, HeaderOf100MB) {
  TempDir tmp;
  // A header of exactly the reference reader's cap, 100,000,000 bytes, all of it valid JSON:
  // one metadata string. It is read and parsed whole.
  const std::string head = "{\"__metadata__\":{\"a\":\"";
  const std::string tail = "\"}}";
  const uint64_t n = 100'000'000;
  write_big(tmp.path() / "big.safetensors", le64(n) + head, 'x', n - head.size() - tail.size(),
            tail);
  ChildRun r = medq({"inspect", (tmp.path() / "big.safetensors").string()});
  expect_bounded(r, "inspect: 100,000,000-byte header", 600);
  EXPECT_EQ(r.exit_code, 0) << r.out;
  // One byte more than the cap: refused from the 8-byte length alone.
  write_big(tmp.path() / "over.safetensors", le64(n + 1) + "{", ' ', 16, "}");
  ChildRun over = medq({"inspect", (tmp.path() / "over.safetensors").string()});
  expect_bounded(over, "inspect: header length over the cap");
  EXPECT_TRUE(has(over, "safetensors.header_too_large")) << over.out;
}

TEST(Hostile, MillionTensors) {
  TempDir tmp;
  fs::path dir = tmp.path() / "m";
  fs::create_directories(dir);
  // 1,000,000 one-byte U8 tensors: a 55 MB header and 1 MB of data. Under ASan, a quarter of
  // that: the same code paths, in CI time.
  const int n = kSanitized ? 250'000 : 1'000'000;
  const double deadline = 3 * kMaxSeconds;
  std::string h = "{";
  h.reserve(60'000'000);
  char buf[96];
  for (int i = 0; i < n; ++i) {
    int k = std::snprintf(buf, sizeof buf,
                          "%s\"t%d\":{\"dtype\":\"U8\",\"shape\":[1],"
                          "\"data_offsets\":[%d,%d]}",
                          i ? "," : "", i, i, i + 1);
    h.append(buf, static_cast<size_t>(k));
  }
  h += "}";
  {
    std::ofstream f(dir / "model.safetensors", std::ios::binary);
    f << le64(h.size()) << h << std::string(static_cast<size_t>(n), '\0');
  }
  ChildRun r = medq({"validate", dir.string(), "--format", "json"}, deadline);
  expect_bounded(r, "validate: 1,000,000 tensors", 1000, deadline);
  EXPECT_EQ(r.exit_code, 1);  // no config, no tokenizer
  ChildRun i = medq({"inspect", dir.string()}, deadline);
  expect_bounded(i, "inspect: 1,000,000 tensors", 1000, deadline);
  EXPECT_EQ(i.exit_code, 0);
}

TEST(Hostile, ShapeProductOverflows) {
  // 2^32 * 2^32 * 2 elements: the product overflows 64 bits. Refused, from memory.
  std::string h =
      "{\"w\":{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296,2],\"data_offsets\":[0,4]}}";
  std::string bytes = le64(h.size()) + h + std::string(4, '\0');
  auto r = parse_safetensors(
      std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()),
      bytes.size(), "x.safetensors");
  EXPECT_FALSE(r.ok());
  ASSERT_FALSE(r.findings.empty());
  EXPECT_EQ(r.findings[0].code, "safetensors.shape_overflow") << r.findings[0].message;
}

TEST(Hostile, DeeplyNestedJson) {
  TempDir tmp;
  fs::path dir = tiny_model(tmp);
  const uint64_t depth = 1'000'000;
  write_big(dir / "config.json", "", '[', depth, std::string(depth, ']'));
  write_big(dir / "tokenizer.json", "{\"a\":", '[', depth, std::string(depth, ']') + "}");
  write_big(dir / "model.safetensors.index.json", "{\"weight_map\":", '{', 1, "");
  {
    std::string st = std::string(50'000, '[') + std::string(50'000, ']');
    std::ofstream(dir / "nested.safetensors", std::ios::binary) << le64(st.size()) << st;
  }
  ChildRun r = medq({"validate", dir.string()});
  expect_bounded(r, "validate: JSON nested 1,000,000 deep");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(has(r, "config.json_too_deep") || has(r, "config.invalid_json")) << r.out;
  EXPECT_TRUE(has(r, "tokenizer.json_too_deep")) << r.out;
  EXPECT_TRUE(has(r, "safetensors.")) << r.out;
}

TEST(Hostile, TokenizerJsonOfOneHugeString) {
  TempDir tmp;
  fs::path dir = tiny_model(tmp);
  // Over the file cap: refused from its size. 1 GB in the ordinary build; under ASan the
  // smallest size that is over the cap (the path is the same, the disk write is not).
  const uint64_t big = kSanitized ? kMaxTokenizerJsonBytes + 1 : uint64_t{1} << 30;
  write_big(dir / "tokenizer.json", "\"", 'a', big - 2, "\"");
  ChildRun r = medq({"validate", dir.string()});
  expect_bounded(r, "validate: tokenizer.json one 1 GB string", 200);
  EXPECT_TRUE(has(r, "tokenizer.too_large")) << r.out;
  fs::remove(dir / "tokenizer.json");
  // Under the file cap: read until the string passes 16 MiB, then refused.
  const uint64_t under = kSanitized ? uint64_t{64} << 20 : uint64_t{120} << 20;
  write_big(dir / "tokenizer.json", "{\"model\":{\"vocab\":{\"", 'a', under, "\":0}}}");
  ChildRun s = medq({"validate", dir.string()});
  expect_bounded(s, "validate: tokenizer.json one 120 MB string", 200);
  EXPECT_TRUE(has(s, "tokenizer.too_large")) << s.out;
  EXPECT_TRUE(has(s, "a JSON string longer than")) << s.out;
}

TEST(Hostile, DirectoryOf100000Files) {
  TempDir tmp;
  fs::path dir = tiny_model(tmp);
  for (int i = 0; i < 100'000; ++i) {
    std::FILE* f = std::fopen((dir / ("junk" + std::to_string(i))).c_str(), "w");
    ASSERT_NE(f, nullptr);
    std::fclose(f);
  }
  ChildRun r = medq({"validate", dir.string()}, kMaxSeconds, size_t{64} << 20);
  expect_bounded(r, "validate: 100,000 files");
  EXPECT_TRUE(has(r, "directory.unreferenced_file")) << r.out.substr(0, 2000);
  ChildRun m = medq({"manifest", dir.string()});
  expect_bounded(m, "manifest: 100,000 files");
  EXPECT_EQ(m.exit_code, 0);
}

TEST(Hostile, SymlinkLoops) {
  TempDir tmp;
  fs::path dir = tiny_model(tmp);
  fs::create_symlink("b.safetensors", dir / "a.safetensors");
  fs::create_symlink("a.safetensors", dir / "b.safetensors");
  fs::create_symlink("self.json", dir / "self.json");
  fs::create_directories(dir / "sub");
  fs::create_directory_symlink("..", dir / "sub" / "up");  // a directory loop
  fs::create_directory_symlink(".", dir / "here");
  for (const char* cmd : {"validate", "inspect", "manifest"}) {
    for (bool follow : {false, true}) {
      std::vector<std::string> args = {cmd, dir.string()};
      if (follow) args.push_back("--follow-symlinks");
      ChildRun r = medq(args);
      expect_bounded(r, std::string(cmd) + ": symlink loops" + (follow ? " (follow)" : ""));
      if (std::string(cmd) != "manifest") {
        EXPECT_TRUE(has(r, "directory.symlink_loop")) << r.out;
      } else {
        EXPECT_TRUE(has(r, "a loop of links")) << r.out;
      }
    }
  }
  ChildRun v = medq({"validate", dir.string()});
  EXPECT_TRUE(has(v, "directory.symlink_directory")) << v.out;
}

TEST(Hostile, SymlinkOutsideTheFolderIsReportedNotFollowed) {
  TempDir tmp;
  fs::path dir = tiny_model(tmp);
  // config.json becomes a link to a file outside the folder that is not valid JSON: were it
  // read, config.invalid_json would say so.
  tmp.write("outside.json", "this is not JSON");
  fs::remove(dir / "config.json");
  fs::create_symlink(tmp.path() / "outside.json", dir / "config.json");
  ChildRun r = medq({"validate", dir.string()});
  expect_bounded(r, "validate: symlink out of the folder");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(has(r, "directory.symlink_outside")) << r.out;
  EXPECT_TRUE(has(r, "--follow-symlinks")) << r.out;
  EXPECT_FALSE(has(r, "config.invalid_json")) << r.out;
  EXPECT_FALSE(has(r, "config.missing")) << r.out;  // reported once, as the link
  // With --follow-symlinks the target is read (and found invalid).
  ChildRun f = medq({"validate", dir.string(), "--follow-symlinks"});
  expect_bounded(f, "validate --follow-symlinks: symlink out of the folder");
  EXPECT_TRUE(has(f, "config.invalid_json")) << f.out;
  EXPECT_FALSE(has(f, "directory.symlink_outside")) << f.out;
  // The manifest leaves the link out, and records it with the flag.
  ChildRun m = medq({"manifest", dir.string()});
  EXPECT_TRUE(has(m, "outside the directory (not followed")) << m.out;
  EXPECT_FALSE(has(m, "\"config.json\"")) << m.out;
  ChildRun mf = medq({"manifest", dir.string(), "--follow-symlinks"});
  EXPECT_TRUE(has(mf, "\"config.json\"")) << mf.out;
}

TEST(Hostile, SymlinkInsideTheFolderIsFollowed) {
  TempDir tmp;
  fs::path dir = tiny_model(tmp);
  fs::create_directories(dir / "store");
  fs::rename(dir / "tokenizer.json", dir / "store" / "tokenizer.json");
  fs::create_symlink("store/tokenizer.json", dir / "tokenizer.json");
  ChildRun r = medq({"validate", dir.string(), "--format", "json"});
  expect_bounded(r, "validate: symlink inside the folder");
  EXPECT_TRUE(has(r, "directory.symlink")) << r.out;
  EXPECT_FALSE(has(r, "tokenizer.missing")) << r.out;
  EXPECT_FALSE(has(r, "directory.symlink_outside")) << r.out;
}

TEST(Hostile, IndexEntryOutsideTheFolderIsNotOpened) {
  TempDir tmp;
  fs::path dir = tiny_model(tmp);
  // A shard named "../evil.safetensors" that exists, next to the folder, and is broken: were it
  // opened, a safetensors finding about it would appear.
  tmp.write("evil.safetensors", "garbage");
  std::string idx =
      "{\"metadata\":{\"total_size\":1},\"weight_map\":{\"model.embed_tokens.weight\":"
      "\"../evil.safetensors\",\"x\":\"/etc/passwd\"}}";
  std::ofstream(dir / "model.safetensors.index.json") << idx;
  ChildRun r = medq({"validate", dir.string()});
  expect_bounded(r, "validate: index entries outside the folder");
  EXPECT_TRUE(has(r, "index.path_escape")) << r.out;
  EXPECT_EQ(r.out.find("safetensors.header_too_small"), std::string::npos) << r.out;
}

TEST(Hostile, FifosAndDevicesAreNeverOpened) {
  TempDir tmp;
  fs::path dir = tiny_model(tmp);
  // A FIFO nobody writes to: opened for reading it would block for ever.
  fs::remove(dir / "tokenizer.json");
  ASSERT_EQ(::mkfifo((dir / "tokenizer.json").c_str(), 0600), 0);
  ASSERT_EQ(::mkfifo((dir / "extra.safetensors").c_str(), 0600), 0);
  // Devices that never end or discard: by link, and (as root) a device node in the folder.
  fs::remove(dir / "tokenizer.model");
  fs::create_symlink("/dev/zero", dir / "tokenizer.model");
  fs::create_symlink("/dev/urandom", dir / "more.safetensors");
  if (::geteuid() == 0) {
    ASSERT_EQ(::mknod((dir / "zero.json").c_str(), S_IFCHR | 0600, makedev(1, 5)), 0);
  }
  for (const char* cmd : {"validate", "inspect", "manifest"}) {
    ChildRun r = medq({cmd, dir.string()});
    expect_bounded(r, std::string(cmd) + ": FIFOs and devices", kMaxRssMb);
    if (std::string(cmd) != "manifest") {
      EXPECT_TRUE(has(r, "directory.special_file")) << r.out;
    } else {
      EXPECT_TRUE(has(r, "FIFO (never opened)")) << r.out;
    }
  }
  ChildRun d = medq({"validate", "--deep", "--quiet", dir.string()});
  expect_bounded(d, "validate --deep: FIFOs and devices");
  // No usable tokenizer is left: a FIFO and a link to a device are not tokenizer files.
  EXPECT_EQ(d.exit_code, 1) << d.out;
  EXPECT_TRUE(has(d, "tokenizer.missing")) << d.out;
  ChildRun f = medq({"inspect", (dir / "extra.safetensors").string()});
  expect_bounded(f, "inspect FIFO");
  EXPECT_TRUE(has(f, "not a regular file")) << f.out;
}

TEST(Hostile, UnreadableFilesAreFindings) {
  TempDir tmp;
  fs::path dir = tiny_model(tmp);
  // Permission bits do not stop root. As root the run drops to uid 65534 (nobody), for whom
  // the folder is readable and these files are not: a real permission failure, not a fake.
  for (const char* f : {"config.json", "tokenizer.json", "model.safetensors"}) {
    fs::permissions(dir / f, fs::perms::none);
  }
  fs::permissions(tmp.path(), fs::perms::owner_all | fs::perms::others_read |
                                  fs::perms::others_exec | fs::perms::group_read |
                                  fs::perms::group_exec);
  const bool root = ::geteuid() == 0;
  // uid 65534 may not reach the binary inside the checkout (a clone under /root, or in a 0700
  // folder): it runs a copy from the world-readable temporary folder instead.
  std::string medq = kMedq;
  if (root) {
    const fs::path copy = tmp.path() / "medq";
    fs::copy_file(kMedq, copy);
    fs::permissions(copy, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                              fs::perms::others_read | fs::perms::others_exec);
    medq = copy.string();
  }
  ChildRun r = run_child({medq, "validate", dir.string()}, kMaxSeconds, /*as_nobody=*/root);
  if (root && r.exit_code == 126) GTEST_SKIP() << "cannot drop to uid 65534 here";
  if (root && r.exit_code == 127) {
    GTEST_SKIP() << "uid 65534 cannot reach " << medq
                 << " (a folder above the temporary folder is not searchable by others)";
  }
  expect_bounded(r, "validate: unreadable files");
  EXPECT_EQ(r.exit_code, 1) << r.out;  // findings, not an abort (2)
  EXPECT_TRUE(has(r, "config.unreadable")) << r.out;
  EXPECT_TRUE(has(r, "tokenizer.unreadable")) << r.out;
  EXPECT_TRUE(has(r, "safetensors.io_error")) << r.out;
  ChildRun m = run_child({medq, "manifest", dir.string()}, kMaxSeconds, root);
  expect_bounded(m, "manifest: unreadable files");
  EXPECT_EQ(m.exit_code, 2);  // an incomplete manifest is never written
  EXPECT_TRUE(has(m, "Permission denied")) << m.out;
}

// The weight file changes in the middle of `validate --deep`: from the scan's first progress
// report on, it is truncated (or grown). Every tensor read after that is a clear data.unreadable,
// never a crash or a silently short read.
void change_mid_scan(bool grow) {
  TempDir tmp;
  fs::path dir = tiny_model(tmp);
  const fs::path w = dir / "model.safetensors";
  const uint64_t size = fs::file_size(w);
  Validation v = validate_model(dir);
  ASSERT_EQ(count_severity(v.findings, Severity::kError), 0u);
  bool changed = false;
  DataScanOptions o;
  o.threads = 1;
  o.progress = [&](uint64_t, uint64_t) {
    if (changed) return;
    changed = true;
    if (grow) {
      std::ofstream(w, std::ios::binary | std::ios::app) << std::string(4096, 'x');
    } else {
      fs::resize_file(w, size / 2);
    }
  };
  Findings fs = deep_scan(v, o);
  ASSERT_TRUE(changed);
  size_t unreadable = 0;
  for (const auto& f : fs) {
    if (f.code != "data.unreadable") continue;
    ++unreadable;
    EXPECT_TRUE(f.message.find("changed") != std::string::npos ||
                f.message.find("unexpected end of file") != std::string::npos)
        << f.message;
  }
  EXPECT_GT(unreadable, 0u);
}

TEST(Hostile, FileTruncatedWhileRead) { change_mid_scan(/*grow=*/false); }
TEST(Hostile, FileGrownWhileRead) { change_mid_scan(/*grow=*/true); }

}  // namespace
}  // namespace medq::hostile
