#pragma once
// The planner interface and the shared base: bounds, horizon, warm-start shift and clamping.
#include <torch/torch.h>

#include <map>
#include <string>
#include <vector>

#include "mbrl/core/trajectory_objective.h"

namespace mbrl::planning {

/// What a planner returns for one MPC step.
struct PlanResult {
  torch::Tensor actions;                ///< the plan [H, A], within bounds
  double expected_return = 0;           ///< the objective's value of `actions` (as planned)
  std::map<std::string, double> stats;  ///< planner-specific numbers (iterations, ...)
  torch::Tensor initial_actions;        ///< [H, A] before gradient refinement (refining planners)
  /// Numbers still on the planner's device, as one-element tensors: a planning step does not wait
  /// for them. ReadDeviceStats() moves them into `stats` (and "expected_return" into
  /// expected_return) with one copy; Planner::Plan does that after the step.
  std::map<std::string, torch::Tensor> device_stats;
  void ReadDeviceStats();
};

/// The best sample seen over a search's iterations, kept as tensors (no host reads).
struct BestSample {
  torch::Tensor actions;  ///< [H, A]
  torch::Tensor value;    ///< [], undefined before the first Offer
  /// Keeps `actions` [H, A] when `value` [] is higher than the best so far.
  void Offer(const torch::Tensor& actions, const torch::Tensor& value);
};

/// Action bounds and horizon shared by every planner.
struct PlanSpace {
  torch::Tensor low;   ///< [A]
  torch::Tensor high;  ///< [A]
  int64_t horizon = 1;
};

/// Optimises action sequences against a TrajectoryObjective. No logging inside.
class Planner {
 public:
  explicit Planner(PlanSpace space);
  virtual ~Planner() = default;
  /// Plans from observation obs [O]: PlanStep, then its device stats read.
  PlanResult Plan(const torch::Tensor& obs, TrajectoryObjective& objective);
  /// One planning step. Capture-ready (see SetCaptureReady), it reads no tensor value on the host
  /// and runs a fixed sequence of operators on fixed shapes: numbers for the caller go to
  /// PlanResult::device_stats.
  virtual PlanResult PlanStep(const torch::Tensor& obs, TrajectoryObjective& objective) = 0;
  /// Capture-ready planning: no early exits that read tensor values (CEM's variance threshold,
  /// the line search's stop when no row improves or when the first step size is accepted), so
  /// that a device never waits for the host and the step can be captured as a CUDA graph. The
  /// results follow the same algorithm; they can differ where an early exit would have stopped.
  void SetCaptureReady(bool on) { capture_ready_ = on; }
  bool capture_ready() const { return capture_ready_; }
  /// The planner's random generators (shared handles), so that a resumed run continues their
  /// streams. Default: none.
  virtual std::vector<at::Generator> generators() { return {}; }
  /// Forgets the warm start (call at the start of an episode).
  virtual void Reset() { previous_ = torch::Tensor(); }
  /// Records the plan that was executed so the next Plan() can warm start from it.
  void SetPrevious(const torch::Tensor& plan) { previous_ = plan.detach(); }

  int64_t horizon() const { return space_.horizon; }
  int64_t action_dim() const { return space_.low.size(0); }
  const torch::Tensor& low() const { return space_.low; }
  const torch::Tensor& high() const { return space_.high; }

 protected:
  /// The previous plan shifted one step with its last action repeated [H, A], or `fallback` when
  /// there is none.
  torch::Tensor WarmStart(const torch::Tensor& fallback) const;
  /// The middle of the bounds repeated over the horizon [H, A].
  torch::Tensor CenterPlan() const;
  /// Clamps x [..., A] to the bounds.
  torch::Tensor Clamp(const torch::Tensor& x) const;
  /// Clamps x [..., A] to the bounds in place (no copy of a large population).
  void ClampInPlace(torch::Tensor& x) const;

  PlanSpace space_;
  torch::Tensor previous_;  // [H, A] or undefined
  bool capture_ready_ = false;
};

/// Clamps x [..., A] to low [A] and high [A].
torch::Tensor ClampToBounds(const torch::Tensor& x, const torch::Tensor& low,
                            const torch::Tensor& high);

/// Shifts plan [H, A] (or a batch of plans [..., H, A]) one step earlier and repeats its last
/// action: [a1, ..., a_{H-1}, a_{H-1}].
torch::Tensor ShiftPlan(const torch::Tensor& plan);

}  // namespace mbrl::planning
