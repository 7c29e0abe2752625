#pragma once
// Humanoid standup with the 45-dim truncated observation used by the CEM-GD code:
// obs = [qpos[2:] (22), qvel (23)]; obs[0] is the torso height.
#include "mbrl/env/env.h"
#include "mbrl/env/mujoco_sim.h"
#include "mbrl/env/task.h"

namespace mbrl::env {

/// Torch functions: identity preprocessing (model input 62), delta targets; reward on next obs.
class HumanoidStandupTask : public Task {
 public:
  std::string Name() const override { return "humanoid_standup"; }
  int ObsDim() const override { return 45; }
  int ActionDim() const override { return 17; }
  torch::Tensor Reward(const torch::Tensor& obs, const torch::Tensor& action,
                       const torch::Tensor& next_obs) const override;
};

/// The MuJoCo humanoid lying on the floor; 1000 steps of dt 0.015; reward
/// height / 0.003 - 0.1 |ctrl|^2 + 1 (no impact cost).
class HumanoidStandupEnv : public TaskEnv<MujocoEnv, HumanoidStandupTask> {
 public:
  HumanoidStandupEnv();
  std::vector<double> ActionLow() const override { return std::vector<double>(17, -0.4); }
  std::vector<double> ActionHigh() const override { return std::vector<double>(17, 0.4); }
  int EpisodeLength() const override { return 1000; }
  std::vector<double> Reset(std::mt19937_64& rng) override;

 protected:
  StepResult DoStep(const std::vector<double>& action) override;

 private:
  std::vector<double> Observe() const;
};

}  // namespace mbrl::env
