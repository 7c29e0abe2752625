#pragma once
// The cross-entropy method as in PETS.
#include "mbrl/config/config.h"
#include "mbrl/planning/planner.h"

namespace mbrl::planning {

/// PETS CEM: a Gaussian over [H, A] starting at the warm start with variance (high - low)^2 / 16;
/// samples from a normal truncated at 2 standard deviations, with the variance capped so they
/// stay in bounds; the elite mean and variance are smoothed with `alpha`.
class CemPlanner : public Planner {
 public:
  CemPlanner(const config::CemConfig& config, PlanSpace space, const torch::Device& device,
             uint64_t seed);
  PlanResult Plan(const torch::Tensor& obs, TrajectoryObjective& objective) override;

  /// Runs CEM from `mean` [H, A] with `population` samples per iteration (used by composed
  /// planners). Returns the best sequence seen and the final mean.
  struct Search {
    torch::Tensor best;   ///< [H, A]
    double best_return;   ///< objective of `best`
    torch::Tensor mean;   ///< [H, A] final mean
    int iterations;       ///< iterations run
  };
  Search Run(const torch::Tensor& obs, TrajectoryObjective& objective, torch::Tensor mean,
             torch::Tensor variance, int64_t population);

  /// The initial variance [H, A]: (high - low)^2 / 16.
  torch::Tensor InitialVariance() const;

 private:
  config::CemConfig config_;
  torch::Device device_;
  at::Generator generator_;
};

}  // namespace mbrl::planning
