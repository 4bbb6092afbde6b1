// Small helpers shared by the tests: finding lookup and temporary files.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include "medq/diag/finding.hpp"

namespace medq::test {

/// The first finding with `code` (and `pointer`, unless null), or nullptr.
inline const Finding* find_finding(const Findings& fs, std::string_view code,
                                   const char* pointer = nullptr) {
  for (const Finding& f : fs) {
    if (f.code == code && (pointer == nullptr || f.where.json_pointer == pointer)) return &f;
  }
  return nullptr;
}

/// All findings as "code @pointer: message" lines, for failure output.
inline std::string dump(const Findings& fs) {
  std::string s;
  for (const Finding& f : fs) {
    s += f.code + " [" + std::string(severity_name(f.severity)) + "] @" + f.where.json_pointer +
         ": " + f.message + "\n";
  }
  return s;
}

/// A file under the test's temporary directory holding `bytes`; removed by the caller's
/// TempDir going out of scope.
class TempDir {
 public:
  TempDir() {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    path_ = std::filesystem::temp_directory_path() /
            (std::string("medq_test_") + info->test_suite_name() + "_" + info->name());
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  std::filesystem::path write(const std::string& name, std::string_view bytes) const {
    auto p = path_ / name;
    std::ofstream(p, std::ios::binary)
        .write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    return p;
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

/// The Gemma 3 tokenizer fetched by scripts/setup.sh, or an empty path when absent.
inline std::filesystem::path gemma3_dir() {
  std::filesystem::path p = std::filesystem::path(MEDQ_SOURCE_DIR) / ".deps/gemma3-tokenizer";
  if (std::filesystem::exists(p / "tokenizer.json")) return p;
  return {};
}

}  // namespace medq::test
