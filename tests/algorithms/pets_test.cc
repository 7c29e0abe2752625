#include "mbrl/algorithms/pets.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <cmath>
#include <fstream>
#include <sstream>

#include "mbrl/config/loader.h"
#include "mbrl/data/replay_buffer.h"
#include "mbrl/models/gaussian_ensemble.h"
#include "test_files.h"
#include "test_paths.h"

namespace mbrl::algorithms {
namespace {

using mbrl::testing::ReadFile;
using mbrl::testing::SourcePath;

// The shipped cartpole config with tiny sizes.
config::Config TinyCartpole(std::vector<std::string> extra = {}) {
  std::vector<std::string> sets = {"pets.episodes=2",        "model.hidden_size=32",
                                   "planner.population=20",  "agent.horizon=5",
                                   "trainer.max_epochs=5",   "rollout.particles=5"};
  sets.insert(sets.end(), extra.begin(), extra.end());
  return config::LoadConfig({SourcePath("configs/cartpole_swingup.yaml"), "cem", sets});
}

TEST(Pets, TinyCartpoleRunWritesEveryRunDirectoryFile) {
  const auto dir = mbrl::testing::TempDir() + "/run";
  const auto config = TinyCartpole();
  int steps_seen = 0;
  PetsHooks hooks;
  hooks.on_step = [&](int, int, int, double) { ++steps_seen; };
  const auto metrics = RunPets(config, torch::kCPU, dir, hooks);
  ASSERT_EQ(metrics.size(), 2u);
  EXPECT_TRUE(metrics[0].random);
  EXPECT_FALSE(metrics[1].random);
  EXPECT_EQ(metrics[1].env_steps, 400);
  EXPECT_EQ(steps_seen, 400);
  EXPECT_GT(metrics[1].plan_ms, 0);
  EXPECT_GT(metrics[1].model_epochs, 0);

  for (const char* f : {"config.yaml", "metrics.csv", "log.txt", "replay_buffer.bin", "model.pt"}) {
    EXPECT_TRUE(std::filesystem::exists(dir + "/" + f)) << f;
  }
  // The resolved config parses back to the same run.
  const auto resolved = config::ParseConfigText(ReadFile(dir + "/config.yaml"), "config.yaml");
  EXPECT_EQ(config::ConfigToYaml(resolved), config::ConfigToYaml(config));
  // One header line plus one row per episode.
  std::istringstream csv(ReadFile(dir + "/metrics.csv"));
  std::string line;
  std::vector<std::string> lines;
  while (std::getline(csv, line)) lines.push_back(line);
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0], MetricsCsvHeader({"best_return", "iterations"}));  // CEM statistics
  EXPECT_EQ(lines[2].rfind("2,400,200,", 0), 0u) << lines[2];
  EXPECT_EQ(data::ReplayBuffer::Load(dir + "/replay_buffer.bin").Size(), 400);
  models::GaussianEnsemble model(config.model, 6, 4);
  EXPECT_NO_THROW(models::LoadEnsemble(model, dir + "/model.pt"));
  EXPECT_NE(ReadFile(dir + "/log.txt").find("episode 2/2"), std::string::npos);
}

TEST(Pets, EveryMujocoTaskConfigRunsAShortSmokeRun) {
  for (const std::string task : {"cartpole_down", "half_cheetah", "pusher", "humanoid_standup"}) {
    const auto dir = mbrl::testing::TempDir() + "/" + task;
    const auto config = config::LoadConfig(
        {SourcePath("configs/" + task + ".yaml"), "cem",
         {"pets.episodes=2", "env.episode_length=15", "model.hidden_size=16", "agent.horizon=4",
          "planner.population=10", "rollout.particles=5", "trainer.max_epochs=2"}});
    const auto metrics = RunPets(config, torch::kCPU, dir);
    ASSERT_EQ(metrics.size(), 2u) << task;
    // cartpole_down may leave the track (terminate) before 15 steps.
    EXPECT_GT(metrics[1].steps, 0) << task;
    EXPECT_LE(metrics[1].steps, 15) << task;
    EXPECT_EQ(metrics[1].env_steps, metrics[0].steps + metrics[1].steps) << task;
    EXPECT_TRUE(std::isfinite(metrics[1].episode_return)) << task;
  }
}

TEST(Pets, StopRequestSavesThePartialEpisode) {
  const auto dir = mbrl::testing::TempDir() + "/run";
  int steps = 0;
  PetsHooks hooks;
  hooks.on_step = [&](int, int, int, double) { ++steps; };
  hooks.should_stop = [&] { return steps == 230; };
  const auto metrics = RunPets(TinyCartpole({"pets.episodes=3"}), torch::kCPU, dir, hooks);
  ASSERT_EQ(metrics.size(), 2u);
  EXPECT_TRUE(metrics[1].interrupted);
  EXPECT_EQ(metrics[1].steps, 30);
  EXPECT_EQ(data::ReplayBuffer::Load(dir + "/replay_buffer.bin").Size(), 230);
  EXPECT_NE(ReadFile(dir + "/metrics.csv").find("\n2,230,30,"), std::string::npos);
  EXPECT_TRUE(std::filesystem::exists(dir + "/model.pt"));
}

TEST(Pets, SameConfigAndSeedGiveTheSameReturns) {
  const auto base = mbrl::testing::TempDir();
  const auto config = TinyCartpole({"pets.episodes=3", "env.episode_length=40", "seed=11"});
  const auto a = RunPets(config, torch::kCPU, base + "/a");
  const auto b = RunPets(config, torch::kCPU, base + "/b");
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) EXPECT_EQ(a[i].episode_return, b[i].episode_return) << i;
  auto other = config;
  other.seed = 12;
  const auto c = RunPets(other, torch::kCPU, base + "/c");
  EXPECT_NE(a[2].episode_return, c[2].episode_return);
}

}  // namespace
}  // namespace mbrl::algorithms
