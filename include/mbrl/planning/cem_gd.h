#pragma once
// CEM-GD: a CEM sampling stage followed by line-search gradient refinement of its top k.
#include "mbrl/config/planners.h"
#include "mbrl/planning/cem.h"
#include "mbrl/planning/planner.h"

namespace mbrl::planning {

/// CEM-GD (Huang 2021, Algorithm 1). The first Plan() after Reset() samples n_init sequences
/// around the bounds' centre; later ones sample n_r around the warm start (the previous plan
/// shifted one step, last action repeated). The sampling variance is ((high - low) / 2)^2 (the
/// paper's I, scaled to the bounds) before CEM's bound capping. The top_k samples are refined
/// together by RefineWithLineSearch on the deterministic objective; the best refined one is
/// returned.
class CemGdPlanner : public Planner {
 public:
  CemGdPlanner(const config::CemGdConfig& config, PlanSpace space, const torch::Device& device,
               uint64_t seed);
  PlanResult PlanStep(const torch::Tensor& obs, TrajectoryObjective& objective) override;
  std::vector<at::Generator> generators() override { return cem_.generators(); }

 private:
  config::CemGdConfig config_;
  CemPlanner cem_;  // the sampling stage
};

}  // namespace mbrl::planning
