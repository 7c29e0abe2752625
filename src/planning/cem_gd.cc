#include "mbrl/planning/cem_gd.h"

#include "mbrl/core/timer.h"
#include "mbrl/planning/gradient_refiner.h"

namespace mbrl::planning {
namespace {
config::CemConfig StageConfig(const config::CemGdConfig& c) {
  config::CemConfig stage;
  stage.population = c.n_r;  // unused: Run() receives the population
  stage.elite_ratio = c.elite_ratio;
  stage.iterations = c.cem_iterations;
  stage.alpha = c.alpha;
  stage.min_variance = 0;
  return stage;
}
}  // namespace

CemGdPlanner::CemGdPlanner(const config::CemGdConfig& config, PlanSpace space,
                           const torch::Device& device, uint64_t seed)
    : Planner(space), config_(config), cem_(StageConfig(config), space, device, seed) {}

PlanResult CemGdPlanner::PlanStep(const torch::Tensor& obs, TrajectoryObjective& objective) {
  const bool first = !previous_.defined();
  const int64_t H = horizon(), A = action_dim();
  const auto center = CenterPlan();                      // [H, A]
  const auto mean = first ? center : WarmStart(center);  // [H, A]
  const auto variance = ((high() - low()) / 2).square().unsqueeze(0).expand({H, A}).contiguous();
  // n_init and n_r count every sample of the CEM stage, split evenly over its iterations.
  const int64_t samples = first ? config_.n_init : config_.n_r;
  const int64_t per_iteration =
      std::max<int64_t>(2, (samples + config_.cem_iterations - 1) / config_.cem_iterations);
  Stopwatch cem_timer;
  const auto search = cem_.Run(obs, objective, mean, variance, per_iteration, config_.top_k,
                               !first && config_.keep_warm_start, /*final_moments=*/false);
  const double cem_ms = cem_timer.Millis();
  Stopwatch refine_timer;
  const Refinement refined = RefineWithLineSearch(objective, obs, search.top, config_.line_search,
                                                  low(), high(), capture_ready_);
  const double refine_ms = refine_timer.Millis();
  const auto best = refined.returns.argmax().view({1});  // stays on the device
  PlanResult result;
  result.actions = refined.actions.index_select(0, best)[0];
  result.initial_actions = search.top.index_select(0, best)[0];
  result.device_stats["expected_return"] = refined.returns.index_select(0, best)[0];
  result.stats["samples"] = static_cast<double>(per_iteration * search.iterations);
  result.device_stats["return_before_refine"] = refined.initial.max();
  result.device_stats["return_after_refine"] = result.device_stats["expected_return"];
  result.device_stats["line_search_trials"] = refined.trials;
  result.device_stats["steps_accepted"] = refined.accepted;
  result.stats["cem_ms"] = cem_ms;
  result.stats["refine_ms"] = refine_ms;
  return result;
}

}  // namespace mbrl::planning
