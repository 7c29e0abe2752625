#include "mbrl/agent/mpc_agent.h"

#include <gtest/gtest.h>

#include <memory>
#include <vector>

namespace mbrl::agent {
namespace {

constexpr int64_t kH = 5;  // horizon

// An objective the fake planner never calls.
class NoObjective : public TrajectoryObjective {
 public:
  torch::Tensor Evaluate(const torch::Tensor&, const torch::Tensor& actions) override {
    return torch::zeros({actions.size(0)});
  }
};

// Plan n (0-based) is [H, 1] with actions 100 n + h; records the warm start each plan received.
class CountingPlanner : public planning::Planner {
 public:
  CountingPlanner()
      : Planner(planning::PlanSpace{torch::full({1}, -1e6), torch::full({1}, 1e6), kH}) {}
  planning::PlanResult PlanStep(const torch::Tensor&, TrajectoryObjective&) override {
    warm_starts.push_back(WarmStart(torch::Tensor()));
    planning::PlanResult r;
    r.actions = (torch::arange(kH, torch::kFloat) + 100.0f * plans).view({kH, 1});
    ++plans;
    return r;
  }
  int plans = 0;
  std::vector<torch::Tensor> warm_starts;  // undefined: no warm start
};

struct Trace {
  std::vector<double> actions;
  std::vector<bool> replanned;
  std::vector<torch::Tensor> warm_starts;
};

Trace RunSteps(int replan_freq, int steps) {
  auto planner = std::make_unique<CountingPlanner>();
  CountingPlanner* p = planner.get();
  NoObjective objective;
  MpcAgent agent(std::move(planner), objective, replan_freq, torch::kCPU);
  agent.Reset();
  Trace t;
  for (int i = 0; i < steps; ++i) {
    const auto a = agent.Act({0.0});
    t.actions.push_back(a.at(0));
    t.replanned.push_back(agent.replanned());
  }
  t.warm_starts = p->warm_starts;
  return t;
}

TEST(MpcAgent, ReplanFreqOneExecutesEachPlansFirstActionAndReplansEveryStep) {
  const Trace t = RunSteps(1, 4);
  EXPECT_EQ(t.actions, (std::vector<double>{0, 100, 200, 300}));
  EXPECT_EQ(t.replanned, (std::vector<bool>{true, true, true, true}));
  ASSERT_EQ(t.warm_starts.size(), 4u);
  EXPECT_FALSE(t.warm_starts[0].defined());  // the episode's first plan has no warm start
  // Plan n - 1 shifted by the one executed step, its last action repeated.
  EXPECT_TRUE(torch::equal(t.warm_starts[1].flatten(), torch::tensor({1.f, 2.f, 3.f, 4.f, 4.f})));
  EXPECT_TRUE(
      torch::equal(t.warm_starts[3].flatten(), torch::tensor({201.f, 202.f, 203.f, 204.f, 204.f})));
}

TEST(MpcAgent, ReplanFreqThreeFollowsThePlanInOrderAndWarmStartsShiftedByThreeSteps) {
  const Trace t = RunSteps(3, 7);
  EXPECT_EQ(t.actions, (std::vector<double>{0, 1, 2, 100, 101, 102, 200}));
  EXPECT_EQ(t.replanned, (std::vector<bool>{true, false, false, true, false, false, true}));
  ASSERT_EQ(t.warm_starts.size(), 3u);
  EXPECT_FALSE(t.warm_starts[0].defined());
  // Three steps executed: [a3, a4, a4, a4, a4] of the previous plan.
  EXPECT_TRUE(torch::equal(t.warm_starts[1].flatten(), torch::tensor({3.f, 4.f, 4.f, 4.f, 4.f})));
  EXPECT_TRUE(
      torch::equal(t.warm_starts[2].flatten(), torch::tensor({103.f, 104.f, 104.f, 104.f, 104.f})));
}

TEST(MpcAgent, ReplansWhenThePlanRunsOutBeforeReplanFreq) {
  // replan_freq 8 > H = 5: the plan's five actions, then a new plan.
  const Trace t = RunSteps(8, 7);
  EXPECT_EQ(t.actions, (std::vector<double>{0, 1, 2, 3, 4, 100, 101}));
  EXPECT_EQ(t.replanned[5], true);
}

TEST(MpcAgent, ResetDropsThePlanAndTheWarmStart) {
  auto planner = std::make_unique<CountingPlanner>();
  CountingPlanner* p = planner.get();
  NoObjective objective;
  MpcAgent agent(std::move(planner), objective, 3, torch::kCPU);
  agent.Reset();
  agent.Act({0.0});
  agent.Act({0.0});
  agent.Reset();
  EXPECT_EQ(agent.Act({0.0}).at(0), 100.0);  // a new plan at once, not the old plan's a2
  EXPECT_TRUE(agent.replanned());
  ASSERT_EQ(p->warm_starts.size(), 2u);
  EXPECT_FALSE(p->warm_starts[1].defined());
}

}  // namespace
}  // namespace mbrl::agent
