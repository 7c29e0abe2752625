#include "mbrl/env/toy_barrier.h"

#include <gtest/gtest.h>

namespace mbrl::env {
namespace {

TEST(ToyBarrier, FarFromTheBarrierAPointMovesByActionTimesDt) {
  const auto p = torch::tensor({-3.0, 2.0}, torch::kDouble).view({1, 2});
  const auto a = torch::tensor({1.0, -0.5}, torch::kDouble).view({1, 2});
  const auto next = ToyBarrier::Step(p, a);
  EXPECT_TRUE(torch::allclose(next, p + ToyBarrier::kDt * a));
}

TEST(ToyBarrier, InsideTheBarrierThePointIsPushedAwayFromTheCentre) {
  const double cx = ToyBarrier::kCentreX, cy = ToyBarrier::kCentreY;
  const auto above = torch::tensor({cx, cy + 0.3}, torch::kDouble).view({1, 2});
  const auto below = torch::tensor({cx, cy - 0.3}, torch::kDouble).view({1, 2});
  const auto zero = torch::zeros({1, 2}, torch::kDouble);
  EXPECT_GT(ToyBarrier::Step(above, zero)[0][1].item<double>(), cy + 0.3);
  EXPECT_LT(ToyBarrier::Step(below, zero)[0][1].item<double>(), cy - 0.3);
  // The push at the centre region beats the largest action.
  const auto near = torch::tensor({cx - 0.05, cy}, torch::kDouble).view({1, 2});
  const auto toward = torch::tensor({ToyBarrier::kBound, 0.0}, torch::kDouble).view({1, 2});
  EXPECT_LT(ToyBarrier::Step(near, toward)[0][0].item<double>(), cx - 0.05);
}

TEST(ToyBarrier, BelowIsShorterThanAbove) {
  // The centre sits above the start-goal line, so the lower detour is the shorter one.
  EXPECT_GT(ToyBarrier::kCentreY, ToyBarrier::kStartY);
  EXPECT_EQ(ToyBarrier::kStartY, ToyBarrier::kGoalY);
}

TEST(ToyBarrier, EnvAndObjectiveAgree) {
  ToyBarrierEnv env;
  ToyBarrierObjective objective;
  std::mt19937_64 rng(0);
  const auto start = env.Reset(rng);
  torch::manual_seed(0);
  const auto actions = (torch::rand({1, 10, 2}, torch::kDouble) * 2 - 1);
  double total = 0;
  for (int t = 0; t < 10; ++t) {
    total += env.Step({actions[0][t][0].item<double>(), actions[0][t][1].item<double>()}).reward;
  }
  const auto obs = torch::tensor(start, torch::kDouble);
  EXPECT_NEAR(objective.Evaluate(obs, actions).item<double>(), total, 1e-9);
}

}  // namespace
}  // namespace mbrl::env
