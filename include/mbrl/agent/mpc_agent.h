#pragma once
// Model-predictive control: plan, execute the first action(s), replan.
#include <torch/torch.h>

#include <memory>
#include <vector>

#include "mbrl/core/trajectory_objective.h"
#include "mbrl/planning/planner.h"

namespace mbrl::agent {

/// Holds a planner and an objective; replans every `replan_freq` steps and warm starts.
class MpcAgent {
 public:
  MpcAgent(std::unique_ptr<planning::Planner> planner, TrajectoryObjective& objective,
           int replan_freq, const torch::Device& device);
  /// Starts an episode: drops the plan and the planner's warm start.
  void Reset();
  /// The action [A] for observation obs [O].
  std::vector<double> Act(const std::vector<double>& obs);
  /// The last PlanResult (stats of the most recent replan).
  const planning::PlanResult& last_plan() const { return last_plan_; }
  /// Milliseconds spent in the most recent Act() call's planning (0 if it did not replan).
  double last_plan_ms() const { return last_plan_ms_; }
  /// Whether the most recent Act() call planned (rather than following the previous plan).
  bool replanned() const { return replanned_; }
  planning::Planner& planner() { return *planner_; }

 private:
  std::unique_ptr<planning::Planner> planner_;
  TrajectoryObjective& objective_;
  int replan_freq_;
  torch::Device device_;
  planning::PlanResult last_plan_;
  int64_t step_in_plan_ = 0;
  double last_plan_ms_ = 0;
  bool replanned_ = false;
};

}  // namespace mbrl::agent
