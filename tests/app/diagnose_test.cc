// `mbrl diagnose RUN`: a run that kept every episode's model is scored episode by episode into
// CSV files; one that kept only the last says, for an earlier episode, what to pass next time
// (exit 2) and writes nothing.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "test_files.h"
#include "test_paths.h"

namespace mbrl {
namespace {

namespace fs = std::filesystem;
using testing::RunMbrl;
using testing::SourcePath;

std::string TinyRun(const std::string& dir, const std::string& keep) {
  return "train --config " + SourcePath("configs/cartpole_swingup.yaml") + " --quiet --out " + dir +
         testing::SetFlags(testing::TinyRunSettings()) +
         " --set env.episode_length=12 --set pets.episodes=3 --set pets.keep_models=" + keep;
}

int Lines(const std::string& path) {
  std::ifstream f(path);
  int n = 0;
  for (std::string line; std::getline(f, line);) ++n;
  return n;
}

TEST(Diagnose, EveryKeptEpisodeIsScoredIntoCsvFiles) {
  const std::string run = testing::TempDir() + "/all";
  auto [code, text] = RunMbrl(TinyRun(run, "all"));
  ASSERT_EQ(code, 0) << text;
  for (int ep : {2, 3}) {
    EXPECT_TRUE(fs::exists(run + "/models/episode_00000" + std::to_string(ep) + ".pt"));
    EXPECT_TRUE(fs::exists(run + "/plans/episode_00000" + std::to_string(ep) + ".pt"));
  }
  EXPECT_FALSE(fs::exists(run + "/models/episode_000001.pt"));  // a random episode: no model
  std::tie(code, text) = RunMbrl("diagnose " + run + " --horizon 4 --no-plots");
  ASSERT_EQ(code, 0) << text;
  const std::string out = run + "/diagnosis";
  // Episodes 2 and 3, 4 steps ahead: the mean rollout and 5 members per step.
  EXPECT_EQ(Lines(out + "/error.csv"), 1 + 2 * 4 * 6);
  EXPECT_EQ(Lines(out + "/disagreement.csv"), 1 + 2 * 4);
  EXPECT_EQ(Lines(out + "/summary.csv"), 1 + 2);
  // Plans with a whole horizon (5) inside a 12-step episode start at steps 0..7.
  EXPECT_EQ(Lines(out + "/optimism.csv"), 1 + 2 * 8);
  EXPECT_NE(text.find("wrote " + out), std::string::npos) << text;
  // One episode, elsewhere.
  std::tie(code, text) =
      RunMbrl("diagnose " + run + " --episodes 2 --no-plots --out " + run + "/two");
  ASSERT_EQ(code, 0) << text;
  EXPECT_EQ(Lines(run + "/two/summary.csv"), 2);
}

TEST(Diagnose, AnEpisodeWhoseModelWasNotKeptSaysWhatToPassNextTime) {
  const std::string run = testing::TempDir() + "/last";
  auto [code, text] = RunMbrl(TinyRun(run, "last"));
  ASSERT_EQ(code, 0) << text;
  EXPECT_FALSE(fs::exists(run + "/models"));
  std::tie(code, text) = RunMbrl("diagnose " + run + " --episodes 2 --no-plots");
  EXPECT_EQ(code, 2) << text;
  EXPECT_NE(text.find("episode 2 was not kept"), std::string::npos) << text;
  EXPECT_NE(text.find("--set pets.keep_models=all"), std::string::npos) << text;
  EXPECT_FALSE(fs::exists(run + "/diagnosis"));
  // The last episode's model is model.pt: diagnosing it works.
  std::tie(code, text) = RunMbrl("diagnose " + run + " --no-plots");
  ASSERT_EQ(code, 0) << text;
  EXPECT_EQ(Lines(run + "/diagnosis/summary.csv"), 2);
  // Bad input names the flag.
  std::tie(code, text) = RunMbrl("diagnose " + run + " --episodes 3-1");
  EXPECT_EQ(code, 2) << text;
  EXPECT_NE(text.find("--episodes '3-1'"), std::string::npos) << text;
  std::tie(code, text) = RunMbrl("train --config " + SourcePath("configs/cartpole_swingup.yaml") +
                                 " --out " + run + "2 --set pets.keep_models=some");
  EXPECT_EQ(code, 2) << text;
  EXPECT_NE(text.find("pets.keep_models"), std::string::npos) << text;
}

}  // namespace
}  // namespace mbrl
