#include "mbrl/experiments/bench_report.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <vector>

#include "mbrl/core/error.h"
#include "test_paths.h"

namespace mbrl::experiments {
namespace {

using algorithms::PlannerBenchResult;
using testing::SourcePath;

PlannerBenchResult Cell(int horizon) {
  PlannerBenchResult r;
  r.task = "cartpole_swingup";
  r.label = "cem50";
  r.planner = "cem";
  r.device = "cpu";
  r.horizon = horizon;
  r.steps = 3;
  r.first_ms = 120.0;
  r.mean_ms = 110.0;
  r.median_ms = 105.0;
  r.later_mean_ms = 100.0;
  r.episode_length = 200;
  r.episode_mean_ms = 100.1;
  r.peak_mb = 0.8;
  r.memory_probe = "cpu_tensors";
  r.ops_per_step = 9698;
  return r;
}

TEST(BenchReport, ThePapersTablesAreReadFromItsFile) {
  const auto paper = LoadPaperTables(SourcePath("configs/paper/tables.yaml"));
  const auto gd = paper.Find("half_cheetah", "cem-gd", 45);
  ASSERT_TRUE(gd.has_value());
  EXPECT_DOUBLE_EQ(gd->time_s, 2.63);
  EXPECT_DOUBLE_EQ(gd->memory_mb, 12.2);
  EXPECT_DOUBLE_EQ(paper.Find("pusher", "cem5000", 45)->time_s, 3.33);
  EXPECT_FALSE(paper.Find("cartpole_swingup", "icem", 45).has_value());
  EXPECT_FALSE(paper.Find("toy_barrier", "cem50", 45).has_value());
  EXPECT_FALSE(paper.Find("cartpole_swingup", "cem50", 30).has_value());  // another horizon
}

TEST(BenchReport, ABadTablesFileIsAnErrorNamingItAndTheKey) {
  const std::string path = ::testing::TempDir() + "/bad_tables.yaml";
  std::ofstream(path) << "horizon: 45\ntime_s: {cem50: {pusher: fast}}\nmemory_mb: {}\n";
  try {
    LoadPaperTables(path);
    FAIL() << "no error";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find(path + ": time_s.cem50.pusher: expected a number"),
              std::string::npos)
        << e.what();
  }
  EXPECT_THROW(LoadPaperTables(path + ".missing"), ConfigError);
}

TEST(BenchReport, CsvAndMarkdownShareTheirColumnsAndThePapersOnlyWhereItHasTheCell) {
  const auto paper = LoadPaperTables(SourcePath("configs/paper/tables.yaml"));
  auto r = Cell(5);
  r.later_stats = {{"refine_ms", 12.0}};
  const auto csv = BenchCsv({r}, &paper);
  EXPECT_NE(csv.find(",ops_per_step,syncs_per_step,"), std::string::npos);
  EXPECT_NE(csv.find("cartpole_swingup,cem50,cem,cpu,5,3,"), std::string::npos);
  EXPECT_NE(csv.find(",cpu_tensors,,,refine_ms=12.0,"), std::string::npos)
      << csv;  // horizon 5: not the paper's setting
  const auto at_paper = BenchCsv({Cell(45)}, &paper);
  EXPECT_NE(at_paper.find(",0.36,7.2,,"), std::string::npos) << at_paper;
  const auto header = [](const std::string& text) { return text.substr(0, text.find('\n')); };
  EXPECT_EQ(header(BenchCsv({Cell(45)})), header(csv));  // the same columns without tables
  EXPECT_NE(BenchCsv({Cell(45)}).find(",cpu_tensors,,,,"), std::string::npos);  // no tables
  const auto md = BenchMarkdown({Cell(45)}, &paper);
  EXPECT_NE(md.find("| cartpole_swingup | cem50 | 0.120 |"), std::string::npos) << md;
  EXPECT_NE(md.find(" 0.36 | 7.2 |"), std::string::npos) << md;
  // Every Markdown line (header, rule, row) has as many cells.
  std::istringstream lines(md);
  std::string line;
  std::vector<long> cells;
  while (std::getline(lines, line)) cells.push_back(std::count(line.begin(), line.end(), '|'));
  ASSERT_EQ(cells.size(), 3u);
  EXPECT_EQ(cells[0], cells[1]);
  EXPECT_EQ(cells[0], cells[2]);
}

TEST(BenchReport, TheFloorIsTheStepsGflopAtTheGemmRateAndEachStepIsTimedAgainstIt) {
  auto r = Cell(45);
  r.first_gflop = 10;
  r.later_gflop = 5;
  r.gemm_gflops = 200;  // floors: 50 ms at t = 0, 25 ms later; steps 120 ms and 100 ms
  EXPECT_DOUBLE_EQ(algorithms::FloorMs(r, r.later_gflop), 25.0);
  const auto csv = BenchCsv({r});
  EXPECT_NE(csv.find(",first_gflop,later_gflop,gemm_gflops,first_floor_ms,first_x_floor,"
                     "later_floor_ms,later_x_floor\n"),
            std::string::npos)
      << csv;
  EXPECT_NE(csv.find(",10.00,5.00,200,50.0,2.40,25.0,4.00\n"), std::string::npos) << csv;
  EXPECT_NE(BenchMarkdown({r}).find("| 200 | 2.40 | 0.025 | 4.00 |"), std::string::npos);
  // Without a GEMM rate (a result from an older binary) there is no floor, and no ratio.
  r.gemm_gflops = 0;
  EXPECT_NE(BenchCsv({r}).find(",10.00,5.00,0,0.0,,0.0,\n"), std::string::npos) << BenchCsv({r});
  EXPECT_NE(BenchMarkdown({r}).find("|  |  |  |  |\n"), std::string::npos) << BenchMarkdown({r});
}

}  // namespace
}  // namespace mbrl::experiments
