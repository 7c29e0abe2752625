#pragma once
// Half-cheetah (PETS): obs [x velocity over the frame skip, qpos[1:], qvel] (18), actions 6.
#include "mbrl/env/env.h"
#include "mbrl/env/mujoco_sim.h"
#include "mbrl/env/task.h"

namespace mbrl::env {

/// Torch functions: input [obs[1], sin obs[2], cos obs[2], obs[3:]] (18); target obs[0] absolute,
/// the rest deltas.
class HalfCheetahTask : public Task {
 public:
  std::string Name() const override { return "half_cheetah"; }
  int ObsDim() const override { return 18; }
  int ActionDim() const override { return 6; }
  int ModelObsDim() const override { return 18; }
  torch::Tensor Reward(const torch::Tensor& obs, const torch::Tensor& action,
                       const torch::Tensor& next_obs) const override;
  torch::Tensor PreprocessObs(const torch::Tensor& obs) const override;
  std::optional<ObsFeatures> ModelInputFeatures() const override;
  torch::Tensor TargetFromTransition(const torch::Tensor& obs,
                                     const torch::Tensor& next_obs) const override;
  torch::Tensor NextObsFromPrediction(const torch::Tensor& obs,
                                      const torch::Tensor& pred) const override;
  /// The forward velocity (entry 0) is predicted as such, the rest as changes.
  std::optional<ObsTargets> ModelTargets() const override { return ObsTargets{{0}}; }
};

/// The MuJoCo half-cheetah; 1000 steps of dt 0.05, reward x velocity - 0.1 |a|^2.
class HalfCheetahEnv : public TaskEnv<MujocoEnv, HalfCheetahTask> {
 public:
  HalfCheetahEnv();
  std::vector<double> ActionLow() const override { return std::vector<double>(6, -1.0); }
  std::vector<double> ActionHigh() const override { return std::vector<double>(6, 1.0); }
  int EpisodeLength() const override { return 1000; }
  std::vector<double> Reset(std::mt19937_64& rng) override;

 protected:
  StepResult DoStep(const std::vector<double>& action) override;

 private:
  std::vector<double> Observe(double x_velocity) const;
  std::vector<double> obs_;  // the last observation (its x velocity is not in the simulator)
};

}  // namespace mbrl::env
