// The strict manifest reader: one row per way a manifest can be wrong, each a clean error that
// names the place (JSON pointer) and never a crash; and the valid shapes it must accept.
#include <gtest/gtest.h>

#include <string>

#include "medq/integrity/manifest.hpp"

namespace medq {
namespace {

const std::string kSha(64, 'a');
const std::string kXxh(32, 'b');

// A manifest with one plain file and one weight file of two tensors; `file` and `tensor`
// replace the members of the weight file and of its first tensor when given.
std::string manifest(const std::string& top = R"("format": "medq-manifest", "version": 1)",
                     const std::string& file = "", const std::string& tensor = "") {
  std::string t = tensor.empty()
                      ? R"({"name": "a", "dtype": "BF16", "shape": [2, 3], "offset": 100, )"
                        R"("bytes": 12, "xxh3_128": ")" +
                            kXxh + R"("})"
                      : tensor;
  std::string f = file.empty() ? R"("path": "model.safetensors", "size": 200, "sha256": ")" + kSha +
                                     R"(", "tensors": [)" + t +
                                     R"(, {"name": "b", "dtype": "U32", "shape": [4], )"
                                     R"("offset": 112, "bytes": 16, "xxh3_128": ")" +
                                     kXxh + R"("}])"
                               : file;
  return "{" + top + R"(, "files": [{"path": "config.json", "size": 2, "sha256": ")" + kSha +
         R"("}, {)" + f + "}]}";
}

std::string sha() { return R"(, "sha256": ")" + kSha + R"(")"; }

TEST(ManifestJson, TheBaseManifestIsValid) {
  ManifestParse p = manifest_from_json(manifest());
  ASSERT_TRUE(p.manifest) << p.error;
  EXPECT_EQ(p.manifest->files.size(), 2u);
  EXPECT_EQ(p.manifest->tensor_count(), 2u);
  EXPECT_EQ(
      manifest_from_json(manifest_to_json(*p.manifest)).manifest->files[1].tensors->at(1).name,
      "b");
}

TEST(ManifestJson, AcceptsAnyOrderAndSortsIt) {
  std::string text = R"({"files": [{"sha256": ")" + kSha +
                     R"(", "size": 1, "path": "z"}, {"path": "a/b", "size": 0, "sha256": ")" +
                     kSha + R"("}], "version": 1, "format": "medq-manifest"})";
  ManifestParse p = manifest_from_json(text);
  ASSERT_TRUE(p.manifest) << p.error;
  EXPECT_EQ(p.manifest->files[0].path, "a/b");
  EXPECT_EQ(p.manifest->files[1].path, "z");
}

struct BadCase {
  const char* name;
  std::string text;
  std::string error;  // a substring of the message
};

std::vector<BadCase> bad_cases() {
  const std::string v1 = R"("format": "medq-manifest", "version": 1)";
  auto file = [](const std::string& members) {
    return manifest(R"("format": "medq-manifest", "version": 1)", members);
  };
  auto tensor = [](const std::string& t) {
    return manifest(R"("format": "medq-manifest", "version": 1)", "", t);
  };
  const std::string tail = R"(, "xxh3_128": ")" + kXxh + R"("})";
  return {
      {"empty", "", "not valid JSON at line 1, column 1"},
      {"not_json", "{\"format\": ", "not valid JSON"},
      {"trailing", manifest() + "x", "not valid JSON"},
      {"nul", manifest() + std::string(1, '\0'), "NUL"},
      {"deep", std::string(100000, '['), "not valid JSON"},
      {"array", "[]", "/: expected a manifest object, found an array"},
      {"no_format", R"({"version": 1, "files": []})", "/format: not a medq manifest"},
      {"other_format", R"({"format": "sha256sum", "version": 1, "files": []})",
       "found the string \"sha256sum\""},
      {"version_2", manifest(R"("format": "medq-manifest", "version": 2)"),
       "/version: unsupported manifest version 2 (this medq reads version 1)"},
      {"version_0", manifest(R"("format": "medq-manifest", "version": 0)"),
       "unsupported manifest version 0"},
      {"version_negative", manifest(R"("format": "medq-manifest", "version": -1)"),
       "unsupported manifest version -1"},
      {"version_string", manifest(R"("format": "medq-manifest", "version": "1")"),
       "/version: expected an integer, found the string \"1\""},
      {"version_float", manifest(R"("format": "medq-manifest", "version": 1.0)"),
       "/version: expected an integer, found the number 1.0"},
      {"version_missing", manifest(R"("format": "medq-manifest")"), "missing key \"version\""},
      {"unknown_top_key", manifest(v1 + R"(, "created": "today")"), "/: unknown key \"created\""},
      {"duplicate_key", manifest(v1 + R"(, "version": 1)"), "/version: key appears more than once"},
      {"files_missing", "{" + v1 + "}", "missing key \"files\""},
      {"files_object", "{" + v1 + R"(, "files": {}})", "/files: expected an array of files"},
      {"file_not_object", "{" + v1 + R"(, "files": [3]})", "/files/0: expected a file object"},
      {"path_missing", file(R"("size": 1, "sha256": ")" + kSha + R"(")"),
       "/files/1: missing key \"path\""},
      {"path_number", file(R"("path": 5, "size": 1)" + sha()),
       "/files/1/path: expected a string, found the number 5"},
      {"path_empty", file(R"("path": "", "size": 1)" + sha()), "is empty"},
      {"path_absolute", file(R"("path": "/etc/passwd", "size": 1)" + sha()), "is absolute"},
      {"path_dotdot", file(R"("path": "../x", "size": 1)" + sha()), "has a '..' component"},
      {"path_dot", file(R"("path": "a/./b", "size": 1)" + sha()), "has a '.' component"},
      {"path_double_slash", file(R"("path": "a//b", "size": 1)" + sha()), "empty component"},
      {"path_trailing_slash", file(R"("path": "a/", "size": 1)" + sha()), "empty component"},
      {"path_nul", file(R"("path": "a\u0000b", "size": 1)" + sha()), "NUL character"},
      {"path_duplicate", file(R"("path": "config.json", "size": 2)" + sha()),
       "/files/1/path: the path \"config.json\" is already listed at /files/0"},
      {"path_file_and_dir", file(R"("path": "config.json/x", "size": 2)" + sha()),
       "lies below \"config.json\""},
      {"size_negative", file(R"("path": "x", "size": -5)" + sha()),
       "/files/1/size: expected a non-negative integer, found the number -5"},
      {"size_float", file(R"("path": "x", "size": 1.5)" + sha()), "found the number 1.5"},
      {"size_string", file(R"("path": "x", "size": "12")" + sha()), "found the string \"12\""},
      {"size_huge", file(R"("path": "x", "size": 18446744073709551616)" + sha()),
       "expected a non-negative integer"},
      {"size_null", file(R"("path": "x", "size": null)" + sha()), "found null"},
      {"sha_upper", file(R"("path": "x", "size": 1, "sha256": ")" + std::string(64, 'A') + "\""),
       "/files/1/sha256: expected a string of 64 lower-case hex digits"},
      {"sha_short", file(R"("path": "x", "size": 1, "sha256": ")" + std::string(63, 'a') + "\""),
       "64 lower-case hex digits"},
      {"sha_nonhex", file(R"("path": "x", "size": 1, "sha256": ")" + std::string(63, 'a') + "g\""),
       "64 lower-case hex digits"},
      {"sha_number", file(R"("path": "x", "size": 1, "sha256": 5)"), "found the number 5"},
      {"unknown_file_key", file(R"("path": "x", "size": 1, "mtime": 5)" + sha()),
       "/files/1: unknown key \"mtime\""},
      {"tensors_object", file(R"("path": "x", "size": 1)" + sha() + R"(, "tensors": {})"),
       "/files/1/tensors: expected an array of tensors"},
      {"tensor_not_object", tensor("7"), "/files/1/tensors/0: expected a tensor object"},
      {"tensor_missing_digest",
       tensor(R"({"name": "a", "dtype": "BF16", "shape": [2, 3], "offset": 100, "bytes": 12})"),
       "/files/1/tensors/0: missing key \"xxh3_128\""},
      {"tensor_unknown_key",
       tensor(
           R"({"name": "a", "dtype": "BF16", "shape": [6], "offset": 100, "bytes": 12, "crc": 1, "xxh3_128": ")" +
           kXxh + "\"}"),
       "unknown key \"crc\""},
      {"tensor_name_number",
       tensor(R"({"name": 1, "dtype": "BF16", "shape": [6], "offset": 100, "bytes": 12)" + tail),
       "/files/1/tensors/0/name: expected a string"},
      {"tensor_duplicate_name",
       tensor(R"({"name": "b", "dtype": "BF16", "shape": [6], "offset": 100, "bytes": 12)" + tail),
       "tensor \"b\" is listed twice"},
      {"dtype_unknown",
       tensor(R"({"name": "a", "dtype": "bf16", "shape": [6], "offset": 100, "bytes": 12)" + tail),
       "/files/1/tensors/0/dtype: unknown dtype \"bf16\""},
      {"shape_negative",
       tensor(R"({"name": "a", "dtype": "BF16", "shape": [-6], "offset": 100, "bytes": 12)" + tail),
       "/files/1/tensors/0/shape/0: expected a non-negative integer"},
      {"shape_not_array",
       tensor(R"({"name": "a", "dtype": "BF16", "shape": 6, "offset": 100, "bytes": 12)" + tail),
       "/files/1/tensors/0/shape: expected an array"},
      {"shape_overflow",
       tensor(
           R"({"name": "a", "dtype": "BF16", "shape": [4294967296, 4294967296], "offset": 100, "bytes": 12)" +
           tail),
       "overflows 64 bits"},
      {"bytes_wrong",
       tensor(R"({"name": "a", "dtype": "BF16", "shape": [6], "offset": 100, "bytes": 13)" + tail),
       "/files/1/tensors/0/bytes: 13 bytes, but dtype BF16 and shape [6] need 12"},
      {"bytes_subbyte",
       tensor(R"({"name": "a", "dtype": "F4", "shape": [3], "offset": 100, "bytes": 1)" + tail),
       "/files/1/tensors/0/shape: dtype F4 and shape [3] do not fill whole bytes"},
      {"past_end",
       tensor(R"({"name": "a", "dtype": "BF16", "shape": [6], "offset": 190, "bytes": 12)" + tail),
       "data [190, 202) lies past the end of the 200-byte file"},
      {"offset_overflow",
       tensor(
           R"({"name": "a", "dtype": "BF16", "shape": [6], "offset": 18446744073709551615, "bytes": 12)" +
           tail),
       "lies past the end"},
      {"overlap",
       tensor(R"({"name": "a", "dtype": "BF16", "shape": [8], "offset": 100, "bytes": 16)" + tail),
       "the data of tensors \"a\" and \"b\" overlaps"},
      {"xxh_short",
       tensor(
           R"({"name": "a", "dtype": "BF16", "shape": [6], "offset": 100, "bytes": 12, "xxh3_128": "abc"})"),
       "/files/1/tensors/0/xxh3_128: expected a string of 32 lower-case hex digits"},
  };
}

TEST(ManifestJson, EveryTamperingIsACleanError) {
  for (const BadCase& c : bad_cases()) {
    SCOPED_TRACE(c.name);
    ManifestParse p = manifest_from_json(c.text);
    EXPECT_FALSE(p.manifest);
    EXPECT_NE(p.error.find(c.error), std::string::npos) << "error: " << p.error;
  }
}

TEST(ManifestJson, ZeroByteTensorsMayShareAnOffset) {
  std::string t = R"({"name": "a", "dtype": "BF16", "shape": [0], "offset": 112, "bytes": 0, )"
                  R"("xxh3_128": ")" +
                  kXxh + R"("})";
  ManifestParse p =
      manifest_from_json(manifest(R"("format": "medq-manifest", "version": 1)", "", t));
  EXPECT_TRUE(p.manifest) << p.error;
}

}  // namespace
}  // namespace medq
