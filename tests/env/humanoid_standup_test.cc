#include "mbrl/env/humanoid_standup.h"

#include <gtest/gtest.h>

#include <cmath>

#include "env/env_checks.h"

namespace mbrl::env {
namespace {

TEST(HumanoidStandup, ModelLoadsWithTheSpecifiedSizesAndMass) {
  HumanoidStandupEnv env;
  const mjModel* m = env.sim().model();
  EXPECT_EQ(m->nq, 24);
  EXPECT_EQ(m->nv, 23);
  EXPECT_EQ(m->nu, 17);
  EXPECT_EQ(m->nbody, 14);  // world + 13 bodies; tasks.md counts 14 with the world
  EXPECT_EQ(m->opt.solver, mjSOL_PGS);
  double mass = 0;
  for (int b = 0; b < m->nbody; ++b) mass += m->body_mass[b];
  EXPECT_NEAR(mass, 42.1, 0.1);
  EXPECT_EQ(env.ObsDim(), 45);
}

TEST(HumanoidStandup, TorchFunctionsMatchTheEnvOnRealTransitions) {
  HumanoidStandupEnv env;
  HumanoidStandupTask task;
  testing::ExpectTaskMatchesEnv(env, task, 3);
}

TEST(HumanoidStandup, SameSeedGivesIdenticalTrajectories) {
  HumanoidStandupEnv a, b;
  std::mt19937_64 ra(8), rb(8);
  EXPECT_EQ(a.Reset(ra), b.Reset(rb));
  for (int t = 0; t < 20; ++t) EXPECT_EQ(a.Step(std::vector<double>(17, 0.2)).obs,
                                         b.Step(std::vector<double>(17, 0.2)).obs);
}

TEST(HumanoidStandup, ResetNoiseIsUniformWithinOneHundredth) {
  HumanoidStandupEnv env;
  std::mt19937_64 rng(0);
  double sum = 0, sum2 = 0, max_abs = 0;
  int count = 0;
  for (int i = 0; i < 300; ++i) {
    const auto obs = env.Reset(rng);
    for (int j = 22; j < 45; ++j) {  // qvel ~ U(-0.01, 0.01)
      sum += obs[j];
      sum2 += obs[j] * obs[j];
      max_abs = std::max(max_abs, std::abs(obs[j]));
      ++count;
    }
  }
  EXPECT_LE(max_abs, 0.01);
  EXPECT_NEAR(sum / count, 0.0, 5e-4);
  EXPECT_NEAR(std::sqrt(sum2 / count), 0.01 / std::sqrt(3.0), 5e-4);  // sd of U(-a, a)
}

TEST(HumanoidStandup, TorsoStaysNearTheFloorWithZeroAction) {
  HumanoidStandupEnv env;
  std::mt19937_64 rng(0);
  env.Reset(rng);
  for (int t = 0; t < 100; ++t) {
    const auto r = env.Step(std::vector<double>(17, 0.0));
    EXPECT_NEAR(r.obs[0], 0.1, 0.05) << t;
  }
}

}  // namespace
}  // namespace mbrl::env
