#include "mbrl/env/cartpole_swingup.h"

#include <gtest/gtest.h>

#include <cmath>

#include "env/env_checks.h"

#include "mbrl/core/error.h"
#include "mbrl/env/registry.h"

namespace mbrl::env {
namespace {

TEST(CartpoleSwingup, ModelLoadsWithTheSpecifiedPhysics) {
  CartpoleSwingupEnv env;
  const mjModel* m = env.sim().model();
  EXPECT_EQ(m->nq, 2);
  EXPECT_EQ(m->nu, 1);
  EXPECT_DOUBLE_EQ(m->opt.timestep, 0.02);
  EXPECT_EQ(m->opt.integrator, mjINT_RK4);
  EXPECT_DOUBLE_EQ(m->actuator_gear[0], 100.0);
  // Masses from capsule geometry at density 1000: cart ~10.47 kg, pole ~5.02 kg.
  EXPECT_NEAR(m->body_mass[1], 10.47, 0.01);
  EXPECT_NEAR(m->body_mass[2], 5.02, 0.01);
  EXPECT_EQ(env.ObsDim(), 4);
  EXPECT_EQ(env.EpisodeLength(), 200);
}

TEST(CartpoleSwingup, PoleHangsDownAtRest) {
  CartpoleSwingupEnv env;
  std::mt19937_64 rng(0);
  env.Reset(rng);
  const double zero_q[2] = {0, 0}, zero_v[2] = {0, 0};
  const_cast<MujocoSim&>(env.sim()).SetState(zero_q, zero_v);
  StepResult r;
  for (int i = 0; i < 50; ++i) r = env.Step({0.0});
  // theta stays near 0 = hanging down (the pole's 1 mm x-offset tilts its rest angle slightly).
  EXPECT_NEAR(r.obs[1], 0.0, 0.01);
  EXPECT_NEAR(r.obs[3], 0.0, 0.01);
  // A hanging pole scores exp(-(1.2^2) / 0.36) = exp(-4).
  EXPECT_NEAR(r.reward, std::exp(-4.0), 1e-4);
  // Slightly displaced, it swings back through the bottom (a stable equilibrium).
  const double tilted[2] = {0, 0.3};
  const_cast<MujocoSim&>(env.sim()).SetState(tilted, zero_v);
  double min_abs = 1;
  for (int i = 0; i < 50; ++i) min_abs = std::min(min_abs, std::abs(env.Step({0.0}).obs[1]));
  EXPECT_LT(min_abs, 0.05);
}

TEST(CartpoleSwingup, TorchRewardEqualsEnvRewardOnRealTransitions) {
  CartpoleSwingupEnv env;
  CartpoleSwingupTask task;
  testing::ExpectTaskMatchesEnv(env, task, 1);
}

TEST(CartpoleSwingup, PreprocessingAndTargets) {
  CartpoleSwingupTask task;
  const auto obs = torch::tensor({0.5, 1.0, -0.2, 0.3}).view({1, 4});
  const auto pre = task.PreprocessObs(obs);
  EXPECT_TRUE(torch::allclose(pre, torch::tensor({std::sin(1.0), std::cos(1.0), 0.5, -0.2, 0.3})
                                       .view({1, 5})));
  const auto next = obs + 0.1;
  EXPECT_TRUE(torch::allclose(task.NextObsFromPrediction(obs, task.TargetFromTransition(obs, next)), next));
}

TEST(CartpoleSwingup, SameSeedGivesTheSameTrajectory) {
  CartpoleSwingupEnv a, b;
  std::mt19937_64 ra(5), rb(5);
  EXPECT_EQ(a.Reset(ra), b.Reset(rb));
  for (int t = 0; t < 20; ++t) EXPECT_EQ(a.Step({1.0}).obs, b.Step({1.0}).obs);
}

TEST(CartpoleSwingup, ResetStateIsNormalWithSpreadOneTenth) {
  CartpoleSwingupEnv env;
  std::mt19937_64 rng(0);
  double sum = 0, sum2 = 0;
  const int n = 1000;
  for (int i = 0; i < n; ++i) {
    for (double v : env.Reset(rng)) {
      sum += v;
      sum2 += v * v;
    }
  }
  const double mean = sum / (4 * n);
  EXPECT_NEAR(mean, 0.0, 0.01);
  EXPECT_NEAR(std::sqrt(sum2 / (4 * n) - mean * mean), 0.1, 0.005);
}

TEST(CartpoleSwingup, BadActionsAreRejected) {
  CartpoleSwingupEnv env;
  std::mt19937_64 rng(0);
  env.Reset(rng);
  EXPECT_THROW(env.Step({}), Error);
  EXPECT_THROW(env.Step({NAN}), Error);
  EXPECT_THROW(env.Step({3.5}), Error);
  EXPECT_NO_THROW(env.Step({3.0}));
}

TEST(EnvRegistry, UnknownTaskListsTheValidOnes) {
  try {
    MakeEnv("cartpol");
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("cartpole_swingup"), std::string::npos);
  }
}

}  // namespace
}  // namespace mbrl::env
