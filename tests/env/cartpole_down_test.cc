#include "mbrl/env/cartpole_down.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "env/env_checks.h"

namespace mbrl::env {
namespace {

TEST(CartpoleDown, StartsHangingDownWithSmallNoise) {
  CartpoleDownEnv env;
  std::mt19937_64 rng(0);
  double mean_theta = 0;
  for (int i = 0; i < 500; ++i) {
    const auto s = env.Reset(rng);
    EXPECT_LE(std::abs(s[0]), 0.05);
    EXPECT_LE(std::abs(s[2] - M_PI), 0.05);
    mean_theta += s[2] / 500;
  }
  EXPECT_NEAR(mean_theta, M_PI, 0.005);
}

TEST(CartpoleDown, EnergyIsRoughlyConservedWithoutForce) {
  CartpoleDownEnv env;
  env.SetState({0.0, 0.0, 2.0, 0.5});
  const double e0 = CartpoleDownPhysics::Energy({0.0, 0.0, 2.0, 0.5});
  std::vector<double> s;
  for (int t = 0; t < 10; ++t) s = env.Step({0.0}).obs;
  // Explicit Euler drifts a little: within 4% of the energy scale m g l (0.245 J) over 10 steps.
  using P = CartpoleDownPhysics;
  const double scale = P::kMassPole * P::kGravity * P::kHalfLength;
  EXPECT_NEAR(CartpoleDownPhysics::Energy(s), e0, 0.04 * scale);
  EXPECT_NE(s[2], 2.0);  // it did move
}

TEST(CartpoleDown, TorchRewardAndTerminationMatchTheEnv) {
  CartpoleDownEnv env;
  CartpoleDownTask task;
  testing::ExpectTaskMatchesEnv(env, task, 5);
  // Random forces of up to 100 N leave the track within 200 steps: termination is exercised.
  const auto tr = testing::Collect(env, 5, 200);
  EXPECT_NE(std::find(tr.terminated.begin(), tr.terminated.end(), true), tr.terminated.end());
}

TEST(CartpoleDown, LeavingTheTrackTerminates) {
  CartpoleDownEnv env;
  env.SetState({2.39, 5.0, M_PI, 0.0});
  EXPECT_TRUE(env.Step({1.0}).terminated);
  CartpoleDownTask task;
  EXPECT_TRUE(task.Terminated(torch::tensor({2.5, 0.0, 0.0, 0.0}).view({1, 4}))[0].item<bool>());
  EXPECT_FALSE(task.Terminated(torch::tensor({2.3, 0.0, 0.0, 0.0}).view({1, 4}))[0].item<bool>());
}

}  // namespace
}  // namespace mbrl::env
