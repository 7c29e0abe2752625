#include "mbrl/env/task.h"

namespace mbrl::env {

torch::Tensor Task::Terminated(const torch::Tensor& next_obs) const {
  return torch::zeros({next_obs.size(0)},
                      torch::TensorOptions().dtype(torch::kBool).device(next_obs.device()));
}

std::optional<ObsFeatures> Task::ModelInputFeatures() const {
  ObsFeatures identity;
  for (int i = 0; i < ObsDim(); ++i) {
    identity.features.push_back({ObsFeatures::Feature::Kind::kCopy, i});
  }
  return identity;
}

namespace {
torch::Tensor Row(const std::vector<double>& v) {
  return torch::tensor(v, torch::kDouble).view({1, -1});  // [1, n]
}
}  // namespace

double StepReward(const Task& task, const std::vector<double>& obs,
                  const std::vector<double>& action, const std::vector<double>& next_obs) {
  torch::NoGradGuard no_grad;
  return task.Reward(Row(obs), Row(action), Row(next_obs)).item<double>();
}

bool StepTerminated(const Task& task, const std::vector<double>& next_obs) {
  if (!task.CanTerminate()) return false;
  torch::NoGradGuard no_grad;
  return task.Terminated(Row(next_obs)).item<bool>();
}

}  // namespace mbrl::env
