#pragma once
// Grad-MPC (Bharadhwaj et al. 2020): many random candidates refined together by a first-order
// optimiser.
#include "mbrl/config/planners.h"
#include "mbrl/planning/planner.h"

namespace mbrl::planning {

/// Grad-MPC (Bharadhwaj et al. 2020): `candidates` sequences ~ N(0, 1) clamped to the bounds,
/// `iterations` steps of Adam or SGD on the negative summed deterministic return of all of them at
/// once (clamped after each step), then the best candidate.
class GradMpcPlanner : public Planner {
 public:
  GradMpcPlanner(const config::GradMpcConfig& config, PlanSpace space, const torch::Device& device,
                 uint64_t seed);
  PlanResult PlanStep(const torch::Tensor& obs, TrajectoryObjective& objective) override;
  std::vector<at::Generator> generators() override { return {generator_}; }

 private:
  config::GradMpcConfig config_;
  at::Generator generator_;
};

}  // namespace mbrl::planning
