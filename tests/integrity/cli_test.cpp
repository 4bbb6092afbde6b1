// `medq manifest` and `medq verify` as a user runs them: output, exit codes (0 verified,
// 1 something differs, 2 tool errors), and a manifest redirected into the model directory.
#include "../support/run_command.hpp"
#include "integrity_fixtures.hpp"

namespace medq::integrity_test {
namespace {

using testing::TempDir;

using testing::CmdResult;

CmdResult run(const std::string& cmd) { return testing::run_command(cmd); }

const std::string kMedq = std::string(MEDQ_BINARY_DIR) + "/src/medq";

std::string q(const fs::path& p) { return "'" + p.string() + "'"; }

TEST(Cli, ManifestThenVerify) {
  TempDir tmp;
  fs::path dir = tmp.path() / "model";
  write_tiny(dir);
  fs::path m = tmp.path() / "model.manifest.json";
  CmdResult made = run(kMedq + " manifest " + q(dir) + " > " + q(m) + "; echo $?");
  EXPECT_EQ(made.out, "0\n");
  ASSERT_TRUE(manifest_from_json(read_all(m)).manifest);

  CmdResult ok = run(kMedq + " verify " + q(dir) + " --manifest " + q(m));
  EXPECT_EQ(ok.exit_code, 0) << ok.out;
  EXPECT_NE(ok.out.find("Result: PASS"), std::string::npos);
  EXPECT_EQ(run(kMedq + " verify " + q(dir) + " --manifest " + q(m) + " --format json").exit_code,
            0);

  write_all(dir / "extra.txt", "x");
  CmdResult bad = run(kMedq + " verify " + q(dir) + " --manifest " + q(m) + " --format md");
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.out.find("| extra | `extra.txt` |"), std::string::npos) << bad.out;
}

TEST(Cli, ManifestOfAnEmptyFolderIsAnError) {
  TempDir tmp;
  fs::path dir = tmp.path() / "empty";
  fs::create_directories(dir);
  CmdResult r = run(kMedq + " manifest " + q(dir) + " 2>&1; echo \"exit $?\"");
  EXPECT_NE(
      r.out.find("medq: error: no manifest written: " + dir.string() + " holds no file to record"),
      std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("exit 2"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("medq_manifest"), std::string::npos) << r.out;
}

TEST(Cli, ManifestRedirectedIntoTheDirectoryDoesNotRecordItself) {
  TempDir tmp;
  fs::path dir = tmp.path() / "model";
  write_tiny(dir);
  // Any name: the file open on stdout is recognised by identity, not by its name.
  CmdResult made = run(kMedq + " manifest " + q(dir) + " > " + q(dir / "checksums.json") + " 2>&1");
  EXPECT_EQ(made.exit_code, 0);
  std::string text = read_all(dir / "checksums.json");
  EXPECT_EQ(text.find("\"checksums.json\""), std::string::npos);
  // The note about leaving it out went to stderr, into the same file here.
  EXPECT_NE(text.find("medq: note: checksums.json: the manifest itself (not recorded)"),
            std::string::npos);
  // Verifying with the manifest inside the directory leaves it out as well.
  write_all(dir / "checksums.json", text.substr(text.find('{')));
  CmdResult ok = run(kMedq + " verify " + q(dir) + " --manifest " + q(dir / "checksums.json"));
  EXPECT_EQ(ok.exit_code, 0) << ok.out;
}

TEST(Cli, ToolErrorsExitWith2) {
  TempDir tmp;
  fs::path dir = tmp.path() / "model";
  write_tiny(dir);
  write_all(tmp.path() / "v2.json", R"({"format": "medq-manifest", "version": 2, "files": []})");
  write_all(tmp.path() / "garbage.json", "not json");
  CmdResult v2 =
      run(kMedq + " verify " + q(dir) + " --manifest " + q(tmp.path() / "v2.json") + " 2>&1");
  EXPECT_EQ(v2.exit_code, 2);
  EXPECT_NE(v2.out.find("unsupported manifest version 2"), std::string::npos) << v2.out;
  EXPECT_EQ(run(kMedq + " verify " + q(dir) + " --manifest " + q(tmp.path() / "garbage.json") +
                " 2>/dev/null")
                .exit_code,
            2);
  EXPECT_EQ(run(kMedq + " verify " + q(dir) + " --manifest " + q(tmp.path() / "absent.json") +
                " 2>/dev/null")
                .exit_code,
            2);
  EXPECT_EQ(run(kMedq + " verify " + q(dir / "config.json") + " --manifest " +
                q(tmp.path() / "v2.json") + " 2>/dev/null")
                .exit_code,
            2);
  EXPECT_EQ(run(kMedq + " manifest " + q(tmp.path() / "absent") + " 2>/dev/null").exit_code, 2);
  EXPECT_EQ(run(kMedq + " manifest " + q(dir / "config.json") + " 2>/dev/null").exit_code, 2);
  EXPECT_EQ(run(kMedq + " verify " + q(dir) + " 2>/dev/null").exit_code, 2);  // no --manifest
}

}  // namespace
}  // namespace medq::integrity_test
