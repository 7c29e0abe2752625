// One planner per name: every way of naming a planner resolves the same settings (its struct's
// defaults) and so plans the same sequence.
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "../planning/test_objectives.h"
#include "mbrl/algorithms/planner_bench.h"
#include "mbrl/config/loader.h"
#include "mbrl/planning/registry.h"
#include "test_paths.h"

namespace mbrl::algorithms {
namespace {

using ::mbrl::testing::SourcePath;

// The planner section of `c` as YAML (the rest of the config at its defaults).
std::string PlannerYaml(const config::Config& c) {
  config::Config only;
  only.planner = c.planner;
  return config::ConfigToYaml(only);
}

// `name` resolved along each path a user can name it by.
std::vector<std::pair<std::string, config::Config>> EveryPathTo(const std::string& name) {
  std::vector<std::pair<std::string, config::Config>> paths;
  config::LoadOptions flag{SourcePath("configs/cartpole_swingup.yaml"), name, {}};
  paths.emplace_back("--planner " + name, config::LoadConfig(flag));
  paths.emplace_back("planner.type in a file",
                     config::ParseConfigText("planner:\n  type: " + name + "\n", "file.yaml"));
  paths.emplace_back("--set planner.type", config::LoadConfig({"", "", {"planner.type=" + name}}));
  // mbrl.make_planner: the default config with planner.type (Config.with_overrides).
  paths.emplace_back("make_planner",
                     config::ApplyOverrides(config::Config{}, {"planner.type=" + name}));
  config::Config named;
  named.planner = config::PlannerConfig::Named(name);
  paths.emplace_back("PlannerConfig::Named", named);
  // bench planners --planners NAME, with its default --planner-dir.
  paths.emplace_back("bench planners",
                     BenchCellConfig(SourcePath("configs"), "cartpole_swingup", name, "", 25, {}));
  return paths;
}

TEST(PlannerDefaults, EveryPathToAPlannerNameResolvesTheSameSettingsAndPlan) {
  const auto space = planning::testing::Space(3, 2, 3.0);
  for (const auto& name : config::PlannerNames()) {
    const auto paths = EveryPathTo(name);
    const std::string expected = PlannerYaml(paths.front().second);
    torch::Tensor first_plan;
    for (const auto& [path, config] : paths) {
      EXPECT_EQ(config.planner.type(), name) << path;
      EXPECT_EQ(PlannerYaml(config), expected) << name << " along " << path;
      // Two warm-started plans with one seed on one objective.
      planning::testing::Quadratic objective(planning::testing::ConcaveTarget());
      auto planner = planning::MakePlanner(config.planner, space, torch::kCPU, 7);
      torch::Tensor plan;
      for (int call = 0; call < 2; ++call) {
        plan = planner->Plan(torch::zeros({1}), objective).actions;
        planner->SetPrevious(plan);
      }
      if (!first_plan.defined()) first_plan = plan;
      EXPECT_TRUE(torch::equal(plan, first_plan)) << name << " along " << path;
    }
  }
}

// The settings the planner files used to hold are the structs' defaults now.
TEST(PlannerDefaults, GradientPlannersStepWithAdamAndGradWarmStarts) {
  const auto gd = config::PlannerConfig::Named("cem-gd").Get<config::CemGdConfig>();
  EXPECT_EQ(gd.line_search.step, "adam");
  const auto grad = config::PlannerConfig::Named("grad").Get<config::GradConfig>();
  EXPECT_EQ(grad.line_search.step, "adam");
  EXPECT_TRUE(grad.warm_start);
}

}  // namespace
}  // namespace mbrl::algorithms
