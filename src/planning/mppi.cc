#include "mbrl/planning/mppi.h"

#include <limits>

#include "mbrl/core/seeding.h"

namespace mbrl::planning {

torch::Tensor FilteredNoise(int64_t num, int64_t horizon, const torch::Tensor& sigma, double beta,
                            at::Generator& generator) {
  const auto n = torch::randn({num, horizon, sigma.size(0)}, generator, sigma.options()) * sigma;
  auto u = torch::empty_like(n);
  u.select(1, 0).copy_(beta * n.select(1, 0));
  for (int64_t t = 1; t < horizon; ++t) {
    u.select(1, t).copy_(beta * n.select(1, t) + (1.0 - beta) * u.select(1, t - 1));
  }
  return u;
}

MppiPlanner::MppiPlanner(const config::MppiConfig& config, PlanSpace space,
                         const torch::Device& device, uint64_t seed)
    : Planner(std::move(space)), config_(config), generator_(MakeGenerator(device, seed)) {}

PlanResult MppiPlanner::PlanStep(const torch::Tensor& obs, TrajectoryObjective& objective) {
  torch::NoGradGuard no_grad;
  auto mean = WarmStart(CenterPlan());                        // [H, A]
  const auto sigma = config_.sigma * (high() - low()) / 2.0;  // [A]
  torch::Tensor best, effective;                              // [] each
  for (int it = 0; it < config_.iterations; ++it) {
    const auto samples =
        Clamp(mean + FilteredNoise(config_.population, horizon(), sigma, config_.beta, generator_));
    const auto returns = objective.Evaluate(obs, samples);  // [N]
    const auto top = returns.max();
    best = best.defined() ? torch::max(best, top) : top;
    const auto weights = (config_.gamma * (returns - top)).exp();  // best weighs 1
    const auto normalised = weights / weights.sum();
    mean = (normalised.view({-1, 1, 1}) * samples).sum(0);
    effective = 1.0 / normalised.square().sum();
  }
  PlanResult result;
  result.actions = Clamp(mean);
  result.device_stats["expected_return"] = objective.Evaluate(obs, result.actions.unsqueeze(0))[0];
  if (best.defined()) {
    result.device_stats["best_return"] = best;
    result.device_stats["effective_samples"] = effective;
  }
  return result;
}

}  // namespace mbrl::planning
