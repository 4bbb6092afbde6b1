// The medq-synth executable end to end: exit codes, the non-empty-directory refusal, option
// validation and the defect list, run as a user would.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <string>

#include "defects.hpp"
#include "test_util.hpp"

namespace medq::synth {
namespace {

struct CliRun {
  int status;
  std::string out;
};

CliRun run(const std::string& args) {
  const std::string cmd =
      std::string(MEDQ_BINARY_DIR) + "/tools/synth/medq-synth " + args + " 2>&1";
  CliRun r{-1, ""};
  FILE* p = ::popen(cmd.c_str(), "r");
  if (!p) return r;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
  const int st = ::pclose(p);
  r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return r;
}

TEST(SynthCli, SamplesThenRefusalThenForce) {
  test::TempDir tmp;
  const std::string out = (tmp.path() / "demo").string();
  CliRun r = run("samples " + out);
  ASSERT_EQ(r.status, 0) << r.out;
  for (const char* v : {"bf16", "8bit", "6bit", "4bit", "mixed_4_8"}) {
    EXPECT_TRUE(std::filesystem::exists(tmp.path() / "demo" / v / "model.safetensors")) << v;
    EXPECT_NE(r.out.find(std::string("/") + v + ": "), std::string::npos) << r.out;
  }
  r = run("samples " + out);
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.out.find("directory is not empty (use --force to write into it)"), std::string::npos)
      << r.out;
  EXPECT_EQ(run("samples --force " + out).status, 0);
}

TEST(SynthCli, RejectsBadOptions) {
  test::TempDir tmp;
  const std::string out = (tmp.path() / "x").string();
  struct Case {
    const char* args;
    const char* message;
  };
  for (const Case& c :
       {Case{"tiny --bits 7", "affine bits must be 2, 3, 4, 5, 6 or 8"},
        Case{"tiny --bits 4 --mode mxfp4", "choose one of --bits, --mode, --mixed"},
        Case{"tiny --mode fp3", "unknown mode 'fp3'"},
        Case{"tiny --mixed mixed_9_9", "unknown recipe 'mixed_9_9'"},
        Case{"tiny --bits 4 --skip nope", "--skip nope: not a quantizable module"},
        Case{"defect no-such", "unknown defect 'no-such'"}, Case{"tiny --bogus", "--bogus"},
        Case{"frobnicate", "subcommand"},
        Case{"replica --tokenizer /nope", "--tokenizer /nope: no tokenizer.json"}}) {
    const CliRun r = run(std::string(c.args) + " " + out);
    EXPECT_EQ(r.status, 2) << c.args << "\n" << r.out;  // usage errors, as medq's
    EXPECT_NE(r.out.find(c.message), std::string::npos) << c.args << "\n" << r.out;
  }
  EXPECT_FALSE(std::filesystem::exists(tmp.path() / "x" / "model.safetensors"));
}

TEST(SynthCli, Version) {
  const CliRun r = run("--version");
  EXPECT_EQ(r.status, 0);
  EXPECT_EQ(r.out.rfind("medq-synth ", 0), 0u) << r.out;
}

TEST(SynthCli, DefectListNamesEveryDefect) {
  const CliRun r = run("defect --list");
  ASSERT_EQ(r.status, 0);
  for (const DefectInfo& d : list_defects())
    EXPECT_EQ(r.out.find(d.name + " "), r.out.find(d.name)) << d.name << " missing or odd";
}

}  // namespace
}  // namespace medq::synth
