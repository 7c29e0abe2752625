#pragma once
// A task from two files, with no C++ (task: mjcf in a config): an MJCF model whose <sensor> block
// is the observation and whose actuators are the action, and a TorchScript module with the
// task's batched torch functions:
//   reward(obs, action, next_obs) -> [B]          required
//   terminated(next_obs) -> bool [B]               optional (default: never)
//   preprocess(obs) -> [..., F]                    optional: the model's input features (identity)
//   target(obs, next_obs) -> [B, O] and next_obs(obs, target) -> [..., O]
//                                                  optional, both or neither (next_obs - obs)
// Every function is checked once at load on a small batch; what is wrong stops with a ConfigError
// naming the file, the function and what was expected. No Python runs while mbrl does.
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "mbrl/config/config.h"
#include "mbrl/env/mujoco_sim.h"
#include "mbrl/env/task.h"

namespace mbrl::env {

/// The `task:` value of a task from files.
inline constexpr const char* kFileTaskName = "mjcf";

class ScriptedFunctions;  // the loaded TorchScript module (file_task.cc)

}  // namespace mbrl::env

namespace torch::jit {
struct Module;
}  // namespace torch::jit

namespace mbrl::env {

/// The torch functions of a task from files.
class FileTask : public Task {
 public:
  /// Loads and checks `env.functions` for observations of `obs_dim` and actions within [low,
  /// high]. `name`: the task's name in messages (the MJCF file's stem).
  FileTask(const config::EnvConfig& env, std::string name, int obs_dim,
           const std::vector<double>& low, const std::vector<double>& high);
  ~FileTask() override;
  std::string Name() const override { return name_; }
  int ObsDim() const override { return obs_dim_; }
  int ActionDim() const override { return action_dim_; }
  int ModelObsDim() const override { return model_obs_dim_; }
  torch::Tensor Reward(const torch::Tensor& obs, const torch::Tensor& action,
                       const torch::Tensor& next_obs) const override;
  torch::Tensor Terminated(const torch::Tensor& next_obs) const override;
  bool CanTerminate() const override;
  torch::Tensor PreprocessObs(const torch::Tensor& obs) const override;
  std::optional<ObsFeatures> ModelInputFeatures() const override;
  torch::Tensor TargetFromTransition(const torch::Tensor& obs,
                                     const torch::Tensor& next_obs) const override;
  torch::Tensor NextObsFromPrediction(const torch::Tensor& obs,
                                      const torch::Tensor& pred) const override;
  std::optional<ObsTargets> ModelTargets() const override;
  /// The loaded TorchScript module (env.functions), with its methods.
  const torch::jit::Module& Functions() const;

 private:
  std::string name_;
  int obs_dim_ = 0, action_dim_ = 0, model_obs_dim_ = 0;
  std::unique_ptr<ScriptedFunctions> functions_;
};

/// The environment of a task from files: the MJCF model simulated by MuJoCo, its sensors read after
/// each control step, its reward and termination from the task's functions.
class FileTaskEnv : public MujocoEnv {
 public:
  /// Compiles `env.model` and loads `env.functions`; throws ConfigError naming the key, the file
  /// and what is wrong (MuJoCo's own parser message, with its line, for a model that does not
  /// compile). The model is probed first: a few control steps from its initial state with zero
  /// and with random actions (on an mjData of its own, so the environment's runs do not change);
  /// one that MuJoCo finds unstable there, or whose sensors read a non-finite or huge value, is
  /// refused with what MuJoCo reported and the first non-finite or huge number in the model.
  explicit FileTaskEnv(const config::EnvConfig& env);
  std::string Name() const override { return name_; }
  int ObsDim() const override { return obs_dim_; }
  int ActionDim() const override { return static_cast<int>(low_.size()); }
  std::vector<double> ActionLow() const override { return low_; }
  std::vector<double> ActionHigh() const override { return high_; }
  int EpisodeLength() const override { return episode_length_; }
  std::vector<double> Reset(std::mt19937_64& rng) override;
  /// The task's torch functions, as the model side uses them.
  std::unique_ptr<FileTask> MakeTask() const;

 protected:
  StepResult DoStep(const std::vector<double>& action) override;

 private:
  std::vector<double> Observe() const;

  config::EnvConfig config_;
  std::string name_;
  int obs_dim_ = 0;
  int episode_length_ = 0;
  std::vector<double> low_, high_;
  std::unique_ptr<FileTask> task_;  // for the reward and termination of real steps
};

}  // namespace mbrl::env
