// `mbrl sweep` as a user runs it: the grid's runs, finished ones skipped on a rerun, a stopped one
// resumed, and grids it cannot run refused before anything starts.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "test_files.h"
#include "test_paths.h"

namespace mbrl {
namespace {

namespace fs = std::filesystem;
using testing::CsvRows;
using testing::ReadFile;
using testing::RunMbrl;
using testing::SourcePath;

const std::string kSets =
    " --set model.hidden_size=16 --set planner.population=20 --set planner.iterations=2"
    " --set agent.horizon=5 --set trainer.max_epochs=3 --set rollout.particles=5"
    " --set env.episode_length=20";

TEST(Sweep, RunsTheGridSkipsFinishedRunsAndResumesAStoppedOne) {
  const std::string out = mbrl::testing::TempDir() + "/sweep";
  const std::string config = SourcePath("configs/cartpole_swingup.yaml");
  const std::string sweep = "sweep --config " + config +
                            " --planners cem,mppi --seeds 0-1 --jobs 2 --out " + out + kSets +
                            " --set pets.episodes=2";
  // cem/seed_1 was started by hand and stopped after its first episode (a checkpoint of 1).
  auto [code, text] = RunMbrl("train --config " + config + " --planner cem --quiet --out " + out +
                          "/cem/seed_1" + kSets + " --set seed=1 --set pets.episodes=1");
  ASSERT_EQ(code, 0) << text;

  std::tie(code, text) = RunMbrl(sweep);
  ASSERT_EQ(code, 0) << text;
  EXPECT_NE(text.find("start cem/seed_0 (new)"), std::string::npos) << text;
  EXPECT_NE(text.find("start cem/seed_1 (resumed)"), std::string::npos) << text;
  EXPECT_NE(text.find("4/4 runs done, 0 failed"), std::string::npos) << text;
  for (const std::string run : {"cem/seed_0", "cem/seed_1", "mppi/seed_0", "mppi/seed_1"}) {
    EXPECT_EQ(CsvRows(out + "/" + run + "/metrics.csv"), 2) << run;
    EXPECT_TRUE(fs::exists(out + "/logs/" + run.substr(0, run.find('/')) + "_seed_" +
                           run.substr(run.size() - 1) + ".log"))
        << run;
  }
  const std::string status = ReadFile(out + "/status.csv");
  EXPECT_EQ(CsvRows(out + "/status.csv"), 4) << status;
  EXPECT_NE(status.find("cem/seed_1,cem,1,done,2,2,0"), std::string::npos) << status;
  EXPECT_NE(ReadFile(out + "/cem/seed_1/config.yaml").find("seed: 1"), std::string::npos);
  EXPECT_TRUE(fs::exists(out + "/sweep.yaml"));

  // The same command again: nothing to run.
  const std::string before = ReadFile(out + "/mppi/seed_0/metrics.csv");
  std::tie(code, text) = RunMbrl(sweep);
  EXPECT_EQ(code, 0) << text;
  EXPECT_EQ(text.find("start "), std::string::npos) << text;
  EXPECT_EQ(ReadFile(out + "/mppi/seed_0/metrics.csv"), before);
}

TEST(Sweep, GridsItCannotRunAreRefusedBeforeAnythingStarts) {
  const std::string out = mbrl::testing::TempDir() + "/sweep";
  const std::string config = SourcePath("configs/cartpole_swingup.yaml");
  auto [code, text] = RunMbrl("sweep --config " + config + " --planners cem,nope --out " + out);
  EXPECT_EQ(code, 2);
  EXPECT_NE(text.find("error: --planners: unknown planner 'nope'"), std::string::npos) << text;
  EXPECT_FALSE(fs::exists(out));
  std::tie(code, text) = RunMbrl("sweep --config " + config + " --seeds 3-1 --out " + out);
  EXPECT_EQ(code, 2);
  EXPECT_NE(text.find("--seeds"), std::string::npos) << text;
  std::tie(code, text) =
      RunMbrl("sweep --config " + config + " --set task=nope --out " + out);
  EXPECT_EQ(code, 2);
  EXPECT_NE(text.find("nope"), std::string::npos) << text;
  // Another grid in a directory that holds a sweep.
  std::tie(code, text) = RunMbrl("sweep --config " + config + " --planners mppi --seeds 0 --out " +
                             out + kSets + " --set pets.episodes=1");
  ASSERT_EQ(code, 0) << text;
  std::tie(code, text) = RunMbrl("sweep --config " + config + " --planners mppi --seeds 0-1 --out " +
                             out + kSets + " --set pets.episodes=1");
  EXPECT_EQ(code, 2);
  EXPECT_NE(text.find("holds another sweep"), std::string::npos) << text;
}

}  // namespace
}  // namespace mbrl
