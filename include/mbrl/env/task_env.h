#pragma once
// A built-in environment whose name, sizes and step reward are its task's: the task (the torch
// functions the model side scores with) declares them once, and the environment reads them.
#include <string>
#include <vector>

#include "mbrl/env/task.h"

namespace mbrl::env {

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
