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

const std::string kSets = testing::SetFlags(testing::TinyRunSettings()) +
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

  // With more episodes: every run is resumed and extended, nothing rerun.
  const std::string longer = sweep.substr(0, sweep.rfind("pets.episodes=2")) + "pets.episodes=3";
  std::tie(code, text) = RunMbrl(longer);
  ASSERT_EQ(code, 0) << text;
  EXPECT_NE(text.find("episodes per run: 3 now"), std::string::npos) << text;
  EXPECT_NE(text.find("start mppi/seed_0 (resumed)"), std::string::npos) << text;
  EXPECT_EQ(ReadFile(out + "/mppi/seed_0/metrics.csv").substr(0, before.size()), before);
  for (const std::string run : {"cem/seed_0", "cem/seed_1", "mppi/seed_0", "mppi/seed_1"}) {
    EXPECT_EQ(CsvRows(out + "/" + run + "/metrics.csv"), 3) << run;
  }
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

TEST(Sweep, SlurmLauncherWritesAnArrayJobOfTheUnfinishedCells) {
  const std::string out = mbrl::testing::TempDir() + "/sweep";
  const std::string config = SourcePath("configs/cartpole_swingup.yaml");
  const std::string grid = "sweep --config " + config + " --planners cem,mppi --seeds 0-1 --out " +
                           out + kSets + " --set pets.episodes=1";
  // cem/seed_1 is already finished: it is left out of the array.
  auto [code, text] = RunMbrl("train --config " + config + " --planner cem --quiet --out " + out +
                              "/cem/seed_1" + kSets + " --set seed=1 --set pets.episodes=1");
  ASSERT_EQ(code, 0) << text;
  std::tie(code, text) = RunMbrl(grid + " --launcher slurm --dry-run --sbatch=--time=01:00:00 "
                                        "--sbatch=--cpus-per-task=2");
  ASSERT_EQ(code, 0) << text;
  EXPECT_NE(text.find("3 array tasks: 0,2-3"), std::string::npos) << text;
  const std::string script = ReadFile(out + "/slurm/sweep.sbatch");
  EXPECT_NE(script.find("#SBATCH --array=0,2-3\n"), std::string::npos) << script;
  EXPECT_NE(script.find("#SBATCH --requeue\n"), std::string::npos) << script;
  EXPECT_NE(script.find("#SBATCH --time=01:00:00\n#SBATCH --cpus-per-task=2\n"),
            std::string::npos) << script;
  EXPECT_NE(script.find("--cell \"$SLURM_ARRAY_TASK_ID\""), std::string::npos) << script;
  EXPECT_FALSE(fs::exists(out + "/cem/seed_0")) << "a dry run started a run";

  // What an array task runs: one cell, then the status row of that cell.
  std::tie(code, text) = RunMbrl(grid + " --cell 2");
  ASSERT_EQ(code, 0) << text;
  EXPECT_NE(text.find("start mppi/seed_0 (new)"), std::string::npos) << text;
  EXPECT_EQ(CsvRows(out + "/mppi/seed_0/metrics.csv"), 1);
  EXPECT_EQ(ReadFile(out + "/mppi/seed_0/label.txt"), "mppi\n");
  EXPECT_NE(ReadFile(out + "/status.csv").find("mppi/seed_0,mppi,0,done,1,1,0"),
            std::string::npos) << ReadFile(out + "/status.csv");
  std::tie(code, text) = RunMbrl(grid + " --cell 4");
  EXPECT_EQ(code, 2);
  EXPECT_NE(text.find("--cell 4: the grid has cells 0-3"), std::string::npos) << text;

  // Without Slurm's client, and options that need the Slurm launcher.
  std::tie(code, text) = testing::RunCommand("env PATH=/nonexistent " +
                                             std::string(MBRL_BINARY_DIR) + "/mbrl " + grid +
                                             " --launcher slurm 2>&1");
  EXPECT_EQ(code, 2);
  EXPECT_NE(text.find("sbatch is not on PATH"), std::string::npos) << text;
  std::tie(code, text) = RunMbrl(grid + " --dry-run");
  EXPECT_EQ(code, 2);
  EXPECT_NE(text.find("--dry-run and --sbatch go with --launcher slurm"), std::string::npos)
      << text;
  std::tie(code, text) = RunMbrl(grid + " --launcher pbs");
  EXPECT_EQ(code, 2);
  EXPECT_NE(text.find("--launcher: expected local or slurm"), std::string::npos) << text;
}

TEST(Sweep, PlannersFromAnotherDirectoryGetTheirNamesAsLabels) {
  const std::string out = mbrl::testing::TempDir() + "/sweep";
  auto [code, text] = RunMbrl("sweep --config " + SourcePath("configs/cartpole_swingup.yaml") +
                              " --planner-dir " + SourcePath("configs/paper/planners") +
                              " --planners cem50 --seeds 0 --out " + out +
                              " --set model.hidden_size=16 --set agent.horizon=5"
                              " --set trainer.max_epochs=3 --set rollout.particles=5"
                              " --set env.episode_length=20 --set pets.episodes=1");
  ASSERT_EQ(code, 0) << text;
  EXPECT_EQ(ReadFile(out + "/cem50/seed_0/label.txt"), "cem50\n");
  EXPECT_NE(ReadFile(out + "/cem50/seed_0/config.yaml").find("population: 10"), std::string::npos)
      << "configs/paper/planners/cem50.yaml was not used";
}

}  // namespace
}  // namespace mbrl
