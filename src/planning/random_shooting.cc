#include "mbrl/planning/random_shooting.h"

#include "mbrl/core/seeding.h"

namespace mbrl::planning {

RandomShootingPlanner::RandomShootingPlanner(const config::RandomShootingConfig& config,
                                             PlanSpace space, const torch::Device& device,
                                             uint64_t seed)
    : Planner(std::move(space)), config_(config), generator_(MakeGenerator(device, seed)) {}

PlanResult RandomShootingPlanner::PlanStep(const torch::Tensor& obs,
                                           TrajectoryObjective& objective) {
  torch::NoGradGuard no_grad;
  const int64_t N = config_.population, H = horizon(), A = action_dim();
  auto samples = low() + torch::rand({N, H, A}, generator_, low().options()) * (high() - low());
  if (config_.warm_start && previous_.defined()) samples[N - 1] = WarmStart(previous_);
  const auto returns = objective.Evaluate(obs, samples);  // [N]
  const auto [best_return, best] = returns.max(0);
  PlanResult result;
  result.actions = samples.index_select(0, best.view({1}))[0];  // [H, A]
  result.device_stats["expected_return"] = best_return;
  result.stats["samples"] = static_cast<double>(N);
  return result;
}

}  // namespace mbrl::planning
