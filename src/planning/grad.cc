#include "mbrl/planning/grad.h"

#include "mbrl/core/seeding.h"
#include "mbrl/planning/gradient_refiner.h"

namespace mbrl::planning {

GradPlanner::GradPlanner(const config::GradConfig& config, PlanSpace space,
                         const torch::Device& device, uint64_t seed)
    : Planner(std::move(space)), config_(config), generator_(MakeGenerator(device, seed)) {}

PlanResult GradPlanner::PlanStep(const torch::Tensor& obs, TrajectoryObjective& objective) {
  const int64_t H = horizon(), A = action_dim();
  torch::Tensor init;  // [1, H, A]
  if (config_.warm_start && previous_.defined()) {
    init = WarmStart(previous_).unsqueeze(0);
  } else {
    init = low() + torch::rand({1, H, A}, generator_, low().options()) * (high() - low());
  }
  const Refinement refined = RefineWithLineSearch(objective, obs, init, config_.line_search, low(),
                                                  high(), capture_ready_);
  PlanResult result;
  result.actions = refined.actions[0];
  result.initial_actions = init[0];
  result.device_stats["expected_return"] = refined.returns[0];
  result.device_stats["return_before_refine"] = refined.initial[0];
  result.device_stats["return_after_refine"] = refined.returns[0];
  result.device_stats["line_search_trials"] = refined.trials;
  result.device_stats["steps_accepted"] = refined.accepted;
  return result;
}

}  // namespace mbrl::planning
