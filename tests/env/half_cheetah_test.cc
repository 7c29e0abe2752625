#include "mbrl/env/half_cheetah.h"

#include <gtest/gtest.h>

#include <cmath>

#include "env/env_checks.h"

namespace mbrl::env {
namespace {

TEST(HalfCheetah, ModelLoadsWithTheSpecifiedSizes) {
  HalfCheetahEnv env;
  const mjModel* m = env.sim().model();
  EXPECT_EQ(m->nq, 9);
  EXPECT_EQ(m->nv, 9);
  EXPECT_EQ(m->nu, 6);
  EXPECT_DOUBLE_EQ(env.dt(), 0.05);
  double mass = 0;
  for (int b = 0; b < m->nbody; ++b) mass += m->body_mass[b];
  EXPECT_NEAR(mass, 14.0, 1e-9);  // settotalmass
  const double gears[6] = {120, 90, 60, 120, 60, 30};
  for (int i = 0; i < 6; ++i) EXPECT_DOUBLE_EQ(m->actuator_gear[6 * i], gears[i]) << i;
  EXPECT_EQ(env.ObsDim(), 18);
  HalfCheetahTask task;
  EXPECT_EQ(task.ModelObsDim() + task.ActionDim(), 24);
}

TEST(HalfCheetah, SameSeedGivesIdenticalTrajectories) {
  HalfCheetahEnv a, b;
  std::mt19937_64 ra(4), rb(4), actions(9);
  EXPECT_EQ(a.Reset(ra), b.Reset(rb));
  std::uniform_real_distribution<double> u(-1, 1);
  for (int t = 0; t < 30; ++t) {
    std::vector<double> act(6);
    for (auto& x : act) x = u(actions);
    EXPECT_EQ(a.Step(act).obs, b.Step(act).obs);
  }
}

TEST(HalfCheetah, TorchFunctionsMatchTheEnvOnRealTransitions) {
  HalfCheetahEnv env;
  HalfCheetahTask task;
  testing::ExpectTaskMatchesEnv(env, task, 1);
  // obs[0] is measured over a step, so it is 0 at reset; its model target is absolute.
  std::mt19937_64 rng(1);
  EXPECT_EQ(env.Reset(rng)[0], 0.0);
  const auto tr = testing::Collect(env, 2, 20);
  EXPECT_TRUE(torch::equal(task.TargetFromTransition(tr.obs, tr.next_obs).select(1, 0),
                           tr.next_obs.select(1, 0)));
}

TEST(HalfCheetah, ResetNoiseHasTheStatedSpread) {
  HalfCheetahEnv env;
  std::mt19937_64 rng(0);
  double sum = 0, sum2 = 0;
  int count = 0;
  for (int i = 0; i < 300; ++i) {
    const auto obs = env.Reset(rng);
    for (int j = 9; j < 18; ++j) {  // qvel ~ N(0, 0.001)
      sum += obs[j];
      sum2 += obs[j] * obs[j];
      ++count;
    }
  }
  const double mean = sum / count, sd = std::sqrt(sum2 / count - mean * mean);
  EXPECT_NEAR(mean, 0.0, 2e-4);
  EXPECT_NEAR(sd, 0.001, 1e-4);
}

TEST(HalfCheetah, ZeroActionKeepsForwardVelocityNearZeroAfterSettling) {
  HalfCheetahEnv env;
  std::mt19937_64 rng(0);
  env.Reset(rng);
  StepResult r;
  for (int t = 0; t < 100; ++t) r = env.Step(std::vector<double>(6, 0.0));
  EXPECT_NEAR(r.obs[0], 0.0, 0.05);
}

}  // namespace
}  // namespace mbrl::env
