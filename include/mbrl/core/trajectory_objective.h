#pragma once
// The interface between planners and whatever scores action sequences. It lives in core/ so that
// models/ (ModelRollout implements it) and planning/ (planners consume it) both see it without
// seeing each other.
#include <torch/torch.h>

#include <functional>

namespace mbrl {

/// A deterministic evaluation whose gradient can be asked for afterwards, so that a caller pays
/// for the backward pass only when it needs the gradient.
struct DeterministicPass {
  torch::Tensor returns;  ///< [B], detached
  /// d returns.sum() / d actions [B, H, A] (each row's own gradient). Call at most once.
  std::function<torch::Tensor()> gradient;
};

/// Scores batches of action sequences from a start observation.
class TrajectoryObjective {
 public:
  virtual ~TrajectoryObjective() = default;
  /// obs [O], actions [B, H, A] -> predicted returns [B], with the configured (possibly
  /// stochastic) propagation. Differentiable in `actions` when called with gradients enabled.
  virtual torch::Tensor Evaluate(const torch::Tensor& obs, const torch::Tensor& actions) = 0;
  /// Sequences that Evaluate without autograd scores in one pass; it splits larger batches into
  /// passes of this many itself, so a caller may as well hand them over pass by pass (and hold
  /// less). 0: no such limit.
  virtual int64_t SequencesPerPass() const { return 0; }
  /// The deterministic variant gradient planners use (ModelRollout: the ensemble mean). Rows are
  /// independent, so the gradient of the sum gives each row's own gradient. Default: Evaluate.
  virtual torch::Tensor EvaluateDeterministic(const torch::Tensor& obs,
                                              const torch::Tensor& actions) {
    return Evaluate(obs, actions);
  }
  /// EvaluateDeterministic's returns, with their gradient on request. Default: autograd records
  /// the pass and `gradient` runs its backward. An objective may compute it another way.
  virtual DeterministicPass EvaluateDeterministicWithGradient(const torch::Tensor& obs,
                                                              const torch::Tensor& actions) {
    torch::AutoGradMode enable(true);
    auto leaf = actions.detach().clone().requires_grad_(true);
    auto returns = EvaluateDeterministic(obs, leaf);
    DeterministicPass pass;
    pass.returns = returns.detach();
    pass.gradient = [leaf, returns]() {
      return torch::autograd::grad({returns.sum()}, {leaf})[0].detach();
    };
    return pass;
  }
};

}  // namespace mbrl
