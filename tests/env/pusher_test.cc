#include "mbrl/env/pusher.h"

#include <gtest/gtest.h>

#include <cmath>

#include "env/env_checks.h"

namespace mbrl::env {
namespace {

TEST(Pusher, ModelLoadsWithTheSpecifiedSizesAndMass) {
  PusherEnv env;
  const mjModel* m = env.sim().model();
  EXPECT_EQ(m->nq, 11);
  EXPECT_EQ(m->nu, 7);
  EXPECT_DOUBLE_EQ(m->opt.timestep * 4, 0.04);
  double mass = 0;
  for (int b = 0; b < m->nbody; ++b) mass += m->body_mass[b];
  EXPECT_NEAR(mass, 13.67, 0.01);  // tasks.md: total mass ~ 13.67 kg
  EXPECT_EQ(env.ObsDim(), 20);
  PusherTask task;
  EXPECT_EQ(task.ModelObsDim() + task.ActionDim(), 27);
}

TEST(Pusher, GoalIsFixedAtItsBodyPosition) {
  PusherEnv env;
  std::mt19937_64 rng(0);
  env.Reset(rng);
  const mjModel* m = env.sim().model();
  const int goal = mj_name2id(m, mjOBJ_BODY, "goal");
  for (int i = 0; i < 3; ++i) EXPECT_NEAR(env.sim().data()->xpos[3 * goal + i], kPusherGoal[i], 1e-12);
}

TEST(Pusher, TorchFunctionsMatchTheEnvOnRealTransitions) {
  PusherEnv env;
  PusherTask task;
  testing::ExpectTaskMatchesEnv(env, task, 2);
}

TEST(Pusher, ResetPlacesTheObjectAroundItsNominalOffset) {
  PusherEnv env;
  std::mt19937_64 rng(0);
  double sy = 0, sx = 0, sy2 = 0;
  const int n = 400;
  for (int i = 0; i < n; ++i) {
    env.Reset(rng);
    const double y = env.sim().data()->qpos[7], x = env.sim().data()->qpos[8];
    sy += y;
    sx += x;
    sy2 += y * y;
    for (int j = 0; j < 7; ++j) EXPECT_LE(std::abs(env.sim().data()->qvel[j]), 0.005);
    for (int j = 7; j < 11; ++j) EXPECT_EQ(env.sim().data()->qvel[j], 0.0);
  }
  EXPECT_NEAR(sy / n, -0.25, 0.005);
  EXPECT_NEAR(sx / n, 0.15, 0.005);
  EXPECT_NEAR(std::sqrt(sy2 / n - (sy / n) * (sy / n)), 0.025, 0.004);
}

TEST(Pusher, SameSeedGivesIdenticalTrajectories) {
  PusherEnv a, b;
  std::mt19937_64 ra(6), rb(6);
  EXPECT_EQ(a.Reset(ra), b.Reset(rb));
  for (int t = 0; t < 30; ++t) {
    const std::vector<double> act = {1.0, -0.5, 0.3, -2.0, 0.0, 0.7, -1.1};
    EXPECT_EQ(a.Step(act).obs, b.Step(act).obs);
  }
}

TEST(Pusher, TheObjectDoesNotMoveUnlessTouched) {
  PusherEnv env;
  std::mt19937_64 rng(0);
  const auto start = env.Reset(rng);
  StepResult r;
  // Zero torques: the arm drifts only by its tiny initial velocity and never reaches the object.
  for (int t = 0; t < 50; ++t) r = env.Step(std::vector<double>(7, 0.0));
  for (int i = 17; i < 20; ++i) EXPECT_NEAR(r.obs[i], start[i], 1e-9) << i;
}

}  // namespace
}  // namespace mbrl::env
