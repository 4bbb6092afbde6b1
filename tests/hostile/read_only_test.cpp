// medq never changes a byte of what it checks: every command runs on a model folder and
// afterwards every entry's bytes, size, modification time and mode are as before, and nothing was
// added or removed. Then the same commands run on a read-only bind mount of the folder (in a
// private mount namespace, through unshare(1)), where any write would fail.
#include <gtest/gtest.h>

#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "../integrity/integrity_fixtures.hpp"
#include "../support/temp_dir.hpp"
#include "child.hpp"
#include "medq/io/sha256.hpp"

namespace medq::hostile {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;

struct EntryState {
  mode_t mode = 0;
  uint64_t size = 0;
  int64_t mtime_ns = 0;
  std::string content;  ///< SHA-256 of a regular file, the target of a symlink
  bool operator==(const EntryState&) const = default;
};

// Every entry below `dir` (symlinks not followed), by relative path.
std::map<std::string, EntryState> snapshot(const fs::path& dir) {
  std::map<std::string, EntryState> out;
  for (auto it = fs::recursive_directory_iterator(dir); it != fs::recursive_directory_iterator();
       ++it) {
    struct stat st {};
    if (::lstat(it->path().c_str(), &st) != 0) continue;
    EntryState e;
    e.mode = st.st_mode;
    e.size = static_cast<uint64_t>(st.st_size);
#if defined(__APPLE__)
    const struct timespec& mtime = st.st_mtimespec;
#else
    const struct timespec& mtime = st.st_mtim;
#endif
    e.mtime_ns = int64_t{mtime.tv_sec} * 1'000'000'000 + mtime.tv_nsec;
    if (S_ISREG(st.st_mode)) {
      std::string err;
      e.content = sha256_file(it->path(), &err).value_or("unreadable: " + err);
    } else if (S_ISLNK(st.st_mode)) {
      e.content = fs::read_symlink(it->path()).string();
    }
    out[fs::relative(it->path(), dir).string()] = e;
  }
  return out;
}

// Every command medq has, on `dir` (and `other`, a second variant), as argument lists.
std::vector<std::vector<std::string>> every_command(const fs::path& dir, const fs::path& other,
                                                    const fs::path& manifest) {
  const std::string d = dir.string(), o = other.string(), m = manifest.string();
  return {
      {"inspect", d},
      {"inspect", (dir / "model.safetensors").string()},
      {"validate", d},
      {"validate", d, "--deep", "--quiet", "--format", "json"},
      {"validate", d, "--follow-symlinks", "--strict"},
      {"compare", d, o, "--fidelity", "--quiet"},
      {"fidelity", d, o, "--quiet"},
      {"manifest", d},
      {"verify", d, "--manifest", m},
      {"verify", d, "--manifest", m, "--follow-symlinks"},
  };
}

// A generated model with the things a scan could be tempted to touch: a subdirectory, a
// symlink inside, a FIFO.
void write_model(const fs::path& dir) {
  integrity_test::write_tiny(dir);
  fs::create_directories(dir / "sub");
  std::ofstream(dir / "sub" / "notes.txt") << "notes";
  fs::create_symlink("config.json", dir / "config.link.json");
  ASSERT_EQ(::mkfifo((dir / "pipe").c_str(), 0644), 0);
}

TEST(ReadOnly, NoCommandChangesTheModelFolder) {
  TempDir tmp;
  fs::path dir = tmp.path() / "model", other = tmp.path() / "other";
  write_model(dir);
  integrity_test::write_tiny(other, 1u << 20);
  fs::path manifest = tmp.path() / "model.manifest.json";
  {
    ChildRun m = medq({"manifest", dir.string()});
    ASSERT_EQ(m.exit_code, 0) << m.out;
    // stdout and stderr share the capture: keep the JSON only.
    std::ofstream(manifest) << m.out.substr(m.out.find('{'));
  }
  const auto before = snapshot(dir), before_other = snapshot(other);
  ASSERT_GT(before.size(), 5u);
  for (const auto& args : every_command(dir, other, manifest)) {
    ChildRun r = medq(args);
    std::string what = args[0] + (args.size() > 2 ? " " + args[2] : "");
    EXPECT_FALSE(r.timed_out || r.signal) << what << "\n" << r.out;
    EXPECT_LE(r.exit_code, 2) << what << "\n" << r.out;
    EXPECT_EQ(snapshot(dir), before) << "after `medq " << what << "`";
    EXPECT_EQ(snapshot(other), before_other) << "after `medq " << what << "`";
  }
}

TEST(ReadOnly, EveryCommandWorksOnAReadOnlyMount) {
  if (std::system("command -v unshare >/dev/null 2>&1") != 0) {
    GTEST_SKIP() << "unshare(1) is not installed: no read-only mount possible here";
  }
  TempDir tmp;
  fs::path src = tmp.path() / "model", other = tmp.path() / "other", ro = tmp.path() / "ro";
  write_model(src);
  integrity_test::write_tiny(other);
  fs::create_directories(ro);
  fs::path manifest = tmp.path() / "model.manifest.json";
  ASSERT_EQ(std::system((kMedq + " manifest '" + src.string() + "' > '" + manifest.string() +
                         "' 2>/dev/null")
                            .c_str()),
            0);
  // One shell in a private mount namespace (user namespace too, so it works without root):
  // mount, prove the mount refuses writes, run every command, report each exit status.
  std::string script = "set -u; mount --bind '" + src.string() + "' '" + ro.string() +
                       "' && mount -o remount,bind,ro '" + ro.string() + "' || exit 90; " +
                       "touch '" + ro.string() + "/x' 2>/dev/null && exit 91; ";
  for (const auto& args : every_command(ro, other, manifest)) {
    std::string line = "'" + kMedq + "'";
    for (const auto& a : args) line += " '" + a + "'";
    script += line + " >/dev/null 2>&1; echo \"" + args[0] + " $?\"; ";
  }
  const auto before = snapshot(src);
  ChildRun r = run_child({"/usr/bin/env", "unshare", "-rm", "sh", "-c", script}, 300);
  if (r.exit_code == 90 || r.out.find("unshare failed") != std::string::npos ||
      r.out.find("Operation not permitted") != std::string::npos) {
    GTEST_SKIP() << "no private read-only bind mount possible here: " << r.out;
  }
  ASSERT_NE(r.exit_code, 91) << "the mount is not read-only";
  ASSERT_FALSE(r.timed_out) << r.out;
  // Exit status per command: 0 (valid / verified) or 1 (findings); never 2 (a tool error) or a
  // signal. validate --strict fails on the tiny model's warnings: 1.
  std::istringstream lines(r.out);
  std::string cmd;
  int status = -1, n = 0;
  while (lines >> cmd >> status) {
    ++n;
    EXPECT_LE(status, 1) << "medq " << cmd << " on a read-only mount\n" << r.out;
  }
  EXPECT_EQ(n, static_cast<int>(every_command(ro, other, manifest).size())) << r.out;
  EXPECT_EQ(snapshot(src), before);
}

}  // namespace
}  // namespace medq::hostile
