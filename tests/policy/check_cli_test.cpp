// `medq check` as CI runs it: docs/examples/medq-policy.json against the generator's clean
// samples and a defect model. Verdicts and exit codes (0 pass, 1 invalid, 3 policy failed,
// 2 usage), the JUnit XML read back by an independent parser (Python's xml.etree), the JSON
// report as the next release's baseline, and GitHub annotations under GITHUB_ACTIONS=true.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "../support/run_command.hpp"
#include "../support/temp_dir.hpp"

namespace medq {
namespace {

namespace fs = std::filesystem;

const std::string kMedq = std::string(MEDQ_BINARY_DIR) + "/src/medq";
const std::string kSynth = std::string(MEDQ_BINARY_DIR) + "/tools/synth/medq-synth";
const fs::path kExamplePolicy = fs::path(MEDQ_SOURCE_DIR) / "docs/examples/medq-policy.json";

using testing::CmdResult;

CmdResult run(const std::string& cmd) { return testing::run_command(cmd); }

std::string q(const fs::path& p) { return "'" + p.string() + "'"; }

/// The samples (bf16, 8bit, 6bit, 4bit, mixed_4_8) and a defect model, written once.
class Fixture : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    tmp_ = new testing::TempDir();
    ASSERT_EQ(run(kSynth + " samples " + q(tmp_->path() / "samples") + " >/dev/null").exit_code, 0);
    ASSERT_EQ(
        run(kSynth + " defect stale-index " + q(tmp_->path() / "defect") + " >/dev/null").exit_code,
        0);
  }
  static void TearDownTestSuite() {
    delete tmp_;
    tmp_ = nullptr;
  }
  static fs::path dir(const std::string& name) { return tmp_->path() / name; }
  static fs::path sample(const std::string& name) { return tmp_->path() / "samples" / name; }

  /// `medq check DIR --policy <example> --reference samples/bf16 EXTRA` (stderr to /dev/null).
  static CmdResult check(const fs::path& model, const std::string& extra = "") {
    return run(kMedq + " check " + q(model) + " --policy " + q(kExamplePolicy) + " --reference " +
               q(sample("bf16")) + " --quiet " + extra + " 2>/dev/null");
  }

  /// The JUnit file parsed by Python's xml.etree: one line per testcase, "<name> <status>", after
  /// a first line "<suite name> tests=<n> failures=<n> skipped=<n>".
  static std::string junit_cases(const fs::path& xml) {
    std::string script =
        "import sys, xml.etree.ElementTree as ET\n"
        "root = ET.parse(sys.argv[1]).getroot()\n"
        "suite = root.find('testsuite')\n"
        "print(suite.get('name'), 'tests=' + suite.get('tests'), 'failures=' + "
        "suite.get('failures'), 'skipped=' + suite.get('skipped'))\n"
        "for c in suite.findall('testcase'):\n"
        "    s = 'failure' if c.find('failure') is not None else 'skipped' if "
        "c.find('skipped') is not None else 'pass'\n"
        "    print(c.get('name'), s)\n";
    fs::path py = tmp_->path() / "junit_cases.py";
    std::ofstream(py) << script;
    return run("/usr/bin/python3 " + q(py) + " " + q(xml) + " 2>&1").out;
  }

  static bool have_python() {
    return std::system("/usr/bin/python3 -c 'import xml.etree.ElementTree' >/dev/null 2>&1") == 0;
  }

  static testing::TempDir* tmp_;
};

testing::TempDir* Fixture::tmp_ = nullptr;

using CheckCli = Fixture;

TEST_F(CheckCli, CleanModelPasses) {
  fs::path junit = dir("pass.xml");
  CmdResult r = check(sample("4bit"), "--junit " + q(junit));
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("Result: PASS"), std::string::npos) << r.out;
  if (!have_python()) GTEST_SKIP() << "/usr/bin/python3 not found";
  EXPECT_EQ(junit_cases(junit),
            "medq check tests=19 failures=0 skipped=3\n"
            "validation pass\n"
            "findings.fail_on_warnings pass\n"
            "findings.fail_on pass\n"
            "quantization.mode pass\n"
            "quantization.bits pass\n"
            "quantization.group_size pass\n"
            "quantization.allow_mixed pass\n"
            "limits.max_weight_bytes pass\n"
            "limits.max_directory_bytes pass\n"
            "limits.max_memory_bytes pass\n"
            "fidelity.min_cosine pass\n"
            "fidelity.max_relative_error pass\n"
            "fidelity.components.language_model.min_cosine pass\n"
            "fidelity.components.embeddings.max_relative_error pass\n"
            "fidelity.components.vision_tower.min_cosine pass\n"
            "tokenizer.identical_to pass\n"
            "baseline.tensor_set skipped\n"
            "baseline.architecture skipped\n"
            "baseline.max_size_growth_percent skipped\n");
}

TEST_F(CheckCli, PolicyFailures) {
  // 8-bit: valid, but the wrong bits and too big.
  fs::path junit = dir("8bit.xml");
  CmdResult r = check(sample("8bit"), "--junit " + q(junit) + " --format json");
  EXPECT_EQ(r.exit_code, 3) << r.out;
  nlohmann::json j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["verdict"], "policy_failed");
  EXPECT_EQ(j["exit_code"], 3);
  std::set<std::string> failed;
  for (const auto& rule : j["rules"]) {
    if (rule["status"] == "fail") failed.insert(rule["id"].get<std::string>());
  }
  EXPECT_EQ(failed,
            (std::set<std::string>{"quantization.bits", "limits.max_weight_bytes",
                                   "limits.max_directory_bytes", "limits.max_memory_bytes"}));
  // The mixed recipe: mixed precision is not allowed.
  r = check(sample("mixed_4_8"));
  EXPECT_EQ(r.exit_code, 3) << r.out;
  EXPECT_NE(r.out.find("FAIL     quantization.allow_mixed"), std::string::npos) << r.out;
  if (!have_python()) GTEST_SKIP() << "/usr/bin/python3 not found";
  std::string cases = junit_cases(junit);
  EXPECT_EQ(cases.rfind("medq check tests=19 failures=4 skipped=3\n", 0), 0u) << cases;
  EXPECT_NE(cases.find("\nquantization.bits failure\n"), std::string::npos) << cases;
  EXPECT_NE(cases.find("\nquantization.mode pass\n"), std::string::npos) << cases;
}

TEST_F(CheckCli, InvalidModel) {
  fs::path junit = dir("defect.xml");
  CmdResult r = check(dir("defect"), "--junit " + q(junit));
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_NE(r.out.find("Result: FAIL (the model has"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("index.stale"), std::string::npos) << r.out;
  if (!have_python()) GTEST_SKIP() << "/usr/bin/python3 not found";
  std::string cases = junit_cases(junit);
  EXPECT_NE(cases.find("\nvalidation failure\n"), std::string::npos) << cases;
}

TEST_F(CheckCli, NoModelIsInvalid) {
  fs::create_directories(dir("empty"));
  EXPECT_EQ(check(dir("empty")).exit_code, 1);
}

TEST_F(CheckCli, Baseline) {
  fs::path base = dir("release-1.json");
  CmdResult r = run(kMedq + " check " + q(sample("4bit")) + " --policy " + q(kExamplePolicy) +
                    " --reference " + q(sample("bf16")) + " --format json > " + q(base));
  ASSERT_EQ(r.exit_code, 0);
  r = check(sample("4bit"), "--baseline " + q(base) + " --format json");
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_EQ(nlohmann::json::parse(r.out)["rules_summary"]["passed"], 19) << r.out;
  // 6-bit against a 4-bit release: same tensors, but the weights grew.
  r = check(sample("6bit"), "--baseline " + q(base) + " --format json");
  EXPECT_EQ(r.exit_code, 3) << r.out;
  nlohmann::json j = nlohmann::json::parse(r.out);
  for (const auto& rule : j["rules"]) {
    if (rule["id"] == "baseline.max_size_growth_percent") {
      EXPECT_EQ(rule["status"], "fail");
    }
    if (rule["id"] == "baseline.tensor_set") {
      EXPECT_EQ(rule["status"], "pass");
    }
  }
}

TEST_F(CheckCli, UsageErrors) {
  auto code = [&](const std::string& args) {
    return run(kMedq + " check " + args + " >/dev/null 2>&1").exit_code;
  };
  fs::path m = sample("4bit");
  EXPECT_EQ(code(q(m)), 2);  // --policy is required
  EXPECT_EQ(code(q(m) + " --policy " + q(dir("missing.json"))), 2);
  std::ofstream(dir("typo.json")) << R"({"medq_policy": 1, "limits": {"max_weight_byts": 1}})";
  CmdResult r = run(kMedq + " check " + q(m) + " --policy " + q(dir("typo.json")) + " 2>&1");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.out.find("policy.limits.max_weight_byts: unknown key"), std::string::npos) << r.out;
  std::ofstream(dir("nothing.json")) << R"({"medq_policy": 1})";
  r = run(kMedq + " check " + q(m) + " --policy " + q(dir("nothing.json")) + " 2>&1");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.out.find("checks nothing"), std::string::npos) << r.out;
  // The example policy's fidelity thresholds need --reference.
  EXPECT_EQ(code(q(m) + " --policy " + q(kExamplePolicy)), 2);
  EXPECT_EQ(code(q(m) + " --policy " + q(kExamplePolicy) + " --reference " + q(dir("nope"))), 2);
  EXPECT_EQ(code(q(m) + " --policy " + q(kExamplePolicy) + " --reference " + q(sample("bf16")) +
                 " --baseline " + q(kExamplePolicy)),
            2);  // not a check report
  EXPECT_EQ(code(q(dir("nope")) + " --policy " + q(kExamplePolicy)), 2);
}

TEST_F(CheckCli, GithubAnnotations) {
  CmdResult r = run("GITHUB_ACTIONS=true " + kMedq + " check " + q(sample("8bit")) + " --policy " +
                    q(kExamplePolicy) + " --reference " + q(sample("bf16")) + " --quiet");
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_NE(r.out.find("::error file=" + kExamplePolicy.string() +
                       ",title=medq check%3A quantization.bits::expected bits 4"),
            std::string::npos)
      << r.out;
  // Not under GitHub Actions: no workflow commands.
  EXPECT_EQ(check(sample("8bit")).out.find("::error"), std::string::npos);
  // With --format json the annotations go to stderr and stdout stays JSON.
  r = run("GITHUB_ACTIONS=true " + kMedq + " check " + q(sample("8bit")) + " --policy " +
          q(kExamplePolicy) + " --reference " + q(sample("bf16")) +
          " --quiet --format json 2>/dev/null");
  EXPECT_TRUE(nlohmann::json::accept(r.out)) << r.out;
}

}  // namespace
}  // namespace medq
