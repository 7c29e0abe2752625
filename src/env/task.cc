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

}  // namespace mbrl::env
