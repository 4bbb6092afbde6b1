// The Hub settings from the environment, as huggingface_hub reads them, and the fetch cache.
#include "medq/remote/hub_settings.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>

#include <unistd.h>

#include "medq/remote/fetch_cache.hpp"

namespace medq {
namespace {

namespace fs = std::filesystem;

EnvLookup env_of(std::map<std::string, std::string> m) {
  return [m](const std::string& k) -> std::optional<std::string> {
    auto it = m.find(k);
    if (it == m.end()) return std::nullopt;
    return it->second;
  };
}

fs::path temp_dir(const std::string& name) {
  fs::path d =
      fs::temp_directory_path() / ("medq_remote_" + name + "_" + std::to_string(::getpid()));
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

TEST(HubSettings, Defaults) {
  HubSettings s = hub_settings_from_env(env_of({{"HOME", "/home/u"}}), std::nullopt);
  EXPECT_EQ(s.endpoint, "https://huggingface.co");
  EXPECT_EQ(s.cache_dir, fs::path("/home/u/.cache/medq"));
  EXPECT_EQ(s.token_file, fs::path("/home/u/.cache/huggingface/token"));
  EXPECT_EQ(s.token_source, TokenSource::kNone);
  EXPECT_TRUE(s.token.empty());
}

TEST(HubSettings, EndpointAndCacheFromEnvironment) {
  HubSettings s = hub_settings_from_env(
      env_of(
          {{"HOME", "/h"}, {"HF_ENDPOINT", "http://127.0.0.1:8080//"}, {"XDG_CACHE_HOME", "/x"}}),
      std::nullopt);
  EXPECT_EQ(s.endpoint, "http://127.0.0.1:8080");
  EXPECT_EQ(s.cache_dir, fs::path("/x/medq"));
  EXPECT_EQ(s.token_file, fs::path("/x/huggingface/token"));
  EXPECT_THROW(hub_settings_from_env(env_of({{"HF_ENDPOINT", "ftp://x"}}), std::nullopt),
               std::runtime_error);
}

TEST(HubSettings, TokenOrder) {
  const fs::path d = temp_dir("token");
  std::ofstream(d / "token") << "  hf_file\n";
  auto env = env_of({{"HF_HOME", d.string()}, {"HF_TOKEN", "hf_env"}});
  HubSettings s = hub_settings_from_env(env, std::string("hf_flag\r\n"));
  EXPECT_EQ(s.token, "hf_flag");
  EXPECT_EQ(s.token_source, TokenSource::kFlag);
  s = hub_settings_from_env(env, std::nullopt);
  EXPECT_EQ(s.token, "hf_env");
  EXPECT_EQ(s.token_source, TokenSource::kEnvironment);
  s = hub_settings_from_env(env_of({{"HF_HOME", d.string()}, {"HF_TOKEN", ""}}), std::nullopt);
  EXPECT_EQ(s.token, "hf_file");
  EXPECT_EQ(s.token_source, TokenSource::kFile);
  EXPECT_EQ(s.token_file, d / "token");
  // A token is one header value: a control character in it is refused.
  EXPECT_THROW(hub_settings_from_env(env, std::string("a\x01") + "b"), std::runtime_error);
  fs::remove_all(d);
}

TEST(FetchCache, KeyedByCommitAndChecked) {
  const fs::path d = temp_dir("cache");
  FetchCache a(d, "https://huggingface.co", "org/name", std::string(40, 'a'));
  FetchCache b(d, "https://huggingface.co", "org/name", std::string(40, 'b'));
  FetchCache off({}, "https://huggingface.co", "org/name", std::string(40, 'a'));
  EXPECT_TRUE(a.enabled());
  EXPECT_FALSE(off.enabled());
  a.put_range("model.safetensors", 0, "abcdef");
  EXPECT_EQ(a.get_range("model.safetensors", 0, 6), "abcdef");
  EXPECT_FALSE(a.get_range("model.safetensors", 0, 5));  // another range: another entry
  EXPECT_FALSE(b.get_range("model.safetensors", 0, 6));  // another commit: nothing
  EXPECT_FALSE(off.get_range("model.safetensors", 0, 6));
  // An entry whose length is not its range's is not used.
  for (const auto& e : fs::directory_iterator(a.folder())) std::ofstream(e.path()) << "abc";
  EXPECT_FALSE(a.get_range("model.safetensors", 0, 6));
  a.put_tree("[]");
  EXPECT_EQ(a.get_tree(), "[]");
  EXPECT_FALSE(b.get_tree());
  // A cache that cannot be written is skipped, not an error.
  FetchCache unwritable("/proc/medq-no-such-dir", "e", "r", "c");
  unwritable.put_range("x", 0, "y");
  EXPECT_FALSE(unwritable.get_range("x", 0, 1));
  fs::remove_all(d);
}

}  // namespace
}  // namespace medq
