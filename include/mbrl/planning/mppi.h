#pragma once
// MPPI in the filtered-noise form of PDDM (Nagabandi et al. 2019; Williams et al. 2017).
#include "mbrl/config/planners.h"
#include "mbrl/planning/planner.h"

namespace mbrl::planning {

/// Time-filtered noise [num, H, A]: n_t ~ N(0, sigma^2) per action dimension and
/// u_t = beta * n_t + (1 - beta) * u_{t-1}, with u_{-1} = 0.
torch::Tensor FilteredNoise(int64_t num, int64_t horizon, const torch::Tensor& sigma, double beta,
                            at::Generator& generator);

/// MPPI: each iteration samples mean + filtered noise (clamped to the bounds), weighs sequence k
/// by exp(gamma * (R_k - max R)) so the best weighs 1, and sets the mean to the weighted average
/// of the samples. Starts at the shifted previous plan; returns the final mean.
class MppiPlanner : public Planner {
 public:
  MppiPlanner(const config::MppiConfig& config, PlanSpace space, const torch::Device& device,
              uint64_t seed);
  PlanResult PlanStep(const torch::Tensor& obs, TrajectoryObjective& objective) override;
  std::vector<at::Generator> generators() override { return {generator_}; }

 private:
  config::MppiConfig config_;
  at::Generator generator_;
};

}  // namespace mbrl::planning
