#include "mbrl/data/replay_buffer.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "mbrl/core/error.h"
#include "test_paths.h"

namespace mbrl::data {
namespace {

TEST(ReplayBuffer, SavesAndLoadsExactly) {
  const auto dir = mbrl::testing::TempDir();
  ReplayBuffer buffer(3, 2);
  for (int i = 0; i < 50; ++i) {
    const double x = i * 0.37;
    buffer.Add({x, -x, 1e-7 * x}, {0.1 * i, -0.3}, x * x, {x + 1, 2 * x, 3.14159}, i % 7 == 0);
  }
  buffer.Save(dir + "/buffer.bin");
  EXPECT_FALSE(std::filesystem::exists(dir + "/buffer.bin.tmp")) << "no temp file left";
  const ReplayBuffer loaded = ReplayBuffer::Load(dir + "/buffer.bin");
  EXPECT_EQ(loaded.Size(), 50);
  EXPECT_EQ(loaded.obs_dim(), 3);
  EXPECT_EQ(loaded.action_dim(), 2);
  EXPECT_EQ(loaded.obs(), buffer.obs());
  EXPECT_EQ(loaded.actions(), buffer.actions());
  EXPECT_EQ(loaded.rewards(), buffer.rewards());
  EXPECT_EQ(loaded.next_obs(), buffer.next_obs());
  EXPECT_EQ(loaded.terminated(), buffer.terminated());
}

TEST(ReplayBuffer, RejectsWrongSizes) {
  ReplayBuffer buffer(3, 1);
  EXPECT_THROW(buffer.Add({1, 2}, {0}, 0, {1, 2, 3}, false), Error);
  EXPECT_THROW(buffer.Add({1, 2, 3}, {0, 1}, 0, {1, 2, 3}, false), Error);
}

TEST(ReplayBuffer, TruncatedFileIsReportedWithItsPath) {
  const auto dir = mbrl::testing::TempDir();
  ReplayBuffer buffer(2, 1);
  buffer.Add({1, 2}, {0}, 1, {3, 4}, false);
  buffer.Save(dir + "/b.bin");
  std::filesystem::resize_file(dir + "/b.bin", 30);
  try {
    ReplayBuffer::Load(dir + "/b.bin");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(dir + "/b.bin"), std::string::npos);
  }
  std::ofstream(dir + "/junk.bin") << "hello";
  EXPECT_THROW(ReplayBuffer::Load(dir + "/junk.bin"), Error);
}

}  // namespace
}  // namespace mbrl::data
