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

PlanResult CemGdPlanner::Plan(const torch::Tensor& obs, TrajectoryObjective& objective) {
  const bool first = !previous_.defined();
  const int64_t H = horizon(), A = action_dim();
  const auto center = CenterPlan();                      // [H, A]
  const auto mean = first ? center : WarmStart(center);  // [H, A]
  const auto variance = ((high() - low()) / 2).square().unsqueeze(0).expand({H, A}).contiguous();
  // n_init and n_r count every sample of the CEM stage, split evenly over its iterations.
  const int64_t samples = first ? config_.n_init : config_.n_r;
  const int64_t per_iteration = std::max<int64_t>(
      2, (samples + config_.cem_iterations - 1) / config_.cem_iterations);
  Stopwatch cem_timer;
  const auto search = cem_.Run(obs, objective, mean, variance, per_iteration, config_.top_k,
                               !first && config_.keep_warm_start);
  const double cem_ms = cem_timer.Millis();
  Stopwatch refine_timer;
  const Refinement refined =
      RefineWithLineSearch(objective, obs, search.top, config_.line_search, low(), high());
  const double refine_ms = refine_timer.Millis();
  const int64_t best = refined.returns.argmax().item<int64_t>();
  PlanResult result;
  result.actions = refined.actions[best];
  result.initial_actions = search.top[best];
  result.expected_return = refined.returns[best].item<double>();
  result.stats["samples"] = static_cast<double>(per_iteration * search.iterations);
  result.stats["return_before_refine"] = refined.initial.max().item<double>();
  result.stats["return_after_refine"] = result.expected_return;
  result.stats["line_search_trials"] = static_cast<double>(refined.trials);
  result.stats["steps_accepted"] = static_cast<double>(refined.accepted);
  result.stats["cem_ms"] = cem_ms;
  result.stats["refine_ms"] = refine_ms;
  return result;
}

}  // namespace mbrl::planning
