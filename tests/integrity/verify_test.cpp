// verify_manifest on a tiny generated model after each kind of damage: exactly the damaged file
// and tensor reported, missing and extra files, a re-sharded copy whose tensors all verify as
// moved, and the renderers and findings over the same reports.
#include <nlohmann/json.hpp>

#include "integrity_fixtures.hpp"
#include "medq/integrity/verify.hpp"
#include "medq/report/render_verify.hpp"

namespace medq::integrity_test {
namespace {

using testing::TempDir;

// "status path" for every file that is not ok.
std::vector<std::string> file_problems(const VerifyReport& r) {
  std::vector<std::string> out;
  for (const auto& f : r.files) {
    if (f.status != CheckStatus::kOk)
      out.push_back(std::string(check_status_name(f.status)) + " " + f.path);
  }
  return out;
}

// "status file:name" for every tensor that is not ok (moved included).
std::vector<std::string> tensor_problems(const VerifyReport& r) {
  std::vector<std::string> out;
  for (const auto& t : r.tensors) {
    if (t.status == CheckStatus::kOk) continue;
    out.push_back(std::string(check_status_name(t.status)) + " " +
                  (t.expected_file.empty() ? t.actual_file : t.expected_file) + ":" + t.name);
  }
  return out;
}

struct Fixture {
  TempDir tmp;
  fs::path dir = tmp.path() / "model";
  Manifest recorded;
  Fixture() {
    write_tiny(dir);
    recorded = scan(dir).manifest;
  }
  VerifyReport verify(unsigned threads = 0) const {
    return verify_manifest(recorded, scan(dir, 8u << 20, threads));
  }
  const ManifestTensor& tensor(const std::string& name) const {
    return *find_tensor(*find_file(recorded, "model.safetensors"), name);
  }
};

constexpr const char* kDown = "language_model.model.layers.0.mlp.down_proj.weight";

TEST(Verify, UntouchedModelVerifies) {
  Fixture fx;
  VerifyReport r = fx.verify();
  EXPECT_TRUE(r.verified());
  EXPECT_FALSE(r.incomplete());
  EXPECT_EQ(r.count(CheckStatus::kOk), fx.recorded.files.size());
  EXPECT_EQ(r.count_tensors(CheckStatus::kOk), 100u);
  EXPECT_EQ(r.manifest_tensors, 100u);
  EXPECT_TRUE(verify_findings(r).empty());
}

TEST(Verify, OneFlippedByteNamesExactlyThatTensorAndFile) {
  Fixture fx;
  const ManifestTensor& t = fx.tensor(kDown);
  flip_byte(fx.dir / "model.safetensors", t.offset + t.bytes / 2);
  VerifyReport r = fx.verify();
  EXPECT_FALSE(r.verified());
  EXPECT_EQ(file_problems(r), (std::vector<std::string>{"differs model.safetensors"}));
  EXPECT_EQ(tensor_problems(r),
            (std::vector<std::string>{std::string("differs model.safetensors:") + kDown}));
  EXPECT_EQ(r.count_tensors(CheckStatus::kOk), 99u);
  const FileCheck& f = *std::find_if(r.files.begin(), r.files.end(), [](const FileCheck& c) {
    return c.status != CheckStatus::kOk;
  });
  EXPECT_EQ(f.detail.find("size"), std::string::npos);  // same size, other digest
  EXPECT_NE(f.detail.find("SHA-256: recorded " +
                          find_file(fx.recorded, "model.safetensors")->sha256.substr(0, 16)),
            std::string::npos)
      << f.detail;
  Findings fs = verify_findings(r);
  ASSERT_EQ(fs.size(), 2u);
  EXPECT_EQ(fs[0].code, "integrity.file_differs");
  EXPECT_EQ(fs[1].code, "integrity.tensor_differs");
  EXPECT_EQ(fs[1].where.tensor, kDown);
  EXPECT_EQ(fs[1].where.byte_offset, t.offset);
}

TEST(Verify, FirstAndLastByteOfATensorAreCovered) {
  for (bool last : {false, true}) {
    Fixture fx;
    const ManifestTensor& t = fx.tensor(kDown);
    flip_byte(fx.dir / "model.safetensors", last ? t.offset + t.bytes - 1 : t.offset);
    EXPECT_EQ(tensor_problems(fx.verify(1)),
              (std::vector<std::string>{std::string("differs model.safetensors:") + kDown}))
        << last;
  }
}

TEST(Verify, ChangedConfigIsAFileProblemOnly) {
  Fixture fx;
  write_all(fx.dir / "config.json", read_all(fx.dir / "config.json") + " ");
  VerifyReport r = fx.verify();
  EXPECT_EQ(file_problems(r), (std::vector<std::string>{"differs config.json"}));
  EXPECT_TRUE(tensor_problems(r).empty());
}

TEST(Verify, DeletedFileIsMissing) {
  Fixture fx;
  fs::remove(fx.dir / "tokenizer.json");
  VerifyReport r = fx.verify();
  EXPECT_EQ(file_problems(r), (std::vector<std::string>{"missing tokenizer.json"}));
  EXPECT_EQ(verify_findings(r).at(0).code, "integrity.file_missing");
}

TEST(Verify, DeletedWeightsMakeEveryTensorMissing) {
  Fixture fx;
  fs::remove(fx.dir / "model.safetensors");
  VerifyReport r = fx.verify();
  EXPECT_EQ(file_problems(r), (std::vector<std::string>{"missing model.safetensors"}));
  EXPECT_EQ(r.count_tensors(CheckStatus::kMissing), 100u);
}

TEST(Verify, TruncatedWeightsLoseTheTensorsPastTheCut) {
  Fixture fx;
  fs::resize_file(fx.dir / "model.safetensors", 1'000'000);
  VerifyReport r = fx.verify();
  EXPECT_EQ(file_problems(r), (std::vector<std::string>{"differs model.safetensors"}));
  size_t expected_missing = 0;
  for (const auto& t : *find_file(fx.recorded, "model.safetensors")->tensors) {
    expected_missing += t.offset + t.bytes > 1'000'000;
  }
  EXPECT_GT(expected_missing, 0u);
  EXPECT_EQ(r.count_tensors(CheckStatus::kMissing), expected_missing);
  EXPECT_EQ(r.count_tensors(CheckStatus::kOk), 100u - expected_missing);
  for (const auto& t : r.tensors) {
    if (t.status == CheckStatus::kMissing) {
      EXPECT_NE(t.detail.find("is cut short at 1,000,000 bytes"), std::string::npos) << t.detail;
    }
  }
}

TEST(Verify, AddedFilesAreExtra) {
  Fixture fx;
  write_all(fx.dir / "notes.txt", "added");
  fs::create_directories(fx.dir / "sub");
  write_all(fx.dir / "sub" / "x.bin", "x");
  VerifyReport r = fx.verify();
  EXPECT_EQ(file_problems(r), (std::vector<std::string>{"extra notes.txt", "extra sub/x.bin"}));
  EXPECT_TRUE(tensor_problems(r).empty());
  EXPECT_FALSE(r.verified());
}

TEST(Verify, ReshardedModelFailsByFileButEveryTensorVerifiesAsMoved) {
  Fixture fx;
  // The same model (same seed) written again in two shards.
  fs::path resharded = fx.tmp.path() / "resharded";
  write_tiny(resharded, 1'000'000);
  VerifyReport r = verify_manifest(fx.recorded, scan(resharded));
  EXPECT_FALSE(r.verified());
  EXPECT_EQ(file_problems(r), (std::vector<std::string>{
                                  "extra model-00001-of-00002.safetensors",
                                  "extra model-00002-of-00002.safetensors",
                                  "missing model.safetensors",
                                  "differs model.safetensors.index.json",
                              }));
  EXPECT_EQ(r.count_tensors(CheckStatus::kMoved), 100u);
  EXPECT_EQ(r.count_tensors(CheckStatus::kOk), 0u);
  for (const auto& t : r.tensors) {
    EXPECT_EQ(t.expected_file, "model.safetensors");
    EXPECT_NE(t.actual_file.find("-of-00002.safetensors"), std::string::npos);
  }
  for (const auto& f : verify_findings(r)) {
    if (f.code == "integrity.tensor_moved") {
      EXPECT_EQ(f.severity, Severity::kInfo);
    }
  }
  // And the other way round: a manifest of the shards checks the single file.
  VerifyReport back = verify_manifest(scan(resharded).manifest, scan(fx.dir));
  EXPECT_EQ(back.count_tensors(CheckStatus::kMoved), 100u);
}

TEST(Verify, RenamedWeightsAreMissingAndExtraWithTheRenameNamed) {
  Fixture fx;
  fs::rename(fx.dir / "model.safetensors", fx.dir / "weights.safetensors");
  VerifyReport r = fx.verify();
  EXPECT_EQ(file_problems(r),
            (std::vector<std::string>{"missing model.safetensors", "extra weights.safetensors"}));
  EXPECT_EQ(r.count_tensors(CheckStatus::kMoved), 100u);
  for (const auto& f : r.files) {
    if (f.path == "model.safetensors") {
      EXPECT_NE(f.detail.find("is now at 'weights.safetensors'"), std::string::npos) << f.detail;
    }
  }
}

TEST(Verify, ACopiedShardMakesExtraTensors) {
  Fixture fx;
  fs::copy_file(fx.dir / "model.safetensors", fx.dir / "copy.safetensors");
  VerifyReport r = fx.verify();
  EXPECT_EQ(file_problems(r), (std::vector<std::string>{"extra copy.safetensors"}));
  EXPECT_EQ(r.count_tensors(CheckStatus::kOk), 100u);
  EXPECT_EQ(r.count_tensors(CheckStatus::kExtra), 100u);
  for (const auto& t : r.tensors) {
    if (t.status == CheckStatus::kExtra) {
      EXPECT_EQ(t.detail, "another copy of a tensor recorded in 'model.safetensors'");
    }
  }
}

TEST(Verify, ChangedTensorInAnotherFileDiffers) {
  Fixture fx;
  fs::path resharded = fx.tmp.path() / "resharded";
  write_tiny(resharded, 1'000'000);
  ManifestScan s = scan(resharded);
  // Find the shard holding kDown and damage it there.
  for (const auto& f : s.manifest.files) {
    if (const ManifestTensor* t = find_tensor(f, kDown)) {
      flip_byte(resharded / f.path, t->offset);
    }
  }
  VerifyReport r = verify_manifest(fx.recorded, scan(resharded));
  EXPECT_EQ(r.count_tensors(CheckStatus::kMoved), 99u);
  ASSERT_EQ(r.count_tensors(CheckStatus::kDiffers), 1u);
  for (const auto& t : r.tensors) {
    if (t.status == CheckStatus::kDiffers) {
      EXPECT_EQ(t.name, kDown);
      EXPECT_NE(t.detail.find("data differs"), std::string::npos);
    }
  }
}

TEST(Verify, SymlinkReplacingAFileIsNotFollowed) {
  Fixture fx;
  fs::rename(fx.dir / "config.json", fx.tmp.path() / "config.json");
  fs::create_symlink(fx.tmp.path() / "config.json", fx.dir / "config.json");
  VerifyReport r = fx.verify();
  EXPECT_EQ(file_problems(r), (std::vector<std::string>{"missing config.json"}));
  ASSERT_EQ(r.skipped.size(), 1u);
  EXPECT_EQ(r.skipped[0].path, "config.json");
}

TEST(Verify, UnreadableEntriesMakeTheCheckIncompleteNotFailed) {
  // As root every file is readable, so the scan's errors are given directly here.
  auto file = [](std::string path) {
    ManifestFile f;
    f.path = std::move(path);
    f.size = 1;
    f.sha256 = std::string(64, 'a');
    return f;
  };
  Manifest recorded;
  recorded.files = {file("a"), file("sub/b"), file("weights.bin")};
  ManifestScan found;
  found.manifest.files = {file("a")};
  found.errors = {{"sub", "cannot list the directory: Permission denied"},
                  {"weights.bin", "cannot open: Permission denied"}};
  VerifyReport r = verify_manifest(recorded, found);
  EXPECT_TRUE(r.incomplete());
  EXPECT_FALSE(r.verified());
  EXPECT_EQ(file_problems(r), (std::vector<std::string>{"unreadable sub", "unreadable sub/b",
                                                        "unreadable weights.bin"}));
  EXPECT_EQ(r.files[2].detail, "its directory 'sub': cannot list the directory: Permission denied");
  EXPECT_EQ(verify_findings(r)[0].code, "integrity.file_unreadable");
}

TEST(VerifyRender, TextMarkdownAndJson) {
  Fixture fx;
  const ManifestTensor& t = fx.tensor(kDown);
  flip_byte(fx.dir / "model.safetensors", t.offset);
  write_all(fx.dir / "extra.txt", "x");
  VerifyReport r = fx.verify();
  r.target = "model";
  r.manifest = "model.manifest.json";
  std::string text = render_text(r);
  EXPECT_NE(text.find("Result: FAIL (files: 9 ok, 1 differs, 1 extra; tensors: 99 ok, 1 differs)"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find(kDown), std::string::npos);
  std::string md = render_markdown(r);
  EXPECT_NE(md.find(std::string("| differs | `model.safetensors` | `") + kDown + "` |"),
            std::string::npos)
      << md;
  auto j = nlohmann::json::parse(render_json(r));
  EXPECT_EQ(j["command"], "verify");
  EXPECT_EQ(j["verified"], false);
  EXPECT_EQ(j["summary"]["files"]["differs"], 1);
  EXPECT_EQ(j["summary"]["tensors"]["ok"], 99);
  ASSERT_EQ(j["tensors"].size(), 1u);
  EXPECT_EQ(j["tensors"][0]["recorded"]["xxh3_128"], t.xxh3_128);
  EXPECT_EQ(j["files"].size(), r.files.size());
  EXPECT_EQ(j["findings"].size(), 3u);

  Fixture clean;
  VerifyReport ok = clean.verify();
  EXPECT_NE(render_text(ok).find("Result: PASS (files: 10 ok; tensors: 100 ok)"), std::string::npos)
      << render_text(ok);
}

TEST(VerifyRender, ManyProblemTensorsAreCappedInText) {
  Fixture fx;
  fs::remove(fx.dir / "model.safetensors");
  VerifyReport r = fx.verify();
  std::string text = render_text(r);
  EXPECT_NE(text.find("... and 50 more (--format json lists every one)"), std::string::npos);
  EXPECT_EQ(nlohmann::json::parse(render_json(r))["tensors"].size(), 100u);
}

}  // namespace
}  // namespace medq::integrity_test
