#pragma once
// A planner's warm-started steps captured once as a graph and replayed (planner.cuda_graph).
#include <functional>
#include <memory>
#include <string>

#include "mbrl/core/step_graph.h"
#include "mbrl/planning/planner.h"

namespace mbrl::planning {

/// Wraps a capture-ready planner. The first step of an episode (no warm start) runs eagerly; the
/// first warm-started step captures `inner`'s step on static copies of the observation and the
/// warm start, and every later one copies its inputs into them, replays, and returns copies of
/// the captured outputs. Reset() drops the graph (the model may change between episodes); a
/// capture of another input shape or objective replaces it. A capture that fails calls `warn`
/// once with a line naming the planner and plans eagerly from then on.
class GraphedPlanner : public Planner {
 public:
  GraphedPlanner(std::unique_ptr<Planner> inner, StepGraphFactory make_graph, std::string name,
                 std::function<void(const std::string&)> warn);
  PlanResult PlanStep(const torch::Tensor& obs, TrajectoryObjective& objective) override;
  std::vector<at::Generator> generators() override { return inner_->generators(); }
  void Reset() override;
  /// Whether the last step replayed the graph.
  bool replayed() const { return replayed_; }
  /// Whether a capture failed (then every step is eager).
  bool failed() const { return failed_; }
  /// The wrapped planner.
  Planner& inner() { return *inner_; }

 private:
  bool Matches(const torch::Tensor& obs, const TrajectoryObjective& objective) const;
  void CaptureStep(const torch::Tensor& obs, TrajectoryObjective& objective);

  std::unique_ptr<Planner> inner_;
  StepGraphFactory make_graph_;
  std::string name_;
  std::function<void(const std::string&)> warn_;
  std::unique_ptr<StepGraph> graph_;
  const TrajectoryObjective* graph_objective_ = nullptr;
  torch::Tensor static_obs_;   // [O]: the graph's observation
  torch::Tensor static_prev_;  // [H, A]: the graph's warm start (inner's previous plan)
  PlanResult out_;             // the graph's outputs, overwritten by each replay
  bool failed_ = false;
  bool replayed_ = false;
};

}  // namespace mbrl::planning
