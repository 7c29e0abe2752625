#pragma once
// Random shooting (Nagabandi et al. 2018): the best of many uniformly random action sequences.
#include "mbrl/config/planners.h"
#include "mbrl/planning/planner.h"

namespace mbrl::planning {

/// Scores `population` sequences drawn uniformly within the bounds (with warm_start, the shifted
/// previous plan replaces the last one) in one batch and returns the best.
class RandomShootingPlanner : public Planner {
 public:
  RandomShootingPlanner(const config::RandomShootingConfig& config, PlanSpace space,
                        const torch::Device& device, uint64_t seed);
  PlanResult PlanStep(const torch::Tensor& obs, TrajectoryObjective& objective) override;
  std::vector<at::Generator> generators() override { return {generator_}; }

 private:
  config::RandomShootingConfig config_;
  at::Generator generator_;
};

}  // namespace mbrl::planning
