// A sweep's grid without processes: seeds, sweep.yaml, status.csv, what a cell's run directory
// says, and the train command a cell gets.
#include "mbrl/runs/grid.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "mbrl/core/error.h"
#include "test_paths.h"

namespace mbrl::runs {
namespace {

namespace fs = std::filesystem;
using testing::SourcePath;

SweepSpec Spec(const std::string& out) {
  SweepSpec spec;
  spec.config_path = SourcePath("configs/cartpole_swingup.yaml");
  spec.planners = "cem,mppi";
  spec.seeds = "0-1";
  spec.overrides = {"pets.episodes=3"};
  spec.out = out;
  return spec;
}

void Write(const std::string& path, const std::string& text) {
  fs::create_directories(fs::path(path).parent_path());
  std::ofstream(path) << text;
}

TEST(Grid, SeedsAreRangesOrListsAndAnythingElseIsRefused) {
  EXPECT_EQ(ParseSeeds("0-2"), (std::vector<int>{0, 1, 2}));
  EXPECT_EQ(ParseSeeds("4,0-1,7"), (std::vector<int>{4, 0, 1, 7}));
  EXPECT_THROW(ParseSeeds("3-1"), ConfigError);
  EXPECT_THROW(ParseSeeds("a"), ConfigError);
  EXPECT_THROW(ParseSeeds(""), ConfigError);
}

TEST(Grid, StatusCsvRoundTripsAndIgnoresRowsOfOtherCells) {
  std::vector<Cell> cells = {Cell{"cem", 0}, Cell{"cem", 1}};
  cells[0].status = "done";
  cells[0].episodes_done = 3;
  cells[0].exit_code = 0;
  cells[1].status = "running";
  cells[1].episodes_done = 1;
  const std::string csv = StatusCsv(cells, 3);
  EXPECT_EQ(csv,
            "run,planner,seed,status,episodes_done,episodes,exit_code\n"
            "cem/seed_0,cem,0,done,3,3,0\n"
            "cem/seed_1,cem,1,running,1,3,\n");
  std::vector<Cell> back = {Cell{"cem", 1}, Cell{"mppi", 0}};
  ApplyStatusCsv(csv, back);
  EXPECT_EQ(back[0].status, "running");
  EXPECT_EQ(back[0].episodes_done, 1);
  EXPECT_EQ(back[0].exit_code, -1);
  EXPECT_EQ(back[1].status, "pending");  // no row for it
}

TEST(Grid, LoadGridWritesSweepYamlAndRefusesAnotherGridButNotOtherEpisodes) {
  const std::string out = testing::TempDir() + "/sweep";
  const Grid grid = LoadGrid(Spec(out));
  ASSERT_EQ(grid.cells.size(), 4u);
  EXPECT_EQ(grid.cells[1].name(), "cem/seed_1");  // planner-major
  EXPECT_EQ(grid.cells[2].name(), "mppi/seed_0");
  EXPECT_EQ(grid.episodes, 3);
  EXPECT_TRUE(fs::is_directory(out + "/logs"));
  auto longer = Spec(out);
  longer.overrides = {"pets.episodes=5"};
  EXPECT_EQ(LoadGrid(longer).episodes, 5);
  auto other = Spec(out);
  other.seeds = "0-2";
  EXPECT_THROW(LoadGrid(other), ConfigError);
  EXPECT_EQ(WithoutEpisodes(SweepYaml(longer, {"cem"}, {0})),
            WithoutEpisodes(SweepYaml(Spec(out), {"cem"}, {0})));
}

TEST(Grid, AnUnknownPlannerIsRefusedNamingTheFlagBeforeTheDirectoryIsMade) {
  const std::string out = testing::TempDir() + "/sweep";
  auto spec = Spec(out);
  spec.planners = "cem,nope";
  try {
    LoadGrid(spec);
    FAIL() << "no error";
  } catch (const ConfigError& e) {
    EXPECT_EQ(std::string(e.what()).rfind("--planners: unknown planner 'nope'", 0), 0u) << e.what();
  }
  EXPECT_FALSE(fs::exists(out));
}

TEST(Grid, ACellIsDoneResumedOrStartedOverFromItsRunDirectory) {
  const std::string out = testing::TempDir() + "/sweep";
  const auto spec = Spec(out);
  Grid grid = LoadGrid(spec);
  Cell& done = grid.cells[0];
  Cell& stopped = grid.cells[1];
  Cell& started = grid.cells[2];
  Write(out + "/cem/seed_0/checkpoint/LATEST", "episode_000003\n");
  fs::create_directories(out + "/cem/seed_0/checkpoint/episode_000003");
  Write(out + "/cem/seed_1/checkpoint/LATEST", "episode_000001\n");
  fs::create_directories(out + "/cem/seed_1/checkpoint/episode_000001");
  Write(out + "/mppi/seed_0/metrics.csv", "episode\n");  // no complete episode yet
  for (auto& c : grid.cells) Refresh(out, grid, c);
  EXPECT_EQ(done.status, "done");
  EXPECT_EQ(done.episodes_done, 3);
  EXPECT_EQ(stopped.status, "pending");
  EXPECT_EQ(stopped.episodes_done, 1);
  EXPECT_FALSE(fs::exists(out + "/mppi/seed_0"));  // started over
  EXPECT_EQ(started.episodes_done, 0);

  const auto resume = TrainArgs(spec, grid, stopped, "/bin/mbrl");
  EXPECT_EQ(resume, (std::vector<std::string>{"/bin/mbrl", "train", "--quiet", "--resume",
                                              out + "/cem/seed_1", "--set", "pets.episodes=3"}));
  const auto fresh = TrainArgs(spec, grid, started, "/bin/mbrl");
  EXPECT_EQ(fresh, (std::vector<std::string>{"/bin/mbrl", "train", "--quiet", "--config",
                                             spec.config_path, "--planner", "mppi", "--label",
                                             "mppi", "--out", out + "/mppi/seed_0", "--set",
                                             "seed=0", "--set", "pets.episodes=3"}));
  EXPECT_EQ(LogPath(out, started), out + "/logs/mppi_seed_0.log");
}

TEST(Grid, ADamagedCheckpointIsNotDoneSoItsResumeSaysWhatIsWrong) {
  const std::string out = testing::TempDir() + "/sweep";
  Grid grid = LoadGrid(Spec(out));
  Write(out + "/cem/seed_0/checkpoint/LATEST", "episode_999999\n");  // names no folder
  Refresh(out, grid, grid.cells[0]);
  EXPECT_EQ(grid.cells[0].status, "pending");
  EXPECT_EQ(grid.cells[0].episodes_done, 0);
  EXPECT_EQ(TrainArgs(Spec(out), grid, grid.cells[0], "mbrl")[3], "--resume");
}

}  // namespace
}  // namespace mbrl::runs
