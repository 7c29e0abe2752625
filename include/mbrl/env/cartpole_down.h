#pragma once
// Cartpole down: the classic-control cartpole with Euler physics used by the CEM-GD paper's own
// cartpole runs. obs [x, x_dot, theta, theta_dot]; theta = 0 is upright; episodes start hanging
// (theta near pi); |x| > 2.4 terminates.
#include "mbrl/env/env.h"
#include "mbrl/env/task.h"

namespace mbrl::env {

/// Physical constants of cartpole_down.
struct CartpoleDownPhysics {
  static constexpr double kGravity = 9.8;
  static constexpr double kMassCart = 1.0;
  static constexpr double kMassPole = 0.05;
  static constexpr double kHalfLength = 0.5;  ///< pole half-length
  static constexpr double kForceScale = 100.0;  ///< force = 100 * action
  static constexpr double kTau = 0.02;          ///< Euler step
  static constexpr double kXLimit = 2.4;        ///< termination bound on |x|
  /// Mechanical energy of state [x, x_dot, theta, theta_dot] (pole: uniform rod, COM at the half-length).
  static double Energy(const std::vector<double>& s);
};

/// Torch functions: model input [x, x_dot, sin th, cos th, th_dot] (5), delta targets; reward
/// 0.5 (cos th + 1) sigmoid(20 (x + 2.2)) sigmoid(20 (2.2 - x)) on the next obs; terminated |x| > 2.4.
class CartpoleDownTask : public Task {
 public:
  std::string Name() const override { return "cartpole_down"; }
  int ObsDim() const override { return 4; }
  int ActionDim() const override { return 1; }
  int ModelObsDim() const override { return 5; }
  torch::Tensor Reward(const torch::Tensor& obs, const torch::Tensor& action,
                       const torch::Tensor& next_obs) const override;
  torch::Tensor Terminated(const torch::Tensor& next_obs) const override;
  bool CanTerminate() const override { return true; }
  torch::Tensor PreprocessObs(const torch::Tensor& obs) const override;
  std::optional<ObsFeatures> ModelInputFeatures() const override;
};

/// The analytic cartpole; 200 steps, action in [-1, 1].
class CartpoleDownEnv : public TaskEnv<Env, CartpoleDownTask> {
 public:
  std::vector<double> ActionLow() const override { return {-1.0}; }
  std::vector<double> ActionHigh() const override { return {1.0}; }
  int EpisodeLength() const override { return 200; }
  /// State ~ U(-0.05, 0.05) per dimension, then theta += pi.
  std::vector<double> Reset(std::mt19937_64& rng) override;
  /// Sets the state directly (tests).
  void SetState(const std::vector<double>& state) { state_ = state; }

 protected:
  StepResult DoStep(const std::vector<double>& action) override;

 private:
  std::vector<double> state_ = {0, 0, 0, 0};
};

}  // namespace mbrl::env
