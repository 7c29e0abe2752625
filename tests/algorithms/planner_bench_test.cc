#include "mbrl/algorithms/planner_bench.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "mbrl/core/error.h"
#include "test_paths.h"

namespace mbrl::algorithms {
namespace {

using testing::SourcePath;

TEST(PlannerBench, PlannerFilesOfTheDirectoryComeFirst) {
  const auto cfg = SourcePath("configs");
  const auto dir = SourcePath("configs/paper/planners");
  const std::string task = "cartpole_swingup";
  const auto names = PlannerFileNames(dir);
  EXPECT_NE(std::find(names.begin(), names.end(), "cem-gd"), names.end());  // cem_gd.yaml
  EXPECT_NE(std::find(names.begin(), names.end(), "cem5000"), names.end());
  EXPECT_TRUE(PlannerFileNames("").empty());
  const auto c50 = BenchCellConfig(cfg, task, "cem50", dir, 45, {});
  EXPECT_EQ(c50.planner.type(), "cem");
  EXPECT_EQ(c50.planner.Get<config::CemConfig>().population * c50.planner.Get<config::CemConfig>().iterations, 50);
  const auto c5000 = BenchCellConfig(cfg, task, "cem5000", dir, 45, {});
  EXPECT_EQ(c5000.planner.Get<config::CemConfig>().population, 100);
  EXPECT_EQ(c5000.planner.Get<config::CemConfig>().iterations, 50);
  EXPECT_EQ(c5000.planner.Get<config::CemConfig>().min_variance, 0);  // the fixed amount of work of the paper
  EXPECT_EQ(c5000.agent.horizon, 45);
  const auto gd_cfg = BenchCellConfig(cfg, task, "cem-gd", dir, 45, {});
  EXPECT_EQ(gd_cfg.planner.Get<config::CemGdConfig>().n_init, 15000);
  EXPECT_EQ(gd_cfg.planner.Get<config::CemGdConfig>().n_r, 50);
  EXPECT_EQ(gd_cfg.planner.Get<config::CemGdConfig>().line_search.line_search_trials, 8);
  // Not in the directory: the planner at its defaults.
  EXPECT_EQ(BenchCellConfig(cfg, task, "mppi", dir, 30, {}).planner.type(), "mppi");
  EXPECT_THROW(BenchCellConfig(cfg, task, "cem7", dir, 45, {}), ConfigError);
}

TEST(PlannerBench, ForwardBenchTimesTheSplitPartsWhereARolloutWouldSplit) {
  auto config = BenchCellConfig(SourcePath("configs"), "cartpole_swingup", "cem50",
                                      SourcePath("configs/paper/planners"), 5, {});
  config.model.hidden_size = 16;
  // 40 rows per member x 5 members = 10 sequences x 20 particles: split in 2 parts.
  const auto split = BenchEnsembleForward(config, 40, torch::kCPU, 0.01);
  EXPECT_EQ(split.parts, 2);
  EXPECT_GT(split.gflops, 0);
  EXPECT_GT(split.parts_gflops, 0);
  EXPECT_GT(split.parts_ms_per_call, 0);
  // 10 rows per member: 50 rows, too few to split.
  const auto whole = BenchEnsembleForward(config, 10, torch::kCPU, 0.01);
  EXPECT_EQ(whole.parts, 0);
  EXPECT_EQ(whole.parts_gflops, 0);
  EXPECT_GT(whole.gflops, 0);
}

TEST(PlannerBench, TimesRealStepsAndRoundTripsThroughJsonAndCsv) {
  const auto config = BenchCellConfig(SourcePath("configs"), "cartpole_swingup", "cem50",
                                      SourcePath("configs/paper/planners"), 5,
                                      {"model.hidden_size=8", "rollout.particles=5"});
  int reported = 0;
  const auto r = BenchPlanner(config, "cem50", 3, torch::kCPU, [&](int done, int total) {
    EXPECT_EQ(total, 3);
    reported = done;
  });
  EXPECT_EQ(reported, 3);
  EXPECT_EQ(r.steps, 3);
  EXPECT_GT(r.first_ms, 0);
  EXPECT_GT(r.later_mean_ms, 0);
  EXPECT_NEAR(r.mean_ms * 3, r.first_ms + 2 * r.later_mean_ms, 1e-6);
  EXPECT_EQ(r.episode_length, 200);
  EXPECT_EQ(r.memory_probe, "cpu_tensors");
  // At least the population the t = 0 step draws: 10 sequences x 5 steps x 1 action, in floats.
  EXPECT_GE(r.peak_mb * (1 << 20), 10 * 5 * 4);
  EXPECT_LT(r.peak_mb, 16);
  EXPECT_GE(r.peak_rss_mb, 0);
  const auto back = BenchResultFromJson(BenchResultToJson(r));
  EXPECT_EQ(back.label, "cem50");
  EXPECT_DOUBLE_EQ(back.first_ms, r.first_ms);
  EXPECT_TRUE(r.later_stats.empty());  // CEM reports no time splits
  EXPECT_THROW(BenchResultFromJson("{\"task\": 1}"), Error);
}

TEST(PlannerBench, AveragesThePlannersTimeSplitsAndLineSearchCountsOverLaterSteps) {
  const auto config =
      BenchCellConfig(SourcePath("configs"), "cartpole_swingup", "cem-gd",
                      SourcePath("configs/paper/planners"), 5,
                      {"model.hidden_size=8", "rollout.particles=5", "planner.n_init=40"});
  const auto r = BenchPlanner(config, "cem-gd", 3, torch::kCPU);
  ASSERT_EQ(r.later_stats.count("cem_ms"), 1u);
  ASSERT_EQ(r.later_stats.count("refine_ms"), 1u);
  // The *_ms stats and the line search's trials and accepted steps (G = 10 per later step).
  EXPECT_EQ(r.later_stats.size(), 4u);
  EXPECT_GT(r.later_stats.at("refine_ms"), 0);
  EXPECT_LE(r.later_stats.at("steps_accepted"), 10);
  EXPECT_GE(r.later_stats.at("line_search_trials"), r.later_stats.at("steps_accepted"));
  // Both splits happen inside the timed step.
  EXPECT_LT(r.later_stats.at("cem_ms") + r.later_stats.at("refine_ms"), r.later_mean_ms * 1.01);
  const auto back = BenchResultFromJson(BenchResultToJson(r));
  EXPECT_DOUBLE_EQ(back.later_stats.at("refine_ms"), r.later_stats.at("refine_ms"));
}

TEST(PlannerBench, CountsTheOperatorsAndHostSyncsOfALaterStep) {
  const auto config = BenchCellConfig(SourcePath("configs"), "cartpole_swingup", "cem50",
                                      SourcePath("configs/paper/planners"), 5,
                                      {"model.hidden_size=8", "rollout.particles=5"});
  const auto r = BenchPlanner(config, "cem50", 2, torch::kCPU);
  // 5 iterations x 5 model steps of several operators each.
  EXPECT_GT(r.ops_per_step, 5 * 5 * 3);
  double by_name = 0;
  for (const auto& [name, n] : r.sync_ops) by_name += n;
  EXPECT_DOUBLE_EQ(by_name, r.syncs_per_step);
  const auto back = BenchResultFromJson(BenchResultToJson(r));
  EXPECT_DOUBLE_EQ(back.ops_per_step, r.ops_per_step);
  EXPECT_DOUBLE_EQ(back.syncs_per_step, r.syncs_per_step);
}

TEST(PlannerBench, CountsAStepsMatrixProductsAndTheGemmRateForTheFloor) {
  const auto config = BenchCellConfig(SourcePath("configs"), "cartpole_swingup", "cem50",
                                      SourcePath("configs/paper/planners"), 5,
                                      {"model.hidden_size=8", "rollout.particles=5"});
  const auto r = BenchPlanner(config, "cem50", 2, torch::kCPU);
  // Each of 5 iterations rolls 10 sequences x 5 particles over 5 steps through the model:
  // inputs 5 + 1 -> 8 -> 8 -> 8 -> 2 x 4 outputs. CEM's returned mean is rolled out too.
  const double per_row = 2.0 * (6 * 8 + 8 * 8 + 8 * 8 + 8 * 8);
  const double sampled = 5 * 10 * 5 * 5 * per_row / 1e9;
  EXPECT_GE(r.later_gflop, sampled);
  EXPECT_LE(r.later_gflop, sampled * 1.25);
  EXPECT_DOUBLE_EQ(r.first_gflop, r.later_gflop);  // CEM does the same work at every step
  EXPECT_GT(r.gemm_gflops, 0);
  const auto back = BenchResultFromJson(BenchResultToJson(r));
  EXPECT_DOUBLE_EQ(back.later_gflop, r.later_gflop);
  EXPECT_DOUBLE_EQ(back.first_gflop, r.first_gflop);
  EXPECT_DOUBLE_EQ(back.gemm_gflops, r.gemm_gflops);
  EXPECT_DOUBLE_EQ(FloorMs(back, back.later_gflop), 1000 * r.later_gflop / r.gemm_gflops);
  // Without the floor (--no-floor) no GEMM runs, and the steps' work is still counted.
  const auto alone = BenchPlanner(config, "cem50", 2, torch::kCPU, {}, /*floor=*/false);
  EXPECT_EQ(alone.gemm_gflops, 0);
  EXPECT_DOUBLE_EQ(alone.later_gflop, r.later_gflop);
}

}  // namespace
}  // namespace mbrl::algorithms
