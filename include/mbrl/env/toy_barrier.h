#pragma once
// The CEM-GD paper's toy task (Figure 2): a point on a plane moves from a start to a goal around a
// circular potential barrier placed slightly above the straight line, so passing below is shorter
// (the global optimum) and passing above is a local optimum. Pure torch: analytic, differentiable.
#include <torch/torch.h>

#include "mbrl/core/trajectory_objective.h"
#include "mbrl/env/env.h"
#include "mbrl/env/task.h"

namespace mbrl::env {

/// The numbers of the toy task.
struct ToyBarrier {
  static constexpr double kStartX = -1.3, kStartY = 0.0;  ///< start position
  static constexpr double kGoalX = 1.3, kGoalY = 0.0;     ///< goal position
  static constexpr double kCentreX = 0.0, kCentreY = 0.05;  ///< barrier centre (above the line)
  static constexpr double kRadius = 1.0;                  ///< barrier radius
  static constexpr double kStrength = 4.0;  ///< push at the centre (actions move at most 1)
  static constexpr double kDt = 0.25;       ///< time step
  static constexpr double kBound = 1.0;     ///< |action| per axis
  static constexpr int kEpisode = 24;       ///< steps per episode
  static constexpr int kHorizon = 20;       ///< planning horizon used by `mbrl toy`

  /// One step: pos [B, 2], action [B, 2] -> next pos [B, 2]:
  /// p' = p + dt (a + strength * max(0, 1 - d / r)^2 * (p - c) / d), d = |p - c|.
  static torch::Tensor Step(const torch::Tensor& pos, const torch::Tensor& action);
  /// Reward of arriving at next [B, 2]: minus the distance to the goal -> [B].
  static torch::Tensor Reward(const torch::Tensor& next);
};

/// The true dynamics as a trajectory objective (deterministic, differentiable in the actions).
class ToyBarrierObjective : public TrajectoryObjective {
 public:
  /// obs [2], actions [B, H, 2] -> summed rewards [B].
  torch::Tensor Evaluate(const torch::Tensor& obs, const torch::Tensor& actions) override;
  /// Positions visited: obs [2], actions [B, H, 2] -> [B, H + 1, 2] (the start included).
  torch::Tensor Positions(const torch::Tensor& obs, const torch::Tensor& actions) const;
};

/// The toy task's torch functions (identity preprocessing, delta targets).
class ToyBarrierTask : public Task {
 public:
  std::string Name() const override { return "toy_barrier"; }
  int ObsDim() const override { return 2; }
  int ActionDim() const override { return 2; }
  torch::Tensor Reward(const torch::Tensor& obs, const torch::Tensor& action,
                       const torch::Tensor& next_obs) const override {
    return ToyBarrier::Reward(next_obs);
  }
};

/// The toy task as an environment (reset is deterministic: always the start).
class ToyBarrierEnv : public TaskEnv<Env, ToyBarrierTask> {
 public:
  std::vector<double> ActionLow() const override { return {-ToyBarrier::kBound, -ToyBarrier::kBound}; }
  std::vector<double> ActionHigh() const override { return {ToyBarrier::kBound, ToyBarrier::kBound}; }
  int EpisodeLength() const override { return ToyBarrier::kEpisode; }
  std::vector<double> Reset(std::mt19937_64& rng) override;

 protected:
  StepResult DoStep(const std::vector<double>& action) override;

 private:
  std::vector<double> pos_{ToyBarrier::kStartX, ToyBarrier::kStartY};
};

}  // namespace mbrl::env
