#include "mbrl/planning/dcem.h"

#include <limits>
#include <optional>

#include "mbrl/core/error.h"
#include "mbrl/core/seeding.h"
#include "mbrl/core/shape.h"
#include "mbrl/planning/soft_topk.h"

namespace mbrl::planning {

std::pair<torch::Tensor, torch::Tensor> SoftEliteMoments(const torch::Tensor& samples,
                                                         const torch::Tensor& returns, int64_t k,
                                                         double tau, bool fixed_iterations) {
  const int64_t N = samples.size(0);
  CheckShape(returns, {N}, "DCEM returns");
  // The biased spread written out: LibTorch 1.13's full-tensor std(unbiased) reads a value on the
  // host.
  const auto centred = returns - returns.mean();
  const auto normalised = centred / (centred.square().mean().sqrt() + 1e-6);
  // Fixed: 64 halvings take the bracket to double precision, with no host reads.
  const auto weights = (fixed_iterations ? SoftTopK(normalised.unsqueeze(0), k, tau, 0.0, 64)
                                         : SoftTopK(normalised.unsqueeze(0), k, tau))[0]
                           .view({N, 1, 1});
  const auto mean = (weights * samples).sum(0) / static_cast<double>(k);
  const auto var = (weights * (samples - mean).square()).sum(0) / static_cast<double>(k);
  return {mean, var};
}

DcemPlanner::DcemPlanner(const config::DcemConfig& config, PlanSpace space,
                         const torch::Device& device, uint64_t seed)
    : Planner(std::move(space)), config_(config), generator_(MakeGenerator(device, seed)) {
  if (config_.elites >= config_.samples) {
    throw ConfigError("planner.elites (" + std::to_string(config_.elites) +
                      ") must be smaller than planner.samples (" + std::to_string(config_.samples) +
                      ")");
  }
}

PlanResult DcemPlanner::PlanStep(const torch::Tensor& obs, TrajectoryObjective& objective) {
  std::optional<torch::NoGradGuard> no_grad;
  if (!config_.differentiable) no_grad.emplace();
  const int64_t H = horizon(), A = action_dim(), N = config_.samples;
  auto mean = WarmStart(CenterPlan());  // [H, A]
  auto std = ((high() - low()) / 4.0).unsqueeze(0).expand({H, A});
  torch::Tensor best;  // [], the best return sampled
  for (int it = 0; it < config_.iterations; ++it) {
    const auto eps = torch::randn({N, H, A}, generator_, mean.options());
    const auto samples = Clamp(mean + std * eps);           // [N, H, A]
    const auto returns = objective.Evaluate(obs, samples);  // [N]
    const auto top = returns.detach().max();
    best = best.defined() ? torch::max(best, top) : top;
    const auto moments =
        SoftEliteMoments(samples, returns, config_.elites, config_.temperature, capture_ready_);
    mean = moments.first;
    std = (moments.second + 1e-12).sqrt();  // the epsilon keeps d sqrt finite at zero spread
  }
  PlanResult result;
  result.actions = Clamp(mean);
  {
    torch::NoGradGuard eval_only;
    result.device_stats["expected_return"] =
        objective.Evaluate(obs, result.actions.detach().unsqueeze(0))[0];
    result.device_stats["final_std"] = std.detach().mean();
  }
  result.stats["iterations"] = config_.iterations;
  if (best.defined()) result.device_stats["best_return"] = best;
  return result;
}

}  // namespace mbrl::planning
