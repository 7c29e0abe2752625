#include "mbrl/agent/mpc_agent.h"

#include "mbrl/core/timer.h"

namespace mbrl::agent {

MpcAgent::MpcAgent(std::unique_ptr<planning::Planner> planner, TrajectoryObjective& objective,
                   int replan_freq, const torch::Device& device)
    : planner_(std::move(planner)),
      objective_(objective),
      replan_freq_(replan_freq),
      device_(device) {}

void MpcAgent::Reset() {
  planner_->Reset();
  last_plan_ = planning::PlanResult();
  step_in_plan_ = 0;
}

std::vector<double> MpcAgent::Act(const std::vector<double>& obs) {
  last_plan_ms_ = 0;
  replanned_ = false;
  if (!last_plan_.actions.defined() || step_in_plan_ >= replan_freq_ ||
      step_in_plan_ >= last_plan_.actions.size(0)) {
    Stopwatch timer;
    if (last_plan_.actions.defined()) {
      // Warm start from the plan as it would continue after the steps already taken.
      auto executed = last_plan_.actions;
      for (int64_t i = 1; i < step_in_plan_; ++i) executed = planning::ShiftPlan(executed);
      planner_->SetPrevious(executed);
    }
    const auto obs_t =
        torch::tensor(std::vector<float>(obs.begin(), obs.end())).to(device_);  // [O]
    last_plan_ = planner_->Plan(obs_t, objective_);
    step_in_plan_ = 0;
    last_plan_ms_ = timer.Millis();
    replanned_ = true;
  }
  const auto a = last_plan_.actions[step_in_plan_].to(torch::kCPU, torch::kDouble).contiguous();
  ++step_in_plan_;
  return std::vector<double>(a.data_ptr<double>(), a.data_ptr<double>() + a.numel());
}

}  // namespace mbrl::agent
