#pragma once
// The model-side view of a task: pure, batched, differentiable torch functions.
#include <torch/torch.h>

#include <string>
#include <vector>

namespace mbrl::env {

/// Batched torch functions of a task. Every function takes [B, ...] tensors on any device.
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
  /// Model input features of observations [B, O] -> [B, ModelObsDim]. Default: identity.
  virtual torch::Tensor PreprocessObs(const torch::Tensor& obs) const { return obs; }
  /// Model target of transitions [B, O] x [B, O] -> [B, O]. Default: next_obs - obs.
  virtual torch::Tensor TargetFromTransition(const torch::Tensor& obs,
                                             const torch::Tensor& next_obs) const {
    return next_obs - obs;
  }
  /// Next observation from a model prediction [B, O] x [B, O] -> [B, O]. Default: obs + pred.
  virtual torch::Tensor NextObsFromPrediction(const torch::Tensor& obs,
                                              const torch::Tensor& pred) const {
    return obs + pred;
  }
};

}  // namespace mbrl::env
