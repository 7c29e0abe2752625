#pragma once
// DCEM: the differentiable cross-entropy method (Amos & Yarats 2020, Algorithm 1).
#include <utility>

#include "mbrl/config/planners.h"
#include "mbrl/planning/planner.h"

namespace mbrl::planning {

/// DCEM's update: the returns [N] are normalised (zero mean, unit spread), weighted with the soft
/// top-k (k, tau), and the weighted mean and variance [H, A] of samples [N, H, A] are returned
/// (weights sum to k). Differentiable in samples and returns. tau -> 0 gives EliteMoments.
/// `fixed_iterations`: the soft top-k's bisection runs a fixed count (no host reads).
std::pair<torch::Tensor, torch::Tensor> SoftEliteMoments(const torch::Tensor& samples,
                                                         const torch::Tensor& returns, int64_t k,
                                                         double tau, bool fixed_iterations = false);

/// DCEM over a Gaussian on [H, A]: starts at the warm start with std (high - low) / 4, draws
/// reparameterised samples mean + std * eps clamped to the bounds, and sets mean and variance to
/// SoftEliteMoments. Returns the final mean. With `differentiable`, the plan keeps its autograd
/// graph back through the objective's parameters; otherwise it runs without autograd.
class DcemPlanner : public Planner {
 public:
  DcemPlanner(const config::DcemConfig& config, PlanSpace space, const torch::Device& device,
              uint64_t seed);
  PlanResult PlanStep(const torch::Tensor& obs, TrajectoryObjective& objective) override;
  std::vector<at::Generator> generators() override { return {generator_}; }

 private:
  config::DcemConfig config_;
  at::Generator generator_;
};

}  // namespace mbrl::planning
