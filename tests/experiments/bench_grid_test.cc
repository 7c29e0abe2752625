#include "mbrl/experiments/bench_grid.h"

#include <gtest/gtest.h>

#include <csignal>
#include <filesystem>
#include <string>
#include <vector>

#include "mbrl/config/loader.h"
#include "mbrl/core/error.h"
#include "test_files.h"
#include "test_paths.h"

namespace mbrl::experiments {
namespace {

algorithms::PlannerBenchResult Measured(const std::string& task, const std::string& label) {
  algorithms::PlannerBenchResult r;
  r.task = task;
  r.label = label;
  r.planner = "cem";
  r.device = "cpu";
  r.horizon = 45;
  r.steps = 2;
  r.first_ms = 10;
  r.later_mean_ms = 5;
  r.peak_mb = 1;
  return r;
}

TEST(BenchGrid, RunsEveryCellTasksOutermostAndWritesTheReportsAfterEach) {
  const std::string stem = testing::TempDir() + "/planners_cpu";
  std::vector<std::string> order;
  std::vector<int> rows_before_cell;
  BenchGridHooks hooks;
  hooks.run_cell = [&](const std::string& t, const std::string& p) {
    order.push_back(t + "/" + p);
    rows_before_cell.push_back(std::filesystem::exists(stem + ".csv") ? testing::CsvRows(stem + ".csv") : 0);
    BenchCellOutcome outcome;
    if (t == "b" && p == "x") {
      outcome.exit_code = 1;  // a failed cell is reported and the bench goes on
    } else {
      outcome.result = Measured(t, p);
    }
    return outcome;
  };
  size_t started = 0, done = 0;
  hooks.on_start = [&](size_t i, size_t n, const std::string&, const std::string&) {
    EXPECT_EQ(i, ++started);
    EXPECT_EQ(n, 4u);
  };
  hooks.on_done = [&](const BenchCellOutcome&) { ++done; };
  const auto grid = RunBenchGrid({"a", "b"}, {"x", "y"}, stem, nullptr, hooks);
  EXPECT_EQ(order, (std::vector<std::string>{"a/x", "a/y", "b/x", "b/y"}));
  EXPECT_EQ(rows_before_cell, (std::vector<int>{0, 1, 2, 2}));
  EXPECT_EQ(done, 4u);
  ASSERT_EQ(grid.results.size(), 3u);
  EXPECT_EQ(grid.failed, (std::vector<std::string>{"b x (exit 1)"}));
  EXPECT_FALSE(grid.stopped);
  EXPECT_EQ(testing::CsvRows(stem + ".csv"), 3);
  EXPECT_NE(testing::ReadFile(stem + ".md").find("| b |"), std::string::npos);
}

TEST(BenchGrid, AStoppedCellEndsTheBenchAndKeepsWhatWasMeasured) {
  const std::string stem = testing::TempDir() + "/planners_cpu";
  for (const int stop_code : {130, 128 + SIGTERM}) {
    int calls = 0;
    BenchGridHooks hooks;
    hooks.run_cell = [&](const std::string& t, const std::string& p) {
      BenchCellOutcome outcome;
      if (++calls == 2) {
        outcome.exit_code = stop_code;
      } else {
        outcome.result = Measured(t, p);
      }
      return outcome;
    };
    const auto grid = RunBenchGrid({"a"}, {"x", "y", "z"}, stem, nullptr, hooks);
    EXPECT_EQ(calls, 2) << stop_code;
    EXPECT_TRUE(grid.stopped);
    EXPECT_EQ(grid.results.size(), 1u);
    EXPECT_EQ(testing::CsvRows(stem + ".csv"), 1);
  }
}

TEST(BenchGrid, ACellProcessThatWritesNoResultIsAFailureWithItsExitCode) {
  const std::string json = testing::TempDir() + "/cell.json";
  const auto failed = RunBenchCellProcess({"/bin/sh", "-c", "exit 3"}, json);
  EXPECT_EQ(failed.exit_code, 3);
  EXPECT_FALSE(failed.result.has_value());
  const std::string text = algorithms::BenchResultToJson(Measured("a", "x"));
  const auto ok = RunBenchCellProcess(
      {"/bin/sh", "-c", "printf '%s' \"$0\" > " + json, text}, json);
  EXPECT_EQ(ok.exit_code, 0);
  ASSERT_TRUE(ok.result.has_value());
  EXPECT_EQ(ok.result->task, "a");
  EXPECT_FALSE(std::filesystem::exists(json));  // the cell file is removed once read
}

}  // namespace
}  // namespace mbrl::experiments

namespace mbrl::experiments {
namespace {

// Without options the bench times every planner at its defaults at each task config's horizon;
// a preset folder brings its labels, and the paper tables beside it their numbers and horizon.
TEST(PlannerBenchOptions, DefaultsAreEveryPlannerAndAPresetFolderBringsItsPaperTables) {
  PlannerBenchOptions plain;
  plain.config_dir = mbrl::testing::SourcePath("configs");
  EXPECT_EQ(BenchPlanners(plain), config::PlannerNames());
  EXPECT_FALSE(BenchPaperTables(plain).has_value());
  EXPECT_EQ(BenchCell(plain, "cartpole_swingup", "cem-gd", nullptr).agent.horizon,
            config::LoadConfig({plain.config_dir + "/cartpole_swingup.yaml"}).agent.horizon);

  PlannerBenchOptions paper = plain;
  paper.planner_dir = mbrl::testing::SourcePath("configs/paper/planners");
  paper.planners = "cem50,cem-gd";
  const auto tables = BenchPaperTables(paper);
  ASSERT_TRUE(tables.has_value());
  EXPECT_EQ(tables->horizon, 45);
  const auto cell = BenchCell(paper, "cartpole_swingup", "cem50", &*tables);
  EXPECT_EQ(cell.agent.horizon, 45);
  EXPECT_EQ(cell.planner.Get<config::CemConfig>().population, 10);  // 50 samples: 10 x 5
  paper.paper_tables = "none";
  EXPECT_FALSE(BenchPaperTables(paper).has_value());
  paper.planners = "cem7";
  EXPECT_THROW(BenchPlanners(paper), ConfigError);

  // A --set key of one planner only is refused for the others, naming the planner.
  paper.overrides = {"planner.n_init=500"};
  const auto cem_gd = BenchCell(paper, "cartpole_swingup", "cem-gd", nullptr);
  EXPECT_EQ(cem_gd.planner.Get<config::CemGdConfig>().n_init, 500);
  try {
    BenchCell(paper, "cartpole_swingup", "cem50", nullptr);
    ADD_FAILURE() << "planner.n_init was accepted for cem50";
  } catch (const ConfigError& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("planner cem50 on cartpole_swingup: --set: planner.n_init: unknown key"),
              std::string::npos)
        << msg;
  }
}

}  // namespace
}  // namespace mbrl::experiments
