#include "mbrl/planning/graphed_planner.h"

#include <exception>

namespace mbrl::planning {
namespace {
// A result whose tensors are the graph's outputs copied (the next replay overwrites them).
PlanResult CopyOut(const PlanResult& out) {
  PlanResult r;
  r.actions = out.actions.clone();
  if (out.initial_actions.defined()) r.initial_actions = out.initial_actions.clone();
  r.expected_return = out.expected_return;
  // Host numbers were set once, at capture; its timings (*_ms) say nothing about a replay.
  for (const auto& [name, value] : out.stats) {
    const bool timing = name.size() > 3 && name.compare(name.size() - 3, 3, "_ms") == 0;
    if (!timing) r.stats[name] = value;
  }
  for (const auto& [name, value] : out.device_stats) r.device_stats[name] = value.clone();
  return r;
}
}  // namespace

GraphedPlanner::GraphedPlanner(std::unique_ptr<Planner> inner, StepGraphFactory make_graph,
                               std::string name, std::function<void(const std::string&)> warn)
    : Planner(PlanSpace{inner->low(), inner->high(), inner->horizon()}),
      inner_(std::move(inner)),
      make_graph_(std::move(make_graph)),
      name_(std::move(name)),
      warn_(std::move(warn)) {
  SetCaptureReady(inner_->capture_ready());
}

void GraphedPlanner::Reset() {
  Planner::Reset();
  inner_->Reset();
  graph_.reset();
  graph_objective_ = nullptr;
  static_obs_ = static_prev_ = torch::Tensor();
  out_ = PlanResult();
  replayed_ = false;
}

bool GraphedPlanner::Matches(const torch::Tensor& obs, const TrajectoryObjective& objective) const {
  return graph_ && graph_objective_ == &objective && static_obs_.sizes() == obs.sizes() &&
         static_prev_.sizes() == previous_.sizes();
}

void GraphedPlanner::CaptureStep(const torch::Tensor& obs, TrajectoryObjective& objective) {
  graph_.reset();
  static_obs_ = obs.clone();
  static_prev_ = previous_.clone();
  inner_->SetPrevious(static_prev_);  // shares static_prev_'s memory
  auto graph = make_graph_();
  graph->Capture([this, &objective]() { out_ = inner_->PlanStep(static_obs_, objective); });
  graph_ = std::move(graph);
  graph_objective_ = &objective;
}

PlanResult GraphedPlanner::PlanStep(const torch::Tensor& obs, TrajectoryObjective& objective) {
  replayed_ = false;
  if (failed_ || !previous_.defined()) {
    if (previous_.defined()) inner_->SetPrevious(previous_);
    return inner_->PlanStep(obs, objective);
  }
  if (!Matches(obs, objective)) {
    try {
      CaptureStep(obs, objective);
    } catch (const std::exception& e) {
      failed_ = true;
      graph_.reset();
      warn_("planner " + name_ + ": CUDA graph capture failed, planning eagerly from now on (" +
            e.what() + ")");
      return PlanStep(obs, objective);
    }
  }
  static_obs_.copy_(obs);
  static_prev_.copy_(previous_);
  graph_->Replay();
  replayed_ = true;
  return CopyOut(out_);
}

}  // namespace mbrl::planning
