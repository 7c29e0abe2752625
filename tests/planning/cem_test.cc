#include "mbrl/planning/cem.h"

#include <gtest/gtest.h>

#include "mbrl/planning/registry.h"

namespace mbrl::planning {
namespace {

// A concave objective -||a - target||^2 with its optimum inside the bounds.
class Quadratic : public TrajectoryObjective {
 public:
  explicit Quadratic(torch::Tensor target) : target_(std::move(target)) {}
  torch::Tensor Evaluate(const torch::Tensor&, const torch::Tensor& actions) override {
    ++calls;
    return -(actions - target_).square().sum({1, 2});
  }
  int calls = 0;

 private:
  torch::Tensor target_;  // [H, A]
};

PlanSpace Space(int64_t horizon, int64_t action_dim, double bound) {
  return {torch::full({action_dim}, -bound), torch::full({action_dim}, bound), horizon};
}

TEST(CemPlanner, ReachesTheOptimumOfAConcaveObjective) {
  const auto target = torch::tensor({0.5f, -1.0f, 1.5f, 0.0f, -2.0f, 2.5f}).view({3, 2});
  Quadratic objective(target);
  config::CemConfig c;
  c.population = 500;
  c.iterations = 30;
  c.min_variance = 0;
  CemPlanner planner(c, Space(3, 2, 3.0), torch::kCPU, 1);
  const PlanResult result = planner.Plan(torch::zeros({1}), objective);
  EXPECT_EQ(result.actions.sizes(), (std::vector<int64_t>{3, 2}));
  EXPECT_LT((result.actions - target).abs().max().item<double>(), 0.05);
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

// Records the range of every action it is asked to score.
class RangeRecorder : public Quadratic {
 public:
  using Quadratic::Quadratic;
  torch::Tensor Evaluate(const torch::Tensor& obs, const torch::Tensor& actions) override {
    lo = std::min(lo, actions.min().item<double>());
    hi = std::max(hi, actions.max().item<double>());
    return Quadratic::Evaluate(obs, actions);
  }
  double lo = 1e9, hi = -1e9;
};

TEST(CemPlanner, SamplesStayWithinBoundsWhenTheOptimumIsOutside) {
  RangeRecorder objective(torch::full({5, 2}, 10.0f));  // far outside [-1, 1]
  config::CemConfig c;
  c.population = 100;
  c.iterations = 30;
  CemPlanner planner(c, Space(5, 2, 1.0), torch::kCPU, 3);
  const auto result = planner.Plan(torch::zeros({1}), objective);
  EXPECT_GE(objective.lo, -1.0);
  EXPECT_LE(objective.hi, 1.0);
  EXPECT_LE(result.actions.max().item<double>(), 1.0);
  // PETS caps the variance near a bound, so the plan approaches it without reaching it.
  EXPECT_GT(result.actions.min().item<double>(), 0.5);
}

TEST(CemPlanner, SameSeedGivesTheSamePlan) {
  Quadratic objective(torch::full({3, 1}, 0.3f));
  config::CemConfig c;
  c.population = 50;
  CemPlanner a(c, Space(3, 1, 1.0), torch::kCPU, 9), b(c, Space(3, 1, 1.0), torch::kCPU, 9);
  EXPECT_TRUE(torch::equal(a.Plan(torch::zeros({1}), objective).actions,
                           b.Plan(torch::zeros({1}), objective).actions));
}

TEST(Planner, ShiftPlanMovesOneStepAndRepeatsTheLastAction) {
  const auto plan = torch::tensor({1.0f, 2.0f, 3.0f}).view({3, 1});
  EXPECT_TRUE(torch::equal(ShiftPlan(plan), torch::tensor({2.0f, 3.0f, 3.0f}).view({3, 1})));
}

TEST(PlannerRegistry, UnknownNameListsTheValidOnes) {
  config::PlannerConfig c;
  c.type = "nope";
  try {
    MakePlanner(c, Space(2, 1, 1.0), torch::kCPU, 0);
    FAIL() << "expected an error";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("valid: cem"), std::string::npos) << e.what();
  }
}

TEST(PlannerRegistry, EveryConfigTypeIsRegistered) {
  EXPECT_EQ(PlannerNames(), config::PlannerTypes());
}

}  // namespace
}  // namespace mbrl::planning
