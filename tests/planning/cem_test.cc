#include "mbrl/planning/cem.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "mbrl/planning/registry.h"
#include "planning/test_objectives.h"

namespace mbrl::planning {
namespace {

using testing::Quadratic;
using testing::DistanceFromOptimum;
using testing::Space;

TEST(CemPlanner, ReachesTheOptimumOfAConcaveObjective) {
  config::CemConfig c;
  c.population = 500;
  c.iterations = 30;
  c.min_variance = 0;
  CemPlanner planner(c, Space(3, 2, 3.0), torch::kCPU, 1);
  PlanResult result;
  EXPECT_LT(DistanceFromOptimum(planner, &result), 0.05);
  EXPECT_EQ(result.actions.sizes(), (std::vector<int64_t>{3, 2}));
  Quadratic objective(testing::ConcaveTarget());
  EXPECT_NEAR(result.expected_return, objective.Evaluate({}, result.actions.unsqueeze(0)).item<double>(), 1e-5);
}

TEST(CemPlanner, MeanModeReturnsTheDistributionMean) {
  const auto target = torch::full({4, 1}, 0.7f);
  Quadratic objective(target);
  config::CemConfig c;
  c.population = 300;
  c.iterations = 20;
  c.return_mode = "mean";
  CemPlanner planner(c, Space(4, 1, 1.0), torch::kCPU, 2);
  const auto result = planner.Plan(torch::zeros({1}), objective);
  EXPECT_LT((result.actions - target).abs().max().item<double>(), 0.05);
}

TEST(CemPlanner, SamplesStayWithinBoundsWhenTheOptimumIsOutside) {
  Quadratic objective(torch::full({5, 2}, 10.0f));  // far outside [-1, 1]
  config::CemConfig c;
  c.population = 100;
  c.iterations = 30;
  c.min_variance = 0;  // all 30 iterations, whatever the draws
  CemPlanner planner(c, Space(5, 2, 1.0), torch::kCPU, 3);
  const auto result = planner.Plan(torch::zeros({1}), objective);
  EXPECT_GE(objective.lo, -1.0);
  EXPECT_LE(objective.hi, 1.0);
  EXPECT_LE(result.actions.max().item<double>(), 1.0);
  // PETS caps the variance near a bound, so the plan approaches it without reaching it.
  EXPECT_GT(result.actions.min().item<double>(), 0.3);
}

TEST(CemPlanner, SameSeedGivesTheSamePlan) {
  Quadratic objective(torch::full({3, 1}, 0.3f));
  config::CemConfig c;
  c.population = 50;
  CemPlanner a(c, Space(3, 1, 1.0), torch::kCPU, 9), b(c, Space(3, 1, 1.0), torch::kCPU, 9);
  EXPECT_TRUE(torch::equal(a.Plan(torch::zeros({1}), objective).actions,
                           b.Plan(torch::zeros({1}), objective).actions));
}

// Quadratic that scores at most `per_pass` sequences in one pass.
class InPasses : public Quadratic {
 public:
  InPasses(torch::Tensor target, int64_t per_pass) : Quadratic(std::move(target)), per_(per_pass) {}
  int64_t SequencesPerPass() const override { return per_; }

 private:
  int64_t per_;
};

TEST(CemPlanner, ALargePopulationScoredPassByPassGivesTheSameSearchAsAllAtOnce) {
  config::CemConfig c;
  c.elite_ratio = 0.2;
  c.iterations = 3;
  const auto target = torch::tensor({0.3f, -0.4f, 0.1f, 0.8f}).view({2, 2});
  for (const bool final_moments : {true, false}) {
    CemPlanner all(c, Space(2, 2, 1.0), torch::kCPU, 5), passes(c, Space(2, 2, 1.0), torch::kCPU, 5);
    Quadratic whole(target);
    InPasses limited(target, 7);
    const auto mean = torch::zeros({2, 2}), variance = torch::full({2, 2}, 0.25);
    const auto a = all.Run({}, whole, mean, variance, 50, 3, true, final_moments);
    const auto b = passes.Run({}, limited, mean, variance, 50, 3, true, final_moments);
    // 50 sequences in passes of at most 7, the last pass holding the warm start.
    EXPECT_EQ(limited.batch_sizes, (std::vector<int64_t>{7, 7, 7, 7, 7, 7, 7, 1, 7, 7, 7, 7, 7,
                                                         7, 7, 1, 7, 7, 7, 7, 7, 7, 7, 1}));
    EXPECT_TRUE(torch::equal(a.top, b.top));
    EXPECT_TRUE(torch::equal(a.top_returns, b.top_returns));
    EXPECT_TRUE(torch::equal(a.best, b.best));
    EXPECT_TRUE(torch::equal(a.mean, b.mean));
    EXPECT_EQ(a.top.size(0), 3);
  }
}

TEST(Planner, ShiftPlanMovesOneStepAndRepeatsTheLastAction) {
  const auto plan = torch::tensor({1.0f, 2.0f, 3.0f}).view({3, 1});
  EXPECT_TRUE(torch::equal(ShiftPlan(plan), torch::tensor({2.0f, 3.0f, 3.0f}).view({3, 1})));
  // A batch [2, H, A] shifts each plan along its own time dimension.
  const auto batch = torch::stack({plan, plan * 10});
  EXPECT_TRUE(torch::equal(ShiftPlan(batch), torch::stack({ShiftPlan(plan), ShiftPlan(plan * 10)})));
}

TEST(PlannerRegistry, UnknownNameListsTheValidOnes) {
  try {
    MakePlanner(config::PlannerConfig::Named("nope"), Space(2, 1, 1.0), torch::kCPU, 0);
    FAIL() << "expected an error";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("valid: cem"), std::string::npos) << e.what();
  }
}

TEST(PlannerRegistry, EveryConfigTypeIsRegistered) {
  // The names are the settings structs' kName; each one builds a planner of its own type.
  // The mission's planners are there, each name once (a new planner needs no edit here).
  const auto& names = config::PlannerNames();
  for (const char* required : {"cem", "cem-gd", "dcem", "grad", "grad-mpc", "icem", "mppi"}) {
    EXPECT_EQ(std::count(names.begin(), names.end(), required), 1) << required;
  }
  EXPECT_EQ(std::set<std::string>(names.begin(), names.end()).size(), names.size());
  for (const auto& name : config::PlannerNames()) {
    const auto c = config::PlannerConfig::Named(name);
    EXPECT_EQ(c.type(), name);
    EXPECT_NE(MakePlanner(c, Space(2, 1, 1.0), torch::kCPU, 0), nullptr) << name;
  }
}

}  // namespace
}  // namespace mbrl::planning
