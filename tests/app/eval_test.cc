// `mbrl eval` output: eval.csv and config.yaml under RUN_DIR/eval/<planner name>, so that two
// labels of one planner type (cem50, cem500) keep their own results; --out puts them elsewhere;
// an --out that cannot be made is refused before any episode runs.
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

TEST(Eval, ResultsGoUnderThePlannersNameOrOut) {
  const std::string tmp = testing::TempDir();
  const std::string run = tmp + "/run";
  auto [code, text] = RunMbrl(
      "train --config " + SourcePath("configs/cartpole_swingup.yaml") + " --quiet --out " + run +
      testing::SetFlags(testing::TinyRunSettings()) +
      " --set env.episode_length=10 --set pets.episodes=2");
  ASSERT_EQ(code, 0) << text;
  const std::string labels = " --planner-dir " + SourcePath("configs/paper/planners") +
                             " --episodes 1 --quiet --set agent.horizon=5";
  for (const std::string label : {"cem50", "cem100"}) {
    std::tie(code, text) = RunMbrl("eval " + run + " --planner " + label + labels);
    ASSERT_EQ(code, 0) << text;
    EXPECT_NE(text.find(run + "/eval/" + label + "/eval.csv"), std::string::npos) << text;
  }
  // Two CEM labels, two directories, each with its own planner section.
  for (const std::string label : {"cem50", "cem100"}) {
    ASSERT_TRUE(fs::exists(run + "/eval/" + label + "/eval.csv")) << label;
    // Every step's transition, in the replay buffer's format (scripts/action_stats.py reads it).
    EXPECT_GT(fs::file_size(run + "/eval/" + label + "/transitions.bin"), 24u) << label;
    std::ifstream f(run + "/eval/" + label + "/config.yaml");
    const std::string yaml((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    EXPECT_NE(yaml.find(label == "cem50" ? "population: 10" : "population: 20"),
              std::string::npos) << label << "\n" << yaml;
  }
  // The run's own planner: under its type.
  std::tie(code, text) = RunMbrl("eval " + run + " --episodes 1 --quiet --set env.episode_length=5");
  ASSERT_EQ(code, 0) << text;
  EXPECT_TRUE(fs::exists(run + "/eval/cem/eval.csv"));
  // --out.
  std::tie(code, text) = RunMbrl("eval " + run + " --episodes 1 --quiet --set env.episode_length=5"
                                 " --out " + tmp + "/elsewhere");
  ASSERT_EQ(code, 0) << text;
  EXPECT_TRUE(fs::exists(tmp + "/elsewhere/eval.csv"));
  EXPECT_TRUE(fs::exists(tmp + "/elsewhere/config.yaml"));
  // An --out below a file cannot be made: refused by name before any episode.
  std::ofstream(tmp + "/a_file") << "x";
  std::tie(code, text) = RunMbrl("eval " + run + " --episodes 1 --set env.episode_length=5"
                                 " --out " + tmp + "/a_file/sub");
  EXPECT_EQ(code, 2) << text;
  EXPECT_NE(text.find("--out " + tmp + "/a_file/sub"), std::string::npos) << text;
  EXPECT_EQ(text.find("episode 1"), std::string::npos) << text;
}

}  // namespace
}  // namespace mbrl
