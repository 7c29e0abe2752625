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

torch::Tensor CemPlanner::Sample(int64_t n, const torch::Tensor& mean, const torch::Tensor& var) {
  // Normal draws truncated to [-2, 2] by the inverse CDF of uniforms on [Phi(-2), Phi(2)]. In
  // place, one [n, H, A] tensor: out-of-place steps kept three of them alive at once.
  const double phi_low = 0.5 * std::erfc(2.0 / std::sqrt(2.0));  // Phi(-2)
  auto samples = torch::rand({n, horizon(), action_dim()}, generator_, mean.options());  // u
  samples.mul_(2 * (1 - 2 * phi_low)).add_(2 * phi_low - 1).erfinv_().mul_(std::sqrt(2.0));
  samples.mul_(var.sqrt()).add_(mean);
  ClampInPlace(samples);
  return samples;
}

CemPlanner::Search CemPlanner::Run(const torch::Tensor& obs, TrajectoryObjective& objective,
                                   torch::Tensor mean, torch::Tensor variance, int64_t population,
                                   int64_t keep_top, bool include_mean, bool final_moments) {
  torch::NoGradGuard no_grad;
  const int64_t H = horizon(), A = action_dim();
  CheckShape(mean, {H, A}, "CEM mean");
  CheckShape(variance, {H, A}, "CEM variance");
  const int64_t num_elites =
      std::max<int64_t>(1, static_cast<int64_t>(std::llround(config_.elite_ratio * population)));
  Search out;
  const int64_t num_keep = std::min(std::max<int64_t>(keep_top, 1), population);
  const int64_t per_pass = objective.SequencesPerPass();
  BestSample best;
  for (int it = 0; it < config_.iterations; ++it) {
    const bool moments = final_moments || it + 1 < config_.iterations;
    const int64_t ranked = moments ? std::max(num_elites, num_keep) : num_keep;  // rows it ranks
    // Cap the variance so that 2 standard deviations stay inside the bounds.
    const auto lb_dist = mean - low();
    const auto ub_dist = high() - mean;
    const auto cap = torch::min((lb_dist / 2).square(), (ub_dist / 2).square());
    const auto var = torch::min(cap, variance);  // [H, A]
    torch::Tensor samples, returns;              // [B, H, A], [B]
    if (per_pass <= 0 || population <= per_pass) {
      samples = Sample(population, mean, var);
      if (include_mean) samples[population - 1] = Clamp(mean);
      returns = objective.Evaluate(obs, samples);
    } else {
      // More than the objective scores in one pass (CEM-GD's first step: 15000 sequences, 46 MB
      // on humanoid): drawn and scored pass by pass, keeping only the rows this iteration ranks
      // (sorted, best first). The same draws in the same order, so the same result as all at once.
      for (int64_t b0 = 0; b0 < population; b0 += per_pass) {
        const int64_t n = std::min(per_pass, population - b0);
        auto block = Sample(n, mean, var);
        if (include_mean && b0 + n == population) block[n - 1] = Clamp(mean);
        auto block_returns = objective.Evaluate(obs, block);
        if (b0 > 0) {
          block = torch::cat({samples, block});
          block_returns = torch::cat({returns, block_returns});
        }
        const auto order = std::get<1>(block_returns.topk(std::min(ranked, block_returns.size(0))));
        samples = block.index_select(0, order);
        returns = block_returns.index_select(0, order);
      }
    }
    const auto top = returns.topk(ranked);
    out.top = samples.index_select(0, std::get<1>(top).narrow(0, 0, num_keep));  // [k, H, A]
    out.top_returns = std::get<0>(top).narrow(0, 0, num_keep);                   // [k]
    best.Offer(out.top[0], out.top_returns[0]);
    out.iterations = it + 1;
    if (!moments) break;  // the last iteration
    const auto [elite_mean, elite_var] = EliteMoments(samples, returns, num_elites);
    mean = config_.alpha * mean + (1.0 - config_.alpha) * elite_mean;
    variance = config_.alpha * variance + (1.0 - config_.alpha) * elite_var;
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
