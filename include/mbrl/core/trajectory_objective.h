#pragma once
// The interface between planners and whatever scores action sequences. It lives in core/ so that
// models/ (ModelRollout implements it) and planning/ (planners consume it) both see it without
// seeing each other.
#include <torch/torch.h>

namespace mbrl {

/// Scores batches of action sequences from a start observation.
class TrajectoryObjective {
 public:
  virtual ~TrajectoryObjective() = default;
  /// obs [O], actions [B, H, A] -> predicted returns [B]. Differentiable in `actions` when called
  /// with gradients enabled.
  virtual torch::Tensor Evaluate(const torch::Tensor& obs, const torch::Tensor& actions) = 0;
};

}  // namespace mbrl
