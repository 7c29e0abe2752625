#pragma once
// Shared checks for every task: the torch functions must agree with the env on real transitions.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "mbrl/env/env.h"
#include "mbrl/env/task.h"

namespace mbrl::env::testing {

/// Real transitions from uniform random actions, as double tensors.
struct Transitions {
  torch::Tensor obs, actions, next_obs;  ///< [N, O], [N, A], [N, O]
  std::vector<double> rewards;           ///< env rewards [N]
  std::vector<bool> terminated;          ///< env terminations [N]
};

/// Runs `steps` random-action steps (resetting at episode ends and terminations).
inline Transitions Collect(Env& env, uint64_t seed, int steps) {
  std::mt19937_64 rng(seed);
  const auto lo = env.ActionLow(), hi = env.ActionHigh();
  std::vector<double> o, a, n;
  Transitions out;
  auto obs = env.Reset(rng);
  for (int t = 0, in_episode = 0; t < steps; ++t, ++in_episode) {
    std::vector<double> act(lo.size());
    for (size_t j = 0; j < act.size(); ++j) act[j] = std::uniform_real_distribution<double>(lo[j], hi[j])(rng);
    const auto step = env.Step(act);
    o.insert(o.end(), obs.begin(), obs.end());
    a.insert(a.end(), act.begin(), act.end());
    n.insert(n.end(), step.obs.begin(), step.obs.end());
    out.rewards.push_back(step.reward);
    out.terminated.push_back(step.terminated);
    obs = step.obs;
    if (step.terminated || in_episode + 1 >= env.EpisodeLength()) {
      obs = env.Reset(rng);
      in_episode = -1;
    }
  }
  const auto opts = torch::TensorOptions().dtype(torch::kDouble);
  const auto rows = [&](std::vector<double>& v, int64_t cols) {
    return torch::from_blob(v.data(), {static_cast<int64_t>(v.size()) / cols, cols}, opts).clone();
  };
  out.obs = rows(o, env.ObsDim());
  out.actions = rows(a, env.ActionDim());
  out.next_obs = rows(n, env.ObsDim());
  return out;
}

/// The torch reward and termination equal the env's on `steps` real transitions (1e-5 relative),
/// and the model target round-trips to the next observation.
inline void ExpectTaskMatchesEnv(Env& env, const Task& task, uint64_t seed, int steps = 200) {
  const Transitions tr = Collect(env, seed, steps);
  const auto reward = task.Reward(tr.obs, tr.actions, tr.next_obs);
  const auto term = task.Terminated(tr.next_obs);
  for (int t = 0; t < steps; ++t) {
    const double r = tr.rewards[t];
    EXPECT_NEAR(reward[t].item<double>(), r, 1e-5 * std::max(1.0, std::abs(r))) << "step " << t;
    EXPECT_EQ(term[t].item<bool>(), static_cast<bool>(tr.terminated[t])) << "step " << t;
  }
  const auto target = task.TargetFromTransition(tr.obs, tr.next_obs);
  EXPECT_TRUE(torch::allclose(task.NextObsFromPrediction(tr.obs, target), tr.next_obs));
  EXPECT_EQ(task.PreprocessObs(tr.obs).size(1), task.ModelObsDim());
}

}  // namespace mbrl::env::testing
