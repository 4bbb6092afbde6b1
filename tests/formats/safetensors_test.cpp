// The safetensors reader against the reference reader's rules: one row per rule (each at least
// twice, the reference's own test inputs among them) and per accepted edge case.
#include "medq/formats/safetensors.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace medq {
namespace {

std::vector<uint8_t> le64(uint64_t n) {
  std::vector<uint8_t> b(8);
  for (int i = 0; i < 8; ++i) b[static_cast<size_t>(i)] = static_cast<uint8_t>(n >> (8 * i));
  return b;
}

// 8-byte length + header + `data` zero bytes.
std::vector<uint8_t> st_file(const std::string& header, size_t data = 0) {
  auto b = le64(header.size());
  b.insert(b.end(), header.begin(), header.end());
  b.insert(b.end(), data, 0);
  return b;
}

std::vector<uint8_t> raw(std::initializer_list<uint8_t> bytes) { return bytes; }

struct Row {
  const char* name;
  std::vector<uint8_t> file;
  const char* code;  // nullptr: accepted
};

std::string nested(int depth) {
  return std::string(static_cast<size_t>(depth), '[') +
         std::string(static_cast<size_t>(depth), ']');
}

const std::string kTest = R"({"test":{"dtype":"I32","shape":[2,2],"data_offsets":[0,16]}})";

std::vector<Row> rows() {
  std::vector<Row> r = {
      // ---- accepted ----
      {"reference_test_deserialization", st_file(kTest, 16), nullptr},
      {"reference_empty_shapes_allowed",
       st_file(R"({"test":{"dtype":"I32","shape":[],"data_offsets":[0,4]}})", 4), nullptr},
      {"reference_zero_sized_tensor",
       st_file(R"({"test":{"dtype":"I32","shape":[2,0],"data_offsets":[0,0]}})"), nullptr},
      {"reference_whitespace_padded", st_file("{}\r \t\n"), nullptr},
      {"reference_whitespace_leading_padded", st_file("\t\n{}\r "), nullptr},
      {"reference_empty_writer_output", st_file("{}      "), nullptr},
      {"reference_empty_with_metadata", st_file(R"({"__metadata__":{"framework":"pt"}}     )"),
       nullptr},
      {"metadata_null",
       st_file(R"({"__metadata__":null,"a":{"dtype":"U8","shape":[2],"data_offsets":[0,2]}})", 2),
       nullptr},
      {"metadata_empty_object", st_file(R"({"__metadata__":{}})"), nullptr},
      {"unknown_field_in_entry_ignored",
       st_file(R"({"a":{"dtype":"U8","shape":[2],"data_offsets":[0,2],"foo":{"x":[1,null]}}})", 2),
       nullptr},
      {"entry_as_three_element_array", st_file(R"({"a":["I32",[2,2],[0,16]]})", 16), nullptr},
      {"empty_tensor_name", st_file(R"({"":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}})", 1),
       nullptr},
      {"nul_escape_in_name",
       st_file(R"({"a\u0000b":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}})", 1), nullptr},
      {"non_ascii_name",
       st_file("{\"t\xC3\xA9nsor\xE2\x9C\x93\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,"
               "1]}}",
               1),
       nullptr},
      {"header_order_differs_from_offset_order",
       st_file(
           R"({"b":{"dtype":"U8","shape":[2],"data_offsets":[2,4]},"a":{"dtype":"F32","shape":[],"data_offsets":[4,8]},"c":{"dtype":"U8","shape":[2],"data_offsets":[0,2]}})",
           8),
       nullptr},
      {"zero_dim_with_huge_dim",
       st_file(R"({"a":{"dtype":"I32","shape":[0,18446744073709551615],"data_offsets":[0,0]}})"),
       nullptr},
      {"several_zero_sized_at_one_offset",
       st_file(
           R"({"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},"z1":{"dtype":"F32","shape":[0],"data_offsets":[1,1]},"z2":{"dtype":"F32","shape":[3,0],"data_offsets":[1,1]},"b":{"dtype":"U8","shape":[1],"data_offsets":[1,2]}})",
           2),
       nullptr},
      {"nesting_127_levels_in_ignored_field",
       st_file(R"({"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1],"x":)" + nested(125) + "}}",
               1),
       nullptr},
      {"f4_sized_in_bits", st_file(R"({"a":{"dtype":"F4","shape":[4],"data_offsets":[0,2]}})", 2),
       nullptr},
      {"f6_sized_in_bits",
       st_file(R"({"a":{"dtype":"F6_E2M3","shape":[4],"data_offsets":[0,3]}})", 3), nullptr},
      {"c64", st_file(R"({"a":{"dtype":"C64","shape":[2],"data_offsets":[0,16]}})", 16), nullptr},
      {"metadata_duplicate_inner_key_last_wins", st_file(R"({"__metadata__":{"k":"a","k":"b"}})"),
       nullptr},

      // ---- 1. header too small ----
      {"reference_header_too_small_empty", {}, "safetensors.header_too_small"},
      {"header_too_small_7_bytes", raw({1, 0, 0, 0, 0, 0, 0}), "safetensors.header_too_small"},
      // ---- 2. header too large ----
      {"reference_header_too_large", raw({0x3C, 0, 0, 0, 0, 0xFF, 0xFF, 0xFF}),
       "safetensors.header_too_large"},
      {"header_100000001", le64(100'000'001), "safetensors.header_too_large"},
      {"header_u64_max", le64(~0ull), "safetensors.header_too_large"},
      // ---- 3. header past end of file ----
      {"reference_invalid_header_length", raw({0x3C, 0, 0, 0, 0, 0, 0, 0}),
       "safetensors.invalid_header_length"},
      {"header_1000_on_short_file",
       [] {
         auto b = le64(1000);
         b.resize(100, ' ');
         return b;
       }(),
       "safetensors.invalid_header_length"},
      {"header_exactly_100000000_on_short_file", le64(100'000'000),
       "safetensors.invalid_header_length"},
      // ---- 4. UTF-8 ----
      {"reference_invalid_header_non_utf8",
       [] {
         auto b = le64(1);
         b.push_back(0xFF);
         return b;
       }(),
       "safetensors.invalid_utf8"},
      {"overlong_in_name", st_file("{\"\xC0\x80\":1}"), "safetensors.invalid_utf8"},
      {"surrogate_in_name", st_file("{\"\xED\xA0\x80\":1}"), "safetensors.invalid_utf8"},
      // ---- 5. JSON syntax ----
      {"reference_invalid_header_not_json", st_file("{"), "safetensors.json_syntax"},
      {"empty_header", st_file(""), "safetensors.json_syntax"},
      {"nul_padding",
       [] {
         auto b = st_file(std::string("{}\0\0\0", 5));
         return b;
       }(),
       "safetensors.json_syntax"},
      {"nul_inside_header", st_file(std::string("{\"a\":\0{}}", 9)), "safetensors.json_syntax"},
      {"byte_order_mark", st_file("\xEF\xBB\xBF{}"), "safetensors.json_syntax"},
      {"comment", st_file("/*c*/{}"), "safetensors.json_syntax"},
      {"two_objects", st_file("{}{}"), "safetensors.json_syntax"},
      {"trailing_characters", st_file("{} x"), "safetensors.json_syntax"},
      {"nesting_128_levels",
       st_file(R"({"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1],"x":)" + nested(126) + "}}",
               1),
       "safetensors.json_syntax"},
      {"nesting_200_levels", st_file("{\"x\":" + nested(200) + "}"), "safetensors.json_syntax"},
      {"lone_surrogate_escape", st_file(R"({"\ud800":{}})"), "safetensors.json_syntax"},
      {"syntax_error_wins_over_schema_error",
       st_file(R"({"a":{"dtype":"i32","shape":[1],"data_offsets":[0,4]}} x)", 4),
       "safetensors.json_syntax"},
      // ---- 5. JSON schema ----
      {"top_level_array", st_file("[]"), "safetensors.json_not_object"},
      {"top_level_string", st_file("\"x\""), "safetensors.json_not_object"},
      {"lower_case_dtype", st_file(R"({"a":{"dtype":"i32","shape":[1],"data_offsets":[0,4]}})", 4),
       "safetensors.unknown_dtype"},
      {"unknown_dtype_f128",
       st_file(R"({"a":{"dtype":"F128","shape":[1],"data_offsets":[0,16]}})", 16),
       "safetensors.unknown_dtype"},
      {"missing_data_offsets", st_file(R"({"a":{"dtype":"U8","shape":[1]}})", 1),
       "safetensors.tensor_entry_invalid"},
      {"missing_dtype", st_file(R"({"a":{"shape":[1],"data_offsets":[0,1]}})", 1),
       "safetensors.tensor_entry_invalid"},
      {"offsets_three_elements",
       st_file(R"({"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1,2]}})", 1),
       "safetensors.tensor_entry_invalid"},
      {"offsets_float", st_file(R"({"a":{"dtype":"U8","shape":[16],"data_offsets":[0,16.0]}})", 16),
       "safetensors.tensor_entry_invalid"},
      {"offsets_negative", st_file(R"({"a":{"dtype":"U8","shape":[1],"data_offsets":[-1,0]}})", 1),
       "safetensors.tensor_entry_invalid"},
      // serde_json reads `-0` as the float -0.0 (de.rs parse_number: "Convert into a float if
      // we underflow, or on `-0`"), which is no usize.
      {"offsets_negative_zero",
       st_file(R"({"a":{"dtype":"U8","shape":[16],"data_offsets":[-0,16]}})", 16),
       "safetensors.tensor_entry_invalid"},
      {"shape_negative_zero", st_file(R"({"a":{"dtype":"U8","shape":[-0],"data_offsets":[0,0]}})"),
       "safetensors.tensor_entry_invalid"},
      {"offsets_object", st_file(R"({"a":{"dtype":"U8","shape":[1],"data_offsets":{"b":0}}})", 1),
       "safetensors.tensor_entry_invalid"},
      {"shape_exponent", st_file(R"({"a":{"dtype":"U8","shape":[2e0],"data_offsets":[0,2]}})", 2),
       "safetensors.tensor_entry_invalid"},
      {"shape_beyond_u64",
       st_file(R"({"a":{"dtype":"U8","shape":[18446744073709551616],"data_offsets":[0,0]}})"),
       "safetensors.tensor_entry_invalid"},
      {"shape_null", st_file(R"({"a":{"dtype":"U8","shape":null,"data_offsets":[0,0]}})"),
       "safetensors.tensor_entry_invalid"},
      {"entry_not_object", st_file(R"({"a":5})"), "safetensors.tensor_entry_invalid"},
      {"entry_array_two_elements", st_file(R"({"a":["I32",[2,2]]})", 16),
       "safetensors.tensor_entry_invalid"},
      {"metadata_integer_value", st_file(R"({"__metadata__":{"k":0}})"),
       "safetensors.metadata_invalid"},
      {"metadata_nested_object", st_file(R"({"__metadata__":{"k":{"x":"y"}}})"),
       "safetensors.metadata_invalid"},
      {"metadata_array", st_file(R"({"__metadata__":["x"]})"), "safetensors.metadata_invalid"},
      {"duplicate_metadata", st_file(R"({"__metadata__":{},"__metadata__":{}})"),
       "safetensors.duplicate_key"},
      {"duplicate_dtype_field",
       st_file(R"({"a":{"dtype":"U8","dtype":"U8","shape":[1],"data_offsets":[0,1]}})", 1),
       "safetensors.duplicate_key"},
      // The deliberate divergence: the reference accepts identical duplicates silently.
      {"duplicate_tensor_identical",
       st_file(
           R"({"a":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]},"a":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]}})",
           16),
       "safetensors.duplicate_tensor"},
      {"duplicate_tensor_different_offsets",
       st_file(
           R"({"a":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]},"a":{"dtype":"F32","shape":[2,2],"data_offsets":[16,32]}})",
           32),
       "safetensors.duplicate_tensor"},
      // ---- 6. tiling ----
      {"reference_json_attack",
       [] {
         std::string h = "{";
         for (int i = 0; i < 10; ++i) {
           if (i) h += ",";
           h += "\"t" + std::to_string(i) +
                R"(":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]})";
         }
         return st_file(h + "}", 16);
       }(),
       "safetensors.invalid_offset"},
      {"overlap",
       st_file(
           R"({"a":{"dtype":"U8","shape":[4],"data_offsets":[0,4]},"b":{"dtype":"U8","shape":[4],"data_offsets":[2,6]}})",
           6),
       "safetensors.invalid_offset"},
      {"gap",
       st_file(
           R"({"a":{"dtype":"U8","shape":[4],"data_offsets":[0,4]},"b":{"dtype":"U8","shape":[4],"data_offsets":[5,9]}})",
           9),
       "safetensors.invalid_offset"},
      {"nonzero_start", st_file(R"({"a":{"dtype":"U8","shape":[4],"data_offsets":[4,8]}})", 8),
       "safetensors.invalid_offset"},
      {"end_less_than_begin",
       st_file(
           R"({"a":{"dtype":"U8","shape":[4],"data_offsets":[0,4]},"b":{"dtype":"U8","shape":[0],"data_offsets":[4,2]}})",
           4),
       "safetensors.invalid_offset"},
      {"reference_validation_overflow_shape",
       st_file(R"({"a":{"dtype":"I32","shape":[2,18446744073709551614],"data_offsets":[0,16]}})",
               16),
       "safetensors.shape_overflow"},
      {"reference_validation_overflow_bytes",
       st_file(R"({"a":{"dtype":"I32","shape":[2,9223372036854775807],"data_offsets":[0,16]}})",
               16),
       "safetensors.shape_overflow"},
      {"reference_fp4_misaligned",
       st_file(R"({"a":{"dtype":"F4","shape":[1,3],"data_offsets":[0,2]}})", 2),
       "safetensors.misaligned_bits"},
      {"f6_single_element",
       st_file(R"({"a":{"dtype":"F6_E3M2","shape":[1],"data_offsets":[0,1]}})", 1),
       "safetensors.misaligned_bits"},
      {"reference_invalid_info",
       st_file(R"({"test":{"dtype":"I32","shape":[2,2],"data_offsets":[0,4]}})"),
       "safetensors.size_mismatch"},
      {"f4_sized_as_bytes", st_file(R"({"a":{"dtype":"F4","shape":[4],"data_offsets":[0,4]}})", 4),
       "safetensors.size_mismatch"},
      // ---- 7. file must end at the last tensor ----
      {"reference_incomplete_buffer_polyglot",
       [] {
         auto b = st_file(kTest, 16);
         std::string extra = "extra_bogus_data_for_polyglot_file";
         b.insert(b.end(), extra.begin(), extra.end());
         return b;
       }(),
       "safetensors.incomplete_buffer"},
      {"reference_incomplete_buffer_short", st_file(kTest, 14), "safetensors.incomplete_buffer"},
      {"no_tensors_trailing_byte", st_file("{}", 1), "safetensors.incomplete_buffer"},
  };
  return r;
}

class SafetensorsRules : public ::testing::TestWithParam<Row> {};

TEST_P(SafetensorsRules, MatchesReference) {
  const Row& row = GetParam();
  auto res = parse_safetensors(row.file, row.file.size(), "t.safetensors");
  if (row.code == nullptr) {
    EXPECT_TRUE(res.ok()) << (res.findings.empty()
                                  ? ""
                                  : res.findings[0].code + ": " + res.findings[0].message);
    EXPECT_TRUE(res.findings.empty());
  } else {
    ASSERT_FALSE(res.ok());
    ASSERT_EQ(res.findings.size(), 1u);
    EXPECT_EQ(res.findings[0].code, row.code) << res.findings[0].message;
    EXPECT_EQ(res.findings[0].severity, Severity::kError);
    EXPECT_EQ(res.findings[0].where.file, "t.safetensors");
    EXPECT_FALSE(res.findings[0].message.empty());
  }
}

INSTANTIATE_TEST_SUITE_P(Rows, SafetensorsRules, ::testing::ValuesIn(rows()),
                         [](const auto& p) { return std::string(p.param.name); });

TEST(Safetensors, AcceptedHeaderContents) {
  auto f = st_file(
      R"({"__metadata__":{"format":"mlx"},"b":{"dtype":"BF16","shape":[2,3],"data_offsets":[4,16]},"a":{"dtype":"U32","shape":[1],"data_offsets":[0,4]}})",
      16);
  auto res = parse_safetensors(f, f.size(), "x");
  ASSERT_TRUE(res.ok());
  const auto& h = *res.header;
  ASSERT_EQ(h.tensors.size(), 2u);
  EXPECT_EQ(h.tensors[0].name, "a");  // offset order, not header order
  EXPECT_EQ(h.tensors[1].name, "b");
  EXPECT_EQ(h.tensors[1].dtype, Dtype::BF16);
  EXPECT_EQ(h.tensors[1].shape, (std::vector<uint64_t>{2, 3}));
  EXPECT_EQ(h.tensors[1].num_elements(), 6u);
  EXPECT_EQ(h.absolute_offset(h.tensors[1]), 8 + h.header_len + 4);
  ASSERT_TRUE(h.metadata.has_value());
  EXPECT_EQ(h.metadata->at("format"), "mlx");
}

TEST(Safetensors, FindingsNameTensorAndOffset) {
  auto f = st_file(
      R"({"a":{"dtype":"U8","shape":[4],"data_offsets":[0,4]},"lm_head.scales":{"dtype":"U8","shape":[4],"data_offsets":[2,6]}})",
      6);
  auto res = parse_safetensors(f, f.size(), "model.safetensors");
  ASSERT_EQ(res.findings.size(), 1u);
  EXPECT_EQ(res.findings[0].where.tensor, "lm_head.scales");
  ASSERT_TRUE(res.findings[0].where.byte_offset.has_value());
  EXPECT_EQ(*res.findings[0].where.byte_offset, 8 + (f.size() - 6 - 8) + 2);
  EXPECT_NE(res.findings[0].message.find("overlaps"), std::string::npos);

  auto t = st_file(kTest, 10);
  auto trunc = parse_safetensors(t, t.size(), "m.safetensors");
  ASSERT_EQ(trunc.findings.size(), 1u);
  EXPECT_NE(trunc.findings[0].message.find("truncated"), std::string::npos);
  EXPECT_NE(trunc.findings[0].message.find("6 missing"), std::string::npos);
}

TEST(Safetensors, SyntaxErrorHasByteOffset) {
  auto f = st_file(R"({"a": x})");
  auto res = parse_safetensors(f, f.size(), "m");
  ASSERT_EQ(res.findings.size(), 1u);
  ASSERT_TRUE(res.findings[0].where.byte_offset.has_value());
  EXPECT_EQ(*res.findings[0].where.byte_offset, 8u + 6u);  // the 'x'
}

TEST(Safetensors, EveryDtypeAccepted) {
  for (Dtype d : all_dtypes()) {
    // 8 elements are a whole number of bytes for every width.
    uint64_t bytes = 8 * dtype_bits(d) / 8;
    std::string h = R"({"t":{"dtype":")" + std::string(dtype_name(d)) +
                    R"(","shape":[2,4],"data_offsets":[0,)" + std::to_string(bytes) + "]}}";
    auto f = st_file(h, bytes);
    auto res = parse_safetensors(f, f.size(), "x");
    EXPECT_TRUE(res.ok()) << dtype_name(d);
    if (res.ok()) {
      EXPECT_EQ(res.header->tensors[0].dtype, d);
    }
  }
}

TEST(Safetensors, MlxQuantizedTriplesEveryBitWidth) {
  const uint64_t out = 16, in = 256, group = 64;
  for (unsigned bits : {2u, 3u, 4u, 5u, 6u, 8u}) {
    uint64_t wcols = in * bits / 32, scols = in / group;
    uint64_t wbytes = out * wcols * 4, sbytes = out * scols * 2;
    std::string h = "{\"__metadata__\":{\"format\":\"mlx\"},";
    h += R"("l.biases":{"dtype":"BF16","shape":[16,)" + std::to_string(scols) +
         R"(],"data_offsets":[)" + std::to_string(wbytes + sbytes) + "," +
         std::to_string(wbytes + 2 * sbytes) + "]},";
    h += R"("l.scales":{"dtype":"BF16","shape":[16,)" + std::to_string(scols) +
         R"(],"data_offsets":[)" + std::to_string(wbytes) + "," + std::to_string(wbytes + sbytes) +
         "]},";
    h += R"("l.weight":{"dtype":"U32","shape":[16,)" + std::to_string(wcols) +
         R"(],"data_offsets":[0,)" + std::to_string(wbytes) + "]}}";
    auto f = st_file(h, wbytes + 2 * sbytes);
    auto res = parse_safetensors(f, f.size(), "x");
    ASSERT_TRUE(res.ok()) << bits;
    EXPECT_EQ(res.header->tensors.size(), 3u);
    EXPECT_EQ(res.header->tensors[0].name, "l.weight");
  }
}

// A file over 4 GiB whose data is a hole: offsets beyond 32 bits, nothing but the header read.
TEST(Safetensors, SparseFileOver4GiB) {
  auto dir = std::filesystem::temp_directory_path() / ("medq_sparse_" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  auto path = dir / "big.safetensors";
  const uint64_t a = 5ull << 30, b = 16;
  std::string h = R"({"a":{"dtype":"U8","shape":[)" + std::to_string(a) +
                  R"(],"data_offsets":[0,)" + std::to_string(a) +
                  R"(]},"b":{"dtype":"F32","shape":[4],"data_offsets":[)" + std::to_string(a) +
                  "," + std::to_string(a + b) + "]}}";
  auto bytes = st_file(h);
  {
    std::ofstream o(path, std::ios::binary);
    o.write(reinterpret_cast<const char*>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
  }
  ASSERT_EQ(truncate(path.c_str(), static_cast<off_t>(bytes.size() + a + b)), 0);
  auto res = read_safetensors(path, "big.safetensors");
  ASSERT_TRUE(res.ok()) << res.findings[0].message;
  EXPECT_EQ(res.header->file_size, bytes.size() + a + b);
  EXPECT_EQ(res.header->tensors[1].begin, a);
  EXPECT_EQ(res.header->absolute_offset(res.header->tensors[1]), bytes.size() + a);
  // One byte short: truncated.
  ASSERT_EQ(truncate(path.c_str(), static_cast<off_t>(bytes.size() + a + b - 1)), 0);
  auto cut = read_safetensors(path, "big.safetensors");
  ASSERT_FALSE(cut.ok());
  EXPECT_EQ(cut.findings[0].code, "safetensors.incomplete_buffer");
  std::filesystem::remove_all(dir);
}

TEST(Safetensors, UnreadablePathsAreFindings) {
  auto res = read_safetensors("/nonexistent/medq/x.safetensors", "x.safetensors");
  ASSERT_EQ(res.findings.size(), 1u);
  EXPECT_EQ(res.findings[0].code, "safetensors.io_error");
  auto dir = read_safetensors(std::filesystem::temp_directory_path(), "tmp");
  ASSERT_EQ(dir.findings.size(), 1u);
  EXPECT_EQ(dir.findings[0].code, "safetensors.io_error");
  EXPECT_NE(dir.findings[0].message.find("not a regular file"), std::string::npos);
}

// Files written by other tools (../shared/realdata).
TEST(Safetensors, RealFilesFromOtherProjects) {
  std::filesystem::path root = MEDQ_REALDATA;
  if (!std::filesystem::exists(root / "safetensors")) {
    GTEST_SKIP() << "shared/realdata not present at " << root;
  }
  struct Expect {
    const char* file;
    size_t tensors;
    bool metadata;
  };
  for (auto e : {Expect{"hf-safetensors-samples/overall.safetensors", 9, true},
                 Expect{"hf-safetensors-samples/B.safetensors", 1, true},
                 Expect{"hf-safetensors-samples/d.safetensors", 1, true},
                 Expect{"mlx-examples_llms_adapters_adapters.safetensors", 16, false},
                 Expect{"mlx-lm_test_dpo_adapters_adapters.safetensors", 8, false}}) {
    auto res = read_safetensors(root / "safetensors" / e.file, e.file);
    ASSERT_TRUE(res.ok()) << e.file << ": " << res.findings[0].message;
    EXPECT_EQ(res.header->tensors.size(), e.tensors) << e.file;
    EXPECT_EQ(res.header->metadata.has_value(), e.metadata) << e.file;
  }
}

}  // namespace
}  // namespace medq
