// `medq compare` as a user runs it: on a terminal (a pseudo-terminal here) the --fidelity and
// --quality progress lines are cleared before the report, and the notes wrap to the terminal's
// width (80 columns when stdout is not a terminal); tables never wrap.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <cstdlib>
#include <sstream>
#include <string>
#include <vector>

#include "../support/run_command.hpp"
#include "../support/temp_dir.hpp"

namespace medq {
namespace {

const std::string kMedq = std::string(MEDQ_BINARY_DIR) + "/src/medq";
const std::string kSynth = std::string(MEDQ_BINARY_DIR) + "/tools/synth/medq-synth";

// Runs `args` (args[0] the program) with stdout and stderr on a new pseudo-terminal `columns`
// wide, outside CI (the progress line's condition); returns what the terminal received.
std::string run_on_terminal(const std::vector<std::string>& args, unsigned short columns) {
  const int master = posix_openpt(O_RDWR | O_NOCTTY);
  if (master < 0 || grantpt(master) != 0 || unlockpt(master) != 0) return "(no pty)";
  const std::string slave = ptsname(master);
  const pid_t pid = fork();
  if (pid == 0) {
    setsid();
    const int s = open(slave.c_str(), O_RDWR);
    winsize ws{};
    ws.ws_col = columns;
    ws.ws_row = 50;
    ioctl(s, TIOCSWINSZ, &ws);
    dup2(s, STDOUT_FILENO);
    dup2(s, STDERR_FILENO);
    unsetenv("CI");
    std::vector<char*> argv;
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  std::string out;
  char buf[4096];
  ssize_t n = 0;
  while ((n = read(master, buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
  int status = 0;
  waitpid(pid, &status, 0);
  close(master);
  return out;
}

struct Samples {
  testing::TempDir tmp;
  std::string root = (tmp.path() / "samples").string();
  Samples() { testing::run_command(kSynth + " samples " + root + " >/dev/null 2>&1"); }
};

TEST(CompareCli, FidelityProgressLineIsClearedBeforeTheReport) {
  Samples s;
  const std::string out = run_on_terminal({kMedq, "compare", "--root", s.root, "--fidelity"}, 200);
  const size_t report = out.find("medq compare");
  ASSERT_NE(report, std::string::npos) << out;
  const std::string before = out.substr(0, report);
  EXPECT_NE(before.find("measuring fidelity"), std::string::npos) << before;
  // The last thing before the report's first line erases the progress line.
  EXPECT_TRUE(before.size() >= 4 && before.compare(before.size() - 4, 4, "\r\033[K") == 0)
      << before;
}

TEST(CompareCli, QualityProgressNamesEachRunAndIsCleared) {
  Samples s;
  const std::string tokens =
      std::string(MEDQ_SOURCE_DIR) + "/tests/golden/inputs/quality_tokens.txt";
  const std::string out =
      run_on_terminal({kMedq, "compare", s.root + "/bf16", s.root + "/4bit", "--quality",
                       "--tokens", tokens, "--quality-context", "32"},
                      200);
  const size_t report = out.find("medq compare");
  ASSERT_NE(report, std::string::npos) << out;
  const std::string before = out.substr(0, report);
  // One line per forward pass (named by the variants' labels), the baseline's first, through the
  // library's step callback.
  const size_t ref = before.find("running bf16");
  const size_t var = before.find("running 4bit");
  ASSERT_NE(ref, std::string::npos) << before;
  ASSERT_NE(var, std::string::npos) << before;
  EXPECT_LT(ref, var);
  EXPECT_TRUE(before.size() >= 4 && before.compare(before.size() - 4, 4, "\r\033[K") == 0)
      << before;
  EXPECT_NE(out.find("mean KLD"), std::string::npos);
}

TEST(CompareCli, NotesWrapToTheTerminalTablesDoNot) {
  Samples s;
  // Not a terminal: 80 columns.
  const std::string piped = testing::run_command(kMedq + " compare --root " + s.root).out;
  std::istringstream lines(piped);
  bool wide_table = false;
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("  variant ", 0) == 0 && line.size() > 80) wide_table = true;
    const bool note = line.rfind("  weights:", 0) == 0 || line.rfind("5 variants", 0) == 0;
    if (note) {
      EXPECT_LE(line.size(), 80u) << line;
    }
  }
  EXPECT_TRUE(wide_table) << "the Summary table keeps its width\n" << piped;
  // A terminal 200 columns wide: the headline fits on one line.
  const std::string wide = run_on_terminal({kMedq, "compare", "--root", s.root}, 200);
  EXPECT_NE(wide.find("(the most precise). Every variant validates without errors."),
            std::string::npos)
      << wide;
}

}  // namespace
}  // namespace medq
