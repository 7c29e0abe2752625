#pragma once
// The paper's "Grad" baseline: one random sequence refined by line-search gradient ascent.
#include "mbrl/config/planners.h"
#include "mbrl/planning/planner.h"

namespace mbrl::planning {

/// Grad: a sequence drawn uniformly within the bounds (or, with warm_start, the shifted previous
/// plan) refined by RefineWithLineSearch.
class GradPlanner : public Planner {
 public:
  GradPlanner(const config::GradConfig& config, PlanSpace space, const torch::Device& device,
              uint64_t seed);
  PlanResult PlanStep(const torch::Tensor& obs, TrajectoryObjective& objective) override;
  std::vector<at::Generator> generators() override { return {generator_}; }

 private:
  config::GradConfig config_;
  at::Generator generator_;
};

}  // namespace mbrl::planning
