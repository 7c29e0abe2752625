#pragma once
// Cartpole swingup (PETS MuJoCo cartpole): obs [x, theta, x_dot, theta_dot], theta = 0 hangs down.
#include <memory>

#include "mbrl/env/env.h"
#include "mbrl/env/mujoco_sim.h"
#include "mbrl/env/task.h"

namespace mbrl::env {

/// Pole length used by the reward's tip position.
constexpr double kCartpolePoleLength = 0.6;

/// Torch functions of cartpole swingup: model input [sin th, cos th, x, x_dot, th_dot], delta targets.
class CartpoleSwingupTask : public Task {
 public:
  std::string Name() const override { return "cartpole_swingup"; }
  int ObsDim() const override { return 4; }
  int ActionDim() const override { return 1; }
  int ModelObsDim() const override { return 5; }
  torch::Tensor Reward(const torch::Tensor& obs, const torch::Tensor& action,
                       const torch::Tensor& next_obs) const override;
  torch::Tensor PreprocessObs(const torch::Tensor& obs) const override;
  std::optional<ObsFeatures> ModelInputFeatures() const override;
};

/// The MuJoCo cartpole; episode 200 steps of dt 0.04.
class CartpoleSwingupEnv : public TaskEnv<MujocoEnv, CartpoleSwingupTask> {
 public:
  CartpoleSwingupEnv();
  std::vector<double> ActionLow() const override { return {-3.0}; }
  std::vector<double> ActionHigh() const override { return {3.0}; }
  int EpisodeLength() const override { return 200; }
  std::vector<double> Reset(std::mt19937_64& rng) override;

 protected:
  StepResult DoStep(const std::vector<double>& action) override;

 private:
  std::vector<double> Observe() const;
};

}  // namespace mbrl::env
