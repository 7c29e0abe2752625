#include "mbrl/planning/icem.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "mbrl/core/error.h"
#include "mbrl/core/seeding.h"

namespace mbrl::planning {

torch::Tensor ColoredNoise(int64_t num, int64_t horizon, int64_t action_dim, double beta,
                           at::Generator& generator, const torch::TensorOptions& options) {
  const auto white = torch::randn({num, action_dim, horizon}, generator, options);
  if (beta == 0.0 || horizon < 2) return white.transpose(1, 2).contiguous();
  // Amplitude f^(-beta/2) per rFFT bin, the zero frequency given the lowest nonzero one's.
  const int64_t bins = horizon / 2 + 1;
  auto freq = torch::arange(bins, options) / static_cast<double>(horizon);
  freq[0] = 1.0 / static_cast<double>(horizon);
  const auto amplitude = freq.pow(-beta / 2.0);  // [bins]
  const auto colored = torch::fft::irfft(torch::fft::rfft(white, horizon, -1) * amplitude, horizon,
                                         -1);  // [num, A, H]
  // Variance of each output element: the full (two-sided) spectrum's mean squared amplitude.
  auto two_sided = amplitude.square() * 2.0;
  two_sided[0] = two_sided[0] / 2.0;
  if (horizon % 2 == 0) two_sided[bins - 1] = two_sided[bins - 1] / 2.0;
  const auto variance = two_sided.sum() / static_cast<double>(horizon);
  return (colored / variance.sqrt()).transpose(1, 2).contiguous();
}

IcemPlanner::IcemPlanner(const config::IcemConfig& config, PlanSpace space,
                         const torch::Device& device, uint64_t seed)
    : Planner(std::move(space)), config_(config), generator_(MakeGenerator(device, seed)) {
  if (config_.elites >= config_.min_population) {
    throw ConfigError("planner.elites (" + std::to_string(config_.elites) +
                      ") must be smaller than planner.min_population (" +
                      std::to_string(config_.min_population) + ")");
  }
  if (config_.min_population > config_.population) {
    throw ConfigError("planner.min_population (" + std::to_string(config_.min_population) +
                      ") must not exceed planner.population (" +
                      std::to_string(config_.population) + ")");
  }
}

void IcemPlanner::Reset() {
  Planner::Reset();
  kept_elites_ = torch::Tensor();
}

int64_t IcemPlanner::PopulationAt(int iteration) const {
  const double n = config_.population / std::pow(config_.population_decay, iteration);
  return std::max<int64_t>(config_.min_population, std::llround(n));
}

PlanResult IcemPlanner::PlanStep(const torch::Tensor& obs, TrajectoryObjective& objective) {
  torch::NoGradGuard no_grad;
  const int64_t H = horizon(), A = action_dim();
  auto mean = WarmStart(CenterPlan());  // [H, A]
  auto std = ((high() - low()) / 4.0).unsqueeze(0).expand({H, A});
  // Elites of the previous step, shifted one step (last action repeated).
  torch::Tensor carried;
  if (kept_elites_.defined() && kept_elites_.size(1) == H) carried = ShiftPlan(kept_elites_);
  BestSample best;
  int64_t evaluated = 0;
  for (int it = 0; it < config_.iterations; ++it) {
    auto samples = Clamp(mean + std * ColoredNoise(PopulationAt(it), H, A, config_.noise_beta,
                                                   generator_, mean.options()));
    if (carried.defined()) samples = torch::cat({samples, carried}, 0);
    if (it == config_.iterations - 1) samples = torch::cat({samples, Clamp(mean).unsqueeze(0)}, 0);
    const auto returns = objective.Evaluate(obs, samples);  // [n]
    evaluated += samples.size(0);
    const auto top = returns.topk(std::min<int64_t>(config_.elites, samples.size(0)));
    const auto elites = samples.index_select(0, std::get<1>(top));  // [K, H, A], best first
    best.Offer(elites[0], std::get<0>(top)[0]);
    mean = config_.alpha * mean + (1.0 - config_.alpha) * elites.mean(0);
    std = config_.alpha * std + (1.0 - config_.alpha) * elites.std(0, /*unbiased=*/false);
    const auto keep = static_cast<int64_t>(std::llround(config_.keep_elites * elites.size(0)));
    carried = keep > 0 ? elites.narrow(0, 0, keep) : torch::Tensor();
  }
  // Written into, not replaced, once it exists: a CUDA graph of this step (planner.cuda_graph)
  // reads the kept elites from, and leaves them in, the memory it was captured with.
  if (carried.defined() && kept_elites_.defined() && kept_elites_.sizes() == carried.sizes()) {
    kept_elites_.copy_(carried);
  } else {
    kept_elites_ = carried.defined() ? carried.clone() : torch::Tensor();
  }
  PlanResult result;
  if (config_.return_mode == "best") {
    result.actions = best.actions;
    result.device_stats["expected_return"] = best.value;
  } else {
    result.actions = Clamp(mean);
    result.device_stats["expected_return"] =
        objective.Evaluate(obs, result.actions.unsqueeze(0))[0];
  }
  result.device_stats["best_return"] = best.value;
  result.stats["samples"] = static_cast<double>(evaluated);
  return result;
}

}  // namespace mbrl::planning
