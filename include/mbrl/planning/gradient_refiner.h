#pragma once
// Line-search gradient ascent on action sequences (CEM-GD paper, section 2.2), batched over rows.
#include <torch/torch.h>

#include "mbrl/config/planners.h"
#include "mbrl/core/trajectory_objective.h"

namespace mbrl::planning {

/// The outcome of refining k sequences.
struct Refinement {
  torch::Tensor actions;  ///< refined sequences [k, H, A], within bounds
  torch::Tensor returns;  ///< their deterministic returns [k]
  torch::Tensor initial;  ///< deterministic returns before refinement [k]
  torch::Tensor trials;   ///< trials a sequential line search uses (to the accepted one), summed []
  torch::Tensor accepted;  ///< steps accepted, summed over rows []
};

/// Refines actions [k, H, A] with `grad_steps` updates of gradient ascent on the objective's
/// deterministic return. Each update starts every row at eta_init and tries
/// a' = clamp(a + eta * d), accepting the first a' whose return is strictly higher, else
/// eta <- rho * eta, at most `line_search_trials` times; a row whose trials all fail stops.
/// d is the gradient (step "gradient") or Adam's bias-corrected m / (sqrt(v) + eps) of the
/// gradients (step "adam"; each row's moments advance when it accepts an update).
/// All rows move in one batch: one forward/backward per update, and one forward of all J trial
/// step sizes (the deterministic return makes its first improving trial the sequential choice).
/// Only the action tensor requires gradients. `capture_ready`: every update scores all J sizes
/// in one batch and no update is skipped (the same accepted steps, with no host reads).
Refinement RefineWithLineSearch(TrajectoryObjective& objective, const torch::Tensor& obs,
                                const torch::Tensor& actions,
                                const config::LineSearchConfig& config, const torch::Tensor& low,
                                const torch::Tensor& high, bool capture_ready = false);

}  // namespace mbrl::planning
