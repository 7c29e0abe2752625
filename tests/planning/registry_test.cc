#include "mbrl/planning/registry.h"

#include <gtest/gtest.h>

#include "mbrl/config/loader.h"
#include "test_objectives.h"

namespace mbrl::planning {
namespace {

using testing::ConcaveTarget;
using testing::Quadratic;
using testing::Space;

// Every registered planner, loaded through --planner at its defaults, plans one step of the
// concave test objective within bounds and to a better return than the average uniformly random
// sequence.
TEST(PlannerRegistry, EveryPlannerLoadsByNameAndPlansOneStep) {
  torch::manual_seed(0);
  const auto space = Space(3, 2, 3.0);
  Quadratic objective(ConcaveTarget());
  const auto random = space.low + torch::rand({1000, 3, 2}) * (space.high - space.low);
  const double random_mean = objective.Evaluate(torch::zeros({1}), random).mean().item<double>();
  for (const auto& name : config::PlannerNames()) {
    config::LoadOptions options;
    options.planner = name;
    const auto c = config::LoadConfig(options);
    EXPECT_EQ(c.planner.type(), name);
    auto planner = MakePlanner(c.planner, space, torch::kCPU, 0);
    const auto plan = planner->Plan(torch::zeros({1}), objective);
    ASSERT_EQ(plan.actions.sizes(), torch::IntArrayRef({3, 2})) << name;
    EXPECT_LE(plan.actions.abs().max().item<double>(), 3.0) << name;
    const double ret =
        objective.Evaluate(torch::zeros({1}), plan.actions.unsqueeze(0)).item<double>();
    EXPECT_GT(ret, random_mean) << name;
  }
}

}  // namespace
}  // namespace mbrl::planning
