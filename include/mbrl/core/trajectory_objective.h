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
  /// obs [O], actions [B, H, A] -> predicted returns [B], with the configured (possibly
  /// stochastic) propagation. Differentiable in `actions` when called with gradients enabled.
  virtual torch::Tensor Evaluate(const torch::Tensor& obs, const torch::Tensor& actions) = 0;
  /// The deterministic variant gradient planners use (ModelRollout: the ensemble mean). Rows are
  /// independent, so the gradient of the sum gives each row's own gradient. Default: Evaluate.
  virtual torch::Tensor EvaluateDeterministic(const torch::Tensor& obs,
                                              const torch::Tensor& actions) {
    return Evaluate(obs, actions);
  }
};

}  // namespace mbrl
