#include "mbrl/planning/cem.h"

#include <algorithm>
#include <cmath>

#include "mbrl/core/seeding.h"
#include "mbrl/core/shape.h"

namespace mbrl::planning {

std::pair<torch::Tensor, torch::Tensor> EliteMoments(const torch::Tensor& samples,
                                                     const torch::Tensor& returns,
                                                     int64_t num_elites) {
  const auto elites = samples.index_select(0, std::get<1>(returns.topk(num_elites)));
  return {elites.mean(0), elites.var(0, /*unbiased=*/false)};
}

CemPlanner::CemPlanner(const config::CemConfig& config, PlanSpace space,
                       const torch::Device& device, uint64_t seed)
    : Planner(std::move(space)),
      config_(config),
      device_(device),
      generator_(MakeGenerator(device, seed)) {}

torch::Tensor CemPlanner::InitialVariance() const {
  return ((high() - low()).square() / 16.0).unsqueeze(0).expand({horizon(), action_dim()}).clone();
}

CemPlanner::Search CemPlanner::Run(const torch::Tensor& obs, TrajectoryObjective& objective,
                                   torch::Tensor mean, torch::Tensor variance, int64_t population,
                                   int64_t keep_top, bool include_mean) {
  torch::NoGradGuard no_grad;
  const int64_t H = horizon(), A = action_dim();
  CheckShape(mean, {H, A}, "CEM mean");
  CheckShape(variance, {H, A}, "CEM variance");
  const int64_t num_elites =
      std::max<int64_t>(1, static_cast<int64_t>(std::llround(config_.elite_ratio * population)));
  Search out;
  const int64_t num_keep = std::min(std::max<int64_t>(keep_top, 1), population);
  BestSample best;
  // Normal draws truncated to [-2, 2] by the inverse CDF of uniforms on [Phi(-2), Phi(2)].
  const double phi_low = 0.5 * std::erfc(2.0 / std::sqrt(2.0));  // Phi(-2)
  for (int it = 0; it < config_.iterations; ++it) {
    // Cap the variance so that 2 standard deviations stay inside the bounds.
    const auto lb_dist = mean - low();
    const auto ub_dist = high() - mean;
    const auto cap = torch::min((lb_dist / 2).square(), (ub_dist / 2).square());
    const auto var = torch::min(cap, variance);                                  // [H, A]
    // In place, one [B, H, A] tensor: CEM-GD's first step draws 15000 sequences (46 MB on
    // humanoid), and out-of-place steps kept three of them alive at once.
    auto samples = torch::rand({population, H, A}, generator_, mean.options());  // u, [B, H, A]
    samples.mul_(2 * (1 - 2 * phi_low)).add_(2 * phi_low - 1).erfinv_().mul_(std::sqrt(2.0));
    samples.mul_(var.sqrt()).add_(mean);
    ClampInPlace(samples);
    if (include_mean) samples[population - 1] = Clamp(mean);
    const auto returns = objective.Evaluate(obs, samples);  // [B]
    const auto top = returns.topk(std::max(num_elites, num_keep));
    out.top = samples.index_select(0, std::get<1>(top).narrow(0, 0, num_keep));  // [k, H, A]
    out.top_returns = std::get<0>(top).narrow(0, 0, num_keep);                   // [k]
    best.Offer(out.top[0], out.top_returns[0]);
    const auto [elite_mean, elite_var] = EliteMoments(samples, returns, num_elites);
    mean = config_.alpha * mean + (1.0 - config_.alpha) * elite_mean;
    variance = config_.alpha * variance + (1.0 - config_.alpha) * elite_var;
    out.iterations = it + 1;
    if (!capture_ready_ && config_.min_variance > 0 &&
        variance.max().item<double>() < config_.min_variance) {
      break;
    }
  }
  out.mean = mean;
  out.best = best.actions.defined() ? best.actions : mean.clone();
  out.best_return = best.value.defined()
                        ? best.value
                        : torch::full({}, -std::numeric_limits<double>::infinity(), mean.options());
  return out;
}

PlanResult CemPlanner::PlanStep(const torch::Tensor& obs, TrajectoryObjective& objective) {
  const auto start = WarmStart(CenterPlan());
  Search s = Run(obs, objective, start, InitialVariance(), config_.population);
  PlanResult result;
  if (config_.return_mode == "mean") {
    torch::NoGradGuard no_grad;
    result.actions = Clamp(s.mean);
    result.device_stats["expected_return"] = objective.Evaluate(obs, result.actions.unsqueeze(0));
  } else {
    result.actions = s.best;
    result.device_stats["expected_return"] = s.best_return;
  }
  result.stats["iterations"] = s.iterations;
  result.device_stats["best_return"] = s.best_return;
  return result;
}

}  // namespace mbrl::planning
