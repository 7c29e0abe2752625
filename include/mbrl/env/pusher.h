#pragma once
// Pusher (PETS): a 7-DoF arm pushes a cylinder to a fixed goal.
// obs (20) = [qpos[:7], qvel[:7], tip position (xpos of tips_arm), object position (xpos)].
#include "mbrl/env/env.h"
#include "mbrl/env/mujoco_sim.h"
#include "mbrl/env/task.h"

namespace mbrl::env {

/// The fixed goal position (the goal body's xpos with its slides at zero).
constexpr double kPusherGoal[3] = {0.45, -0.05, -0.323};

/// Torch functions: identity preprocessing (model input 27), delta targets; reward on next obs
/// -(0.5 |tip - obj|_1 + 1.25 |goal - obj|_1 + 0.1 |a|^2).
class PusherTask : public Task {
 public:
  std::string Name() const override { return "pusher"; }
  int ObsDim() const override { return 20; }
  int ActionDim() const override { return 7; }
  torch::Tensor Reward(const torch::Tensor& obs, const torch::Tensor& action,
                       const torch::Tensor& next_obs) const override;
};

/// The MuJoCo pusher; 150 steps of dt 0.04.
class PusherEnv : public TaskEnv<MujocoEnv, PusherTask> {
 public:
  PusherEnv();
  std::vector<double> ActionLow() const override { return std::vector<double>(7, -2.0); }
  std::vector<double> ActionHigh() const override { return std::vector<double>(7, 2.0); }
  int EpisodeLength() const override { return 150; }
  std::vector<double> Reset(std::mt19937_64& rng) override;

 protected:
  StepResult DoStep(const std::vector<double>& action) override;

 private:
  std::vector<double> Observe() const;
  int tips_body_, object_body_;
};

}  // namespace mbrl::env
