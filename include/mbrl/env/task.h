#pragma once
// The model-side view of a task: pure, batched, differentiable torch functions; and TaskEnv, a
// built-in environment whose name, sizes and step reward are its task's (declared once there).
#include <torch/torch.h>

#include <optional>
#include <string>
#include <vector>

#include "mbrl/env/env.h"

namespace mbrl::env {

/// PreprocessObs written as a declaration, for rollouts that fold it into the model's first
/// layer: each model input feature is an observation entry, or the sine or cosine of one of the
/// angle entries [angle_begin, angle_begin + angle_count).
struct ObsFeatures {
  /// One model input feature: a copy of observation entry `index`, or the sine or cosine of
  /// observation entry `index` (which lies among the angles).
  struct Feature {
    enum class Kind { kCopy, kSin, kCos } kind = Kind::kCopy;
    int index = 0;
  };
  int angle_begin = 0;
  int angle_count = 0;
  std::vector<Feature> features;  ///< in PreprocessObs's order, ModelObsDim() of them
};

/// TargetFromTransition and NextObsFromPrediction written as a declaration, for a model used
/// outside mbrl (an exported model): every target entry is next_obs - obs, except the entries in
/// `absolute`, whose target is next_obs itself.
struct ObsTargets {
  std::vector<int> absolute;
};

/// Batched torch functions of a task. Every function takes [B, ...] tensors on any device;
/// PreprocessObs and NextObsFromPrediction also take [..., O] (any leading dimensions).
class Task {
 public:
  virtual ~Task() = default;
  /// Task name.
  virtual std::string Name() const = 0;
  /// Observation size O.
  virtual int ObsDim() const = 0;
  /// Action size A.
  virtual int ActionDim() const = 0;
  /// Size of PreprocessObs's output (the model input is this plus A).
  virtual int ModelObsDim() const { return ObsDim(); }
  /// Reward of transitions: obs [B, O], action [B, A], next_obs [B, O] -> [B].
  virtual torch::Tensor Reward(const torch::Tensor& obs, const torch::Tensor& action,
                               const torch::Tensor& next_obs) const = 0;
  /// Termination of next observations [B, O] -> bool [B]. Default: never.
  virtual torch::Tensor Terminated(const torch::Tensor& next_obs) const;
  /// Whether Terminated() can ever be true; rollouts skip the termination bookkeeping when not.
  /// A task that overrides Terminated() overrides this to return true.
  virtual bool CanTerminate() const { return false; }
  /// Model input features of observations [..., O] -> [..., ModelObsDim]. Default: identity.
  virtual torch::Tensor PreprocessObs(const torch::Tensor& obs) const { return obs; }
  /// PreprocessObs as ObsFeatures, when it has that form (a test checks that both agree on every
  /// task). Default: the identity's. A task that overrides PreprocessObs overrides this too, or
  /// returns nullopt.
  virtual std::optional<ObsFeatures> ModelInputFeatures() const;
  /// Model target of transitions [B, O] x [B, O] -> [B, O]. Default: next_obs - obs.
  virtual torch::Tensor TargetFromTransition(const torch::Tensor& obs,
                                             const torch::Tensor& next_obs) const {
    return next_obs - obs;
  }
  /// Next observation from a model prediction [..., O] x [..., O] -> [..., O]. Default: obs + pred.
  virtual torch::Tensor NextObsFromPrediction(const torch::Tensor& obs,
                                              const torch::Tensor& pred) const {
    return obs + pred;
  }
  /// TargetFromTransition and NextObsFromPrediction as ObsTargets, when they have that form (a
  /// test checks that they agree on every task). Default: every entry a change. A task that
  /// overrides them overrides this too, or returns nullopt.
  virtual std::optional<ObsTargets> ModelTargets() const { return ObsTargets{}; }
};

/// The reward of one real transition as `task` scores predicted ones (a batch of one, in double
/// precision, no autograd): an environment's step reward, so that the environment and the model's
/// rollouts score with one definition.
double StepReward(const Task& task, const std::vector<double>& obs,
                  const std::vector<double>& action, const std::vector<double>& next_obs);
/// Whether `task` ends the episode at `next_obs` (false when it cannot terminate).
bool StepTerminated(const Task& task, const std::vector<double>& next_obs);

/// `Base` (Env or MujocoEnv) with Name, ObsDim and ActionDim from the task `T`, and its step
/// reward and termination computed by T on a batch of one (StepReward, StepTerminated).
template <class Base, class T>
class TaskEnv : public Base {
 public:
  using Base::Base;
  std::string Name() const override { return task_.Name(); }
  int ObsDim() const override { return task_.ObsDim(); }
  int ActionDim() const override { return task_.ActionDim(); }

 protected:
  /// The task's reward and termination of the transition obs -> next_obs under action.
  StepResult Scored(const std::vector<double>& obs, const std::vector<double>& action,
                    std::vector<double> next_obs) const {
    StepResult result;
    result.reward = StepReward(task_, obs, action, next_obs);
    result.terminated = StepTerminated(task_, next_obs);
    result.obs = std::move(next_obs);
    return result;
  }

 private:
  T task_;
};

}  // namespace mbrl::env
