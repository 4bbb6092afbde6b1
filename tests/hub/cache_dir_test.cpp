// Where the cache is, in huggingface_hub's order (constants.py).
#include "medq/hub/cache_dir.hpp"

#include <gtest/gtest.h>

#include <map>

namespace medq {
namespace {

EnvLookup env_of(std::map<std::string, std::string> vars) {
  return [vars](const char* name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

TEST(CacheDir, TheOrderOfTheVariables) {
  std::map<std::string, std::string> all = {{"HF_HUB_CACHE", "/a"},
                                            {"HUGGINGFACE_HUB_CACHE", "/b"},
                                            {"HF_HOME", "/c"},
                                            {"XDG_CACHE_HOME", "/d"},
                                            {"HOME", "/home/u"}};
  EXPECT_EQ(hub_cache_dir(env_of(all)).path, "/a");
  EXPECT_EQ(hub_cache_dir(env_of(all)).source, "$HF_HUB_CACHE");
  all.erase("HF_HUB_CACHE");
  EXPECT_EQ(hub_cache_dir(env_of(all)).path, "/b");
  all.erase("HUGGINGFACE_HUB_CACHE");
  EXPECT_EQ(hub_cache_dir(env_of(all)).path, "/c/hub");
  EXPECT_EQ(hub_cache_dir(env_of(all)).source, "$HF_HOME/hub");
  all.erase("HF_HOME");
  EXPECT_EQ(hub_cache_dir(env_of(all)).path, "/d/huggingface/hub");
  all.erase("XDG_CACHE_HOME");
  EXPECT_EQ(hub_cache_dir(env_of(all)).path, "/home/u/.cache/huggingface/hub");
  EXPECT_EQ(hub_cache_dir(env_of(all)).source, "~/.cache/huggingface/hub");
}

TEST(CacheDir, TildeEmptyAndNoHome) {
  EXPECT_EQ(hub_cache_dir(env_of({{"HF_HOME", "~/hf"}, {"HOME", "/h"}})).path, "/h/hf/hub");
  // An empty variable counts as unset.
  EXPECT_EQ(hub_cache_dir(env_of({{"HF_HUB_CACHE", ""}, {"HF_HOME", "/c"}})).path, "/c/hub");
  EXPECT_TRUE(hub_cache_dir(env_of({})).path.empty());
  EXPECT_EQ(hub_cache_dir(env_of({{"HF_HUB_CACHE", "rel/dir"}})).path, "rel/dir");
}

}  // namespace
}  // namespace medq
