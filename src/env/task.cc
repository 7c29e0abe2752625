#include "mbrl/env/task.h"

namespace mbrl::env {

torch::Tensor Task::Terminated(const torch::Tensor& next_obs) const {
  return torch::zeros({next_obs.size(0)},
                      torch::TensorOptions().dtype(torch::kBool).device(next_obs.device()));
}

}  // namespace mbrl::env
