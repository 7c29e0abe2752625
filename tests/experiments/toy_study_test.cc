#include "mbrl/experiments/toy_study.h"

#include <gtest/gtest.h>

#include "mbrl/agent/mpc_agent.h"
#include "mbrl/env/toy_barrier.h"
#include "mbrl/planning/registry.h"
#include "test_files.h"
#include "test_paths.h"

namespace mbrl::experiments {
namespace {

TEST(ToyStudy, ManyInitialSamplesPassBelowMoreOftenThanFew) {
  ToyStudyOptions options;
  options.n_init = {10, 5000};
  options.trials = 20;
  const auto rows = RunToyStudy(options);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].trials, 20);
  // Measured: 0.55 at N_init = 10 and 1.0 at N_init = 5000 (seed 0).
  EXPECT_GE(rows[1].fraction, 0.9);
  EXPECT_LE(rows[0].fraction, 0.8);
  EXPECT_GT(rows[1].fraction, rows[0].fraction);
}

TEST(ToyStudy, TrialsAreReproducible) {
  ToyStudyOptions options;
  options.steps = 6;
  const auto a = RunToyTrial(50, options, 3), b = RunToyTrial(50, options, 3);
  EXPECT_EQ(a.path, b.path);
  EXPECT_EQ(a.first_init.size(), static_cast<size_t>(options.horizon + 1));
}

// One MPC episode on the toy task with the true dynamics; returns the episode return.
double ToyEpisodeReturn(const config::PlannerConfig& pc, uint64_t seed) {
  env::ToyBarrierEnv env;
  env::ToyBarrierObjective objective;
  planning::PlanSpace space{torch::full({2}, -1.0), torch::full({2}, 1.0), env::ToyBarrier::kHorizon};
  agent::MpcAgent agent(planning::MakePlanner(pc, space, torch::kCPU, seed), objective, 1,
                        torch::kCPU);
  std::mt19937_64 rng(seed);
  auto obs = env.Reset(rng);
  double total = 0;
  for (int t = 0; t < env.EpisodeLength(); ++t) {
    const auto step = env.Step(agent.Act(obs));
    total += step.reward;
    obs = step.obs;
  }
  return total;
}

TEST(ToyStudy, CemGdWithFiftySamplesMatchesCemWithFiveThousand) {
  config::CemGdConfig gd;
  gd.n_init = 500;
  gd.n_r = 50;
  gd.cem_iterations = 5;
  gd.line_search = ToyStudyOptions::ToyLineSearch();
  config::PlannerConfig cem_gd;
  cem_gd.settings = gd;
  config::CemConfig c;
  c.population = 100;  // 100 x 50 = 5000 samples per step
  c.iterations = 50;
  c.return_mode = "best";
  c.min_variance = 0;
  config::PlannerConfig cem;
  cem.settings = c;
  const double r_cem_gd = ToyEpisodeReturn(cem_gd, 1);
  const double r_cem = ToyEpisodeReturn(cem, 1);
  EXPECT_GE(r_cem_gd, r_cem - 1e-6) << "CEM-GD " << r_cem_gd << ", CEM(5000) " << r_cem;
}

TEST(ToyStudy, SideOfBarrierIsReadWhereThePathFirstCrossesTheCentresX) {
  const double cy = env::ToyBarrier::kCentreY;
  EXPECT_EQ(SideOfBarrier({{-1.0, cy - 0.5}, {1.0, cy - 0.5}}), 1);   // below
  EXPECT_EQ(SideOfBarrier({{-1.0, cy + 0.5}, {1.0, cy + 0.5}}), 0);   // above
  EXPECT_EQ(SideOfBarrier({{-1.0, cy + 1.0}, {1.0, cy - 1.2}}), 1);   // crosses the x at cy - 0.1
  EXPECT_EQ(SideOfBarrier({{-1.0, 0.0}, {-0.5, 0.0}}), -1);           // never reaches it
  EXPECT_EQ(SideOfBarrier({{-1.0, cy - 0.5}, {0.5, cy - 0.5}, {-0.5, cy + 0.5}, {0.5, cy + 0.5}}),
            1);  // the first crossing counts
}

TEST(ToyStudy, ItsFilesKeepEveryTrialAndTheFirstExampleEpisodeOfEachOutcome) {
  ToyTrial below, above;
  below.below = true;
  below.path = {{0, 0}, {1, -1}};
  above.path = {{0, 0}, {1, 1}, {2, 1}};
  ToyStudyFiles files({50});
  files.AddTrial(10, 0, below);   // not an example N_init: trials.csv only
  files.AddTrial(50, 0, above);   // kept: the first failed episode at 50
  files.AddTrial(50, 1, above);   // a second failed one is not
  files.AddTrial(50, 2, below);   // kept: the first success at 50
  const std::string dir = testing::TempDir();
  files.Write(dir, {{10, 1, 1, 1.0, 0.0}, {50, 3, 1, 1.0 / 3, 0.0}}, 50);
  EXPECT_EQ(testing::CsvRows(dir + "/trials.csv"), 4);
  EXPECT_EQ(testing::CsvRows(dir + "/success.csv"), 2);
  EXPECT_EQ(testing::CsvRows(dir + "/paths.csv"), 3 + 2);  // executed paths only (plans empty)
  const std::string paths = testing::ReadFile(dir + "/paths.csv");
  EXPECT_NE(paths.find("failed,50,0,executed,2,"), std::string::npos);
  EXPECT_NE(paths.find("success,50,2,executed,1,"), std::string::npos);
  EXPECT_EQ(paths.find(",10,"), std::string::npos);
  EXPECT_EQ(paths.find("failed,50,1,"), std::string::npos);
  // The barrier the plot draws is the task's, with the action bound its blocking region needs.
  const std::string task = testing::ReadFile(dir + "/task.csv");
  EXPECT_NE(task.find(",0.05,"), std::string::npos);
  EXPECT_NE(task.find("radius,strength,bound\n"), std::string::npos);
  EXPECT_NE(task.find(",1,4,1\n"), std::string::npos);
}

}  // namespace
}  // namespace mbrl::experiments
