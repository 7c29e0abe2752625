#pragma once
// iCEM: the improved cross-entropy method (Pinneri et al. 2020).
#include "mbrl/config/planners.h"
#include "mbrl/planning/planner.h"

namespace mbrl::planning {

/// Coloured (power-law) noise [num, H, A]: independent over samples and action dimensions,
/// correlated over the H time steps with power spectral density 1 / f^beta (beta 0: white).
/// Made by scaling the rFFT of white noise and transforming back; every element has variance 1.
torch::Tensor ColoredNoise(int64_t num, int64_t horizon, int64_t action_dim, double beta,
                           at::Generator& generator, const torch::TensorOptions& options);

/// iCEM: CEM whose samples are mean + std * coloured noise clipped to the bounds; the population
/// shrinks by `population_decay` per iteration down to `min_population`; a `keep_elites` fraction
/// of the elites joins the next iteration's samples and, shifted one step, the first iteration of
/// the next time step; the mean is a candidate at the last iteration. Mean and std are updated
/// with momentum `alpha`, starting each step at the shifted plan with std (high - low) / 4.
class IcemPlanner : public Planner {
 public:
  IcemPlanner(const config::IcemConfig& config, PlanSpace space, const torch::Device& device,
              uint64_t seed);
  PlanResult PlanStep(const torch::Tensor& obs, TrajectoryObjective& objective) override;
  std::vector<at::Generator> generators() override { return {generator_}; }
  void Reset() override;

  /// Samples in iteration `iteration` (0-based) before kept elites and the mean are added.
  int64_t PopulationAt(int iteration) const;

 private:
  config::IcemConfig config_;
  at::Generator generator_;
  torch::Tensor kept_elites_;  // [m, H, A] from the previous step's last iteration, or undefined
};

}  // namespace mbrl::planning
