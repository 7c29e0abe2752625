#pragma once
// Analytic objectives for planner tests.
#include <algorithm>
#include <vector>

#include "mbrl/core/trajectory_objective.h"
#include "mbrl/planning/planner.h"

namespace mbrl::planning::testing {

/// -||a - target||^2 summed over the sequence: concave, optimum at `target` [H, A]. Records the
/// range of every action it is asked to score and the number of calls.
class Quadratic : public TrajectoryObjective {
 public:
  explicit Quadratic(torch::Tensor target) : target_(std::move(target)) {}
  torch::Tensor Evaluate(const torch::Tensor&, const torch::Tensor& actions) override {
    ++calls;
    batch_sizes.push_back(actions.size(0));
    lo = std::min(lo, actions.min().item<double>());
    hi = std::max(hi, actions.max().item<double>());
    return -(actions - target_).square().sum({1, 2});
  }
  int calls = 0;
  std::vector<int64_t> batch_sizes;  // rows of each call
  double lo = 1e9, hi = -1e9;

 private:
  torch::Tensor target_;
};

/// The optimum [3, 2] of the concave test objective: inside [-3, 3], away from the centre.
inline torch::Tensor ConcaveTarget() {
  return torch::tensor({0.5f, -1.0f, 1.5f, 0.0f, -2.0f, 2.5f}).view({3, 2});
}

/// Plans once on Quadratic(ConcaveTarget()) with bounds [-3, 3] and returns the largest distance
/// of the plan from the optimum (the plan goes to `result` when given).
inline double DistanceFromOptimum(Planner& planner, PlanResult* result = nullptr) {
  Quadratic objective(ConcaveTarget());
  const PlanResult r = planner.Plan(torch::zeros({1}), objective);
  if (result) *result = r;
  return (r.actions - ConcaveTarget()).abs().max().item<double>();
}

/// Symmetric bounds [-bound, bound]^A over `horizon` steps.
inline PlanSpace Space(int64_t horizon, int64_t action_dim, double bound) {
  return {torch::full({action_dim}, -bound), torch::full({action_dim}, bound), horizon};
}

}  // namespace mbrl::planning::testing
